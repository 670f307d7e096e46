package dev.greta.tensor;

import dev.greta.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

import static dev.greta.tensor.LittleEndian.I16;

/** F16: IEEE half precision, two little-endian bytes per element. */
final class F16Matrix extends WeightMatrix {

    F16Matrix(MemorySegment data, int rows, int cols) { super(GgmlType.F16, data, rows, cols); }

    static void dequantize(MemorySegment src, long offset, int count, float[] dst, int dstOffset) {
        for (int i = 0; i < count; i++) dst[dstOffset + i] = Halfs.f16ToFloat(src.get(I16, offset + 2L * i));
    }

    static void quantize(float[] values, int offset, int count, MemorySegment dst) {
        for (int i = 0; i < count; i++) dst.set(I16, 2L * i, Halfs.floatToF16(values[offset + i]));
    }

    /** The scalar loop: C2 vectorises Float.float16ToFloat (vcvtph2ps), 4x faster than bit work in int lanes. */
    @Override
    void decode(int row, int from, int count, float[] dst, int dstOffset) {
        dequantize(data, rowOffset(row) + 2L * from, count, dst, dstOffset);
    }
}
