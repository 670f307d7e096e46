package dev.greta.bench;

import java.util.List;

/**
 * status.json: where a sweep stands, rewritten atomically after every state change so another terminal can
 * watch it. {@code state} is "running" until the executor finishes ("finished") or is stopped by SIGTERM or
 * Ctrl-C ("interrupted"); a SIGKILLed executor leaves "running" with {@code executor_pid} no longer alive.
 */
public record StatusReport(int schemaVersion, String name, String state, long executorPid, String outDir,
                           String started, String updated, Progress progress, Double etaS, String eta,
                           List<RunState> runs) {
    public static final int SCHEMA_VERSION = 1;

    public record Progress(int total, int finished, int done, int failed, int timeout, int running, int pending,
                           double percent) {}

    /** One planned run; {@code pid} is the child's while it runs (so a resumed executor can end a stray one). */
    public record RunState(int ctx, String attn, int rep, RunStatus state, String started, String finished,
                           Long timeoutS, Double processWallS, Long pid, String log) {}
}
