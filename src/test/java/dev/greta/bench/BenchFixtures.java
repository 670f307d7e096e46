package dev.greta.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Test models and child launchers shared by the bench tests. */
public final class BenchFixtures {
    private BenchFixtures() {}

    /** /work/shared/models (or ../shared/models beside the repo), where the test GGUF files live. */
    public static Path sharedModels() {
        for (Path p : List.of(Path.of("../shared/models"), Path.of("/work/shared/models"))) {
            if (Files.isDirectory(p)) return p.toAbsolutePath().normalize();
        }
        throw new IllegalStateException("shared/models not found beside the repository");
    }

    /** A tiny Llama GGUF (2 layers, dim 256, context_length 2048). */
    public static Path tinyModel() { return sharedModels().resolve("synth-tiny-Q8_0.gguf"); }

    /** Launches {@link FakeInferMain} in a child JVM with the given {@code fake.*} properties. */
    public static JvmRunLauncher fake(String... properties) {
        List<String> options = new ArrayList<>(List.of("-XX:TieredStopAtLevel=1")); // starts faster
        for (String p : properties) options.add("-Dfake." + p);
        return new JvmRunLauncher(FakeInferMain.class.getName(), options);
    }

    public static SweepSettings settings(List<Integer> ctx, List<String> attn, int reps) {
        return new SweepSettings(null, ctx, attn, reps, 1, 2, "cpu", "f32", true, "run", "auto", 0.2, null);
    }
}
