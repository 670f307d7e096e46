package dev.greta.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** The shared test models folder: ../shared/models beside the repository, else /work/shared/models. */
final class SharedModels {
    private SharedModels() {}

    static Path path(String name) {
        for (Path dir : new Path[]{Path.of("../shared/models"), Path.of("/work/shared/models")}) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) return p;
        }
        throw new IllegalStateException("test model " + name + " not found in ../shared/models or /work/shared/models");
    }
}
