package dev.greta.attention;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

import static dev.greta.attention.VectorMath.LANES;
import static dev.greta.attention.VectorMath.SPECIES;

/**
 * Softmax steps over a run of scores in base-2 units (the kernels pre-scale queries by {@link #LOG2_E}, so
 * e^(s - max) is 2^(s' - max') and needs only {@link VectorMath#exp2}); runs are read in whole vectors, so arrays
 * are padded to LANES.
 */
final class Softmax {

    /** log2 e: scores times it turn e^x into 2^x. */
    static final double LOG2_E = 1 / Math.log(2);

    private Softmax() {
    }

    /** The largest of s[from, from + count), count >= 1. */
    static float max(float[] s, int from, int count) {
        FloatVector best = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        int j = 0;
        for (; j + LANES <= count; j += LANES) best = best.max(FloatVector.fromArray(SPECIES, s, from + j));
        float max = best.reduceLanes(VectorOperators.MAX);
        for (; j < count; j++) max = Math.max(max, s[from + j]);
        return max;
    }

    /**
     * Replaces s[from + j] by 2^(s[from + j] - reference) for j < count and by 0 for count <= j < width, adds the
     * new values lane-wise into sums[sumsAt, sumsAt + LANES) (callers add the lanes in order once, at the end: the
     * same bits on every run) and returns the largest original s[from + j], j < count. The reference need not be
     * that maximum (flash passes its running one and checks the returned maximum: values above 2^127 are garbage).
     * Whole vectors of unmasked scores, all of them outside the causal diagonal, skip the mask.
     */
    static float exponentiate(float[] s, int from, int count, int width, float reference, float[] sums,
                              int sumsAt) {
        FloatVector sum = FloatVector.fromArray(SPECIES, sums, sumsAt);
        FloatVector best = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        int j = 0;
        for (; j + LANES <= count; j += LANES) {
            FloatVector x = FloatVector.fromArray(SPECIES, s, from + j);
            best = best.max(x);
            FloatVector p = VectorMath.exp2(x.sub(reference));
            sum = sum.add(p);
            p.intoArray(s, from + j);
        }
        FloatVector zero = FloatVector.zero(SPECIES);
        FloatVector none = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        for (; j < width; j += LANES) {
            VectorMask<Float> valid = SPECIES.indexInRange(j, count);
            FloatVector x = FloatVector.fromArray(SPECIES, s, from + j);
            best = best.max(none.blend(x, valid));
            FloatVector p = zero.blend(VectorMath.exp2(x.sub(reference)), valid);
            sum = sum.add(p);
            p.intoArray(s, from + j);
        }
        sum.intoArray(sums, sumsAt);
        return best.reduceLanes(VectorOperators.MAX);
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
