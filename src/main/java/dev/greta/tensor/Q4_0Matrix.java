package dev.greta.tensor;

import dev.greta.gguf.GgmlType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

import static dev.greta.tensor.Lanes.F;
import static dev.greta.tensor.Lanes.L;
import static dev.greta.tensor.LittleEndian.I16;
import static dev.greta.tensor.LittleEndian.I8;

/**
 * Q4_0: blocks of 32 as {f16 d; uint8 qs[16]}; element j &lt; 16 is (low nibble of qs[j] - 8) * d, element
 * 16 + j is (high nibble of qs[j] - 8) * d.
 */
final class Q4_0Matrix extends WeightMatrix {
    static final int BLOCK = 32;
    static final int BYTES = 18;

    Q4_0Matrix(MemorySegment data, int rows, int cols) { super(GgmlType.Q4_0, data, rows, cols); }

    static void dequantize(MemorySegment src, long offset, int count, float[] dst, int dstOffset) {
        for (int b = 0; b < count / BLOCK; b++) {
            long block = offset + (long) b * BYTES;
            float d = Halfs.f16ToFloat(src.get(I16, block));
            int o = dstOffset + b * BLOCK;
            for (int j = 0; j < BLOCK / 2; j++) {
                int q = src.get(I8, block + 2 + j) & 0xff;
                dst[o + j] = ((q & 0x0f) - 8) * d;
                dst[o + j + BLOCK / 2] = ((q >> 4) - 8) * d;
            }
        }
    }

    /** quantize_row_q4_0_ref: the element of largest magnitude maps to -8 exactly; codes clamp at 15. */
    static void quantize(float[] values, int offset, int count, MemorySegment dst) {
        for (int b = 0; b < count / BLOCK; b++) {
            int x = offset + b * BLOCK;
            long block = (long) b * BYTES;
            float amax = 0;
            float max = 0;
            for (int j = 0; j < BLOCK; j++) {
                float v = values[x + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -8;
            float id = d != 0 ? 1.0f / d : 0.0f;
            dst.set(I16, block, Halfs.floatToF16(d));
            for (int j = 0; j < BLOCK / 2; j++) {
                int lo = Math.min(15, (int) (values[x + j] * id + 8.5f));
                int hi = Math.min(15, (int) (values[x + BLOCK / 2 + j] * id + 8.5f));
                dst.set(I8, block + 2 + j, (byte) (lo | hi << 4));
            }
        }
    }

    @Override
    void decode(int row, int from, int count, float[] dst, int dstOffset) {
        long block = blockOffset(row, from);
        for (int b = 0; b < count / BLOCK; b++, block += BYTES) {
            float d = Halfs.f16ToFloat(data.get(I16, block));
            int o = dstOffset + b * BLOCK;
            for (int j = 0; j < BLOCK / 2; j += L) {
                IntVector q = Lanes.unsignedBytes(data, block + 2 + j);
                IntVector lo = q.and(0x0f).sub(8);
                IntVector hi = q.lanewise(VectorOperators.LSHR, 4).sub(8);
                ((FloatVector) lo.convert(VectorOperators.I2F, 0)).mul(d).intoArray(dst, o + j);
                ((FloatVector) hi.convert(VectorOperators.I2F, 0)).mul(d).intoArray(dst, o + BLOCK / 2 + j);
            }
        }
    }

    /** Up to {@link Matmul#MAX_FUSED_TOKENS} token(s): dots the 4-bit blocks straight from memory, no float row. */
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
     * Per block, sum (q[j] - 8) * x[j] in two vector chains (low and high nibbles), then add that times d to the
     * accumulator of even or odd blocks; the lanes are summed last, in lane order.
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
        // Lanes.sum's loop written out here: C2 did not inline the call in this large method and boxed the vector.
        FloatVector total = even.add(odd);
        float sum = 0;
        for (int i = 0; i < L; i++) sum += total.lane(i);
        return sum;
    }

    private FloatVector blockDot(long block, float[] x, int xo, FloatVector acc) {
        FloatVector lo = FloatVector.zero(F);
        FloatVector hi = lo;
        for (int j = 0; j < BLOCK / 2; j += L) {
            IntVector q = Lanes.unsignedBytes(data, block + 2 + j);
            FloatVector qlo = (FloatVector) q.and(0x0f).sub(8).convert(VectorOperators.I2F, 0);
            FloatVector qhi = (FloatVector) q.lanewise(VectorOperators.LSHR, 4).sub(8).convert(VectorOperators.I2F, 0);
            lo = qlo.fma(FloatVector.fromArray(F, x, xo + j), lo);
            hi = qhi.fma(FloatVector.fromArray(F, x, xo + BLOCK / 2 + j), hi);
        }
        float d = Halfs.f16ToFloat(data.get(I16, block));
        return lo.add(hi).fma(FloatVector.broadcast(F, d), acc);
    }
}
