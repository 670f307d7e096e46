package dev.greta.tensor;

import dev.greta.gguf.GgmlType;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/** Scalar reference dequantisers: plain loops that follow ggml's dequantize_row_* element for element. */
public final class Dequantizer {
    private Dequantizer() {}

    /** The first {@code elements} elements of {@code data} (whole blocks of {@code type}) as floats. */
    public static float[] dequantize(GgmlType type, MemorySegment data, long elements) {
        Objects.requireNonNull(type, "type");
        if (elements < 0 || elements > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("cannot dequantise " + elements + " elements into one float array");
        }
        long bytes = type.bytesFor(elements);
        if (bytes < 0) throw new IllegalArgumentException(elements + " elements are not whole " + type + " blocks of " + type.blockSize());
        if (data.byteSize() < bytes) {
            throw new IllegalArgumentException(elements + " " + type + " elements need " + bytes + " bytes, the data has " + data.byteSize());
        }
        float[] out = new float[(int) elements];
        dequantize(type, data, 0, (int) elements, out, 0);
        return out;
    }

    /** {@code count} elements (whole blocks) starting at byte {@code offset} of {@code data} to dst[dstOffset ..]. */
    static void dequantize(GgmlType type, MemorySegment data, long offset, int count, float[] dst, int dstOffset) {
        switch (type) {
            case F32 -> F32Matrix.dequantize(data, offset, count, dst, dstOffset);
            case F16 -> F16Matrix.dequantize(data, offset, count, dst, dstOffset);
            case BF16 -> BF16Matrix.dequantize(data, offset, count, dst, dstOffset);
            case Q8_0 -> Q8_0Matrix.dequantize(data, offset, count, dst, dstOffset);
            case Q4_0 -> Q4_0Matrix.dequantize(data, offset, count, dst, dstOffset);
            case Q4_K -> Q4_KMatrix.dequantize(data, offset, count, dst, dstOffset);
            case Q6_K -> Q6_KMatrix.dequantize(data, offset, count, dst, dstOffset);
            default -> throw new UnsupportedOperationException("cannot dequantise " + type);
        }
    }
}
