package dev.greta.tensor;

import dev.greta.gguf.GgmlType;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

import static dev.greta.tensor.Lanes.I;
import static dev.greta.tensor.Lanes.L;
import static dev.greta.tensor.Lanes.S;
import static dev.greta.tensor.LittleEndian.I16;
import static dev.greta.tensor.LittleEndian.ORDER;

/** BF16: the upper half of a float32, two little-endian bytes per element. */
final class BF16Matrix extends WeightMatrix {

    BF16Matrix(MemorySegment data, int rows, int cols) { super(GgmlType.BF16, data, rows, cols); }

    static void dequantize(MemorySegment src, long offset, int count, float[] dst, int dstOffset) {
        for (int i = 0; i < count; i++) dst[dstOffset + i] = Halfs.bf16ToFloat(src.get(I16, offset + 2L * i));
    }

    static void quantize(float[] values, int offset, int count, MemorySegment dst) {
        for (int i = 0; i < count; i++) dst.set(I16, 2L * i, Halfs.floatToBf16(values[offset + i]));
    }

    @Override
    void decode(int row, int from, int count, float[] dst, int dstOffset) {
        long base = rowOffset(row) + 2L * from;
        int i = 0;
        for (; i <= count - L; i += L) {
            ShortVector.fromMemorySegment(S, data, base + 2L * i, ORDER)
                    .convertShape(VectorOperators.S2I, I, 0)
                    .lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats()
                    .intoArray(dst, dstOffset + i);
        }
        for (; i < count; i++) dst[dstOffset + i] = Halfs.bf16ToFloat(data.get(I16, base + 2L * i));
    }
}
