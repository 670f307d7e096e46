package dev.greta.attention;

import dev.greta.backend.cpu.Parallel;
import jdk.incubator.vector.FloatVector;

import java.util.Arrays;

import static dev.greta.attention.CpuKvCache.KEY_BLOCK;

/**
 * {@code naive}, the baseline. For each query row and head on its own: the full score row against every causal
 * key (q.k / sqrt(headDim), key block by key block), its maximum, softmax weights e^(s - max) and their sum, then
 * the weighted sum of the value rows divided by that sum. Every (row, head) streams all of its KV head's keys
 * and values again, and the score row grows with the context (up to maxSeq floats per worker). It uses the same
 * vector primitives as {@code flash}, so the two differ in algorithm only. Its results never depend on thread
 * count, so it ignores the deterministic flag.
 */
final class NaiveAttention implements AttentionKernel {

    private Worker[] workers = new Worker[0];

    @Override
    public String name() {
        return "naive";
    }

    @Override
    public void attend(float[] q, int rows, int startPos, CpuKvCache cache, int layer, float[] out,
                       AttentionShape shape, Parallel pool) {
        AttentionArgs.check(q, rows, startPos, cache, layer, out, shape, pool);
        int heads = shape.heads();
        int keys = startPos + rows;
        if (workers.length != pool.threads() || workers[0].headDim != shape.headDim() || workers[0].scores.length < keys) {
            workers = new Worker[pool.threads()];
            for (int w = 0; w < workers.length; w++) workers[w] = new Worker(shape.headDim(), keys);
        }
        // Later rows see more keys: hand them out first.
        Units.run(pool, rows * heads, (unit, worker) ->
                workers[worker].attend(q, rows - 1 - unit / heads, unit % heads, startPos, cache, layer, out, shape));
    }

    private static final class Worker {
        final int headDim;
        final float[] query;
        final float[] scores;
        final float[] sum;
        final float[] laneSums = new float[VectorMath.LANES];
        final KvTiles tiles;

        Worker(int headDim, int maxKeys) {
            this.headDim = headDim;
            this.query = new float[headDim];
            this.scores = new float[(maxKeys + KEY_BLOCK - 1) / KEY_BLOCK * KEY_BLOCK];
            this.sum = new float[headDim];
            this.tiles = new KvTiles(KEY_BLOCK, headDim);
        }

        void attend(float[] q, int row, int head, int startPos, CpuKvCache cache, int layer, float[] out,
                    AttentionShape shape) {
            int kvHead = head / shape.groupSize();
            int keys = startPos + row + 1;
            int at = row * shape.qDim() + head * headDim;
            float scale = (float) (shape.scale() * Softmax.LOG2_E);
            for (int d = 0; d < headDim; d++) query[d] = q[at + d] * scale;
            for (int from = 0; from < keys; from += KEY_BLOCK) {
                tiles.loadKeys(cache, layer, kvHead, from, Math.min(KEY_BLOCK, keys - from));
                Gemm.multiply(query, 0, headDim, tiles.keys, tiles.keysOffset, KEY_BLOCK,
                        scores, from, KEY_BLOCK, 1, KEY_BLOCK, headDim, false);
            }
            float max = Softmax.max(scores, 0, keys);
            Arrays.fill(laneSums, 0f);
            Softmax.exponentiate(scores, 0, keys, keys, max, laneSums, 0);
            float total = VectorMath.sumLanes(FloatVector.fromArray(VectorMath.SPECIES, laneSums, 0));
            for (int from = 0; from < keys; from += KEY_BLOCK) {
                int count = Math.min(KEY_BLOCK, keys - from);
                tiles.loadValues(cache, layer, kvHead, from, count);
                Gemm.multiply(scores, from, count, tiles.values, tiles.valuesOffset, headDim,
                        sum, 0, headDim, 1, headDim, count, from > 0);
            }
            Softmax.divide(sum, 0, out, at, headDim, total);
        }
    }
}
