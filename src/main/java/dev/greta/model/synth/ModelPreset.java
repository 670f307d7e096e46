package dev.greta.model.synth;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Real model shapes to generate random-weight stand-ins for (hyperparameters from the models' own configs). */
public enum ModelPreset {
    SMOLLM2_135M("smollm2-135m", new SyntheticSpec("smollm2-135m", 30, 576, 1536, 9, 3, 49152, 8192, true, 100_000f, null, 1e-5f)),
    TINYLLAMA_1_1B("tinyllama-1.1b", new SyntheticSpec("tinyllama-1.1b", 22, 2048, 5632, 32, 4, 32000, 2048, false, 10_000f, null, 1e-5f)),
    LLAMA3_2_1B("llama3.2-1b", new SyntheticSpec("llama3.2-1b", 16, 2048, 8192, 32, 8, 128256, 131072, true, 500_000f,
            new Llama3RopeScaling(32f, 1f, 4f, 8192), 1e-5f)),
    LLAMA2_7B("llama2-7b", new SyntheticSpec("llama2-7b", 32, 4096, 11008, 32, 32, 32000, 4096, false, 10_000f, null, 1e-5f)),
    MISTRAL_7B("mistral-7b", new SyntheticSpec("mistral-7b", 32, 4096, 14336, 32, 8, 32000, 32768, false, 1_000_000f, null, 1e-5f));

    private final String id;
    private final SyntheticSpec spec;

    ModelPreset(String id, SyntheticSpec spec) {
        this.id = id;
        this.spec = spec;
    }

    /** The name used on the command line, e.g. "smollm2-135m". */
    public String id() { return id; }

    public SyntheticSpec spec() { return spec; }

    public static ModelPreset byId(String id) {
        for (ModelPreset p : values()) {
            if (p.id.equals(id.toLowerCase(Locale.ROOT))) return p;
        }
        throw new IllegalArgumentException("unknown preset '" + id + "' (known: " + ids() + ")");
    }

    public static String ids() {
        return Arrays.stream(values()).map(ModelPreset::id).collect(Collectors.joining(", "));
    }
}
