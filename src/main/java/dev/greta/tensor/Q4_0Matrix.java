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
                ByteVector q = ByteVector.fromMemorySegment(B, data, block + 2 + j, ORDER);
                ByteVector lo = q.and((byte) 0x0f).sub((byte) 8);
                ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8);
                ((FloatVector) lo.convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(dst, o + j);
                ((FloatVector) hi.convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(dst, o + BLOCK / 2 + j);
            }
        }
    }
}
