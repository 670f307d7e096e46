package dev.greta.attention;

import dev.greta.backend.cpu.Parallel;

/** The argument checks every {@link AttentionKernel#attend} makes before touching memory. */
final class AttentionArgs {

    private AttentionArgs() {
    }

    static void check(float[] q, int rows, int startPos, CpuKvCache cache, int layer, float[] out,
                      AttentionShape shape, Parallel pool) {
        if (q == null || out == null || cache == null || shape == null || pool == null) {
            throw new IllegalArgumentException("q, out, cache, shape and pool are required");
        }
        if (q == out) throw new IllegalArgumentException("q and out must be distinct arrays");
        if (rows < 0 || startPos < 0) {
            throw new IllegalArgumentException("rows and startPos must be >= 0, got " + rows + ", " + startPos);
        }
        if (cache.kvHeads() != shape.kvHeads() || cache.headDim() != shape.headDim()) {
            throw new IllegalArgumentException("cache has " + cache.kvHeads() + " KV heads of " + cache.headDim()
                    + " dims but the shape says " + shape.kvHeads() + " of " + shape.headDim());
        }
        int stored = cache.length(layer);
        if ((long) startPos + rows > stored) {
            throw new IllegalArgumentException("attention over positions [0, " + ((long) startPos + rows)
                    + ") of layer " + layer + ", which holds only " + stored + " positions");
        }
        long needed = (long) rows * shape.qDim();
        if (q.length < needed || out.length < needed) {
            throw new IllegalArgumentException("q and out need " + rows + " x " + shape.qDim() + " floats, got "
                    + q.length + " and " + out.length);
        }
    }
}
