package dev.greta.gguf;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Metadata values as command-line text: scalars in their plain form ({@code 32768}, {@code 1.0E-5}, {@code true},
 * a string as is), arrays as a JSON array. {@link #format} and {@link #parse} round-trip every value of a
 * scalar type or an array of scalars; nested arrays can be shown but not parsed.
 */
public final class GgufValueText {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private GgufValueText() {}

    /** A value type as written on the command line: a scalar type, or an array of one ({@code u32[]}). */
    public record TypeSpec(GgufValueType type, GgufValueType elementType) {
        public TypeSpec {
            if ((type == GgufValueType.ARRAY) != (elementType != null)) throw new IllegalArgumentException("an element type goes with arrays only");
        }

        public static TypeSpec scalar(GgufValueType type) { return new TypeSpec(type, null); }

        /** Parses {@code u32}, {@code uint32}, {@code f32[]}, {@code string[]}... */
        public static TypeSpec parse(String text) {
            String t = text.trim().toLowerCase(Locale.ROOT);
            if (t.endsWith("[]")) {
                GgufValueType element = scalarType(t.substring(0, t.length() - 2), text);
                return new TypeSpec(GgufValueType.ARRAY, element);
            }
            return scalar(scalarType(t, text));
        }

        private static GgufValueType scalarType(String name, String original) {
            for (GgufValueType v : GgufValueType.values()) {
                if (v != GgufValueType.ARRAY && (name.equals(shortName(v)) || name.equals(v.name().toLowerCase(Locale.ROOT)))) return v;
            }
            throw new IllegalArgumentException("unknown value type '" + original + "' (expected u8, i8, u16, i16, u32, i32, u64, i64, f32, f64, bool, string, or one of them followed by [] for an array)");
        }

        /** The type of an existing value; arrays of arrays have no text form. */
        public static TypeSpec of(GgufValue v) {
            if (v.type() != GgufValueType.ARRAY) return scalar(v.type());
            return new TypeSpec(GgufValueType.ARRAY, ((GgufArray) v.value()).elementType());
        }

        @Override
        public String toString() { return type == GgufValueType.ARRAY ? shortName(elementType) + "[]" : shortName(type); }
    }

    /** u8, i8, u16, i16, u32, i32, u64, i64, f32, f64, bool, string or array. */
    public static String shortName(GgufValueType t) {
        return switch (t) {
            case UINT8 -> "u8";
            case INT8 -> "i8";
            case UINT16 -> "u16";
            case INT16 -> "i16";
            case UINT32 -> "u32";
            case INT32 -> "i32";
            case UINT64 -> "u64";
            case INT64 -> "i64";
            case FLOAT32 -> "f32";
            case FLOAT64 -> "f64";
            case BOOL -> "bool";
            case STRING -> "string";
            case ARRAY -> "array";
        };
    }

    /** The type of a value as shown to people: {@code u32}, {@code string[32000]}, {@code array[3]}. */
    public static String describeType(GgufValue v) {
        if (v.type() != GgufValueType.ARRAY) return shortName(v.type());
        GgufArray a = (GgufArray) v.value();
        return shortName(a.elementType()) + "[" + a.length() + "]";
    }

    /**
     * The type a new key gets when none is given: bool for true/false, u32 for non-negative integers that fit
     * (llama.cpp's choice for counts), i32/i64/u64 for other integers, f32 for decimals, string otherwise.
     */
    public static TypeSpec infer(String text) {
        String t = text.trim();
        if (t.equalsIgnoreCase("true") || t.equalsIgnoreCase("false")) return TypeSpec.scalar(GgufValueType.BOOL);
        if (t.startsWith("[")) throw new IllegalArgumentException("'" + text + "' looks like an array: say its type with --type, e.g. --type u32[]");
        if (t.matches("[+-]?\\d+")) {
            BigInteger v = new BigInteger(t);
            if (v.signum() >= 0 && v.bitLength() <= 32) return TypeSpec.scalar(GgufValueType.UINT32);
            if (v.bitLength() < 32) return TypeSpec.scalar(GgufValueType.INT32);
            if (v.bitLength() < 64) return TypeSpec.scalar(GgufValueType.INT64);
            return TypeSpec.scalar(GgufValueType.UINT64);
        }
        if (t.matches("[+-]?(\\d+\\.\\d*|\\.\\d+|\\d+)([eE][+-]?\\d+)?")) return TypeSpec.scalar(GgufValueType.FLOAT32);
        return TypeSpec.scalar(GgufValueType.STRING);
    }

    /** Parses {@code text} as a value of {@code spec}; a value that does not fit the type is an error. */
    public static GgufValue parse(String text, TypeSpec spec) {
        if (spec.type() != GgufValueType.ARRAY) return new GgufValue(spec.type(), scalar(text, spec.type()));
        GgufValueType et = spec.elementType();
        if (et == GgufValueType.ARRAY) throw new IllegalArgumentException("arrays of arrays cannot be given as text");
        List<String> items = jsonArrayItems(text, et);
        int n = items.size();
        Object values = switch (et) {
            case UINT8, INT8, UINT16, INT16, INT32 -> new int[n];
            case UINT32, UINT64, INT64 -> new long[n];
            case FLOAT32 -> new float[n];
            case FLOAT64 -> new double[n];
            case BOOL -> new boolean[n];
            default -> new String[n];
        };
        for (int i = 0; i < n; i++) {
            try {
                java.lang.reflect.Array.set(values, i, scalar(items.get(i), et));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("element " + i + ": " + ex.getMessage());
            }
        }
        return GgufValue.ofArray(new GgufArray(et, values));
    }

    /**
     * The items of a flat JSON array as their literal text (numbers exactly as written, so -0.0 and every float
     * digit survive); strings are required for string arrays and allowed elsewhere (e.g. "NaN").
     */
    private static List<String> jsonArrayItems(String text, GgufValueType et) {
        List<String> items = new ArrayList<>();
        try (JsonParser p = JSON.createParser(text)) {
            if (p.nextToken() != JsonToken.START_ARRAY) throw new IllegalArgumentException("'" + abbreviate(text) + "' is not a JSON array");
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                if (t == null) throw new IllegalArgumentException("'" + abbreviate(text) + "' ends before the array does");
                boolean scalar = t == JsonToken.VALUE_STRING || t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT
                        || t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE;
                if (!scalar || (et == GgufValueType.STRING && t != JsonToken.VALUE_STRING)) {
                    throw new IllegalArgumentException("element " + items.size() + " of the array is not a " + shortName(et));
                }
                items.add(p.getText());
            }
            if (p.nextToken() != null) throw new IllegalArgumentException("'" + abbreviate(text) + "' has text after the array");
        } catch (IOException e) {
            throw new IllegalArgumentException("'" + abbreviate(text) + "' is not a JSON array: " + e.getMessage().lines().findFirst().orElse(""));
        }
        return items;
    }

    /** The value as text that {@link #parse} reads back to the same value. */
    public static String format(GgufValue v) {
        return switch (v.type()) {
            case STRING -> (String) v.value();
            case ARRAY -> {
                try {
                    yield JSON.writeValueAsString(json((GgufArray) v.value()));
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException(e);
                }
            }
            default -> scalarText(v.type(), v.value());
        };
    }

    /** The array as a JSON tree (u64 as unsigned numbers, NaN/Infinity as strings). */
    public static ArrayNode json(GgufArray a) { return json(a, a.length()); }

    /** The first {@code maxItems} elements of the array as a JSON tree. */
    public static ArrayNode json(GgufArray a, int maxItems) {
        int n = Math.min(a.length(), maxItems);
        ArrayNode out = JsonNodeFactory.instance.arrayNode(n);
        for (int i = 0; i < n; i++) out.add(jsonElement(a.elementType(), a.get(i)));
        return out;
    }

    /** One value as a JSON tree node. */
    public static JsonNode json(GgufValue v) {
        return v.type() == GgufValueType.ARRAY ? json((GgufArray) v.value()) : jsonElement(v.type(), v.value());
    }

    private static JsonNode jsonElement(GgufValueType type, Object v) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return switch (type) {
            case UINT64 -> f.numberNode(new BigInteger(Long.toUnsignedString((Long) v)));
            case FLOAT32 -> Float.isFinite((Float) v) ? f.numberNode((Float) v) : f.textNode(v.toString());
            case FLOAT64 -> Double.isFinite((Double) v) ? f.numberNode((Double) v) : f.textNode(v.toString());
            case BOOL -> f.booleanNode((Boolean) v);
            case STRING -> f.textNode((String) v);
            case ARRAY -> json((GgufArray) v);
            default -> f.numberNode(((Number) v).longValue());
        };
    }

    private static String scalarText(GgufValueType type, Object v) {
        return type == GgufValueType.UINT64 ? Long.toUnsignedString((Long) v) : String.valueOf(v);
    }

    private static Object scalar(String text, GgufValueType type) {
        String t = text.trim();
        return switch (type) {
            case UINT8 -> (int) integer(t, type, BigInteger.ZERO, BigInteger.valueOf(0xFF));
            case INT8 -> (int) integer(t, type, BigInteger.valueOf(Byte.MIN_VALUE), BigInteger.valueOf(Byte.MAX_VALUE));
            case UINT16 -> (int) integer(t, type, BigInteger.ZERO, BigInteger.valueOf(0xFFFF));
            case INT16 -> (int) integer(t, type, BigInteger.valueOf(Short.MIN_VALUE), BigInteger.valueOf(Short.MAX_VALUE));
            case UINT32 -> integer(t, type, BigInteger.ZERO, BigInteger.valueOf(0xFFFF_FFFFL));
            case INT32 -> (int) integer(t, type, BigInteger.valueOf(Integer.MIN_VALUE), BigInteger.valueOf(Integer.MAX_VALUE));
            case UINT64 -> integer(t, type, BigInteger.ZERO, U64_MAX);
            case INT64 -> integer(t, type, BigInteger.valueOf(Long.MIN_VALUE), BigInteger.valueOf(Long.MAX_VALUE));
            case FLOAT32 -> {
                double d = decimal(t, type);
                float f = Double.isFinite(d) ? Float.parseFloat(t) : (float) d; // direct parse: no double rounding
                if (Double.isFinite(d) && (Float.isInfinite(f) || (f == 0 && d != 0))) {
                    throw new IllegalArgumentException("'" + text + "' does not fit f32 (magnitude out of range)");
                }
                yield f;
            }
            case FLOAT64 -> decimal(t, type);
            case BOOL -> {
                if (t.equalsIgnoreCase("true")) yield true;
                if (t.equalsIgnoreCase("false")) yield false;
                throw new IllegalArgumentException("'" + text + "' is not a bool (expected true or false)");
            }
            case STRING -> {
                GgufEncoder.checkUtf8("string value", text);
                yield text;
            }
            case ARRAY -> throw new IllegalArgumentException("an array value needs an element type");
        };
    }

    /** The integer as the long GgufValue stores (u64 keeps its bits). */
    private static long integer(String t, GgufValueType type, BigInteger min, BigInteger max) {
        BigInteger v;
        try {
            v = new BigInteger(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + t + "' is not an integer (" + shortName(type) + ")");
        }
        if (v.compareTo(min) < 0 || v.compareTo(max) > 0) {
            throw new IllegalArgumentException("'" + t + "' does not fit " + shortName(type) + " (" + min + ".." + max + ")");
        }
        return v.longValue();
    }

    private static double decimal(String t, GgufValueType type) {
        switch (t) {
            case "NaN", "nan" -> { return Double.NaN; }
            case "Infinity", "inf", "+inf", "+Infinity" -> { return Double.POSITIVE_INFINITY; }
            case "-Infinity", "-inf" -> { return Double.NEGATIVE_INFINITY; }
            default -> { }
        }
        if (!t.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) {
            throw new IllegalArgumentException("'" + t + "' is not a number (" + shortName(type) + ")");
        }
        double d = Double.parseDouble(t);
        if (Double.isInfinite(d)) throw new IllegalArgumentException("'" + t + "' does not fit " + shortName(type));
        return d;
    }

    private static String abbreviate(String s) { return s.length() <= 60 ? s : s.substring(0, 57) + "..."; }
}
