package dev.greta.backend.cpu;

import dev.greta.backend.OpTiming;

import java.util.Map;
import java.util.TreeMap;

/**
 * Wall time per op of the cpu backend, for {@code --profile-ops}: every op runs to completion on the calling
 * thread (its workers join before it returns), so the wall clock around it is its time. Off by default; then
 * {@link #start()} returns 0 and {@link #stop} records nothing.
 */
final class OpClock {
    private final Map<String, OpTiming> timings = new TreeMap<>();
    private boolean on;

    synchronized void enable(boolean enabled) {
        on = enabled;
        timings.clear();
    }

    long start() { return on ? System.nanoTime() : 0; }

    void stop(String op, long started) {
        if (started == 0) return;
        double millis = (System.nanoTime() - started) / 1e6;
        synchronized (this) {
            timings.merge(op, new OpTiming(1, millis), (a, b) -> a.plus(b.totalMillis()));
        }
    }

    synchronized Map<String, OpTiming> snapshot() { return new TreeMap<>(timings); }
}
