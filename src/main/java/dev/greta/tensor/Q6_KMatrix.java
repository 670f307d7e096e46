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
 * Q6_K: super-blocks of 256 as {uint8 ql[128]; uint8 qh[64]; int8 scales[16]; f16 d}; element = d * scale
 * * (q - 32) for 6-bit codes q, one int8 scale per 16 elements. Each half of 128 elements uses 64 bytes of ql
 * and 32 of qh: for l in [0, 32), elements l, l+32, l+64, l+96 take the low nibble of ql[l], the low nibble of
 * ql[l+32], the high nibble of ql[l], the high nibble of ql[l+32], and bit pairs 0-1, 2-3, 4-5, 6-7 of qh[l].
 */
final class Q6_KMatrix extends WeightMatrix {
    static final int BLOCK = 256;
    static final int BYTES = 210;
    private static final int QH = 128;
    private static final int SCALES = 192;
    private static final int D = 208;

    Q6_KMatrix(MemorySegment data, int rows, int cols) { super(GgmlType.Q6_K, data, rows, cols); }

    static void dequantize(MemorySegment src, long offset, int count, float[] dst, int dstOffset) {
        for (int b = 0; b < count / BLOCK; b++) {
            long block = offset + (long) b * BYTES;
            float d = Halfs.f16ToFloat(src.get(I16, block + D));
            for (int half = 0; half < 2; half++) {
                long ql = block + 64 * half;
                long qh = block + QH + 32 * half;
                long sc = block + SCALES + 8 * half;
                int o = dstOffset + b * BLOCK + 128 * half;
                for (int l = 0; l < 32; l++) {
                    int is = l / 16;
                    int a = u8(src, ql + l);
                    int c = u8(src, ql + l + 32);
                    int h = u8(src, qh + l);
                    dst[o + l] = d * src.get(I8, sc + is) * (((a & 0x0f) | (h & 3) << 4) - 32);
                    dst[o + l + 32] = d * src.get(I8, sc + is + 2) * (((c & 0x0f) | (h >> 2 & 3) << 4) - 32);
                    dst[o + l + 64] = d * src.get(I8, sc + is + 4) * (((a >> 4) | (h >> 4 & 3) << 4) - 32);
                    dst[o + l + 96] = d * src.get(I8, sc + is + 6) * (((c >> 4) | (h >> 6) << 4) - 32);
                }
            }
        }
    }

    /**
     * quantize_row_q6_K_ref: per 16 elements a weighted symmetric fit (make_qx_quants, weights x^2), the 16
     * scales quantised to int8 against the largest, then codes recomputed from the stored scales.
     */
    static void quantize(float[] values, int offset, int count, MemorySegment dst) {
        int[] codes = new int[BLOCK];
        float[] scales = new float[16];
        for (int b = 0; b < count / BLOCK; b++) {
            int x = offset + b * BLOCK;
            long block = (long) b * BYTES;
            float maxScale = 0;
            float maxAbsScale = 0;
            for (int ib = 0; ib < 16; ib++) {
                scales[ib] = QuantSearch.symmetricScale(16, 32, values, x + 16 * ib, codes, 16 * ib);
                if (Math.abs(scales[ib]) > maxAbsScale) {
                    maxAbsScale = Math.abs(scales[ib]);
                    maxScale = scales[ib];
                }
            }
            if (maxAbsScale < QuantSearch.GROUP_MAX_EPS) {
                dst.asSlice(block, BYTES).fill((byte) 0);
                continue;
            }
            float iscale = -128.0f / maxScale;
            short dBits = Halfs.floatToF16(1 / iscale);
            dst.set(I16, block + D, dBits);
            for (int ib = 0; ib < 16; ib++) {
                dst.set(I8, block + SCALES + ib, (byte) Math.min(127, QuantSearch.nearestInt(iscale * scales[ib])));
            }
            for (int j = 0; j < 16; j++) {
                float d = Halfs.f16ToFloat(dBits) * dst.get(I8, block + SCALES + j);
                if (d == 0) continue;
                for (int i = 0; i < 16; i++) {
                    codes[16 * j + i] = QuantSearch.clamp(QuantSearch.nearestInt(values[x + 16 * j + i] / d), -32, 31) + 32;
                }
            }
            for (int half = 0; half < 2; half++) {
                long ql = block + 64 * half;
                long qh = block + QH + 32 * half;
                int c = 128 * half;
                for (int l = 0; l < 32; l++) {
                    int q1 = codes[c + l];
                    int q2 = codes[c + l + 32];
                    int q3 = codes[c + l + 64];
                    int q4 = codes[c + l + 96];
                    dst.set(I8, ql + l, (byte) ((q1 & 0x0f) | (q3 & 0x0f) << 4));
                    dst.set(I8, ql + l + 32, (byte) ((q2 & 0x0f) | (q4 & 0x0f) << 4));
                    dst.set(I8, qh + l, (byte) (q1 >> 4 | (q2 >> 4) << 2 | (q3 >> 4) << 4 | (q4 >> 4) << 6));
                }
            }
        }
    }

    @Override
    void decode(int row, int from, int count, float[] dst, int dstOffset) {
        long block = blockOffset(row, from);
        for (int b = 0; b < count / BLOCK; b++, block += BYTES) {
            float d = Halfs.f16ToFloat(data.get(I16, block + D));
            for (int half = 0; half < 2; half++) {
                long ql = block + 64 * half;
                long qh = block + QH + 32 * half;
                long sc = block + SCALES + 8 * half;
                int o = dstOffset + b * BLOCK + 128 * half;
                for (int l = 0; l < 32; l += L) {
                    int is = l / 16;
                    ByteVector a = ByteVector.fromMemorySegment(B, data, ql + l, ORDER);
                    ByteVector c = ByteVector.fromMemorySegment(B, data, ql + l + 32, ORDER);
                    ByteVector h = ByteVector.fromMemorySegment(B, data, qh + l, ORDER);
                    ByteVector q1 = a.and((byte) 0x0f).or(h.and((byte) 3).lanewise(VectorOperators.LSHL, 4));
                    ByteVector q2 = c.and((byte) 0x0f).or(h.lanewise(VectorOperators.LSHR, 2).and((byte) 3).lanewise(VectorOperators.LSHL, 4));
                    ByteVector q3 = a.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, 4).and((byte) 3).lanewise(VectorOperators.LSHL, 4));
                    ByteVector q4 = c.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, 6).lanewise(VectorOperators.LSHL, 4));
                    store(q1, d * data.get(I8, sc + is), dst, o + l);
                    store(q2, d * data.get(I8, sc + is + 2), dst, o + l + 32);
                    store(q3, d * data.get(I8, sc + is + 4), dst, o + l + 64);
                    store(q4, d * data.get(I8, sc + is + 6), dst, o + l + 96);
                }
            }
        }
    }

    /** Codes in [0, 64) minus 32, times the sub-block scale, as floats. */
    private static void store(ByteVector codes, float scale, float[] dst, int at) {
        ((FloatVector) codes.sub((byte) 32).convertShape(VectorOperators.B2F, F, 0)).mul(scale).intoArray(dst, at);
    }

    private static int u8(MemorySegment src, long at) { return src.get(I8, at) & 0xff; }
}
