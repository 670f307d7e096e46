package dev.greta.cli;

import dev.greta.backend.KvType;
import dev.greta.bench.BenchConfig;
import dev.greta.bench.BenchExecutor;
import dev.greta.bench.BenchSummary;
import dev.greta.bench.JvmRunLauncher;
import dev.greta.bench.OutputDirectory;
import dev.greta.bench.RunLauncher;
import dev.greta.bench.Suite;
import dev.greta.bench.SummaryComparison;
import dev.greta.bench.SweepSettings;
import dev.greta.bench.TimeoutPolicy;
import dev.greta.engine.Backends;
import dev.greta.model.synth.SyntheticModels;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code greta bench}: a prefill sweep, each run in its own JVM, with status, summary and reports. */
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = BenchCommand.Compare.class,
        description = {"Runs a prefill sweep (every ctx × attention variant × rep in its own process) and writes "
                + "status.json, summary.json, report.md and report.html.",
                "With no options: a quick sweep (ctx 256,512,1024 × naive,flash) on the built-in model.",
                "Exit code: 0 when every run passed every guardrail, 1 otherwise, 2 for bad options or input files "
                        + "(or a resume that cannot continue)."})
public final class BenchCommand implements Callable<Integer> {

    /** Provides the model to use when --model is not given. */
    @FunctionalInterface
    public interface ModelSource {
        Path path() throws IOException;
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "PATH", description = "GGUF model (default: the built-in model)")
    Path model;

    @Option(names = "--suite", paramLabel = "NAME", description = "Preset: quick (default), core (4096,8192,16384, 3 reps) "
            + "or long (16384,24576,32768, 3× timeouts)")
    String suite;

    @Option(names = "--ctx", split = ",", paramLabel = "N", description = "Prompt lengths in tokens, e.g. 4096,8192,16384")
    List<Integer> ctx;

    // commas separate variants, except inside one variant's parameters: flash:q=64,kv=32
    @Option(names = "--attn", split = ",(?![^,:]*=)", splitSynopsisLabel = ",", paramLabel = "SPEC",
            description = "Attention variants; the first is the baseline (default: naive,flash)")
    List<String> attn;

    @Option(names = "--reps", description = "Repetitions of each (ctx, variant) (default: the suite's)")
    Integer reps;

    @Option(names = "--gen", defaultValue = "1", description = "New tokens per run (default: ${DEFAULT-VALUE})")
    int gen;

    @Option(names = "--threads", description = "Engine threads (default: the number of CPUs)")
    Integer threads;

    @Option(names = "--timeout", defaultValue = "auto", paramLabel = "auto|SECONDS",
            description = "Per-run limit; auto grows with ctx² and the model size (default: ${DEFAULT-VALUE})")
    String timeout;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: artifacts/<date>/<name>/)")
    Path out;

    @Option(names = "--resume", description = "Keep the runs already in DIR/summary.json and do the rest "
            + "(refused when this plan leaves some of them out, unless --drop-unplanned)")
    boolean resume;

    @Option(names = "--drop-unplanned", description = "With --resume: leave earlier runs outside this plan out of "
            + "summary.json (their files stay in runs/); without it such a resume is refused")
    boolean dropUnplanned;

    @Option(names = "--name", description = "Name of the sweep (default: the suite's)")
    String name;

    @Option(names = "--backend", defaultValue = "cpu", description = "cpu or cuda (default: ${DEFAULT-VALUE})")
    String backend;

    @Option(names = "--kv-type", description = "KV cache type, f32 or f16 (default: f16 on cuda, f32 on cpu)")
    String kvType;

    @Option(names = "--max-seq-len", defaultValue = "run", paramLabel = "run|model|N",
            description = "Sequence limit of each run (--ctx of infer): run = ctx+gen (default), model = the model's "
                    + "context length (longer prompts are refused), or N tokens")
    String maxSeqLen;

    @Option(names = "--deterministic", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Deterministic runs (default: on); reps must then agree exactly")
    boolean deterministic;

    @Option(names = "--expect", paramLabel = "FILE", description = "An earlier summary.json: flag throughput outside its range")
    Path expect;

    @Option(names = "--tolerance", defaultValue = "0.2", description = "Relative range for --expect (default: ${DEFAULT-VALUE})")
    double tolerance;

    private final RunLauncher launcher;
    private final ModelSource defaultModel;

    public BenchCommand() {
        this(JvmRunLauncher.greta(), SyntheticModels::ensureDefault);
    }

    /** For tests and other front ends: a different child command or default model. */
    public BenchCommand(RunLauncher launcher, ModelSource defaultModel) {
        this.launcher = launcher;
        this.defaultModel = defaultModel;
    }

    @Override
    public Integer call() throws Exception {
        Suite preset = suite();
        boolean custom = ctx != null || attn != null;
        String sweepName = name != null ? name : suite != null || !custom ? preset.id() : "sweep";
        SweepSettings settings;
        TimeoutPolicy timeoutPolicy;
        try {
            settings = new SweepSettings(suite != null || ctx == null ? preset.id() : null,
                    ctx != null ? ctx : preset.ctx(), attn != null ? attn : Suite.DEFAULT_ATTN,
                    reps != null ? reps : preset.reps(), gen,
                    threads != null ? threads : Runtime.getRuntime().availableProcessors(),
                    oneOf("--backend", backend, "cpu", "cuda"), oneOf("--kv-type", kvType != null ? kvType : KvType.defaultFor(backend).label(), "f32", "f16"),
                    deterministic, maxSeqLen, timeout, tolerance, expect == null ? null : expect.toString());
            timeoutPolicy = TimeoutPolicy.parse(timeout, preset.timeoutFactor());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (dropUnplanned && !resume) throw new ParameterException(spec.commandLine(), "--drop-unplanned only applies with --resume");
        // The name is the output folder's name under artifacts/DATE/: a path in it would write elsewhere.
        if (!sweepName.matches("[A-Za-z0-9_.-]+") || sweepName.matches("\\.+")) {
            throw new ParameterException(spec.commandLine(), "--name '" + sweepName + "': use letters, digits, '.', '_' and '-' only");
        }
        for (String variant : settings.attn()) checkAttention(variant);
        if (model != null && !Files.isRegularFile(model)) {
            throw new ParameterException(spec.commandLine(), "--model " + model + (Files.exists(model) ? ": not a regular file" : ": no such file"));
        }
        Path modelPath = model != null ? model : defaultModel.path();
        Path dir = out != null ? out : OutputDirectory.defaultFor(sweepName, LocalDate.now());
        BenchConfig config = new BenchConfig(sweepName, dir, modelPath, settings, timeoutPolicy, resume, dropUnplanned);
        try {
            return new BenchExecutor(config, launcher, spec.commandLine().getOut(), spec.commandLine().getErr(),
                    BenchExecutor.stderrIsTerminal()).run();
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("bench: " + e.getMessage());
            return 2;
        }
    }

    /** With the engine's own parser, so a variant every run would refuse stops the sweep before it starts. */
    private void checkAttention(String variant) {
        try {
            Backends.checkAttention(backend, variant);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--attn " + variant + ": " + e.getMessage());
        }
    }

    private Suite suite() {
        if (suite == null) return Suite.QUICK;
        try {
            return Suite.valueOf(suite.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--suite '" + suite + "': expected quick, core or long");
        }
    }

    private String oneOf(String option, String value, String... allowed) {
        if (List.of(allowed).contains(value)) return value;
        throw new ParameterException(spec.commandLine(), option + " '" + value + "': expected one of " + String.join(", ", allowed));
    }

    @Command(name = "compare", mixinStandardHelpOptions = true,
            description = "Side-by-side table of two summaries with B/A ratios (e.g. before/after, or cpu vs cuda).")
    static final class Compare implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "A", description = "The first summary.json (the reference)")
        Path a;

        @Parameters(index = "1", paramLabel = "B", description = "The second summary.json")
        Path b;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            BenchSummary sa = read(a);
            BenchSummary sb = read(b);
            spec.commandLine().getOut().print(SummaryComparison.render(sa, a.toString(), sb, b.toString()));
            spec.commandLine().getOut().flush();
            return 0;
        }

        private BenchSummary read(Path file) {
            try {
                return BenchSummary.load(file, "cannot read summary " + file);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        }
    }
}
