package dev.greta.tensor.bench;

import dev.greta.backend.cpu.Parallel;
import dev.greta.gguf.GgmlType;
import dev.greta.tensor.Quantizer;
import dev.greta.tensor.WeightMatrix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * A random weight of one type and shape in off-heap memory (like a mapped GGUF file), random activations and
 * a thread pool: what the matmul benchmarks time. With several copies (each in its own memory) the calls take
 * them in turn, so weights that together exceed the caches come from DRAM, as a model's layers do.
 */
final class MatmulFixture implements AutoCloseable, Runnable {
    /** The same weight in separate memory; calls take them in turn. */
    final WeightMatrix[] copies;
    private int next;
    final float[] x;
    final float[] out;
    final int tokens;
    final Parallel pool;
    private final Arena arena = Arena.ofShared();

    /** shape is "rows x cols" of the weight, e.g. "1536x576" (SmolLM2-135M's FFN gate/up). */
    MatmulFixture(String type, String shape, int tokens, int threads) { this(type, shape, tokens, threads, 1); }

    MatmulFixture(String type, String shape, int tokens, int threads, int copies) {
        if (copies < 1) throw new IllegalArgumentException("copies must be at least 1, got " + copies);
        String[] rc = shape.split("x");
        int rows = Integer.parseInt(rc[0]);
        int cols = Integer.parseInt(rc[1]);
        Random rnd = new Random(42);
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) w[i] = (float) (rnd.nextGaussian() * 0.02);
        byte[] bytes = Quantizer.quantize(GgmlType.valueOf(type), w, 0, w.length);
        this.copies = new WeightMatrix[copies];
        MemorySegment all = arena.allocate((long) bytes.length * copies, 64);
        for (int c = 0; c < copies; c++) {
            MemorySegment data = all.asSlice((long) c * bytes.length, bytes.length);
            data.copyFrom(MemorySegment.ofArray(bytes));
            this.copies[c] = WeightMatrix.of(GgmlType.valueOf(type), data, rows, cols);
        }
        this.tokens = tokens;
        x = new float[tokens * cols];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        out = new float[tokens * rows];
        pool = new Parallel(threads);
    }

    float[] call() {
        copies[next].matmul(x, tokens, out, pool);
        next = (next + 1) % copies.length;
        return out;
    }

    @Override
    public void run() { call(); }

    @Override
    public void close() {
        pool.close();
        arena.close();
    }
}
