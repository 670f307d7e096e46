package dev.greta.tensor;

/**
 * The scale searches of llama.cpp's k-quant reference quantisers (make_qx_quants, make_qkx2_quants) and the
 * rounding helpers they use, in float arithmetic like the C code.
 */
final class QuantSearch {
    private QuantSearch() {}

    /** Groups whose largest magnitude is below this count as all zero (ggml's GROUP_MAX_EPS). */
    static final float GROUP_MAX_EPS = 1e-15f;

    /** C roundf: to the nearest integer, halves away from zero. */
    static int roundHalfAway(float v) {
        return (int) Math.copySign(Math.floor(Math.abs((double) v) + 0.5), v);
    }

    /** ggml's nearest_int: to the nearest integer, halves to even. */
    static int nearestInt(float v) {
        return (int) Math.rint(v);
    }

    /**
     * Symmetric codes in [-nmax, nmax) for n values at x[xo ..], weighted by x^2 (make_qx_quants with
     * rmse_type 1 and no importance weights): tries 19 scales around nmax / max and keeps the one with the best
     * weighted least-squares fit. Writes code + nmax to codes[co ..] and returns the scale.
     */
    static float symmetricScale(int n, int nmax, float[] x, int xo, int[] codes, int co) {
        float max = 0;
        float amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[xo + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xo + i];
            }
        }
        if (amax < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) codes[co + i] = 0;
            return 0;
        }
        float iscale = -nmax / max;
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; i++) {
            float v = x[xo + i];
            int l = clamp(nearestInt(iscale * v), -nmax, nmax - 1);
            codes[co + i] = l + nmax;
            float w = v * v;
            sumlx += w * v * l;
            suml2 += w * l * l;
        }
        float scale = suml2 != 0 ? sumlx / suml2 : 0.0f;
        float best = scale * sumlx;
        for (int is = -9; is <= 9; is++) {
            if (is == 0) continue;
            iscale = -(nmax + 0.1f * is) / max;
            sumlx = 0;
            suml2 = 0;
            for (int i = 0; i < n; i++) {
                float v = x[xo + i];
                int l = clamp(nearestInt(iscale * v), -nmax, nmax - 1);
                float w = v * v;
                sumlx += w * v * l;
                suml2 += w * l * l;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2) {
                for (int i = 0; i < n; i++) codes[co + i] = nmax + clamp(nearestInt(iscale * x[xo + i]), -nmax, nmax - 1);
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    /**
     * Asymmetric codes in [0, nmax] for n values at x[xo ..] as scale * code - min (make_qkx2_quants without
     * mean-absolute error): starts from the min/max fit, then tries nstep + 1 scales from (nmax + rmin) to
     * (nmax + rmin + nstep * rdelta) over the range, solving the weighted least-squares scale and min for each.
     * Writes codes to codes[co ..], the min (as a non-negative offset) to mins[mo], returns the scale.
     */
    static float asymmetricScale(int n, int nmax, float[] x, int xo, float[] weights, int[] codes, int co,
                                 float[] mins, int mo, float rmin, float rdelta, int nstep, int[] scratch) {
        float min = x[xo];
        float max = x[xo];
        float sumW = weights[0];
        float sumX = sumW * x[xo];
        for (int i = 1; i < n; i++) {
            float v = x[xo + i];
            if (v < min) min = v;
            if (v > max) max = v;
            float w = weights[i];
            sumW += w;
            sumX += w * v;
        }
        if (min > 0) min = 0;
        if (max == min) {
            for (int i = 0; i < n; i++) codes[co + i] = 0;
            mins[mo] = -min;
            return 0;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; i++) {
            int l = clamp(nearestInt(iscale * (x[xo + i] - min)), 0, nmax);
            codes[co + i] = l;
            float diff = scale * l + min - x[xo + i];
            bestError += weights[i] * (diff * diff);
        }
        for (int is = 0; is <= nstep; is++) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0;
            float sumL2 = 0;
            float sumXL = 0;
            for (int i = 0; i < n; i++) {
                float v = x[xo + i];
                int l = clamp(nearestInt(iscale * (v - min)), 0, nmax);
                scratch[i] = l;
                float w = weights[i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXL += w * l * v;
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0) {
                float thisScale = (sumW * sumXL - sumX * sumL) / det;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / det;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                float error = 0;
                for (int i = 0; i < n; i++) {
                    float diff = thisScale * scratch[i] + thisMin - x[xo + i];
                    error += weights[i] * (diff * diff);
                }
                if (error < bestError) {
                    System.arraycopy(scratch, 0, codes, co, n);
                    bestError = error;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        mins[mo] = -min;
        return scale;
    }

    static int clamp(int v, int lo, int hi) { return Math.max(lo, Math.min(hi, v)); }
}
