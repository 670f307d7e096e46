package dev.greta;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Locates the shared test models: the system property greta.models (set where shared/ is copied elsewhere, e.g.
 * the GPU machine's bundle), then {@code ../shared/models} beside the repository (as CI lays it out), then
 * /work/shared/models.
 */
public final class TestModels {
    private TestModels() {}

    /** The models folder, if there is one. */
    public static Optional<Path> findDir() {
        String property = System.getProperty("greta.models");
        for (Path candidate : new Path[]{property == null ? null : Path.of(property), Path.of("../shared/models"),
                Path.of("../../shared/models"), Path.of("/work/shared/models")}) {
            if (candidate != null && Files.isDirectory(candidate)) return Optional.of(candidate.toAbsolutePath().normalize());
        }
        return Optional.empty();
    }

    public static Path dir() {
        return findDir().orElseThrow(() -> new IllegalStateException(
                "shared test models not found (expected ../shared/models beside the repository)"));
    }

    public static Path file(String name) { return dir().resolve(name); }

    /** The model file, if present (tests that only make sense with it skip without it). */
    public static Optional<Path> find(String name) {
        return findDir().map(d -> d.resolve(name)).filter(Files::isRegularFile);
    }

    /** The llama.cpp-made synth-tiny model of a tensor type, e.g. "Q8_0" or "Q4_K_M". */
    public static Path synthTiny(String type) { return file("synth-tiny-" + type + ".gguf"); }
}
