package dev.greta.tensor;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the shared test models: ../shared/models beside the repository, else /work/shared/models. */
final class TestModels {
    private TestModels() {}

    static Path dir() {
        for (Path p : new Path[]{Path.of("../shared/models"), Path.of("/work/shared/models")}) {
            if (Files.isDirectory(p)) return p.toAbsolutePath().normalize();
        }
        throw new IllegalStateException("test models not found: expected ../shared/models relative to the repository root");
    }

    static Path synthTiny(String type) { return dir().resolve("synth-tiny-" + type + ".gguf"); }
}
