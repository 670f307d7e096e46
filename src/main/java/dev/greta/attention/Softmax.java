package dev.greta.attention;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

import static dev.greta.attention.VectorMath.LANES;
import static dev.greta.attention.VectorMath.SPECIES;

/** Softmax steps over a run of scores; runs are read in whole vectors, so arrays are padded to LANES. */
final class Softmax {

    private Softmax() {
    }

    /** The largest of s[from, from + count), count >= 1. */
    static float max(float[] s, int from, int count) {
        FloatVector best = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        for (int j = 0; j < count; j += LANES) {
            VectorMask<Float> inRange = SPECIES.indexInRange(j, count);
            best = best.max(best.blend(FloatVector.fromArray(SPECIES, s, from + j), inRange));
        }
        return best.reduceLanes(VectorOperators.MAX);
    }

    /**
     * Replaces s[from + j] by e^(s[from + j] - max) for j < count and by 0 for count <= j < width, and returns the
     * sum of the new values (summed lane-wise, then lanes in order: the same bits on every run).
     */
    static float exponentiate(float[] s, int from, int count, int width, float max) {
        FloatVector sum = FloatVector.zero(SPECIES);
        FloatVector zero = FloatVector.zero(SPECIES);
        for (int j = 0; j < width; j += LANES) {
            FloatVector p = VectorMath.exp(FloatVector.fromArray(SPECIES, s, from + j).sub(max));
            p = zero.blend(p, SPECIES.indexInRange(j, count));
            sum = sum.add(p);
            p.intoArray(s, from + j);
        }
        return VectorMath.sumLanes(sum);
    }

    /** x[from, from + n) *= factor. */
    static void scale(float[] x, int from, int n, float factor) {
        int j = 0;
        for (; j + LANES <= n; j += LANES) {
            FloatVector.fromArray(SPECIES, x, from + j).mul(factor).intoArray(x, from + j);
        }
        for (; j < n; j++) x[from + j] *= factor;
    }

    /** dst[to + j] = src[from + j] / divisor for j < n. */
    static void divide(float[] src, int from, float[] dst, int to, int n, float divisor) {
        int j = 0;
        for (; j + LANES <= n; j += LANES) {
            FloatVector.fromArray(SPECIES, src, from + j).div(divisor).intoArray(dst, to + j);
        }
        for (; j < n; j++) dst[to + j] = src[from + j] / divisor;
    }
}
