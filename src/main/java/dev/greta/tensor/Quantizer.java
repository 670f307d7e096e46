package dev.greta.tensor;

import dev.greta.gguf.GgmlType;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Reference quantisers producing GGML blocks: llama.cpp's reference algorithms (quantize_row_*_ref, i.e. what
 * llama-quantize does without an importance matrix).
 */
public final class Quantizer {
    private Quantizer() {}

    /** values[offset .. offset + count) as {@code type} blocks, little-endian; count must be whole blocks. */
    public static byte[] quantize(GgmlType type, float[] values, int offset, int count) {
        Objects.requireNonNull(type, "type");
        Objects.checkFromIndexSize(offset, count, values.length);
        long bytes = type.bytesFor(count);
        if (bytes < 0) throw new IllegalArgumentException(count + " values are not whole " + type + " blocks of " + type.blockSize());
        byte[] out = new byte[Math.toIntExact(bytes)];
        MemorySegment dst = MemorySegment.ofArray(out);
        switch (type) {
            case F32 -> F32Matrix.quantize(values, offset, count, dst);
            case F16 -> F16Matrix.quantize(values, offset, count, dst);
            case BF16 -> BF16Matrix.quantize(values, offset, count, dst);
            case Q8_0 -> Q8_0Matrix.quantize(values, offset, count, dst);
            case Q4_0 -> Q4_0Matrix.quantize(values, offset, count, dst);
            case Q4_K -> Q4_KMatrix.quantize(values, offset, count, dst);
            case Q6_K -> Q6_KMatrix.quantize(values, offset, count, dst);
            default -> throw new UnsupportedOperationException("cannot quantise to " + type + " (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K)");
        }
        return out;
    }
}
