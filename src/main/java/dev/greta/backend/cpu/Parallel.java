package dev.greta.backend.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed pool of worker threads that splits index ranges statically: worker {@code w} of {@code n} always gets
 * the same slice of a range, so a computation whose per-element work is sequential is bit-identical for any
 * run with the same thread count, and work never allocates per call.
 *
 * <p>Workers wait for the next task by spinning briefly, then yielding, then parking: a decode step hands the
 * pool hundreds of small tasks back to back, and a parked thread takes tens of microseconds to wake, which
 * would cost more than the tasks themselves.
 */
public final class Parallel implements AutoCloseable {

    /** A unit of work over the half-open index range [from, to), run by worker {@code worker}. */
    @FunctionalInterface
    public interface RangeTask {
        void run(int from, int to, int worker);
    }

    private static final int SPINS = 20_000;
    private static final int YIELDS = 2_000;
    private static final long PARK_NANOS = 200_000;

    private final int threads;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile long epoch;
    private volatile RangeTask task;
    private volatile int rangeSize;
    private volatile int grain;
    private volatile boolean closed;
    private volatile Throwable failure;

    public Parallel(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.threads = threads;
        for (int w = 1; w < threads; w++) {
            int worker = w;
            Thread.ofPlatform().daemon().name("greta-worker-" + w).start(() -> workerLoop(worker));
        }
    }

    public int threads() { return threads; }

    /** Default thread count: the number of available processors. */
    public static int defaultThreads() { return Runtime.getRuntime().availableProcessors(); }

    /**
     * Runs {@code task} over [0, size) split into {@code threads} contiguous slices whose boundaries are
     * multiples of {@code grain} (except the last). Returns when all slices are done.
     */
    public void forRange(int size, int grain, RangeTask task) {
        if (size <= 0) return;
        if (threads == 1 || size <= grain) {
            task.run(0, size, 0);
            return;
        }
        synchronized (this) {
            if (closed) throw new IllegalStateException("the worker pool is closed");
            this.task = task;
            this.rangeSize = size;
            this.grain = Math.max(1, grain);
            this.failure = null;
            pending.set(threads - 1);
            epoch++; // publishes the task to the workers
            runSlice(0);
            for (int waits = 0; pending.get() != 0; waits++) backOff(waits);
            Throwable f = failure;
            this.task = null;
            if (f != null) {
                if (f instanceof RuntimeException re) throw re;
                if (f instanceof Error e) throw e;
                throw new IllegalStateException(f);
            }
        }
    }

    /** The slice [from, to) of [0, size) that worker {@code worker} of {@code threads} gets. */
    public static int sliceStart(int size, int grain, int threads, int worker) {
        int units = (size + grain - 1) / grain;
        long unit = (long) units * worker / threads;
        return (int) Math.min(size, unit * grain);
    }

    private void runSlice(int worker) {
        int size = rangeSize;
        int g = grain;
        int from = sliceStart(size, g, threads, worker);
        int to = sliceStart(size, g, threads, worker + 1);
        if (from >= to) return;
        try {
            task.run(from, to, worker);
        } catch (Throwable t) {
            failure = t;
        }
    }

    private void workerLoop(int worker) {
        long seen = 0;
        while (true) {
            long current;
            for (int waits = 0; (current = epoch) == seen && !closed; waits++) backOff(waits);
            if (closed) return;
            seen = current;
            runSlice(worker);
            pending.decrementAndGet();
        }
    }

    private static void backOff(int waits) {
        if (waits < SPINS) Thread.onSpinWait();
        else if (waits < SPINS + YIELDS) Thread.yield();
        else LockSupport.parkNanos(PARK_NANOS);
    }

    @Override
    public void close() { closed = true; }
}
