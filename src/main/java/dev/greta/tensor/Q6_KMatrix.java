package dev.greta.tensor;

import dev.greta.gguf.GgmlType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

import static dev.greta.tensor.Lanes.L;
import static dev.greta.tensor.LittleEndian.I16;
import static dev.greta.tensor.LittleEndian.I64;
import static dev.greta.tensor.LittleEndian.I32;
import static dev.greta.tensor.LittleEndian.I8;
import static dev.greta.tensor.LittleEndian.ORDER;
import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;

/**
 * Q6_K: super-blocks of 256 as {uint8 ql[128]; uint8 qh[64]; int8 scales[16]; f16 d}; element = d * scale
 * * (q - 32) for 6-bit codes q, one int8 scale per 16 elements. Each half of 128 elements uses 64 bytes of ql
 * and 32 of qh: for l in [0, 32), elements l, l+32, l+64, l+96 take the low nibble of ql[l], the low nibble of
 * ql[l+32], the high nibble of ql[l], the high nibble of ql[l+32], and bit pairs 0-1, 2-3, 4-5, 6-7 of qh[l].
 */
final class Q6_KMatrix extends WeightMatrix implements FusedDot {
    static final int BLOCK = 256;
    static final int BYTES = 210;
    private static final int QH = 128;
    private static final int SCALES = 192;
    private static final int D = 208;
    /** Elements per int8 scale. */
    private static final int SUB = 16;
    /** 32 code bytes as 8 int lanes, 256 bits whatever the CPU's widest. */
    private static final VectorSpecies<Integer> CODES = IntVector.SPECIES_256;
    private static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
    /** Lane i of a half's scale vector takes byte i % 4 of the int that holds it, sign-extended. */
    private static final IntVector SCALE_SHIFTS = IntVector.fromArray(CODES, new int[]{24, 16, 8, 0, 24, 16, 8, 0}, 0);
    private static final VectorMask<Integer> UPPER = VectorMask.fromLong(CODES, 0xF0);
    /** Component c of a half: lanes 0-3 (l &lt; 16) take scale 2c, lanes 4-7 scale 2c + 1. */
    private static final VectorShuffle<Float> SCALES_0 = VectorShuffle.fromValues(F8, 0, 0, 0, 0, 1, 1, 1, 1);
    private static final VectorShuffle<Float> SCALES_1 = VectorShuffle.fromValues(F8, 2, 2, 2, 2, 3, 3, 3, 3);
    private static final VectorShuffle<Float> SCALES_2 = VectorShuffle.fromValues(F8, 4, 4, 4, 4, 5, 5, 5, 5);
    private static final VectorShuffle<Float> SCALES_3 = VectorShuffle.fromValues(F8, 6, 6, 6, 6, 7, 7, 7, 7);
    private static final FloatVector MINUS_32 = FloatVector.broadcast(F8, -32f);

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
        for (int b = 0; b < count / BLOCK; b++, block += BYTES) decodeBlock(data, block, dst, dstOffset + b * BLOCK);
    }

    private static void decodeBlock(MemorySegment data, long block, float[] dst, int dstOffset) {
        float d = Halfs.f16ToFloat(data.get(I16, block + D));
        for (int half = 0; half < 2; half++) {
            long ql = block + 64 * half;
            long qh = block + QH + 32 * half;
            long scales = data.get(I64, block + SCALES + 8 * half); // this half's eight int8 scales
            int o = dstOffset + 128 * half;
            for (int g = 0; g < 2; g++) {
                // Scales stay out of the vector loop: a scalar int-to-float per store costs more than the codes.
                float s1 = d * (byte) (scales >>> 8 * g);
                float s2 = d * (byte) (scales >>> 8 * (g + 2));
                float s3 = d * (byte) (scales >>> 8 * (g + 4));
                float s4 = d * (byte) (scales >>> 8 * (g + 6));
                for (int l = 16 * g; l < 16 * g + 16; l += L) {
                    IntVector a = Lanes.unsignedBytes(data, ql + l);
                    IntVector c = Lanes.unsignedBytes(data, ql + l + 32);
                    IntVector h = Lanes.unsignedBytes(data, qh + l);
                    store(a.and(0x0f).or(h.and(3).lanewise(VectorOperators.LSHL, 4)), s1, dst, o + l);
                    store(c.and(0x0f).or(h.and(0x0c).lanewise(VectorOperators.LSHL, 2)), s2, dst, o + l + 32);
                    store(a.lanewise(VectorOperators.LSHR, 4).or(h.and(0x30)), s3, dst, o + l + 64);
                    store(c.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, 2).and(0x30)), s4, dst, o + l + 96);
                }
            }
        }
    }

    @Override
    public int inputRoom() { return cols + cols / SUB; }

    /**
     * Each 32 activations in {@link FusedDot#byteLaneOrder} (the order {@link #dot} takes code bytes out of an
     * int lane), then the sums of each 16 activations (one per scale, for the codes' offset of 32).
     */
    @Override
    public float[] input(float[] x, float[] room) {
        return FusedDot.byteLaneOrderWithSums(x, cols, SUB, room);
    }

    /**
     * The one-token kernel, per row. Per half super-block, ql's two 32-byte runs and qh's 32 bytes are one 8-lane
     * load each; masks and shifts put each of the four components' 6-bit codes (see the class comment) into the
     * bytes of one int vector, and code 4i + k is then byte k of lane i, against reordered activations. Per
     * component one FMA chain, times its scales (lanes 0-3 and 4-7 have one each), into the super-block's sum,
     * less 32 * scale * (sum of the scale's 16 activations, made once per call); that times d goes to the row's
     * accumulator, whose lanes are summed in lane order. Written out in full, no call in the loop (a vector
     * returned from a call C2 left out of line would be boxed).
     */
    @Override
    public float dot(int r, float[] x, float[] scratch) {
        long row = rowOffset(r);
        FloatVector acc = FloatVector.zero(F8);
        for (int b = 0; b < cols / BLOCK; b++) {
            long block = row + (long) b * BYTES;
            FloatVector sum = FloatVector.zero(F8);
            for (int half = 0; half < 2; half++) {
                long ql = block + 64 * half;
                int xi = b * BLOCK + 128 * half;
                long at = block + SCALES + 8 * half;
                FloatVector scales = (FloatVector) IntVector.broadcast(CODES, data.get(I32, at))
                        .blend(data.get(I32, at + 4), UPPER).lanewise(LSHL, SCALE_SHIFTS).lanewise(ASHR, 24)
                        .convert(I2F, 0);
                sum = scales.mul(FloatVector.fromArray(F8, x, cols + b * (BLOCK / SUB) + 8 * half))
                        .fma(MINUS_32, sum);
                IntVector a = IntVector.fromMemorySegment(CODES, data, ql, ORDER);
                IntVector c = IntVector.fromMemorySegment(CODES, data, ql + 32, ORDER);
                IntVector h = IntVector.fromMemorySegment(CODES, data, block + QH + 32 * half, ORDER);
                IntVector q = a.and(0x0f0f0f0f).or(h.lanewise(LSHL, 4).and(0x30303030));
                FloatVector p = ((FloatVector) q.and(0xff).convert(I2F, 0)).mul(FloatVector.fromArray(F8, x, xi));
                p = ((FloatVector) q.lanewise(LSHR, 8).and(0xff).convert(I2F, 0)).fma(FloatVector.fromArray(F8, x, xi + 8), p);
                p = ((FloatVector) q.lanewise(LSHR, 16).and(0xff).convert(I2F, 0)).fma(FloatVector.fromArray(F8, x, xi + 16), p);
                p = ((FloatVector) q.lanewise(LSHR, 24).convert(I2F, 0)).fma(FloatVector.fromArray(F8, x, xi + 24), p);
                sum = p.fma(scales.rearrange(SCALES_0), sum);
                q = c.and(0x0f0f0f0f).or(h.lanewise(LSHL, 2).and(0x30303030));
                p = ((FloatVector) q.and(0xff).convert(I2F, 0)).mul(FloatVector.fromArray(F8, x, xi + 32));
                p = ((FloatVector) q.lanewise(LSHR, 8).and(0xff).convert(I2F, 0)).fma(FloatVector.fromArray(F8, x, xi + 40), p);
                p = ((FloatVector) q.lanewise(LSHR, 16).and(0xff).convert(I2F, 0)).fma(FloatVector.fromArray(F8, x, xi + 48), p);
                p = ((FloatVector) q.lanewise(LSHR, 24).convert(I2F, 0)).fma(FloatVector.fromArray(F8, x, xi + 56), p);
                sum = p.fma(scales.rearrange(SCALES_1), sum);
                q = a.lanewise(LSHR, 4).and(0x0f0f0f0f).or(h.and(0x30303030));
                p = ((FloatVector) q.and(0xff).convert(I2F, 0)).mul(FloatVector.fromArray(F8, x, xi + 64));
                p = ((FloatVector) q.lanewise(LSHR, 8).and(0xff).convert(I2F, 0)).fma(FloatVector.fromArray(F8, x, xi + 72), p);
                p = ((FloatVector) q.lanewise(LSHR, 16).and(0xff).convert(I2F, 0)).fma(FloatVector.fromArray(F8, x, xi + 80), p);
                p = ((FloatVector) q.lanewise(LSHR, 24).convert(I2F, 0)).fma(FloatVector.fromArray(F8, x, xi + 88), p);
                sum = p.fma(scales.rearrange(SCALES_2), sum);
                q = c.lanewise(LSHR, 4).and(0x0f0f0f0f).or(h.lanewise(LSHR, 2).and(0x30303030));
                p = ((FloatVector) q.and(0xff).convert(I2F, 0)).mul(FloatVector.fromArray(F8, x, xi + 96));
                p = ((FloatVector) q.lanewise(LSHR, 8).and(0xff).convert(I2F, 0)).fma(FloatVector.fromArray(F8, x, xi + 104), p);
                p = ((FloatVector) q.lanewise(LSHR, 16).and(0xff).convert(I2F, 0)).fma(FloatVector.fromArray(F8, x, xi + 112), p);
                p = ((FloatVector) q.lanewise(LSHR, 24).convert(I2F, 0)).fma(FloatVector.fromArray(F8, x, xi + 120), p);
                sum = p.fma(scales.rearrange(SCALES_3), sum);
            }
            acc = sum.fma(FloatVector.broadcast(F8, Halfs.f16ToFloat(data.get(I16, block + D))), acc);
        }
        float total = 0;
        for (int i = 0; i < F8.length(); i++) total += acc.lane(i);
        return total;
    }

    /** Codes in [0, 64) minus 32, times the sub-block scale, as floats. */
    private static void store(IntVector codes, float scale, float[] dst, int at) {
        ((FloatVector) codes.sub(32).convert(VectorOperators.I2F, 0)).mul(scale).intoArray(dst, at);
    }

    private static int u8(MemorySegment src, long at) { return src.get(I8, at) & 0xff; }
}
