package dev.greta.tensor;

import dev.greta.gguf.GgmlType;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

import static dev.greta.tensor.Lanes.B;
import static dev.greta.tensor.Lanes.F;
import static dev.greta.tensor.Lanes.L;
import static dev.greta.tensor.LittleEndian.I16;
import static dev.greta.tensor.LittleEndian.I8;
import static dev.greta.tensor.LittleEndian.ORDER;
import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.LSHL;

/** Q8_0: blocks of 32 as {f16 d; int8 qs[32]}, element j = qs[j] * d. */
final class Q8_0Matrix extends WeightMatrix implements FusedDot {
    static final int BLOCK = 32;
    static final int BYTES = 34;

    /** A block's 32 codes, one load: 8 int lanes of 4 codes each (256 bits whatever the CPU's widest). */
    private static final VectorSpecies<Integer> CODES = IntVector.SPECIES_256;
    private static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;

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

    @Override
    public int inputRoom() { return cols; }

    /** Each block's 32 activations in {@link FusedDot#byteLaneOrder}, the order {@link #dot} unpacks codes in. */
    @Override
    public float[] input(float[] x, float[] room) {
        FusedDot.byteLaneOrder(x, cols, room);
        return room;
    }

    /**
     * The one-token kernel, per row. A block's codes come in as one 32-byte load of 8 int lanes; code 4i + k is
     * byte k of lane i, sign-extended by shifting it to the top and back (x is reordered to match, see
     * {@link #input}): one load and 7 shifts per block where 8-byte loads widened to ints took 4 loads, 4
     * widenings and 4 bounds checks. Per block p = sum over k of codes_k * x_k in order, then p * d goes (one FMA)
     * to the accumulator of even or odd blocks, which hide each other's latency; the two are added and their
     * lanes summed in lane order. One block per iteration, and nothing in the loop that C2 might leave as a call:
     * a call returning a vector boxes it, and when the method grew past C2's node budget the scale's broadcast
     * was left out of line in some runs, which made decode 2-3x slower.
     */
    @Override
    public float dot(int r, float[] x, float[] scratch) {
        long row = rowOffset(r);
        FloatVector mine = FloatVector.zero(F8);
        FloatVector other = mine;
        int blocks = cols / BLOCK;
        for (int b = 0; b < blocks; b++) {
            long o = row + (long) b * BYTES;
            int xi = b * BLOCK;
            IntVector c = IntVector.fromMemorySegment(CODES, data, o + 2, ORDER);
            FloatVector q = (FloatVector) c.lanewise(LSHL, 24).lanewise(ASHR, 24).convert(I2F, 0);
            FloatVector p = q.mul(FloatVector.fromArray(F8, x, xi));
            q = (FloatVector) c.lanewise(LSHL, 16).lanewise(ASHR, 24).convert(I2F, 0);
            p = q.fma(FloatVector.fromArray(F8, x, xi + 8), p);
            q = (FloatVector) c.lanewise(LSHL, 8).lanewise(ASHR, 24).convert(I2F, 0);
            p = q.fma(FloatVector.fromArray(F8, x, xi + 16), p);
            q = (FloatVector) c.lanewise(ASHR, 24).convert(I2F, 0);
            p = q.fma(FloatVector.fromArray(F8, x, xi + 24), p);
            FloatVector sum = p.fma(FloatVector.broadcast(F8, Float.float16ToFloat(data.get(I16, o))), other);
            other = mine;
            mine = sum;
        }
        FloatVector total = mine.add(other);
        float s = 0;
        for (int i = 0; i < F8.length(); i++) s += total.lane(i);
        return s;
    }
}
