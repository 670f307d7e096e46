package dev.greta.gguf;

/**
 * One metadata value with its GGUF type. Java representation: UINT8/INT8/UINT16/INT16/INT32 as Integer,
 * UINT32/INT64/UINT64 as Long (UINT64 keeps its bits; print with Long.toUnsignedString), FLOAT32 as Float,
 * FLOAT64 as Double, BOOL as Boolean, STRING as String, ARRAY as {@link GgufArray}.
 */
public record GgufValue(GgufValueType type, Object value) {

    public GgufValue {
        if (type == null || value == null) throw new IllegalArgumentException("type and value are required");
    }

    public static GgufValue ofString(String s) { return new GgufValue(GgufValueType.STRING, s); }

    public static GgufValue ofUint32(long v) { return new GgufValue(GgufValueType.UINT32, v); }

    public static GgufValue ofInt32(int v) { return new GgufValue(GgufValueType.INT32, v); }

    public static GgufValue ofFloat32(float v) { return new GgufValue(GgufValueType.FLOAT32, v); }

    public static GgufValue ofBool(boolean v) { return new GgufValue(GgufValueType.BOOL, v); }

    public static GgufValue ofArray(GgufArray a) { return new GgufValue(GgufValueType.ARRAY, a); }

    /** The value as a long when it is an integer type. */
    public long asLong() {
        if (!type.isInteger()) throw new IllegalStateException("not an integer: " + type);
        return ((Number) value).longValue();
    }

    public double asDouble() {
        if (value instanceof Number n) return n.doubleValue();
        throw new IllegalStateException("not a number: " + type);
    }

    /** A short human-readable form: long arrays are summarised. */
    public String display() {
        return switch (type) {
            case UINT64 -> Long.toUnsignedString((Long) value);
            case STRING -> '"' + (String) value + '"';
            case ARRAY -> ((GgufArray) value).summary(8);
            default -> String.valueOf(value);
        };
    }
}
