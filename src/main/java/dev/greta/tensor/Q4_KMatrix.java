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
 * Q4_K: super-blocks of 256 as {f16 d; f16 dmin; uint8 scales[12]; uint8 qs[128]}. Eight sub-blocks of 32
 * have a 6-bit scale sc and min m packed in scales[] (ggml's get_scale_min_k4); element = d*sc * q - dmin*m.
 * Each 32 bytes of qs hold two sub-blocks: low nibbles the first, high nibbles the second.
 */
final class Q4_KMatrix extends WeightMatrix {
    static final int BLOCK = 256;
    static final int BYTES = 144;
    private static final int SCALES = 4;
    private static final int QS = 16;

    Q4_KMatrix(MemorySegment data, int rows, int cols) { super(GgmlType.Q4_K, data, rows, cols); }

    /** 6-bit scale (low 8 bits of the result) and min (next 8 bits) of sub-block j from the 12 packed bytes. */
    static int scaleMin(MemorySegment src, long scales, int j) {
        int sc;
        int m;
        if (j < 4) {
            sc = u8(src, scales + j) & 63;
            m = u8(src, scales + j + 4) & 63;
        } else {
            sc = (u8(src, scales + j + 4) & 0x0f) | (u8(src, scales + j - 4) >> 6) << 4;
            m = (u8(src, scales + j + 4) >> 4) | (u8(src, scales + j) >> 6) << 4;
        }
        return sc | m << 8;
    }

    static void dequantize(MemorySegment src, long offset, int count, float[] dst, int dstOffset) {
        for (int b = 0; b < count / BLOCK; b++) {
            long block = offset + (long) b * BYTES;
            float d = Halfs.f16ToFloat(src.get(I16, block));
            float min = Halfs.f16ToFloat(src.get(I16, block + 2));
            int o = dstOffset + b * BLOCK;
            for (int g = 0; g < 4; g++) {
                int sm1 = scaleMin(src, block + SCALES, 2 * g);
                int sm2 = scaleMin(src, block + SCALES, 2 * g + 1);
                float d1 = d * (sm1 & 0xff);
                float m1 = min * (sm1 >> 8);
                float d2 = d * (sm2 & 0xff);
                float m2 = min * (sm2 >> 8);
                for (int l = 0; l < 32; l++) {
                    int q = u8(src, block + QS + 32 * g + l);
                    dst[o + 64 * g + l] = d1 * (q & 0x0f) - m1;
                    dst[o + 64 * g + 32 + l] = d2 * (q >> 4) - m2;
                }
            }
        }
    }

    /**
     * quantize_row_q4_K_ref: per sub-block a weighted asymmetric fit (make_qkx2_quants, weights |x| + rms),
     * then scales and mins quantised to 6 bits against their maxima, then codes recomputed from the stored scales.
     */
    static void quantize(float[] values, int offset, int count, MemorySegment dst) {
        int[] codes = new int[BLOCK];
        int[] scratch = new int[32];
        float[] weights = new float[32];
        float[] scales = new float[8];
        float[] mins = new float[8];
        for (int b = 0; b < count / BLOCK; b++) {
            int x = offset + b * BLOCK;
            long block = (long) b * BYTES;
            float maxScale = 0;
            float maxMin = 0;
            for (int j = 0; j < 8; j++) {
                float sumX2 = 0;
                for (int l = 0; l < 32; l++) sumX2 += values[x + 32 * j + l] * values[x + 32 * j + l];
                float avX = (float) Math.sqrt(sumX2 / 32);
                for (int l = 0; l < 32; l++) weights[l] = avX + Math.abs(values[x + 32 * j + l]);
                scales[j] = QuantSearch.asymmetricScale(32, 15, values, x + 32 * j, weights, codes, 32 * j, mins, j,
                        -1.0f, 0.1f, 20, scratch);
                maxScale = Math.max(maxScale, scales[j]);
                maxMin = Math.max(maxMin, mins[j]);
            }
            float invScale = maxScale > 0 ? 63.0f / maxScale : 0.0f;
            float invMin = maxMin > 0 ? 63.0f / maxMin : 0.0f;
            byte[] packed = new byte[12];
            for (int j = 0; j < 8; j++) {
                int ls = Math.min(63, QuantSearch.nearestInt(invScale * scales[j]) & 0xff);
                int lm = Math.min(63, QuantSearch.nearestInt(invMin * mins[j]) & 0xff);
                if (j < 4) {
                    packed[j] = (byte) ls;
                    packed[j + 4] = (byte) lm;
                } else {
                    packed[j + 4] = (byte) ((ls & 0x0f) | (lm & 0x0f) << 4);
                    packed[j - 4] |= (byte) ((ls >> 4) << 6);
                    packed[j] |= (byte) ((lm >> 4) << 6);
                }
            }
            short dBits = Halfs.floatToF16(maxScale / 63.0f);
            short minBits = Halfs.floatToF16(maxMin / 63.0f);
            dst.set(I16, block, dBits);
            dst.set(I16, block + 2, minBits);
            MemorySegment.copy(packed, 0, dst, I8, block + SCALES, 12);
            for (int j = 0; j < 8; j++) {
                int sm = scaleMin(dst, block + SCALES, j);
                float d = Halfs.f16ToFloat(dBits) * (sm & 0xff);
                if (d == 0) continue;
                float dm = Halfs.f16ToFloat(minBits) * (sm >> 8);
                for (int l = 0; l < 32; l++) {
                    codes[32 * j + l] = QuantSearch.clamp(QuantSearch.nearestInt((values[x + 32 * j + l] + dm) / d), 0, 15);
                }
            }
            for (int g = 0; g < 4; g++) {
                for (int l = 0; l < 32; l++) {
                    dst.set(I8, block + QS + 32 * g + l, (byte) (codes[64 * g + l] | codes[64 * g + 32 + l] << 4));
                }
            }
        }
    }

    @Override
    void decode(int row, int from, int count, float[] dst, int dstOffset) {
        long block = blockOffset(row, from);
        for (int b = 0; b < count / BLOCK; b++, block += BYTES) {
            float d = Halfs.f16ToFloat(data.get(I16, block));
            float min = Halfs.f16ToFloat(data.get(I16, block + 2));
            int o = dstOffset + b * BLOCK;
            for (int g = 0; g < 4; g++) {
                int sm1 = scaleMin(data, block + SCALES, 2 * g);
                int sm2 = scaleMin(data, block + SCALES, 2 * g + 1);
                float d1 = d * (sm1 & 0xff);
                float m1 = min * (sm1 >> 8);
                float d2 = d * (sm2 & 0xff);
                float m2 = min * (sm2 >> 8);
                for (int l = 0; l < 32; l += L) {
                    ByteVector q = ByteVector.fromMemorySegment(B, data, block + QS + 32 * g + l, ORDER);
                    FloatVector lo = (FloatVector) q.and((byte) 0x0f).convertShape(VectorOperators.B2F, F, 0);
                    FloatVector hi = (FloatVector) q.lanewise(VectorOperators.LSHR, 4).convertShape(VectorOperators.B2F, F, 0);
                    lo.mul(d1).sub(m1).intoArray(dst, o + 64 * g + l);
                    hi.mul(d2).sub(m2).intoArray(dst, o + 64 * g + 32 + l);
                }
            }
        }
    }

    private static int u8(MemorySegment src, long at) { return src.get(I8, at) & 0xff; }
}
