package dev.greta.tensor;

import dev.greta.gguf.GgmlType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

import static dev.greta.tensor.Lanes.F;
import static dev.greta.tensor.Lanes.L;
import static dev.greta.tensor.LittleEndian.I16;
import static dev.greta.tensor.LittleEndian.I8;
import static dev.greta.tensor.LittleEndian.ORDER;
import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.XOR;

/**
 * Q4_0: blocks of 32 as {f16 d; uint8 qs[16]}; element j &lt; 16 is (low nibble of qs[j] - 8) * d, element
 * 16 + j is (high nibble of qs[j] - 8) * d.
 */
final class Q4_0Matrix extends WeightMatrix implements FusedDot {
    static final int BLOCK = 32;
    static final int BYTES = 18;

    /** Codes per int lane: 4 bytes of 2 nibbles. */
    private static final int NIBBLES = 8;
    /** Int lanes of one block's 16 code bytes. */
    private static final int INTS = 4;
    /** Two blocks' codes: 8 int lanes (256 bits whatever the CPU's widest). */
    private static final VectorSpecies<Integer> CODES = IntVector.SPECIES_256;
    private static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
    /** Lanes 4-7: the second block of a pair. */
    private static final VectorMask<Integer> SECOND = VectorMask.fromLong(CODES, 0xF0);
    private static final VectorMask<Float> SECOND_F = VectorMask.fromLong(F8, 0xF0);

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

    @Override
    public int inputRoom() { return cols; }

    /**
     * Each pair of blocks' 64 activations reordered to match the kernel's unpacking: sub-vector n (nibble n of
     * every int lane, see {@link #dot}) holds in lane l the activation of the code that sits there. A last unpaired
     * block keeps its order.
     */
    @Override
    public float[] input(float[] x, float[] room) {
        int paired = cols / (2 * BLOCK) * 2 * BLOCK;
        for (int e = 0; e < paired; e += 2 * BLOCK) {
            for (int n = 0; n < NIBBLES; n++) {
                for (int l = 0; l < 2 * INTS; l++) {
                    int code = (l / INTS) * BLOCK + 4 * (l % INTS) + n / 2 + (n % 2) * (BLOCK / 2);
                    room[e + n * 2 * INTS + l] = x[e + code];
                }
            }
        }
        System.arraycopy(x, paired, room, paired, cols - paired);
        return room;
    }

    /**
     * The one-token kernel, per row, two blocks at a time. Their 16-byte code arrays sit 18 bytes apart, so two
     * overlapping 32-byte loads (at the first array, and 16 bytes before the second) blended give the first's
     * 4 int lanes then the second's. XOR with 0x88 turns every nibble q into a 4-bit two's complement q - 8, which
     * shifting nibble n to the top and back sign-extends: 8 sub-vectors of 8 codes, each dotted with its
     * reordered activations (see {@link #input}) in one FMA chain per pair; that sum times the pair's scales
     * (the first's in lanes 0-3, the second's in 4-7) goes into one accumulator whose lanes are summed in lane
     * order. A last unpaired block is added in scalar code. Against the previous kernel (two 8-byte loads per
     * block widened to ints, nibbles masked out), 1.15-1.33x faster per one-token matmul (PERFORMANCE-tensor.md).
     * Written out in full: the nibble loop with a variable shift count measured 3-5 % slower, and a call in the
     * loop that C2 might leave out of line would box the vector it returns.
     */
    @Override
    public float dot(int r, float[] x, float[] scratch) {
        long row = rowOffset(r);
        FloatVector acc = FloatVector.zero(F8);
        int blocks = cols / BLOCK;
        int b = 0;
        for (; b + 1 < blocks; b += 2) {
            long o = row + (long) b * BYTES;
            int xi = b * BLOCK;
            IntVector first = IntVector.fromMemorySegment(CODES, data, o + 2, ORDER);
            IntVector second = IntVector.fromMemorySegment(CODES, data, o + 2 + BYTES - 16, ORDER);
            IntVector w = first.blend(second, SECOND).lanewise(XOR, 0x88888888);
            FloatVector p = ((FloatVector) w.lanewise(LSHL, 28).lanewise(ASHR, 28).convert(I2F, 0))
                    .mul(FloatVector.fromArray(F8, x, xi));
            p = ((FloatVector) w.lanewise(LSHL, 24).lanewise(ASHR, 28).convert(I2F, 0))
                    .fma(FloatVector.fromArray(F8, x, xi + 8), p);
            p = ((FloatVector) w.lanewise(LSHL, 20).lanewise(ASHR, 28).convert(I2F, 0))
                    .fma(FloatVector.fromArray(F8, x, xi + 16), p);
            p = ((FloatVector) w.lanewise(LSHL, 16).lanewise(ASHR, 28).convert(I2F, 0))
                    .fma(FloatVector.fromArray(F8, x, xi + 24), p);
            p = ((FloatVector) w.lanewise(LSHL, 12).lanewise(ASHR, 28).convert(I2F, 0))
                    .fma(FloatVector.fromArray(F8, x, xi + 32), p);
            p = ((FloatVector) w.lanewise(LSHL, 8).lanewise(ASHR, 28).convert(I2F, 0))
                    .fma(FloatVector.fromArray(F8, x, xi + 40), p);
            p = ((FloatVector) w.lanewise(LSHL, 4).lanewise(ASHR, 28).convert(I2F, 0))
                    .fma(FloatVector.fromArray(F8, x, xi + 48), p);
            p = ((FloatVector) w.lanewise(ASHR, 28).convert(I2F, 0)).fma(FloatVector.fromArray(F8, x, xi + 56), p);
            FloatVector d = FloatVector.broadcast(F8, Float.float16ToFloat(data.get(I16, o)))
                    .blend(Float.float16ToFloat(data.get(I16, o + BYTES)), SECOND_F);
            acc = p.fma(d, acc);
        }
        float sum = 0;
        for (int i = 0; i < F8.length(); i++) sum += acc.lane(i);
        if (b < blocks) sum += unpairedBlock(row + (long) b * BYTES, x, b * BLOCK);
        return sum;
    }

    /** d * sum_j code_j * x[j] for one block, in element order. */
    private float unpairedBlock(long block, float[] x, int xo) {
        float s = 0;
        for (int j = 0; j < BLOCK / 2; j++) {
            int q = data.get(I8, block + 2 + j) & 0xff;
            s = Math.fma((q & 0x0f) - 8, x[xo + j], s);
            s = Math.fma((q >> 4) - 8, x[xo + BLOCK / 2 + j], s);
        }
        return Halfs.f16ToFloat(data.get(I16, block)) * s;
    }
}
