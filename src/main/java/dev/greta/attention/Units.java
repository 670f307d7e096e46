package dev.greta.attention;

import dev.greta.backend.cpu.Parallel;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs independent work units on a pool, each worker taking the next unit when it finishes one. Which worker
 * runs a unit changes from run to run, what a unit computes does not: units must not share accumulators.
 * Callers number units most expensive first, so the dynamic hand-out ends balanced.
 */
final class Units {

    @FunctionalInterface
    interface Task {
        void run(int unit, int worker);
    }

    private Units() {
    }

    static void run(Parallel pool, int count, Task task) {
        if (count <= 0) return;
        AtomicInteger next = new AtomicInteger();
        pool.forRange(Math.min(pool.threads(), count), 1, (from, to, worker) -> {
            for (int unit = next.getAndIncrement(); unit < count; unit = next.getAndIncrement()) {
                task.run(unit, worker);
            }
        });
    }
}
