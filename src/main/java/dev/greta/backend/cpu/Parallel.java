package dev.greta.backend.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed pool of worker threads that splits index ranges statically: worker {@code w} of {@code n} always gets
 * the same slice of a range, so a computation whose per-element work is sequential is bit-identical for any
 * run with the same thread count, and work never allocates per call.
 *
 * <p>Workers wait for the next task by spinning briefly, then yielding, then parking: a decode step hands the
 * pool hundreds of small tasks back to back, and a parked thread takes tens of microseconds to wake, which
 * would cost more than the tasks themselves.
 *
 * <p>{@link #forChunks} instead lets threads claim chunks as they come, for work whose results do not depend
 * on which thread computes what (e.g. one matrix row per output): on a shared machine the OS often preempts
 * one thread for milliseconds, and with static slices the other then waits for it.
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

    private static final int CHUNK_BITS = 20;
    /** Chunks are at most this many, so a claim word holds the task number, next chunk and chunk count. */
    public static final int MAX_CHUNKS = (1 << CHUNK_BITS) - 1;
    private static final long CHUNK_MASK = (1L << CHUNK_BITS) - 1;

    private final int threads;

    private final AtomicInteger pending = new AtomicInteger();
    /** Workers inside a {@link #forChunks} task: its caller returns only when none is. */
    private final AtomicInteger active = new AtomicInteger();
    /** (task number << 40) | (next chunk << 20) | chunk count of the current forChunks task. */
    private final AtomicLong claims = new AtomicLong();
    /** Task number << 1, plus 1 when the task's chunks are claimed ({@link #forChunks}); a change wakes workers. */
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
            long number = nextTaskNumber();
            claims.set(number << 2 * CHUNK_BITS); // no chunks: a late forChunks worker claims nothing
            epoch = number << 1; // publishes the task to the workers
            runSlice(0);
            for (int waits = 0; pending.get() != 0; waits++) backOff(waits);
            Throwable f = failure;
            this.task = null;
            rethrow(f);
        }
    }

    /**
     * Runs {@code task} over [0, size) in chunks of {@code chunk} indices (the last may be shorter) that the
     * calling thread and the workers claim one at a time until none is left; {@code worker} identifies the
     * thread running a chunk (for per-thread scratch), not a fixed slice. A pool of one thread runs the whole
     * range as one call. Returns when all chunks are done.
     */
    public void forChunks(int size, int chunk, RangeTask task) {
        if (size <= 0) return;
        if (chunk < 1) throw new IllegalArgumentException("chunk must be >= 1, got " + chunk);
        long count = (size + (long) chunk - 1) / chunk;
        if (count > MAX_CHUNKS) throw new IllegalArgumentException(count + " chunks; at most " + MAX_CHUNKS);
        if (threads == 1 || count == 1) {
            task.run(0, size, 0);
            return;
        }
        synchronized (this) {
            if (closed) throw new IllegalStateException("the worker pool is closed");
            this.task = task;
            this.rangeSize = size;
            this.grain = chunk;
            this.failure = null;
            long number = nextTaskNumber();
            claims.set(number << 2 * CHUNK_BITS | count);
            epoch = number << 1 | 1;
            runChunks(number, 0);
            // Every chunk is claimed; wait for the workers still running one (a worker that wakes later finds none).
            for (int waits = 0; active.get() != 0; waits++) backOff(waits);
            Throwable f = failure;
            this.task = null;
            rethrow(f);
        }
    }

    private long nextTaskNumber() { return ((epoch >>> 1) + 1) & ((1L << 64 - 2 * CHUNK_BITS) - 1); }

    /**
     * Claims and runs chunks of task {@code number} until none is left. The task's fields are read only after a
     * successful claim: the caller cannot finish (and so cannot publish another task) while a claimed chunk
     * runs, because the claimer counts in {@link #active} before it reads the claim word.
     */
    private void runChunks(long number, int worker) {
        while (true) {
            long c = claims.get();
            long next = c >>> CHUNK_BITS & CHUNK_MASK;
            if (c >>> 2 * CHUNK_BITS != number || next >= (c & CHUNK_MASK)) return;
            if (!claims.compareAndSet(c, c + (1L << CHUNK_BITS))) continue;
            int size = rangeSize;
            int from = (int) (next * grain);
            try {
                task.run(from, (int) Math.min(size, from + (long) grain), worker);
            } catch (Throwable t) {
                failure = t;
            }
        }
    }

    private static void rethrow(Throwable f) {
        if (f == null) return;
        if (f instanceof RuntimeException re) throw re;
        if (f instanceof Error e) throw e;
        throw new IllegalStateException(f);
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
            if ((current & 1) == 0) {
                runSlice(worker);
                pending.decrementAndGet();
            } else {
                active.incrementAndGet();
                runChunks(current >>> 1, worker);
                active.decrementAndGet();
            }
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
