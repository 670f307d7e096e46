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
 * a thread pool: what the matmul benchmarks time.
 */
final class MatmulFixture implements AutoCloseable, Runnable {
    final WeightMatrix weights;
    final float[] x;
    final float[] out;
    final int tokens;
    final Parallel pool;
    private final Arena arena = Arena.ofShared();

    /** shape is "rows x cols" of the weight, e.g. "1536x576" (SmolLM2-135M's FFN gate/up). */
    MatmulFixture(String type, String shape, int tokens, int threads) {
        String[] rc = shape.split("x");
        int rows = Integer.parseInt(rc[0]);
        int cols = Integer.parseInt(rc[1]);
        Random rnd = new Random(42);
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) w[i] = (float) (rnd.nextGaussian() * 0.02);
        byte[] bytes = Quantizer.quantize(GgmlType.valueOf(type), w, 0, w.length);
        MemorySegment data = arena.allocate(bytes.length, 64);
        data.copyFrom(MemorySegment.ofArray(bytes));
        weights = WeightMatrix.of(GgmlType.valueOf(type), data, rows, cols);
        this.tokens = tokens;
        x = new float[tokens * cols];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        out = new float[tokens * rows];
        pool = new Parallel(threads);
    }

    float[] call() {
        weights.matmul(x, tokens, out, pool);
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
