package dev.greta.backend.cuda;

import java.util.Random;

/** Float64 reference implementations of the backend ops, and the normalised error used to compare with them. */
final class Reference {
    private Reference() {
    }

    /** ‖actual − expected‖₂ / ‖expected‖₂; NaN anywhere makes it NaN (and so fails any bound). */
    static double normalizedError(float[] actual, double[] expected) {
        if (actual.length != expected.length) throw new AssertionError(actual.length + " vs " + expected.length);
        double diff = 0, norm = 0;
        for (int i = 0; i < actual.length; i++) {
            double d = actual[i] - expected[i];
            diff += d * d;
            norm += expected[i] * expected[i];
        }
        return Math.sqrt(diff / norm);
    }

    static double normalizedError(float[] actual, float[] expected) {
        double[] e = new double[expected.length];
        for (int i = 0; i < e.length; i++) e[i] = expected[i];
        return normalizedError(actual, e);
    }

    static float[] gaussian(Random random, int n, double scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (random.nextGaussian() * scale);
        return x;
    }

    static double[] rmsNorm(float[] x, float[] w, float eps, int rows, int cols) {
        double[] out = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            double ss = 0;
            for (int c = 0; c < cols; c++) ss += (double) x[r * cols + c] * x[r * cols + c];
            double scale = 1.0 / Math.sqrt(ss / cols + eps);
            for (int c = 0; c < cols; c++) out[r * cols + c] = x[r * cols + c] * scale * w[c];
        }
        return out;
    }

    /** out[r][o] = sum_i x[r][i] * w[o][i]. */
    static double[] matmul(float[] w, int outFeatures, int inFeatures, float[] x, int rows) {
        double[] out = new double[rows * outFeatures];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < outFeatures; o++) {
                double s = 0;
                for (int i = 0; i < inFeatures; i++) s += (double) x[r * inFeatures + i] * w[o * inFeatures + i];
                out[r * outFeatures + o] = s;
            }
        }
        return out;
    }

    static double[] rope(float[] x, int rows, int cols, int heads, int headDim, int ropeDims, float[] invFreq,
                         int startPos) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) out[i] = x[i];
        for (int r = 0; r < rows; r++) {
            for (int h = 0; h < heads; h++) {
                int base = r * cols + h * headDim;
                for (int i = 0; i < ropeDims / 2; i++) {
                    double theta = (double) (startPos + r) * invFreq[i];
                    double a = x[base + 2 * i], b = x[base + 2 * i + 1];
                    out[base + 2 * i] = a * Math.cos(theta) - b * Math.sin(theta);
                    out[base + 2 * i + 1] = a * Math.sin(theta) + b * Math.cos(theta);
                }
            }
        }
        return out;
    }

    static double[] swiglu(float[] gate, float[] up) {
        double[] out = new double[gate.length];
        for (int i = 0; i < gate.length; i++) out[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
        return out;
    }

    /**
     * Causal attention: q rows (positions startPos + r) of heads x headDim against keys/values k, v
     * ([position][kvHeads * headDim], positions [0, startPos + rows)).
     */
    static double[] attention(float[] q, float[] k, float[] v, int rows, int startPos, int heads, int kvHeads,
                              int headDim) {
        int group = heads / kvHeads, qDim = heads * headDim, kvDim = kvHeads * headDim;
        double scale = 1.0 / Math.sqrt(headDim);
        double[] out = new double[rows * qDim];
        for (int r = 0; r < rows; r++) {
            int keys = startPos + r + 1;
            for (int h = 0; h < heads; h++) {
                int g = h / group;
                double[] s = new double[keys];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < keys; j++) {
                    double dot = 0;
                    for (int d = 0; d < headDim; d++) dot += (double) q[r * qDim + h * headDim + d] * k[j * kvDim + g * headDim + d];
                    s[j] = dot * scale;
                    max = Math.max(max, s[j]);
                }
                double sum = 0;
                for (int j = 0; j < keys; j++) {
                    s[j] = Math.exp(s[j] - max);
                    sum += s[j];
                }
                for (int d = 0; d < headDim; d++) {
                    double acc = 0;
                    for (int j = 0; j < keys; j++) acc += s[j] * v[j * kvDim + g * headDim + d];
                    out[r * qDim + h * headDim + d] = acc / sum;
                }
            }
        }
        return out;
    }
}
