package dev.greta.gguf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the fields of a valid GGUF file lie: every count, length, type id, dimension and offset, and every
 * string's bytes. The fuzz test uses it to aim mutations at the fields a reader must not trust.
 */
record GgufFieldMap(List<Field> fields, List<int[]> strings, List<Integer> boundaries) {

    enum Kind { COUNT, LENGTH, VALUE_TYPE, TENSOR_TYPE, N_DIMS, DIM, OFFSET }

    /** A u32 or u64 field at {@code pos}. */
    record Field(int pos, int width, Kind kind) {}

    static GgufFieldMap of(byte[] file) {
        Walker w = new Walker(ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN));
        w.buf.position(8);
        w.boundary();
        long tensors = w.u64(Kind.COUNT);
        long kvs = w.u64(Kind.COUNT);
        w.boundary();
        for (long i = 0; i < kvs; i++) {
            w.string();
            int type = (int) w.u32(Kind.VALUE_TYPE);
            w.value(type);
            w.boundary();
        }
        for (long i = 0; i < tensors; i++) {
            w.string();
            int nDims = (int) w.u32(Kind.N_DIMS);
            for (int d = 0; d < nDims; d++) w.u64(Kind.DIM);
            w.u32(Kind.TENSOR_TYPE);
            w.u64(Kind.OFFSET);
            w.boundary();
        }
        return new GgufFieldMap(w.fields, w.strings, w.boundaries);
    }

    private static final class Walker {
        final ByteBuffer buf;
        final List<Field> fields = new ArrayList<>();
        final List<int[]> strings = new ArrayList<>();
        final List<Integer> boundaries = new ArrayList<>();

        Walker(ByteBuffer buf) { this.buf = buf; }

        void boundary() { boundaries.add(buf.position()); }

        long u32(Kind kind) {
            fields.add(new Field(buf.position(), 4, kind));
            return Integer.toUnsignedLong(buf.getInt());
        }

        long u64(Kind kind) {
            fields.add(new Field(buf.position(), 8, kind));
            return buf.getLong();
        }

        void string() {
            int len = (int) u64(Kind.LENGTH);
            strings.add(new int[]{buf.position(), len});
            buf.position(buf.position() + len);
        }

        void value(int type) {
            switch (type) {
                case 0, 1, 7 -> buf.position(buf.position() + 1);
                case 2, 3 -> buf.position(buf.position() + 2);
                case 4, 5, 6 -> buf.position(buf.position() + 4);
                case 10, 11, 12 -> buf.position(buf.position() + 8);
                case 8 -> string();
                case 9 -> {
                    int element = (int) u32(Kind.VALUE_TYPE);
                    long n = u64(Kind.COUNT);
                    for (long i = 0; i < n; i++) value(element);
                }
                default -> throw new IllegalArgumentException("not a valid file: value type " + type);
            }
        }
    }
}
