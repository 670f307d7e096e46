package dev.greta.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Finds NaN and infinite values in a tensor's data. Float types are checked element by element. A quantised
 * block decodes to products of its f16 (Q8_K: f32) scale fields with integers of at most 8 bits each, which stay
 * far below the float range, so a block yields a non-finite value exactly when one of its scale fields is
 * non-finite: those fields are all that need reading.
 */
final class NonFiniteScan {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** {@code count} non-finite elements (or blocks, for quantised types), the first at index {@code first}. */
    record Result(long count, long first, boolean perBlock) {
        boolean clean() { return count == 0; }
    }

    private NonFiniteScan() {}

    static Result scan(GgufTensor t) {
        MemorySegment d = t.data();
        return switch (t.type()) {
            case F32 -> floats32(d);
            case F64 -> floats64(d);
            case F16 -> halves(d, 0x7C00, 2, new int[]{0});
            case BF16 -> halves(d, 0x7F80, 2, new int[]{0});
            case Q4_0, Q5_0, Q8_0 -> blocks(t, new int[]{0});
            case Q4_1, Q5_1, Q8_1, Q4_K, Q5_K -> blocks(t, new int[]{0, 2});
            case Q2_K -> blocks(t, new int[]{80, 82});
            case Q3_K -> blocks(t, new int[]{108});
            case Q6_K -> blocks(t, new int[]{208});
            case Q8_K -> q8k(d);
            case I8, I16, I32, I64 -> new Result(0, -1, false);
        };
    }

    private static Result floats32(MemorySegment d) {
        long n = d.byteSize() / 4;
        long count = 0;
        long first = -1;
        for (long i = 0; i < n; i++) {
            if ((d.get(U32, i * 4) & 0x7F80_0000) == 0x7F80_0000) {
                if (count++ == 0) first = i;
            }
        }
        return new Result(count, first, false);
    }

    private static Result floats64(MemorySegment d) {
        long n = d.byteSize() / 8;
        long count = 0;
        long first = -1;
        for (long i = 0; i < n; i++) {
            if (!Double.isFinite(Double.longBitsToDouble(d.get(U64, i * 8)))) {
                if (count++ == 0) first = i;
            }
        }
        return new Result(count, first, false);
    }

    /** 16-bit floats whose exponent field {@code mask} is all ones, at {@code fields} within units of {@code unit} bytes. */
    private static Result halves(MemorySegment d, int mask, int unit, int[] fields) {
        long n = d.byteSize() / unit;
        long count = 0;
        long first = -1;
        for (long i = 0; i < n; i++) {
            for (int f : fields) {
                if ((d.get(U16, i * unit + f) & mask) == mask) {
                    if (count++ == 0) first = i;
                    break;
                }
            }
        }
        return new Result(count, first, unit > 2);
    }

    private static Result blocks(GgufTensor t, int[] f16Scales) {
        return halves(t.data(), 0x7C00, t.type().blockBytes(), f16Scales);
    }

    /** Q8_K keeps an f32 scale at the start of each block. */
    private static Result q8k(MemorySegment d) {
        int unit = GgmlType.Q8_K.blockBytes();
        long n = d.byteSize() / unit;
        long count = 0;
        long first = -1;
        for (long i = 0; i < n; i++) {
            if ((d.get(U32, i * unit) & 0x7F80_0000) == 0x7F80_0000) {
                if (count++ == 0) first = i;
            }
        }
        return new Result(count, first, true);
    }
}
