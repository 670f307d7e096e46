package dev.greta.attention;

import dev.greta.backend.cpu.Parallel;

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
        // Claimed one at a time: a worker the OS has preempted never holds up the others.
        pool.forChunks(count, 1, (from, to, worker) -> {
            for (int unit = from; unit < to; unit++) task.run(unit, worker);
        });
    }
}
