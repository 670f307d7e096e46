package dev.greta.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a sweep: every planned run in its own child process, one at a time, with status.json and summary.json
 * rewritten atomically after every change, so a killed executor loses no finished run and {@code --resume}
 * continues where it stopped. Writes report.md and report.html at the end.
 */
public final class BenchExecutor {
    private final BenchConfig config;
    private final RunLauncher launcher;
    private final PrintWriter out;
    private final ProgressBar progress;
    private final ChildProcessRunner runner = new ChildProcessRunner();
    private final AtomicReference<ProcessHandle> currentChild = new AtomicReference<>();

    public BenchExecutor(BenchConfig config, RunLauncher launcher, PrintWriter out, PrintWriter err, boolean terminal) {
        this.config = config;
        this.launcher = launcher;
        this.out = out;
        this.progress = new ProgressBar(err, terminal);
    }

    /** Exit code: 0 when every run finished and passed every guardrail, 1 otherwise. */
    public int run() throws IOException, InterruptedException {
        Path dir = config.outDir();
        Files.createDirectories(dir.resolve("runs"));
        SweepSettings settings = config.settings();
        progress.message("bench: reading " + config.model());
        ModelInfo model = ModelInfo.read(config.model());
        Expectations expectations = config.expect() == null ? null : new Expectations(
                BenchJson.read(config.expect(), BenchSummary.class), config.expect().toString(), settings.tolerance());

        BenchSummary earlier = config.resume() ? Resume.earlierSummary(dir, settings, model, progress) : null;
        List<RunKey> plan = settings.plan();
        List<RunRecord> records = new ArrayList<>(earlier == null ? List.of() : Resume.keptRuns(earlier, plan, progress));
        Instant started = Instant.now();
        SummaryAssembler assembler = new SummaryAssembler(config.name(),
                earlier == null ? started.toString() : earlier.created(), EngineInfo.current(), HostInfo.current(),
                settings, model, earlier == null ? null : earlier.backendProperties());
        StatusTracker status = new StatusTracker(config.name(), dir.toAbsolutePath().toString(), plan, records, started);
        writeState(status, assembler, records);
        progress.message("bench: " + plan.size() + " runs (" + (plan.size() - records.size()) + " to go) into " + dir);

        Thread hook = new Thread(this::endCurrentChild, "bench-end-child");
        Runtime.getRuntime().addShutdownHook(hook); // Ctrl-C or kill: do not leave a child computing
        try {
            for (RunKey key : status.unfinished()) {
                RunRecord record = runOne(key, model, expectations, status, assembler, records);
                records.add(record);
                records = Guardrails.withDeterminism(records, settings.deterministic());
                status.finished(record);
                writeState(status, assembler, records);
                progress.show(status.report(Instant.now()), null, 0, false);
            }
        } finally {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        BenchSummary summary = assembler.build(records, Instant.now());
        Reports.write(summary, dir);
        status.sweepFinished();
        BenchJson.writeAtomically(dir.resolve("status.json"), status.report(Instant.now()));
        progress.close();
        out.print(MarkdownReport.resultsSection(summary));
        out.println("Report: " + dir.resolve("report.md") + " and " + dir.resolve("report.html"));
        out.flush();
        return summary.verdict() == Verdict.PASS && summary.complete() ? 0 : 1;
    }

    /** Whether stderr is a terminal (then the progress bar redraws one line in place). */
    public static boolean stderrIsTerminal() { return ProgressBar.stderrIsTerminal(); }

    private RunRecord runOne(RunKey key, ModelInfo model, Expectations expectations, StatusTracker status,
                             SummaryAssembler assembler, List<RunRecord> records) throws IOException, InterruptedException {
        SweepSettings s = config.settings();
        RunRequest request = new RunRequest(config.model(), key.ctx(), s.gen(), s.maxSeqLenFor(key.ctx()), key.attn(), s.threads(),
                s.deterministic(), s.kvType(), s.backend());
        List<String> command = launcher.command(request);
        long timeoutS = config.timeout().secondsFor(key.ctx(), model);
        String log = "runs/" + key.fileStem() + ".log";
        String stdout = "runs/" + key.fileStem() + ".json";
        Instant start = Instant.now();
        RunOutcome outcome = runner.run(command, config.outDir().resolve(stdout), config.outDir().resolve(log),
                Duration.ofSeconds(timeoutS), new ChildProcessRunner.Listener() {
                    @Override
                    public void started(ProcessHandle child) {
                        currentChild.set(child);
                        status.running(key, start, timeoutS, child.pid());
                        try {
                            writeState(status, assembler, records);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                        progress.show(status.report(Instant.now()), key, 0, false);
                    }

                    @Override
                    public void tick() {
                        progress.show(status.report(Instant.now()), key,
                                Duration.between(start, Instant.now()).toMillis() / 1000.0, true);
                    }
                });
        currentChild.set(null);
        if (outcome.result() != null) assembler.sawBackend(outcome.result().backendProperties());
        if (outcome.status() != RunStatus.DONE) progress.message("bench: " + key + " " + outcome.status() + ": " + outcome.error());
        return RunRecord.of(key, outcome, start.toString(), Instant.now().toString(), timeoutS, log, stdout, command,
                Guardrails.perRun(key, outcome, expectations));
    }

    private void writeState(StatusTracker status, SummaryAssembler assembler, List<RunRecord> records) throws IOException {
        BenchJson.writeAtomically(config.outDir().resolve("summary.json"), assembler.build(records, Instant.now()));
        BenchJson.writeAtomically(config.outDir().resolve("status.json"), status.report(Instant.now()));
    }

    private void endCurrentChild() {
        ProcessHandle child = currentChild.get();
        if (child != null) {
            child.descendants().forEach(ProcessHandle::destroyForcibly);
            child.destroyForcibly();
        }
    }
}
