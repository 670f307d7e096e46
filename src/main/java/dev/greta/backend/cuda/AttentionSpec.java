package dev.greta.backend.cuda;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** A parsed attention spec "kind[:key=value,...]", e.g. "flash:q=16,kv=32,seg=auto". */
record AttentionSpec(String kind, Map<String, String> params) {
    static final Set<String> KINDS = Set.of("naive", "flash");

    static AttentionSpec parse(String spec) {
        if (spec == null || spec.isBlank()) throw new IllegalArgumentException("empty attention spec");
        String text = spec.strip();
        int colon = text.indexOf(':');
        String kind = colon < 0 ? text : text.substring(0, colon);
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException("unknown attention kernel '" + kind + "' in '" + spec
                    + "' (the cuda backend has: naive, flash)");
        }
        Map<String, String> params = new LinkedHashMap<>();
        if (colon >= 0) {
            for (String part : text.substring(colon + 1).split(",", -1)) {
                int eq = part.indexOf('=');
                if (eq <= 0 || eq == part.length() - 1) {
                    throw new IllegalArgumentException("attention parameter '" + part + "' in '" + spec
                            + "' is not key=value");
                }
                String key = part.substring(0, eq).strip();
                if (params.put(key, part.substring(eq + 1).strip()) != null) {
                    throw new IllegalArgumentException("attention parameter '" + key + "' given twice in '" + spec + "'");
                }
            }
        }
        return new AttentionSpec(kind, Map.copyOf(params));
    }

    /** An integer parameter in [min, max], or {@code fallback} when absent. */
    int intParam(String key, int fallback, int min, int max) {
        String value = params.get(key);
        if (value == null) return fallback;
        try {
            int v = Integer.parseInt(value);
            if (v < min || v > max) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(kind + " parameter " + key + "=" + value + " must be an integer in ["
                    + min + ", " + max + "]");
        }
    }

    void requireOnly(Set<String> allowed) {
        for (String key : params.keySet()) {
            if (!allowed.contains(key)) {
                throw new IllegalArgumentException(kind + " has no parameter '" + key + "' (it takes "
                        + (allowed.isEmpty() ? "none" : String.join(", ", new java.util.TreeSet<>(allowed))) + ")");
            }
        }
    }
}
