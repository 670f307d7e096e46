package dev.greta.tensor;

import dev.greta.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

import static dev.greta.tensor.LittleEndian.F32;

/** F32: four little-endian bytes per element. */
final class F32Matrix extends WeightMatrix {

    F32Matrix(MemorySegment data, int rows, int cols) { super(GgmlType.F32, data, rows, cols); }

    static void dequantize(MemorySegment src, long offset, int count, float[] dst, int dstOffset) {
        for (int i = 0; i < count; i++) dst[dstOffset + i] = src.get(F32, offset + 4L * i);
    }

    static void quantize(float[] values, int offset, int count, MemorySegment dst) {
        for (int i = 0; i < count; i++) dst.set(F32, 4L * i, values[offset + i]);
    }

    @Override
    void decode(int row, int from, int count, float[] dst, int dstOffset) {
        MemorySegment.copy(data, F32, rowOffset(row) + 4L * from, dst, dstOffset, count);
    }
}
