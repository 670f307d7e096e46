package dev.greta.gguf;

import java.util.Arrays;
import java.util.StringJoiner;

/**
 * A metadata array, stored as one primitive Java array so 128k-entry vocabularies stay compact:
 * int[] for UINT8/INT8/UINT16/INT16/INT32, long[] for UINT32/INT64/UINT64, float[] for FLOAT32,
 * double[] for FLOAT64, boolean[] for BOOL, String[] for STRING, GgufArray[] for nested arrays.
 */
public record GgufArray(GgufValueType elementType, Object values) {

    public GgufArray {
        int n = java.lang.reflect.Array.getLength(values);
        if (n < 0) throw new IllegalArgumentException();
    }

    public int length() { return java.lang.reflect.Array.getLength(values); }

    public static GgufArray ofStrings(String[] s) { return new GgufArray(GgufValueType.STRING, s); }

    public static GgufArray ofFloats(float[] f) { return new GgufArray(GgufValueType.FLOAT32, f); }

    public static GgufArray ofInt32(int[] i) { return new GgufArray(GgufValueType.INT32, i); }

    /** Element i as an object (boxed). */
    public Object get(int i) { return java.lang.reflect.Array.get(values, i); }

    public String summary(int maxItems) {
        int n = length();
        StringJoiner j = new StringJoiner(", ", "[", n > maxItems ? ", ...]" : "]");
        for (int i = 0; i < Math.min(n, maxItems); i++) {
            Object v = get(i);
            j.add(v instanceof String s ? '"' + s + '"' : v instanceof GgufArray a ? a.summary(maxItems) : String.valueOf(v));
        }
        return elementType.name().toLowerCase() + "[" + n + "] " + j;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufArray a && a.elementType == elementType && Arrays.deepEquals(new Object[]{values}, new Object[]{a.values});
    }

    @Override
    public int hashCode() { return Arrays.deepHashCode(new Object[]{values}) * 31 + elementType.hashCode(); }
}
