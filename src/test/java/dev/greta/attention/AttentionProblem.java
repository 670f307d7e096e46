package dev.greta.attention;

import dev.greta.backend.KvType;
import dev.greta.backend.cpu.Parallel;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A random attention problem (queries for a chunk of rows at startPos, keys and values for every position up to
 * the chunk's end) with its float64 reference answer and the error bounds the kernels promise.
 */
final class AttentionProblem {

    static final double U32 = Math.scalb(1.0, -24);
    static final double U16 = Math.scalb(1.0, -11);

    final AttentionShape shape;
    final int startPos;
    final int rows;
    final float[] q;
    final float[] k;
    final float[] v;

    AttentionProblem(AttentionShape shape, int startPos, int rows, long seed, float queryAmplitude) {
        this.shape = shape;
        this.startPos = startPos;
        this.rows = rows;
        SplittableRandom random = new SplittableRandom(seed);
        int kvDim = shape.kvHeads() * shape.headDim();
        this.q = uniform(random, rows * shape.qDim(), queryAmplitude);
        this.k = uniform(random, (startPos + rows) * kvDim, 1);
        this.v = uniform(random, (startPos + rows) * kvDim, 1);
    }

    private static float[] uniform(SplittableRandom random, int n, float amplitude) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (random.nextDouble(-1, 1) * amplitude);
        return x;
    }

    /** A cache holding this problem's keys and values, stored in two calls (context, then the chunk). */
    CpuKvCache cache(KvType type, int layers, int layer) {
        int kvDim = shape.kvHeads() * shape.headDim();
        CpuKvCache cache = new CpuKvCache(layers, shape.kvHeads(), shape.headDim(), startPos + rows + 5, type);
        cache.store(layer, k, v, startPos, 0);
        cache.store(layer, Arrays.copyOfRange(k, startPos * kvDim, k.length),
                Arrays.copyOfRange(v, startPos * kvDim, v.length), rows, startPos);
        return cache;
    }

    /** out poisoned with NaN, then filled by the kernel. */
    float[] run(AttentionKernel kernel, CpuKvCache cache, int layer, Parallel pool) {
        float[] out = new float[rows * shape.qDim()];
        Arrays.fill(out, Float.NaN);
        kernel.attend(q, rows, startPos, cache, layer, out, shape, pool);
        return out;
    }

    /** The float64 answer, and per element the bound on |out - exact| for a float32 (or F16) cache. */
    Reference reference(KvType type) {
        int hd = shape.headDim();
        int kvDim = shape.kvHeads() * hd;
        double[] exact = new double[rows * shape.qDim()];
        double[] bound = new double[exact.length];
        double[] magnitude = new double[exact.length];
        double scale = 1 / Math.sqrt(hd);
        for (int r = 0; r < rows; r++) {
            int n = startPos + r + 1;
            for (int h = 0; h < shape.heads(); h++) {
                int kvHead = h / shape.groupSize();
                int qAt = r * shape.qDim() + h * hd;
                double[] s = new double[n];
                double absSum = 0;
                double max = Double.NEGATIVE_INFINITY;
                for (int t = 0; t < n; t++) {
                    double dot = 0;
                    double abs = 0;
                    for (int d = 0; d < hd; d++) {
                        double term = (double) q[qAt + d] * k[t * kvDim + kvHead * hd + d];
                        dot += term;
                        abs += Math.abs(term);
                    }
                    s[t] = dot * scale;
                    absSum = Math.max(absSum, abs * scale);
                    max = Math.max(max, s[t]);
                }
                double total = 0;
                double range = 0;
                double[] out = new double[hd];
                double[] mag = new double[hd];
                for (int t = 0; t < n; t++) {
                    double w = Math.exp(s[t] - max);
                    total += w;
                    range = Math.max(range, max - s[t]);
                    for (int d = 0; d < hd; d++) {
                        double x = v[t * kvDim + kvHead * hd + d];
                        out[d] += w * x;
                        mag[d] += w * Math.abs(x);
                    }
                }
                double relative = float32Bound(hd, absSum, range, n);
                if (type == KvType.F16) relative += U16 * (4 * absSum + 1);
                for (int d = 0; d < hd; d++) {
                    exact[qAt + d] = out[d] / total;
                    magnitude[qAt + d] = mag[d] / total;
                    bound[qAt + d] = relative * mag[d] / total;
                }
            }
        }
        return new Reference(exact, magnitude, bound);
    }

    /**
     * First-order worst-case relative error of float32 attention, relative to M = sum_t w_t |v_t| / sum_t w_t:
     * scores err (d+1)uA (A = scale * sum|q_j k_j|), counted twice (the score and the max) and twice again (the
     * weight and the weights' sum); 2 * (u * range + 4u) from the subtraction and exp (< 2 ulp); 2nu for the two
     * sequential sums over n keys; 2u per rescaling (at most one per key tile of >= 32 keys); u for the division.
     * An F16 cache adds 2^-11 (4A + 1) for rounding keys and values.
     */
    static double float32Bound(int headDim, double a, double range, int n) {
        int keyTiles = (n + CpuKvCache.KEY_BLOCK - 1) / CpuKvCache.KEY_BLOCK;
        return U32 * (4 * (headDim + 1) * a + 2 * range + 8 + 2 * n + 2 * keyTiles + 1);
    }

    record Reference(double[] exact, double[] magnitude, double[] bound) {

        /** The largest |out - exact| / bound: <= 1 passes. NaN counts as infinitely wrong. */
        double worstRatio(float[] out) {
            double worst = 0;
            for (int i = 0; i < exact.length; i++) {
                double err = Math.abs(out[i] - exact[i]);
                if (Double.isNaN(err)) return Double.POSITIVE_INFINITY;
                worst = Math.max(worst, err / bound[i]);
            }
            return worst;
        }

        /** The largest |out - exact| / M, the error relative to the magnitude of what was summed. */
        double worstRelative(float[] out) {
            double worst = 0;
            for (int i = 0; i < exact.length; i++) {
                double err = Math.abs(out[i] - exact[i]);
                if (Double.isNaN(err)) return Double.POSITIVE_INFINITY;
                worst = Math.max(worst, err / magnitude[i]);
            }
            return worst;
        }
    }
}
