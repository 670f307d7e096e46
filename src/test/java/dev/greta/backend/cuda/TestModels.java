package dev.greta.backend.cuda;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds the shared test models: the system property greta.models (used where shared/ is copied elsewhere, e.g.
 * a GPU machine), then ../shared/models relative to the repository root, then /work/shared/models.
 */
final class TestModels {
    private TestModels() {
    }

    static Optional<Path> dir() {
        String property = System.getProperty("greta.models");
        for (Path candidate : new Path[] {property == null ? null : Path.of(property), Path.of("../shared/models"),
                Path.of("/work/shared/models")}) {
            if (candidate != null && Files.isDirectory(candidate)) return Optional.of(candidate);
        }
        return Optional.empty();
    }

    static Optional<Path> file(String name) {
        return dir().map(d -> d.resolve(name)).filter(Files::isRegularFile);
    }
}
