package dev.greta.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code --resume}: keeps the runs an earlier executor recorded in summary.json (whatever their outcome) and
 * refuses when the earlier figures would not be comparable, the new plan would drop some of them, or another
 * executor is still at work.
 */
final class Resume {
    private Resume() {}

    /** The earlier summary in {@code dir}, or null when there is none (then the sweep starts afresh). */
    static BenchSummary earlierSummary(Path dir, SweepSettings settings, ModelInfo model, ProgressBar progress)
            throws IOException {
        Path summaryFile = dir.resolve("summary.json");
        Path statusFile = dir.resolve("status.json");
        if (Files.exists(statusFile)) {
            endStrays(BenchJson.readInput(statusFile, StatusReport.class, "cannot resume " + statusFile), progress);
        }
        if (!Files.exists(summaryFile)) {
            progress.message("bench: --resume: no summary.json in " + dir + " yet, starting afresh");
            return null;
        }
        BenchSummary earlier = BenchSummary.load(summaryFile, "cannot resume " + summaryFile);
        if (!earlier.model().sha256().equals(model.sha256())) {
            throw new IllegalArgumentException("cannot resume " + summaryFile + ": it measured model "
                    + earlier.model().path() + " (sha256 " + earlier.model().sha256() + "), not this one");
        }
        String conflict = settings.resumeConflict(earlier.settings());
        if (conflict != null) {
            throw new IllegalArgumentException("cannot resume " + summaryFile + ": settings differ (" + conflict
                    + "); use the earlier settings or a new --out");
        }
        return earlier;
    }

    /**
     * The earlier runs this plan keeps. Runs outside it would drop out of summary.json, so a plan that leaves any
     * out is refused unless {@code dropUnplanned}; their files stay in runs/ either way.
     */
    static List<RunRecord> keptRuns(BenchSummary earlier, List<RunKey> plan, boolean dropUnplanned, ProgressBar progress) {
        Set<RunKey> planned = new HashSet<>(plan);
        List<RunKey> outside = earlier.runs().stream().map(RunRecord::key).filter(k -> !planned.contains(k)).toList();
        if (!outside.isEmpty() && !dropUnplanned) {
            throw new IllegalArgumentException("cannot resume: " + outside.size() + " earlier runs are outside this plan ("
                    + outside.getFirst() + (outside.size() > 1 ? ", ..." : "") + "); give --ctx/--attn/--reps that "
                    + "include them, or --drop-unplanned to leave them out of summary.json (their files stay in runs/)");
        }
        if (!outside.isEmpty()) {
            progress.message("bench: --resume: " + outside.size() + " earlier runs outside this plan are left out of "
                    + "summary.json; their files stay in runs/");
        }
        return earlier.runs().stream().filter(r -> planned.contains(r.key())).toList();
    }

    /**
     * Refuses while the earlier executor is alive; ends a child it left running (it was killed without its
     * shutdown hook), recognised by its recorded pid and its prompt length on the command line.
     */
    private static void endStrays(StatusReport status, ProgressBar progress) {
        if ("running".equals(status.state()) && status.executorPid() != ProcessHandle.current().pid()
                && ProcessHandle.of(status.executorPid()).filter(ProcessHandle::isAlive).filter(Resume::isJava).isPresent()) {
            throw new IllegalArgumentException("another executor (pid " + status.executorPid()
                    + ") is still running this sweep; stop it first");
        }
        for (StatusReport.RunState run : status.runs()) {
            if (run.state() != RunStatus.RUNNING || run.pid() == null) continue;
            Optional<ProcessHandle> stray = ProcessHandle.of(run.pid()).filter(ProcessHandle::isAlive)
                    .filter(h -> h.info().commandLine().orElse("").contains("--prompt-tokens " + run.ctx() + " "));
            stray.ifPresent(h -> {
                progress.message("bench: --resume: ending the run left running by the killed executor (pid " + h.pid() + ")");
                h.destroyForcibly();
                h.onExit().join();
            });
        }
    }

    private static boolean isJava(ProcessHandle h) {
        return h.info().command().map(c -> c.endsWith("java")).orElse(false);
    }
}
