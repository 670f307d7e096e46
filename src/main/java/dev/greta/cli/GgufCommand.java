package dev.greta.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.greta.gguf.GgufEditor;
import dev.greta.gguf.GgufFile;
import dev.greta.gguf.GgufMetadata;
import dev.greta.gguf.GgufSummary;
import dev.greta.gguf.GgufValue;
import dev.greta.gguf.GgufValueText;
import dev.greta.gguf.GgufValueText.TypeSpec;
import dev.greta.gguf.GgufValueType;
import dev.greta.gguf.GgufVerifier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code greta gguf show|get|set|verify}: inspect, edit and check GGUF files. */
@Command(name = "gguf", mixinStandardHelpOptions = true, description = "Inspect, edit and verify GGUF files.",
        subcommands = {GgufCommand.Show.class, GgufCommand.Get.class, GgufCommand.Set.class, GgufCommand.Verify.class})
public final class GgufCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: show, get, set or verify");
    }

    /** Shared failure handling: a bad file or argument prints one line naming the file and exits 1. */
    abstract static class FileCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE", description = "GGUF file.")
        Path file;

        abstract int execute() throws IOException;

        @Override
        public final Integer call() {
            try {
                return execute();
            } catch (IOException e) {
                return fail(InputFiles.describe(e, file));
            } catch (IllegalArgumentException | IllegalStateException e) {
                return fail(file + ": " + e.getMessage());
            }
        }

        PrintWriter out() { return spec.commandLine().getOut(); }

        int fail(String message) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("greta gguf " + spec.name() + ": " + message);
            err.flush();
            return 1;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Header, every metadata key with type and value, the tensor table and totals by type.")
    static final class Show extends FileCommand {
        @Option(names = "--json", description = "Print JSON instead of text.")
        boolean json;

        @Override
        int execute() throws IOException {
            try (GgufFile f = GgufFile.open(file)) {
                GgufSummary summary = GgufSummary.of(f);
                if (json) {
                    ObjectMapper mapper = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                            .enable(SerializationFeature.INDENT_OUTPUT);
                    out().println(mapper.writeValueAsString(summary));
                    out().flush();
                } else {
                    summary.render(out());
                }
            }
            return 0;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
            description = "Print one metadata value (arrays as JSON). Exits 1 when the key is absent.")
    static final class Get extends FileCommand {
        @Parameters(index = "1", paramLabel = "KEY")
        String key;

        @Override
        int execute() throws IOException {
            try (GgufFile f = GgufFile.open(file)) {
                if (!f.metadata().has(key)) return fail("key '" + key + "' is not in " + file);
                out().println(GgufValueText.format(f.metadata().get(key)));
                out().flush();
            }
            return 0;
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = {"Add or change metadata values; tensor data is copied unchanged.",
                    "Without -o the file is replaced atomically (temporary file, fsync, rename).",
                    "An existing key keeps its type unless --type is given; new keys get bool, u32/i32/i64/u64, f32 or "
                            + "string from the value's form. Arrays are JSON, e.g. --type u32[] k='[1,2]'.",
                    "A change that would make 'gguf verify' report a problem the file did not already have is refused "
                            + "unless --force is given. A link is followed: its target is patched.",
                    "Patches of one file wait for each other, so concurrent changes of different keys all survive."})
    static final class Set extends FileCommand {
        @Parameters(index = "1..*", arity = "1..*", paramLabel = "KEY=VALUE")
        List<String> assignments;

        @Option(names = "--type", paramLabel = "TYPE",
                description = "u8, i8, u16, i16, u32, i32, u64, i64, f32, f64, bool, string, or TYPE[] for an array.")
        String type;

        @Option(names = {"-o", "--output"}, paramLabel = "OUT", description = "Write to OUT instead of changing FILE.")
        Path output;

        @Option(names = "--force", description = "Write the change even if the result fails 'gguf verify'.")
        boolean force;

        @Override
        int execute() throws IOException {
            TypeSpec explicit = type == null ? null : TypeSpec.parse(type);
            Map<String, GgufValue> changes = new LinkedHashMap<>();
            try (GgufFile f = GgufFile.open(file)) {
                for (String a : assignments) {
                    int eq = a.indexOf('=');
                    if (eq <= 0) throw new IllegalArgumentException("'" + a + "' is not KEY=VALUE");
                    String key = a.substring(0, eq);
                    String text = a.substring(eq + 1);
                    TypeSpec spec = explicit != null ? explicit : existingOrInferred(f.metadata(), key, text);
                    try {
                        changes.put(key, GgufValueText.parse(text, spec));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(key + " (" + spec + "): " + e.getMessage());
                    }
                }
            }
            Path target = output == null ? file : output;
            boolean targetExisted = Files.exists(target);
            try {
                new GgufEditor(force).apply(file, target, changes);
            } catch (GgufEditor.NewProblemsException e) {
                String kept = targetExisted ? target + " is unchanged" : "nothing was written";
                return fail(file + ": refused, " + e.getMessage() + "; " + kept + " (--force writes it anyway)");
            }
            for (Map.Entry<String, GgufValue> c : changes.entrySet()) {
                out().println(target + ": " + c.getKey() + " = " + c.getValue().display() + " (" + TypeSpec.of(c.getValue()) + ")");
            }
            out().flush();
            return 0;
        }

        private static TypeSpec existingOrInferred(GgufMetadata md, String key, String text) {
            if (!md.has(key)) return GgufValueText.infer(text);
            GgufValue old = md.get(key);
            TypeSpec spec = TypeSpec.of(old);
            if (spec.type() == GgufValueType.ARRAY && spec.elementType() == GgufValueType.ARRAY) {
                throw new IllegalArgumentException(key + " is an array of arrays, which cannot be set from text");
            }
            return spec;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Check structure, llama keys and tensor shapes, tokenizer arrays; with --data also NaN/Inf.",
                    "Lists every problem; exits 0 only when the file is clean."})
    static final class Verify extends FileCommand {
        @Option(names = "--data", description = "Also scan tensor data for NaN/Inf (quantised types via their block scales).")
        boolean data;

        @Override
        int execute() throws IOException {
            List<GgufVerifier.Problem> problems = GgufVerifier.verify(file, data);
            if (problems.isEmpty()) {
                out().println(file + ": OK" + (data ? " (structure and data)" : " (structure)"));
                out().flush();
                return 0;
            }
            for (GgufVerifier.Problem p : problems) out().println(file + ": " + p);
            out().println(file + ": " + problems.size() + " problem" + (problems.size() == 1 ? "" : "s"));
            out().flush();
            return 1;
        }
    }
}
