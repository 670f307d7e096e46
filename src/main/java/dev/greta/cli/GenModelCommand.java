package dev.greta.cli;

import dev.greta.gguf.GgmlType;
import dev.greta.model.synth.ModelPreset;
import dev.greta.model.synth.Progress;
import dev.greta.model.synth.SyntheticModel;
import dev.greta.model.synth.SyntheticSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/** {@code greta gen-model}: writes a deterministic random-weight Llama model of a real shape. */
@Command(name = "gen-model", mixinStandardHelpOptions = true,
        description = {"Generate a random-weight Llama GGUF model of a real shape with a valid SentencePiece vocabulary.",
                "The same options always give the same bytes.",
                "Presets: smollm2-135m, tinyllama-1.1b, llama3.2-1b, llama2-7b, mistral-7b."})
public final class GenModelCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--preset", paramLabel = "NAME", description = "A real model's shape (see above).")
    String preset;

    @Option(names = "--shape", split = ",", paramLabel = "KEY=VALUE",
            description = "layers=,dim=,ffn=,heads=,kv-heads=,vocab=[,tied=true]; with --preset, overrides its values.")
    Map<String, String> shape = new LinkedHashMap<>();

    @Option(names = "--type", defaultValue = "q8_0", paramLabel = "TYPE",
            description = "f32, f16, bf16, q8_0, q4_0, q4_k or q6_k (default ${DEFAULT-VALUE}). Norms stay f32.")
    String type;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--ctx", paramLabel = "N", description = "llama.context_length (default: the preset's, 2048 for --shape).")
    Integer ctx;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE")
    Path output;

    @Option(names = {"-q", "--quiet"}, description = "No progress line.")
    boolean quiet;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        try {
            SyntheticSpec model = spec();
            GgmlType t = parseType(type);
            TreeSet<String> fallbacks = new TreeSet<>();
            for (long cols : new long[]{model.dim(), model.ffn()}) { // rows of every matrix have one of these lengths
                GgmlType actual = SyntheticModel.matrixType(t, cols);
                if (actual != t) fallbacks.add("rows of " + cols + " are not whole " + t + " blocks: those matrices use " + actual);
            }
            fallbacks.forEach(f -> err.println("gen-model: " + f));
            err.flush();
            Progress progress = quiet ? Progress.none() : Progress.line(System.err, "gen-model " + output.getFileName());
            SyntheticModel.write(model, t, seed, output, progress);
            spec.commandLine().getOut().println(output + ": synthetic " + model.name() + ", " + t + ", seed " + seed);
            spec.commandLine().getOut().flush();
            return 0;
        } catch (IllegalArgumentException | IOException e) {
            err.println("greta gen-model: " + e.getMessage());
            err.flush();
            return 1;
        }
    }

    private SyntheticSpec spec() {
        if (preset == null && shape.isEmpty()) throw new IllegalArgumentException("give --preset NAME or --shape (presets: " + ModelPreset.ids() + ")");
        SyntheticSpec s = preset != null ? ModelPreset.byId(preset).spec().with(shape) : SyntheticSpec.fromShape(shape);
        return ctx == null ? s : s.withContextLength(ctx);
    }

    private static GgmlType parseType(String text) {
        for (GgmlType t : SyntheticModel.TYPES) {
            if (t.name().equalsIgnoreCase(text.trim())) return t;
        }
        throw new IllegalArgumentException("unknown --type '" + text + "' (expected " + SyntheticModel.TYPES.toString().toLowerCase(Locale.ROOT) + ")");
    }
}
