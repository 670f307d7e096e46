package dev.greta.tensor;

import dev.greta.gguf.GgmlType;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

import static dev.greta.tensor.Lanes.B;
import static dev.greta.tensor.Lanes.F;
import static dev.greta.tensor.Lanes.L;
import static dev.greta.tensor.LittleEndian.I16;
import static dev.greta.tensor.LittleEndian.I8;
import static dev.greta.tensor.LittleEndian.ORDER;

/** Q8_0: blocks of 32 as {f16 d; int8 qs[32]}, element j = qs[j] * d. */
final class Q8_0Matrix extends WeightMatrix {
    static final int BLOCK = 32;
    static final int BYTES = 34;

    Q8_0Matrix(MemorySegment data, int rows, int cols) { super(GgmlType.Q8_0, data, rows, cols); }

    static void dequantize(MemorySegment src, long offset, int count, float[] dst, int dstOffset) {
        for (int b = 0; b < count / BLOCK; b++) {
            long block = offset + (long) b * BYTES;
            float d = Halfs.f16ToFloat(src.get(I16, block));
            for (int j = 0; j < BLOCK; j++) dst[dstOffset + b * BLOCK + j] = src.get(I8, block + 2 + j) * d;
        }
    }

    /** quantize_row_q8_0_ref: d = max|x| / 127, q = round(x / d) with halves away from zero. */
    static void quantize(float[] values, int offset, int count, MemorySegment dst) {
        for (int b = 0; b < count / BLOCK; b++) {
            int x = offset + b * BLOCK;
            long block = (long) b * BYTES;
            float amax = 0;
            for (int j = 0; j < BLOCK; j++) amax = Math.max(amax, Math.abs(values[x + j]));
            float d = amax / 127;
            float id = d != 0 ? 1.0f / d : 0.0f;
            dst.set(I16, block, Halfs.floatToF16(d));
            for (int j = 0; j < BLOCK; j++) dst.set(I8, block + 2 + j, (byte) QuantSearch.roundHalfAway(values[x + j] * id));
        }
    }

    @Override
    void decode(int row, int from, int count, float[] dst, int dstOffset) {
        long block = blockOffset(row, from);
        for (int b = 0; b < count / BLOCK; b++, block += BYTES) {
            float d = Halfs.f16ToFloat(data.get(I16, block));
            int o = dstOffset + b * BLOCK;
            for (int j = 0; j < BLOCK; j += L) {
                ByteVector q = ByteVector.fromMemorySegment(B, data, block + 2 + j, ORDER);
                ((FloatVector) q.convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(dst, o + j);
            }
        }
    }

    /** Up to {@link Matmul#MAX_FUSED_TOKENS} token(s): dots the int8 blocks straight from memory, no float row. */
    @Override
    void gemvRows(float[] x, int nTokens, float[] out, int from, int to) {
        if (nTokens > Matmul.MAX_FUSED_TOKENS) {
            super.gemvRows(x, nTokens, out, from, to);
            return;
        }
        for (int r = from; r < to; r++) {
            long row = rowOffset(r);
            for (int t = 0; t < nTokens; t++) out[t * rows + r] = dot(row, x, t * cols);
        }
    }

    /**
     * Per block, sum q[j] * x[j] in two vector chains, then add that times d to the accumulator of even or odd
     * blocks (two chains hide the FMA latency); the lanes are summed last, in lane order.
     */
    private float dot(long row, float[] x, int xo) {
        FloatVector even = FloatVector.zero(F);
        FloatVector odd = even;
        int blocks = cols / BLOCK;
        int b = 0;
        for (; b + 1 < blocks; b += 2) {
            even = blockDot(row + (long) b * BYTES, x, xo + b * BLOCK, even);
            odd = blockDot(row + (long) (b + 1) * BYTES, x, xo + (b + 1) * BLOCK, odd);
        }
        if (b < blocks) even = blockDot(row + (long) b * BYTES, x, xo + b * BLOCK, even);
        return Lanes.sum(even.add(odd));
    }

    private FloatVector blockDot(long block, float[] x, int xo, FloatVector acc) {
        FloatVector p0 = FloatVector.zero(F);
        FloatVector p1 = p0;
        for (int j = 0; j < BLOCK; j += 2 * L) {
            p0 = quants(block + 2 + j).fma(FloatVector.fromArray(F, x, xo + j), p0);
            p1 = quants(block + 2 + j + L).fma(FloatVector.fromArray(F, x, xo + j + L), p1);
        }
        float d = Halfs.f16ToFloat(data.get(I16, block));
        return p0.add(p1).fma(FloatVector.broadcast(F, d), acc);
    }

    private FloatVector quants(long at) {
        return (FloatVector) ByteVector.fromMemorySegment(B, data, at, ORDER).convertShape(VectorOperators.B2F, F, 0);
    }
}
