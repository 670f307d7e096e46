package dev.greta.model.synth;

import dev.greta.gguf.GgmlType;
import dev.greta.gguf.GgufVerifier;
import dev.greta.gguf.GgufWriter;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/** The built-in model: a synthetic SmolLM2-135M-shaped Q8_0 model, generated once and cached. */
public final class SyntheticModels {
    public static final ModelPreset DEFAULT_PRESET = ModelPreset.SMOLLM2_135M;
    public static final GgmlType DEFAULT_TYPE = GgmlType.Q8_0;
    public static final long DEFAULT_SEED = 42;

    private SyntheticModels() {}

    /**
     * The default model's path, generating it first when it is missing or does not match what this version
     * generates (wrong size, header or structure). The cache folder is $GRETA_CACHE_DIR, else ~/.cache/greta.
     * Says on stderr that the model is synthetic.
     */
    public static Path ensureDefault() throws IOException {
        String env = System.getenv("GRETA_CACHE_DIR");
        Path dir = env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "greta");
        return ensureDefault(dir, System.err);
    }

    static Path ensureDefault(Path cacheDir, PrintStream log) throws IOException {
        SyntheticSpec spec = DEFAULT_PRESET.spec();
        Path file = cacheDir.resolve(String.format(Locale.ROOT, "synthetic-%s-%s-seed%d-v%d.gguf", spec.name(),
                DEFAULT_TYPE.name().toLowerCase(Locale.ROOT), DEFAULT_SEED, SyntheticModel.GENERATOR_VERSION));
        GgufWriter plan = SyntheticModel.plan(spec, DEFAULT_TYPE, DEFAULT_SEED);
        String what = "synthetic model (random weights, " + spec.name() + " shape, " + DEFAULT_TYPE + ", seed " + DEFAULT_SEED + ")";
        if (!matches(file, plan)) {
            log.println("greta: generating the built-in " + what + " at " + file);
            SyntheticModel.write(spec, DEFAULT_TYPE, DEFAULT_SEED, file, Progress.line(log, "greta: generating"));
            if (!matches(file, plan)) throw new IOException("generated model " + file + " does not check out");
        }
        log.println("greta: using the built-in " + what + ": " + file);
        return file;
    }

    /** True when {@code file} has the planned size and header and passes the structural checks. */
    static boolean matches(Path file, GgufWriter plan) throws IOException {
        if (!Files.isRegularFile(file) || Files.size(file) != plan.fileSize()) return false;
        byte[] header = plan.header();
        byte[] actual;
        try (InputStream in = Files.newInputStream(file)) {
            actual = in.readNBytes(header.length);
        }
        return Arrays.equals(header, actual) && GgufVerifier.verify(file, false).isEmpty();
    }
}
