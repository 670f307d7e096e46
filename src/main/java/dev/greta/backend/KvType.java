package dev.greta.backend;

import java.util.Locale;

/** Element type of cached keys and values. */
public enum KvType {
    F32(4), F16(2);

    private final int bytes;

    KvType(int bytes) { this.bytes = bytes; }

    public int bytesPerElement() { return bytes; }

    public String label() { return name().toLowerCase(Locale.ROOT); }

    public static KvType parse(String text) {
        for (KvType t : values()) {
            if (t.name().equalsIgnoreCase(text)) return t;
        }
        throw new IllegalArgumentException("unknown KV cache type '" + text + "' (expected f32 or f16)");
    }
}
