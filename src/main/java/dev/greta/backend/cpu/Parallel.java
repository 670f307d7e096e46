package dev.greta.backend.cpu;

import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.function.IntConsumer;

/**
 * A fixed pool of worker threads that splits index ranges statically: worker {@code w} of {@code n} always gets
 * the same slice of a range, so a computation whose per-element work is sequential is bit-identical for any
 * run with the same thread count, and work never allocates per call.
 */
public final class Parallel implements AutoCloseable {

    /** A unit of work over the half-open index range [from, to), run by worker {@code worker}. */
    @FunctionalInterface
    public interface RangeTask {
        void run(int from, int to, int worker);
    }

    private final int threads;
    private final Thread[] workers;
    private final CyclicBarrier start;
    private final CyclicBarrier done;
    private volatile RangeTask task;
    private volatile int rangeSize;
    private volatile int grain;
    private volatile boolean closed;
    private volatile Throwable failure;

    public Parallel(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.threads = threads;
        this.start = new CyclicBarrier(threads);
        this.done = new CyclicBarrier(threads);
        this.workers = new Thread[threads - 1];
        for (int w = 1; w < threads; w++) {
            int worker = w;
            Thread t = Thread.ofPlatform().daemon().name("greta-worker-" + w).unstarted(() -> workerLoop(worker));
            workers[w - 1] = t;
            t.start();
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
            this.task = task;
            this.rangeSize = size;
            this.grain = Math.max(1, grain);
            this.failure = null;
            await(start);
            runSlice(0);
            await(done);
            Throwable f = failure;
            this.task = null;
            if (f != null) {
                if (f instanceof RuntimeException re) throw re;
                if (f instanceof Error e) throw e;
                throw new IllegalStateException(f);
            }
        }
    }

    /** Runs {@code body} for each index in [0, size), statically partitioned. */
    public void forEach(int size, IntConsumer body) {
        forRange(size, 1, (from, to, w) -> {
            for (int i = from; i < to; i++) body.accept(i);
        });
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
        while (true) {
            await(start);
            if (closed) return;
            runSlice(worker);
            await(done);
        }
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("worker interrupted", e);
        } catch (BrokenBarrierException e) {
            throw new IllegalStateException("worker pool broken", e);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (threads > 1) {
            try {
                start.await();
            } catch (InterruptedException | BrokenBarrierException ignored) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
