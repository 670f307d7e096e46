package dev.greta.tensor;

import dev.greta.gguf.GgmlType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

import static dev.greta.tensor.Lanes.L;
import static dev.greta.tensor.LittleEndian.I16;
import static dev.greta.tensor.LittleEndian.I32;
import static dev.greta.tensor.LittleEndian.I64;
import static dev.greta.tensor.LittleEndian.I8;
import static dev.greta.tensor.LittleEndian.ORDER;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.LSHR;

/**
 * Q4_K: super-blocks of 256 as {f16 d; f16 dmin; uint8 scales[12]; uint8 qs[128]}. Eight sub-blocks of 32
 * have a 6-bit scale sc and min m packed in scales[] (ggml's get_scale_min_k4); element = d*sc * q - dmin*m.
 * Each 32 bytes of qs hold two sub-blocks: low nibbles the first, high nibbles the second.
 */
final class Q4_KMatrix extends WeightMatrix implements FusedDot {
    static final int BLOCK = 256;
    static final int BYTES = 144;
    private static final int SCALES = 4;
    private static final int QS = 16;
    /** Elements per sub-block (one scale and min). */
    private static final int SUB = 32;
    /** A 32-byte group of codes (two sub-blocks) as 8 int lanes, 256 bits whatever the CPU's widest. */
    private static final VectorSpecies<Integer> CODES = IntVector.SPECIES_256;
    private static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
    /** Lane i takes byte i % 4 of an int (unpackScales). */
    private static final IntVector BYTE_SHIFTS = IntVector.fromArray(CODES, new int[]{0, 8, 16, 24, 0, 8, 16, 24}, 0);
    private static final IntVector BYTE = IntVector.broadcast(CODES, 0xff);
    private static final VectorMask<Integer> UPPER = VectorMask.fromLong(CODES, 0xF0);

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
        for (int b = 0; b < count / BLOCK; b++, block += BYTES) decodeBlock(data, block, dst, dstOffset + b * BLOCK);
    }

    private static void decodeBlock(MemorySegment data, long block, float[] dst, int dstOffset) {
        float d = Halfs.f16ToFloat(data.get(I16, block));
        float min = Halfs.f16ToFloat(data.get(I16, block + 2));
        // The 12 packed scale bytes in two registers: byte i is bits 8i.. of lo (i < 8) or of hi (i >= 8).
        long lo = data.get(I64, block + SCALES);
        int hi = data.get(I32, block + SCALES + 8);
        for (int g = 0; g < 4; g++) {
            int sm1 = packedScaleMin(lo, hi, 2 * g);
            int sm2 = packedScaleMin(lo, hi, 2 * g + 1);
            float d1 = d * (sm1 & 0xff);
            float m1 = min * (sm1 >> 8);
            float d2 = d * (sm2 & 0xff);
            float m2 = min * (sm2 >> 8);
            int o = dstOffset + 64 * g;
            for (int l = 0; l < 32; l += L) {
                IntVector q = Lanes.unsignedBytes(data, block + QS + 32 * g + l);
                ((FloatVector) q.and(0x0f).convert(VectorOperators.I2F, 0)).mul(d1).sub(m1).intoArray(dst, o + l);
                ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(d2).sub(m2).intoArray(dst, o + 32 + l);
            }
        }
    }

    @Override
    public int inputRoom() { return cols + cols / SUB; }

    /**
     * Each sub-block's 32 activations in {@link FusedDot#byteLaneOrder} (a group's 32 code bytes hold sub-block
     * 2g in their low nibbles, 2g + 1 in their high ones, code 4i + k in byte k of lane i), then the sums of each
     * sub-block's activations (for the mins).
     */
    @Override
    public float[] input(float[] x, float[] room) {
        return FusedDot.byteLaneOrderWithSums(x, cols, SUB, room);
    }

    /**
     * The one-token kernel, per row: element = d*sc*q - dmin*m, so a sub-block adds d*sc * sum(q * x) - dmin*m *
     * sum(x), with sum(x) made once per call ({@link #input}). A group's 32 code bytes come in as one load of 8
     * int lanes; code 4i + k of the first sub-block is the low nibble of byte k of lane i, of the second the high
     * one, each taken out with a shift and a mask against reordered activations: per sub-block one FMA chain,
     * whose sum times d*sc goes to one of two accumulators in turn; their lanes are summed in lane order and the
     * mins' scalar sum subtracted. Written out in full, no call in the loop (a vector returned from a call C2 left
     * out of line would be boxed).
     */
    @Override
    public float dot(int r, float[] x, float[] scales) {
        long row = rowOffset(r);
        FloatVector first = FloatVector.zero(F8);
        FloatVector second = first;
        float mins = 0;
        for (int b = 0; b < cols / BLOCK; b++) {
            long block = row + (long) b * BYTES;
            float d = Halfs.f16ToFloat(data.get(I16, block));
            float dmin = Halfs.f16ToFloat(data.get(I16, block + 2));
            unpackScales(data.get(I32, block + SCALES), data.get(I32, block + SCALES + 4), data.get(I32, block + SCALES + 8),
                    d, dmin, scales);
            for (int g = 0; g < 4; g++) {
                int xi = b * BLOCK + 2 * SUB * g;
                IntVector w = IntVector.fromMemorySegment(CODES, data, block + QS + 32L * g, ORDER);
                FloatVector p = ((FloatVector) w.and(0x0f).convert(I2F, 0)).mul(FloatVector.fromArray(F8, x, xi));
                p = ((FloatVector) w.lanewise(LSHR, 8).and(0x0f).convert(I2F, 0))
                        .fma(FloatVector.fromArray(F8, x, xi + 8), p);
                p = ((FloatVector) w.lanewise(LSHR, 16).and(0x0f).convert(I2F, 0))
                        .fma(FloatVector.fromArray(F8, x, xi + 16), p);
                p = ((FloatVector) w.lanewise(LSHR, 24).and(0x0f).convert(I2F, 0))
                        .fma(FloatVector.fromArray(F8, x, xi + 24), p);
                FloatVector p2 = ((FloatVector) w.lanewise(LSHR, 4).and(0x0f).convert(I2F, 0))
                        .mul(FloatVector.fromArray(F8, x, xi + 32));
                p2 = ((FloatVector) w.lanewise(LSHR, 12).and(0x0f).convert(I2F, 0))
                        .fma(FloatVector.fromArray(F8, x, xi + 40), p2);
                p2 = ((FloatVector) w.lanewise(LSHR, 20).and(0x0f).convert(I2F, 0))
                        .fma(FloatVector.fromArray(F8, x, xi + 48), p2);
                p2 = ((FloatVector) w.lanewise(LSHR, 28).convert(I2F, 0)).fma(FloatVector.fromArray(F8, x, xi + 56), p2);
                first = p.fma(FloatVector.broadcast(F8, scales[2 * g]), first);
                second = p2.fma(FloatVector.broadcast(F8, scales[2 * g + 1]), second);
                int sub = cols + b * (BLOCK / SUB) + 2 * g;
                mins = Math.fma(scales[8 + 2 * g], x[sub], mins);
                mins = Math.fma(scales[9 + 2 * g], x[sub + 1], mins);
            }
        }
        FloatVector total = first.add(second);
        float sum = 0;
        for (int i = 0; i < F8.length(); i++) sum += total.lane(i);
        return sum - mins;
    }

    /**
     * scales[j] = d * sc_j and scales[8 + j] = dmin * m_j of the 8 sub-blocks, from the 12 packed bytes read as
     * three ints (a: bytes 0-3, b: 4-7, c: 8-11): the values of {@link #scaleMin}, unpacked four at a time with
     * masks, then spread one byte per lane and converted as a vector.
     */
    private static void unpackScales(int a, int b, int c, float d, float dmin, float[] scales) {
        int low = a & 0x3f3f3f3f;
        int high = (c & 0x0f0f0f0f) | (a >>> 6 & 0x03030303) << 4;
        int lowMins = b & 0x3f3f3f3f;
        int highMins = (c >>> 4 & 0x0f0f0f0f) | (b >>> 6 & 0x03030303) << 4;
        IntVector sc = IntVector.broadcast(CODES, low).blend(high, UPPER).lanewise(LSHR, BYTE_SHIFTS).and(BYTE);
        ((FloatVector) sc.convert(I2F, 0)).mul(d).intoArray(scales, 0);
        IntVector m = IntVector.broadcast(CODES, lowMins).blend(highMins, UPPER).lanewise(LSHR, BYTE_SHIFTS).and(BYTE);
        ((FloatVector) m.convert(I2F, 0)).mul(dmin).intoArray(scales, 8);
    }

    /** {@link #scaleMin} from the scale bytes held in registers. */
    private static int packedScaleMin(long lo, int hi, int j) {
        int sc;
        int m;
        if (j < 4) {
            sc = byteAt(lo, hi, j) & 63;
            m = byteAt(lo, hi, j + 4) & 63;
        } else {
            sc = (byteAt(lo, hi, j + 4) & 0x0f) | (byteAt(lo, hi, j - 4) >> 6) << 4;
            m = (byteAt(lo, hi, j + 4) >> 4) | (byteAt(lo, hi, j) >> 6) << 4;
        }
        return sc | m << 8;
    }

    private static int byteAt(long lo, int hi, int i) {
        return i < 8 ? (int) (lo >>> 8 * i) & 0xff : hi >>> 8 * (i - 8) & 0xff;
    }

    private static int u8(MemorySegment src, long at) { return src.get(I8, at) & 0xff; }
}
