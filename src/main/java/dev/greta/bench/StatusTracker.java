package dev.greta.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Keeps the state of every planned run and turns it into a {@link StatusReport} with progress and ETA.
 * Thread-safe: the executor's shutdown hook marks it interrupted while the sweep thread may be updating it.
 */
final class StatusTracker {
    private final String name;
    private final String outDir;
    private final Instant started;
    private final Map<RunKey, StatusReport.RunState> runs = new LinkedHashMap<>();
    private String state = "running";

    StatusTracker(String name, String outDir, List<RunKey> plan, List<RunRecord> alreadyFinished, Instant started) {
        this.name = name;
        this.outDir = outDir;
        this.started = started;
        for (RunKey k : plan) runs.put(k, pending(k));
        alreadyFinished.forEach(this::finished);
    }

    synchronized void running(RunKey key, Instant at, long timeoutS, long pid) {
        StatusReport.RunState s = runs.get(key);
        runs.put(key, new StatusReport.RunState(s.ctx(), s.attn(), s.rep(), RunStatus.RUNNING, at.toString(), null,
                timeoutS, null, pid, s.log()));
    }

    synchronized void finished(RunRecord r) {
        StatusReport.RunState s = runs.get(r.key());
        if (s == null) return; // a resumed run outside the current plan
        runs.put(r.key(), new StatusReport.RunState(s.ctx(), s.attn(), s.rep(), r.status(), r.started(), r.finished(),
                r.timeoutS(), r.processWallS(), null, s.log()));
    }

    synchronized void sweepFinished() { state = "finished"; }

    /** The executor was stopped (SIGTERM, Ctrl-C) and has killed its run in progress: that run is pending again. */
    synchronized void sweepInterrupted() {
        state = "interrupted";
        runs.replaceAll((k, s) -> s.state() == RunStatus.RUNNING ? pending(k) : s);
    }

    synchronized StatusReport report(Instant now) {
        int[] count = new int[RunStatus.values().length];
        runs.values().forEach(s -> count[s.state().ordinal()]++);
        int total = runs.size();
        int fin = count[RunStatus.DONE.ordinal()] + count[RunStatus.FAILED.ordinal()] + count[RunStatus.TIMEOUT.ordinal()];
        StatusReport.Progress progress = new StatusReport.Progress(total, fin, count[RunStatus.DONE.ordinal()],
                count[RunStatus.FAILED.ordinal()], count[RunStatus.TIMEOUT.ordinal()], count[RunStatus.RUNNING.ordinal()],
                count[RunStatus.PENDING.ordinal()], total == 0 ? 100 : 100.0 * fin / total);
        OptionalDouble eta = switch (state) {
            case "finished" -> OptionalDouble.of(0);
            case "interrupted" -> OptionalDouble.empty(); // nothing is running towards an end
            default -> etaSeconds(now);
        };
        return new StatusReport(StatusReport.SCHEMA_VERSION, name, state,
                ProcessHandle.current().pid(), outDir, started.toString(), now.toString(), progress,
                eta.isPresent() ? eta.getAsDouble() : null,
                eta.isPresent() ? now.plus(Duration.ofMillis((long) (eta.getAsDouble() * 1000))).toString() : null,
                List.copyOf(runs.values()));
    }

    private static StatusReport.RunState pending(RunKey k) {
        return new StatusReport.RunState(k.ctx(), k.attn(), k.rep(), RunStatus.PENDING, null, null, null, null, null,
                "runs/" + k.fileStem() + ".log");
    }

    /** Sum of estimated remaining time over unfinished runs; empty until some run has finished. */
    OptionalDouble etaSeconds(Instant now) {
        List<StatusReport.RunState> measured = runs.values().stream().filter(s -> s.processWallS() != null).toList();
        if (measured.isEmpty()) return OptionalDouble.empty();
        double total = 0;
        for (StatusReport.RunState s : runs.values()) {
            if (s.state().isFinal()) continue;
            double estimate = estimate(s, measured);
            if (s.state() == RunStatus.RUNNING && s.started() != null) {
                estimate -= Duration.between(Instant.parse(s.started()), now).toMillis() / 1000.0;
            }
            total += Math.max(0, estimate);
        }
        return OptionalDouble.of(total);
    }

    /**
     * A run's expected duration: the mean of finished runs of the same cell, else of the same ctx, else the
     * nearest measured ctx scaled by (ctx ratio)^2 — pessimistic, since attention grows with the square.
     */
    static double estimate(StatusReport.RunState s, List<StatusReport.RunState> measured) {
        OptionalDouble sameCell = mean(measured.stream().filter(m -> m.ctx() == s.ctx() && m.attn().equals(s.attn())).toList());
        if (sameCell.isPresent()) return sameCell.getAsDouble();
        OptionalDouble sameCtx = mean(measured.stream().filter(m -> m.ctx() == s.ctx()).toList());
        if (sameCtx.isPresent()) return sameCtx.getAsDouble();
        StatusReport.RunState nearest = measured.getFirst();
        for (StatusReport.RunState m : measured) {
            if (Math.abs(Math.log((double) m.ctx() / s.ctx())) < Math.abs(Math.log((double) nearest.ctx() / s.ctx()))) nearest = m;
        }
        double ratio = (double) s.ctx() / nearest.ctx();
        return nearest.processWallS() * ratio * ratio;
    }

    private static OptionalDouble mean(List<StatusReport.RunState> runs) {
        return runs.stream().mapToDouble(StatusReport.RunState::processWallS).average();
    }

    /** Runs the plan still needs, in plan order. */
    synchronized List<RunKey> unfinished() {
        List<RunKey> out = new ArrayList<>();
        runs.forEach((k, s) -> { if (!s.state().isFinal()) out.add(k); });
        return out;
    }
}
