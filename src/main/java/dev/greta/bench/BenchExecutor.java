package dev.greta.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a sweep: every planned run in its own child process, one at a time, with status.json and summary.json
 * rewritten atomically after every change, so a killed executor loses no finished run and {@code --resume}
 * continues where it stopped. Writes report.md and report.html at the end.
 */
public final class BenchExecutor {
    /** How long ending a run waits for its process to exit. */
    private static final long CHILD_EXIT_WAIT_SECONDS = 10;

    private final BenchConfig config;
    private final RunLauncher launcher;
    private final PrintWriter out;
    private final ProgressBar progress;
    private final ChildProcessRunner runner = new ChildProcessRunner();
    private Path dir; // the folder claimed by run()
    // guarded by this: the shutdown hook ends the child and writes status.json beside the sweep thread
    private ProcessHandle currentChild;
    private boolean interrupted;

    public BenchExecutor(BenchConfig config, RunLauncher launcher, PrintWriter out, PrintWriter err, boolean terminal) {
        this.config = config;
        this.launcher = launcher;
        this.out = out;
        this.progress = new ProgressBar(err, terminal);
    }

    /** Exit code: 0 when every run finished and passed every guardrail, 1 otherwise. */
    public int run() throws IOException, InterruptedException {
        SweepSettings settings = config.settings();
        if (config.resume() && !Files.exists(config.outDir())) {
            throw new IllegalArgumentException("--resume: " + config.outDir() + " does not exist: nothing to resume");
        }
        progress.message("bench: reading " + config.model());
        ModelInfo model = ModelInfo.read(config.model());
        Expectations expectations = config.expect() == null ? null : expectations(config.expect(), settings, model);
        // inputs first: a sweep refused for a bad one must not claim a folder
        dir = OutputDirectory.choose(config.outDir(), config.resume());
        Files.createDirectories(dir.resolve("runs"));

        BenchSummary earlier = config.resume() ? Resume.earlierSummary(dir, settings, model, progress) : null;
        List<RunKey> plan = settings.plan();
        List<RunRecord> records = new ArrayList<>(earlier == null ? List.of()
                : Resume.keptRuns(earlier, plan, config.dropUnplanned(), progress));
        Instant started = Instant.now();
        SummaryAssembler assembler = new SummaryAssembler(config.name(),
                earlier == null ? started.toString() : earlier.created(), EngineInfo.current(), HostInfo.current(),
                settings, model, earlier == null ? null : earlier.backendProperties());
        StatusTracker status = new StatusTracker(config.name(), dir.toAbsolutePath().toString(), plan, records, started);
        writeState(status, assembler, records);
        progress.message("bench: " + plan.size() + " runs (" + (plan.size() - records.size()) + " to go) into " + dir);

        Thread hook = new Thread(() -> interrupt(status), "bench-interrupted");
        Runtime.getRuntime().addShutdownHook(hook); // Ctrl-C or kill: do not leave a child computing
        try {
            for (RunKey key : status.unfinished()) {
                if (isInterrupted()) break;
                RunRecord record = runOne(key, model, expectations, status, assembler, records);
                records.add(record);
                records = Guardrails.withDeterminism(records, settings.deterministic());
                status.finished(record);
                writeState(status, assembler, records);
                progress.show(status.report(Instant.now()), null, 0, false);
            }
        } finally {
            removeHook(hook);
        }
        if (isInterrupted()) return 1; // the JVM is going down and the hook has said so in status.json
        BenchSummary summary = assembler.build(records, Instant.now());
        Reports.write(summary, dir);
        status.sweepFinished();
        writeStatus(status);
        progress.close();
        out.print(MarkdownReport.resultsSection(summary));
        out.println("Report: " + dir.resolve("report.md") + " and " + dir.resolve("report.html"));
        out.flush();
        return summary.verdict() == Verdict.PASS && summary.complete() ? 0 : 1;
    }

    /**
     * The throughput ranges of an earlier sweep, which only apply to runs of the same model made the same way (a
     * different model or thread count would turn every run into a FAIL or a PASS that means nothing).
     */
    private static Expectations expectations(Path file, SweepSettings settings, ModelInfo model) {
        BenchSummary earlier = BenchSummary.load(file, "--expect " + file);
        if (!earlier.model().sha256().equals(model.sha256())) {
            throw new IllegalArgumentException("--expect " + file + " was measured on another model ("
                    + earlier.model().path() + ", sha256 " + earlier.model().sha256().substring(0, 12) + "...)");
        }
        String conflict = settings.measurementConflict(earlier.settings());
        if (conflict != null) {
            throw new IllegalArgumentException("--expect " + file + " was measured differently (" + conflict + ")");
        }
        return new Expectations(earlier, file.toString(), settings.tolerance());
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
        RunOutcome outcome = runner.run(command, dir.resolve(stdout), dir.resolve(log),
                Duration.ofSeconds(timeoutS), new ChildProcessRunner.Listener() {
                    @Override
                    public void started(ProcessHandle child) {
                        synchronized (BenchExecutor.this) {
                            currentChild = child;
                            if (interrupted) endCurrentChild(); // started as the hook ran: it missed this one
                        }
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
        synchronized (this) {
            currentChild = null;
        }
        if (outcome.result() != null) assembler.sawBackend(outcome.result().backendProperties());
        if (outcome.status() != RunStatus.DONE) progress.message("bench: " + key + " " + outcome.status() + ": " + outcome.error());
        return RunRecord.of(key, outcome, start.toString(), Instant.now().toString(), timeoutS, log, stdout, command,
                Guardrails.perRun(key, outcome, expectations));
    }

    private synchronized void writeState(StatusTracker status, SummaryAssembler assembler, List<RunRecord> records)
            throws IOException {
        if (interrupted) return; // the hook has written the last word; a run it killed is no result
        BenchJson.writeAtomically(dir.resolve("summary.json"), assembler.build(records, Instant.now()));
        writeStatus(status);
    }

    private synchronized void writeStatus(StatusTracker status) throws IOException {
        if (!interrupted) BenchJson.writeAtomically(dir.resolve("status.json"), status.report(Instant.now()));
    }

    private synchronized boolean isInterrupted() { return interrupted; }

    /**
     * The shutdown hook (SIGTERM, Ctrl-C): ends the run in progress and leaves status.json saying
     * "interrupted", so a watcher is not told the sweep still runs; from then on the sweep thread writes nothing.
     */
    private synchronized void interrupt(StatusTracker status) {
        interrupted = true;
        endCurrentChild();
        status.sweepInterrupted();
        try {
            BenchJson.writeAtomically(dir.resolve("status.json"), status.report(Instant.now()));
        } catch (IOException e) {
            progress.message("bench: could not mark " + dir.resolve("status.json") + " interrupted: " + e.getMessage());
        }
    }

    private void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs (or ran) and must stay
        }
    }

    private void endCurrentChild() {
        if (currentChild != null) {
            currentChild.descendants().forEach(ProcessHandle::destroyForcibly);
            currentChild.destroyForcibly();
            try {
                // Bounded: a child slow to die (a GPU teardown) must not keep the executor from exiting.
                currentChild.onExit().get(CHILD_EXIT_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException | ExecutionException e) {
                progress.message("bench: run process " + currentChild.pid() + " had not exited after "
                        + CHILD_EXIT_WAIT_SECONDS + " s; --resume ends it if it is still there");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
