package dev.greta.gguf;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;

/** The key/value metadata of a GGUF file, in file order, with typed accessors that fail with the key's name. */
public final class GgufMetadata {
    private final LinkedHashMap<String, GgufValue> values;

    public GgufMetadata(Map<String, GgufValue> values) {
        this.values = new LinkedHashMap<>(values);
    }

    public Map<String, GgufValue> asMap() { return Collections.unmodifiableMap(values); }

    public boolean has(String key) { return values.containsKey(key); }

    public GgufValue get(String key) {
        GgufValue v = values.get(key);
        if (v == null) throw new NoSuchElementException("GGUF metadata key '" + key + "' is missing");
        return v;
    }

    public String string(String key) {
        GgufValue v = get(key);
        if (v.type() != GgufValueType.STRING) throw wrongType(key, v, "string");
        return (String) v.value();
    }

    public String string(String key, String fallback) { return has(key) ? string(key) : fallback; }

    /** An integer value of any integer type that fits an int. */
    public int integer(String key) {
        GgufValue v = get(key);
        if (!v.type().isInteger()) throw wrongType(key, v, "integer");
        long l = v.asLong();
        if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE || (v.type() == GgufValueType.UINT64 && l < 0)) {
            throw new IllegalArgumentException("GGUF metadata key '" + key + "' = " + v.display() + " does not fit an int");
        }
        return (int) l;
    }

    public int integer(String key, int fallback) { return has(key) ? integer(key) : fallback; }

    public float floating(String key) {
        GgufValue v = get(key);
        if (v.type() != GgufValueType.FLOAT32 && v.type() != GgufValueType.FLOAT64 && !v.type().isInteger()) {
            throw wrongType(key, v, "number");
        }
        return (float) v.asDouble();
    }

    public float floating(String key, float fallback) { return has(key) ? floating(key) : fallback; }

    public boolean bool(String key, boolean fallback) {
        if (!has(key)) return fallback;
        GgufValue v = get(key);
        if (v.type() != GgufValueType.BOOL) throw wrongType(key, v, "bool");
        return (Boolean) v.value();
    }

    public GgufArray array(String key) {
        GgufValue v = get(key);
        if (v.type() != GgufValueType.ARRAY) throw wrongType(key, v, "array");
        return (GgufArray) v.value();
    }

    public String[] stringArray(String key) {
        GgufArray a = array(key);
        if (a.elementType() != GgufValueType.STRING) throw new IllegalArgumentException("GGUF metadata key '" + key + "' is an array of " + a.elementType() + ", expected strings");
        return (String[]) a.values();
    }

    public float[] floatArray(String key) {
        GgufArray a = array(key);
        if (a.elementType() != GgufValueType.FLOAT32) throw new IllegalArgumentException("GGUF metadata key '" + key + "' is an array of " + a.elementType() + ", expected float32");
        return (float[]) a.values();
    }

    /** An array of any 8/16/32-bit integer type as int[]. */
    public int[] intArray(String key) {
        GgufArray a = array(key);
        if (a.values() instanceof int[] ints) return ints;
        if (a.values() instanceof long[] longs) {
            int[] out = new int[longs.length];
            for (int i = 0; i < longs.length; i++) out[i] = Math.toIntExact(longs[i]);
            return out;
        }
        throw new IllegalArgumentException("GGUF metadata key '" + key + "' is an array of " + a.elementType() + ", expected integers");
    }

    /** The model architecture, e.g. "llama" (general.architecture). */
    public String architecture() { return string("general.architecture"); }

    private static IllegalArgumentException wrongType(String key, GgufValue v, String expected) {
        return new IllegalArgumentException("GGUF metadata key '" + key + "' has type " + v.type() + ", expected " + expected);
    }
}
