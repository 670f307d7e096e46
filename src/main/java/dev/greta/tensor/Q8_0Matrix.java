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
        for (int t = 0; t < nTokens; t++) {
            for (int r = from; r < to; r++) out[t * rows + r] = dot(r, x, t * cols);
        }
    }

    /**
     * The one-token kernel, per row: per block p = q[0..L) * x[0..L), then p += q[j..j+L) * x[j..j+L) for the
     * block's further vectors in order; p * d is added (one FMA) to the accumulator of even or odd blocks,
     * which hide each other's FMA latency; the two are added and their lanes summed in lane order. One flat
     * method on purpose: when C2 compiled a per-block helper on its own first, it later refused to inline it
     * ("already compiled into a big method") and boxed the vectors passed to it, which made decode several
     * times slower in the full program than in a micro-benchmark. One row at a time: four rows in lockstep
     * (each x load serving four rows) measured slower when the weights stream from DRAM.
     */
    private float dot(int r, float[] x, int xo) {
        long row = rowOffset(r);
        FloatVector even = FloatVector.zero(F);
        FloatVector odd = even;
        int blocks = cols / BLOCK;
        int b = 0;
        for (; b + 1 < blocks; b += 2) {
            long o = row + (long) b * BYTES;
            long o2 = o + BYTES;
            int xi = xo + b * BLOCK;
            int xi2 = xi + BLOCK;
            FloatVector p = quants(o + 2).mul(FloatVector.fromArray(F, x, xi));
            FloatVector p2 = quants(o2 + 2).mul(FloatVector.fromArray(F, x, xi2));
            for (int j = L; j < BLOCK; j += L) {
                p = quants(o + 2 + j).fma(FloatVector.fromArray(F, x, xi + j), p);
                p2 = quants(o2 + 2 + j).fma(FloatVector.fromArray(F, x, xi2 + j), p2);
            }
            even = p.fma(scale(o), even);
            odd = p2.fma(scale(o2), odd);
        }
        if (b < blocks) {
            long o = row + (long) b * BYTES;
            int xi = xo + b * BLOCK;
            FloatVector p = quants(o + 2).mul(FloatVector.fromArray(F, x, xi));
            for (int j = L; j < BLOCK; j += L) p = quants(o + 2 + j).fma(FloatVector.fromArray(F, x, xi + j), p);
            even = p.fma(scale(o), even);
        }
        FloatVector total = even.add(odd);
        float s = 0;
        for (int i = 0; i < L; i++) s += total.lane(i);
        return s;
    }

    private FloatVector scale(long block) {
        return FloatVector.broadcast(F, Float.float16ToFloat(data.get(I16, block)));
    }

    /** L int8 codes at {@code at} as floats; small enough that C2 always inlines it. */
    private FloatVector quants(long at) {
        return (FloatVector) ByteVector.fromMemorySegment(B, data, at, ORDER).convertShape(VectorOperators.B2F, F, 0);
    }
}
