package dev.greta.tensor;

/** Conversions between float and the two 16-bit float formats GGUF files store: IEEE half (F16) and bfloat16. */
public final class Halfs {
    private Halfs() {}

    public static float f16ToFloat(short bits) { return Float.float16ToFloat(bits); }

    /** Rounds to the nearest F16, ties to even; overflow gives infinity. */
    public static short floatToF16(float value) { return Float.floatToFloat16(value); }

    public static float bf16ToFloat(short bits) { return Float.intBitsToFloat(bits << 16); }

    /** Rounds to the nearest bfloat16, ties to even, as ggml does; NaN stays a (quiet) NaN. */
    public static short floatToBf16(float value) {
        int u = Float.floatToRawIntBits(value);
        if ((u & 0x7fffffff) > 0x7f800000) return (short) ((u >>> 16) | 0x40);
        return (short) ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16);
    }
}
