package dev.greta.backend.cuda;

import dev.greta.gguf.GgmlType;
import dev.greta.gguf.GgufTensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * Scalar reference dequantisers for the GGUF block formats the cuda backend uploads (GGML's layouts, written
 * from its block descriptions), and a generator of random tensors in those formats.
 */
final class GgmlReference {
    private GgmlReference() {
    }

    static float[] dequantize(GgufTensor t) {
        int n = Math.toIntExact(t.elementCount());
        float[] out = new float[n];
        MemorySegment s = t.data();
        switch (t.type()) {
            case F32 -> { for (int i = 0; i < n; i++) out[i] = s.getAtIndex(JAVA_FLOAT_UNALIGNED, i); }
            case F16 -> { for (int i = 0; i < n; i++) out[i] = Float.float16ToFloat(s.getAtIndex(JAVA_SHORT_UNALIGNED, i)); }
            case BF16 -> { for (int i = 0; i < n; i++) out[i] = bf16(s.getAtIndex(JAVA_SHORT_UNALIGNED, i)); }
            case Q8_0 -> q8_0(s, out);
            case Q4_0 -> q4_0(s, out);
            case Q4_K -> q4_k(s, out);
            case Q6_K -> q6_k(s, out);
            default -> throw new IllegalArgumentException("no reference for " + t.type());
        }
        return out;
    }

    private static float f16(MemorySegment s, long offset) {
        return Float.float16ToFloat(s.get(JAVA_SHORT_UNALIGNED, offset));
    }

    private static int u8(MemorySegment s, long offset) {
        return s.get(JAVA_BYTE, offset) & 0xff;
    }

    private static void q8_0(MemorySegment s, float[] out) {
        for (int b = 0; b < out.length / 32; b++) {
            long base = 34L * b;
            float d = f16(s, base);
            for (int j = 0; j < 32; j++) out[32 * b + j] = d * s.get(JAVA_BYTE, base + 2 + j);
        }
    }

    private static void q4_0(MemorySegment s, float[] out) {
        for (int b = 0; b < out.length / 32; b++) {
            long base = 18L * b;
            float d = f16(s, base);
            for (int j = 0; j < 16; j++) {
                int x = u8(s, base + 2 + j);
                out[32 * b + j] = ((x & 15) - 8) * d;
                out[32 * b + j + 16] = ((x >> 4) - 8) * d;
            }
        }
    }

    private static void q4_k(MemorySegment s, float[] out) {
        for (int b = 0; b < out.length / 256; b++) {
            long base = 144L * b;
            float d = f16(s, base), dmin = f16(s, base + 2);
            int[] sc = new int[12];
            for (int i = 0; i < 12; i++) sc[i] = u8(s, base + 4 + i);
            long qs = base + 16;
            for (int chunk = 0; chunk < 4; chunk++) {
                for (int half = 0; half < 2; half++) {
                    int sub = 2 * chunk + half;
                    int scale, min;
                    if (sub < 4) {
                        scale = sc[sub] & 63;
                        min = sc[sub + 4] & 63;
                    } else {
                        scale = (sc[sub + 4] & 15) | ((sc[sub - 4] >> 6) << 4);
                        min = (sc[sub + 4] >> 4) | ((sc[sub] >> 6) << 4);
                    }
                    float d1 = d * scale, m1 = dmin * min;
                    for (int l = 0; l < 32; l++) {
                        int x = u8(s, qs + 32L * chunk + l);
                        int q = half == 0 ? (x & 15) : (x >> 4);
                        out[256 * b + 64 * chunk + 32 * half + l] = d1 * q - m1;
                    }
                }
            }
        }
    }

    private static void q6_k(MemorySegment s, float[] out) {
        for (int b = 0; b < out.length / 256; b++) {
            long base = 210L * b;
            float d = f16(s, base + 208);
            for (int half = 0; half < 2; half++) {
                long ql = base + 64L * half, qh = base + 128 + 32L * half, sc = base + 192 + 8L * half;
                for (int l = 0; l < 32; l++) {
                    int is = l / 16;
                    int h = u8(s, qh + l);
                    int q1 = ((u8(s, ql + l) & 15) | ((h & 3) << 4)) - 32;
                    int q2 = ((u8(s, ql + l + 32) & 15) | (((h >> 2) & 3) << 4)) - 32;
                    int q3 = ((u8(s, ql + l) >> 4) | (((h >> 4) & 3) << 4)) - 32;
                    int q4 = ((u8(s, ql + l + 32) >> 4) | (((h >> 6) & 3) << 4)) - 32;
                    int o = 256 * b + 128 * half + l;
                    out[o] = d * s.get(JAVA_BYTE, sc + is) * q1;
                    out[o + 32] = d * s.get(JAVA_BYTE, sc + is + 2) * q2;
                    out[o + 64] = d * s.get(JAVA_BYTE, sc + is + 4) * q3;
                    out[o + 96] = d * s.get(JAVA_BYTE, sc + is + 6) * q4;
                }
            }
        }
    }

    static float bf16(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** x rounded to bf16 (nearest, ties to even), as the GPU's cvt.rn.bf16.f32 does for finite x. */
    static float roundBf16(float x) {
        int bits = Float.floatToRawIntBits(x);
        int rounded = bits + 0x7fff + ((bits >> 16) & 1);
        return Float.intBitsToFloat(rounded & 0xffff0000);
    }

    static float roundF16(float x) {
        return Float.float16ToFloat(Float.floatToFloat16(x));
    }

    /**
     * A rows x cols tensor of {@code type} with random contents: random quant bytes, scales drawn so that values
     * stay in a realistic range (|d| in [1e-3, 2e-2]).
     */
    static GgufTensor random(GgmlType type, int rows, int cols, Random random, Arena arena) {
        long elements = (long) rows * cols;
        long bytes = type.bytesFor(elements);
        MemorySegment s = arena.allocate(bytes, 16);
        switch (type) {
            case F32 -> { for (long i = 0; i < elements; i++) s.setAtIndex(JAVA_FLOAT_UNALIGNED, i, (float) random.nextGaussian()); }
            case F16 -> { for (long i = 0; i < elements; i++) s.setAtIndex(JAVA_SHORT_UNALIGNED, i, Float.floatToFloat16((float) random.nextGaussian())); }
            case BF16 -> { for (long i = 0; i < elements; i++) s.setAtIndex(JAVA_SHORT_UNALIGNED, i, (short) (Float.floatToRawIntBits(roundBf16((float) random.nextGaussian())) >>> 16)); }
            default -> {
                for (long i = 0; i < bytes; i++) s.set(JAVA_BYTE, i, (byte) random.nextInt(256));
                long blocks = elements / type.blockSize();
                for (long b = 0; b < blocks; b++) {
                    long base = b * type.blockBytes();
                    switch (type) {
                        case Q8_0, Q4_0 -> setScale(s, base, random);
                        case Q4_K -> {
                            setScale(s, base, random);
                            setScale(s, base + 2, random);
                        }
                        case Q6_K -> setScale(s, base + 208, random);
                        default -> throw new IllegalArgumentException("no generator for " + type);
                    }
                }
            }
        }
        return new GgufTensor("random." + type, type, new long[] {cols, rows}, 0, bytes, s);
    }

    private static void setScale(MemorySegment s, long offset, Random random) {
        float d = (float) (1e-3 + random.nextDouble() * 1.9e-2) * (random.nextBoolean() ? 1 : -1);
        s.set(JAVA_SHORT_UNALIGNED, offset, Float.floatToFloat16(d));
    }

    /** A tensor over float32 values (rows x cols). */
    static GgufTensor f32(float[] values, int rows, int cols, Arena arena) {
        MemorySegment s = arena.allocateFrom(ValueLayout.JAVA_FLOAT, values);
        return new GgufTensor("f32", GgmlType.F32, new long[] {cols, rows}, 0, s.byteSize(), s);
    }
}
