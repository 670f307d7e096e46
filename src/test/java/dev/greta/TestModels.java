package dev.greta;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the shared test models: {@code ../shared/models} beside the repository (as CI lays it out). */
public final class TestModels {
    private TestModels() {}

    public static Path dir() {
        for (Path candidate : new Path[]{Path.of("../shared/models"), Path.of("../../shared/models"), Path.of("/work/shared/models")}) {
            if (Files.isDirectory(candidate)) return candidate.toAbsolutePath().normalize();
        }
        throw new IllegalStateException("shared test models not found (expected ../shared/models beside the repository)");
    }

    public static Path file(String name) { return dir().resolve(name); }
}
