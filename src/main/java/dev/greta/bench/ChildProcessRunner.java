package dev.greta.bench;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one child process to completion or its timeout: stdout (the infer JSON) to one file, stderr to the
 * run's log file, peak RSS sampled while it runs. A child still alive at the timeout is killed with all its
 * descendants and reported as TIMEOUT, never with a figure.
 */
public final class ChildProcessRunner {
    static final int STDERR_TAIL_LINES = 20;
    private static final ObjectMapper JSON = BenchJson.mapper();

    /** Called with the child right after it starts (to record its pid) and then about once a second. */
    public interface Listener {
        void started(ProcessHandle child);

        void tick();
    }

    public RunOutcome run(List<String> command, Path stdoutFile, Path logFile, Duration timeout, Listener listener)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command);
        // GRETA_* settings (GRETA_MAX_SEQ_LEN, GRETA_ATTN, ...) would change a run behind its recorded command line
        builder.environment().keySet().removeIf(name -> name.startsWith("GRETA_"));
        Process process = builder
                .redirectOutput(stdoutFile.toFile())
                .redirectError(logFile.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        long startNanos = System.nanoTime();
        try {
            listener.started(process.toHandle());
            PeakRssSampler rss = new PeakRssSampler(process.pid());
            boolean timedOut = !waitSampling(process, rss, startNanos, timeout, listener);
            double wall = (System.nanoTime() - startNanos) / 1e9;
            List<String> tail = tail(logFile);
            if (timedOut) {
                return new RunOutcome(RunStatus.TIMEOUT, null, null,
                        "killed at its timeout of " + timeout.toSeconds() + " s", tail, rss.peakBytes(), wall);
            }
            int exit = process.exitValue();
            if (exit != 0) {
                return new RunOutcome(RunStatus.FAILED, exit, null, failureMessage(exit, tail), tail,
                        rss.peakBytes(), wall);
            }
            return parsed(stdoutFile, tail, rss.peakBytes(), wall);
        } finally {
            if (process.isAlive()) kill(process); // interrupted: never leave a child behind
        }
    }

    /** True when the process exited by itself before the timeout. */
    private static boolean waitSampling(Process process, PeakRssSampler rss, long startNanos, Duration timeout,
                                        Listener listener) throws InterruptedException {
        long deadline = startNanos + timeout.toNanos();
        long nextTick = startNanos + TimeUnit.SECONDS.toNanos(1);
        while (true) {
            rss.sample();
            long now = System.nanoTime();
            // poll fast at first (short runs), then calmly: reading /proc is cheap but not free
            long pollMs = now - startNanos < TimeUnit.SECONDS.toNanos(2) ? 20 : 200;
            long untilDeadlineMs = TimeUnit.NANOSECONDS.toMillis(deadline - now);
            if (untilDeadlineMs <= 0) {
                kill(process);
                return false;
            }
            if (process.waitFor(Math.min(pollMs, untilDeadlineMs), TimeUnit.MILLISECONDS)) return true;
            if (System.nanoTime() >= nextTick) {
                listener.tick();
                nextTick += TimeUnit.SECONDS.toNanos(1);
            }
        }
    }

    static void kill(Process process) throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor();
    }

    private static RunOutcome parsed(Path stdoutFile, List<String> tail, Long peak, double wall) throws IOException {
        String stdout = Files.readString(stdoutFile, StandardCharsets.UTF_8).strip();
        try {
            InferResult result = JSON.readValue(stdout, InferResult.class);
            return new RunOutcome(RunStatus.DONE, 0, result, null, tail, peak, wall);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            String shown = stdout.length() > 200 ? stdout.substring(0, 200) + "..." : stdout;
            return new RunOutcome(RunStatus.FAILED, 0, null,
                    "exit 0 but stdout is not the infer JSON (" + e.getOriginalMessage() + "): '" + shown + "'",
                    tail, peak, wall);
        }
    }

    private static String failureMessage(int exit, List<String> tail) {
        String last = tail.isEmpty() ? "no stderr output" : tail.getLast();
        for (String line : tail.reversed()) {
            if (line.contains("exceeds the max sequence length")) {
                last = line;
                break;
            }
        }
        return "exit " + exit + ": " + last;
    }

    /** The last non-blank lines of the run's stderr. */
    static List<String> tail(Path logFile) throws IOException {
        List<String> lines = new ArrayList<>();
        // decoded leniently: a crashing child may leave a torn multi-byte character
        new String(Files.readAllBytes(logFile), StandardCharsets.UTF_8).lines()
                .filter(line -> !line.isBlank()).forEach(lines::add);
        return List.copyOf(lines.subList(Math.max(0, lines.size() - STDERR_TAIL_LINES), lines.size()));
    }
}
