package dev.greta.backend;

import java.util.Locale;

/** Element type of cached keys and values. */
public enum KvType {
    F32(4), F16(2);

    private final int bytes;

    KvType(int bytes) { this.bytes = bytes; }

    public int bytesPerElement() { return bytes; }

    public String label() { return name().toLowerCase(Locale.ROOT); }

    /**
     * The default for a backend: f16 on cuda (its tensor-core attention reads K and V as f16 either way, so f32
     * would only double the traffic), f32 on the cpu (exact, and the CPU kernels are compute-bound).
     */
    public static KvType defaultFor(String backend) {
        return "cuda".equals(backend) ? F16 : F32;
    }

    public static KvType parse(String text) {
        for (KvType t : values()) {
            if (t.name().equalsIgnoreCase(text)) return t;
        }
        throw new IllegalArgumentException("unknown KV cache type '" + text + "' (expected f32 or f16)");
    }
}
