package dev.greta.backend.cpu;

import dev.greta.attention.VectorMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Row-wise kernels of the forward pass (RMSNorm, RoPE, SwiGLU, residual add), vectorised, one row per call.
 * Reductions and exponentials use {@link VectorMath} so every element gets the same bits whether the code runs
 * interpreted or compiled, and whatever slice of rows a thread gets (deterministic mode relies on both).
 */
final class ElementwiseKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private ElementwiseKernels() {}

    /** out = x / sqrt(mean(x²) + eps) * w over one row of n elements starting at the offsets. */
    static void rmsNorm(float[] x, int xOff, float[] w, float eps, float[] out, int outOff, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i <= n - S.length(); i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            acc = v.fma(v, acc);
        }
        float ss = VectorMath.sumLanes(acc);
        for (; i < n; i++) ss += x[xOff + i] * x[xOff + i];
        float scale = (float) (1.0 / Math.sqrt(ss / n + eps));
        i = 0;
        for (; i <= n - S.length(); i += S.length()) {
            FloatVector.fromArray(S, x, xOff + i).mul(scale).mul(FloatVector.fromArray(S, w, i)).intoArray(out, outOff + i);
        }
        for (; i < n; i++) out[outOff + i] = x[xOff + i] * scale * w[i];
    }

    /** gate = silu(gate) * up = gate / (1 + e^-gate) * up over one row of n elements. */
    static void swiglu(float[] gate, float[] up, int off, int n) {
        int i = 0;
        for (; i <= n - S.length(); i += S.length()) {
            swiglu(FloatVector.fromArray(S, gate, off + i), FloatVector.fromArray(S, up, off + i)).intoArray(gate, off + i);
        }
        if (i < n) { // the row's tail through the same vector arithmetic, masked
            var inRow = S.indexInRange(i, n);
            swiglu(FloatVector.fromArray(S, gate, off + i, inRow), FloatVector.fromArray(S, up, off + i, inRow))
                    .intoArray(gate, off + i, inRow);
        }
    }

    private static FloatVector swiglu(FloatVector g, FloatVector u) {
        return g.div(VectorMath.exp(g.neg()).add(1f)).mul(u);
    }

    /** x += y over [from, to). */
    static void add(float[] x, float[] y, int from, int to) {
        int i = from;
        for (; i <= to - S.length(); i += S.length()) {
            FloatVector.fromArray(S, x, i).add(FloatVector.fromArray(S, y, i)).intoArray(x, i);
        }
        for (; i < to; i++) x[i] += y[i];
    }

    /** Rotates the adjacent pairs (2i, 2i+1) of every head of one row by the angles whose cos/sin are given. */
    static void rope(float[] x, int rowOff, int heads, int headDim, int pairs, float[] cos, float[] sin, int tableOff) {
        for (int h = 0; h < heads; h++) {
            int base = rowOff + h * headDim;
            for (int i = 0; i < pairs; i++) {
                float c = cos[tableOff + i];
                float s = sin[tableOff + i];
                float a = x[base + 2 * i];
                float b = x[base + 2 * i + 1];
                x[base + 2 * i] = a * c - b * s;
                x[base + 2 * i + 1] = a * s + b * c;
            }
        }
    }
}
