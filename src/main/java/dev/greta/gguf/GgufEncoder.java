package dev.greta.gguf;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Little-endian encoding of GGUF header fields and metadata values, in the Java representation
 * {@link GgufValue} and {@link GgufArray} document (what {@link GgufReader} produces).
 */
final class GgufEncoder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(4096);

    void u8(int v) { out.write(v); }

    void u16(int v) {
        out.write(v);
        out.write(v >>> 8);
    }

    void u32(int v) {
        u16(v);
        u16(v >>> 16);
    }

    void u64(long v) {
        u32((int) v);
        u32((int) (v >>> 32));
    }

    void string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        u64(b.length);
        out.writeBytes(b);
    }

    void padTo(int alignment) {
        while (out.size() % alignment != 0) out.write(0);
    }

    byte[] toByteArray() { return out.toByteArray(); }

    /** The value's payload (its type id is written by the caller). */
    void value(GgufValue v) {
        scalar(v.type(), v.value());
    }

    private void scalar(GgufValueType type, Object v) {
        switch (type) {
            case UINT8, INT8, BOOL -> u8(type == GgufValueType.BOOL ? ((Boolean) v ? 1 : 0) : ((Number) v).intValue());
            case UINT16, INT16 -> u16(((Number) v).intValue());
            case UINT32, INT32 -> u32(((Number) v).intValue());
            case UINT64, INT64 -> u64(((Number) v).longValue());
            case FLOAT32 -> u32(Float.floatToRawIntBits((Float) v));
            case FLOAT64 -> u64(Double.doubleToRawLongBits((Double) v));
            case STRING -> string((String) v);
            case ARRAY -> array((GgufArray) v);
        }
    }

    private void array(GgufArray a) {
        u32(a.elementType().id());
        int n = a.length();
        u64(n);
        switch (a.values()) {
            case int[] ints -> { for (int i : ints) scalar(a.elementType(), i); }
            case long[] longs -> { for (long l : longs) scalar(a.elementType(), l); }
            case float[] floats -> { for (float f : floats) u32(Float.floatToRawIntBits(f)); }
            case double[] doubles -> { for (double d : doubles) u64(Double.doubleToRawLongBits(d)); }
            case boolean[] bools -> { for (boolean b : bools) u8(b ? 1 : 0); }
            case String[] strings -> { for (String s : strings) string(s); }
            case GgufArray[] arrays -> { for (GgufArray inner : arrays) array(inner); }
            default -> throw new IllegalStateException("unchecked array storage " + a.values().getClass());
        }
    }

    /**
     * Checks that {@code v} holds the Java representation its type requires, that integers fit their type and
     * strings are valid Unicode, so that {@link #value} writes exactly what a reader returns.
     */
    static void checkValue(String key, GgufValue v, int depth) {
        GgufValueType type = v.type();
        Object value = v.value();
        if (type == GgufValueType.ARRAY) {
            if (!(value instanceof GgufArray a)) throw mismatch(key, type, value);
            checkArray(key, a, depth);
        } else {
            checkScalar(key, type, value);
        }
    }

    private static void checkArray(String key, GgufArray a, int depth) {
        if (depth >= GgufReader.MAX_ARRAY_DEPTH) throw new IllegalArgumentException("metadata '" + key + "': arrays nested deeper than " + GgufReader.MAX_ARRAY_DEPTH);
        GgufValueType t = a.elementType();
        Object values = a.values();
        boolean storageOk = switch (t) {
            case UINT8, INT8, UINT16, INT16, INT32 -> values instanceof int[];
            case UINT32, UINT64, INT64 -> values instanceof long[];
            case FLOAT32 -> values instanceof float[];
            case FLOAT64 -> values instanceof double[];
            case BOOL -> values instanceof boolean[];
            case STRING -> values instanceof String[];
            case ARRAY -> values instanceof GgufArray[];
        };
        if (!storageOk) throw new IllegalArgumentException("metadata '" + key + "': an array of " + t + " cannot be stored in " + values.getClass().getSimpleName());
        for (int i = 0; i < a.length(); i++) {
            Object e = a.get(i);
            if (t == GgufValueType.ARRAY) {
                if (e == null) throw new IllegalArgumentException("metadata '" + key + "'[" + i + "] is null");
                checkArray(key + "[" + i + "]", (GgufArray) e, depth + 1);
            } else if (t.isInteger() || t == GgufValueType.STRING) {
                checkScalar(key + "[" + i + "]", t, e);
            }
        }
    }

    private static void checkScalar(String key, GgufValueType type, Object value) {
        boolean ok = switch (type) {
            case UINT8 -> value instanceof Integer i && i >= 0 && i <= 0xFF;
            case INT8 -> value instanceof Integer i && i >= Byte.MIN_VALUE && i <= Byte.MAX_VALUE;
            case UINT16 -> value instanceof Integer i && i >= 0 && i <= 0xFFFF;
            case INT16 -> value instanceof Integer i && i >= Short.MIN_VALUE && i <= Short.MAX_VALUE;
            case INT32 -> value instanceof Integer;
            case UINT32 -> value instanceof Long l && l >= 0 && l <= 0xFFFF_FFFFL;
            case UINT64, INT64 -> value instanceof Long;
            case FLOAT32 -> value instanceof Float;
            case FLOAT64 -> value instanceof Double;
            case BOOL -> value instanceof Boolean;
            case STRING -> value instanceof String s && isValidUnicode(s);
            case ARRAY -> false;
        };
        if (!ok) throw mismatch(key, type, value);
    }

    static void checkUtf8(String what, String s) {
        if (!isValidUnicode(s)) throw new IllegalArgumentException(what + " is not valid Unicode (unpaired surrogate)");
    }

    /** True when every surrogate is paired, i.e. the string has an exact UTF-8 encoding. */
    private static boolean isValidUnicode(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static IllegalArgumentException mismatch(String key, GgufValueType type, Object value) {
        String shown = value == null ? "null" : value.getClass().getSimpleName() + " " + value;
        return new IllegalArgumentException("metadata '" + key + "': " + shown + " is not a valid " + type + " value");
    }
}
