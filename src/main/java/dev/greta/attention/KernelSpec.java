package dev.greta.attention;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A parsed {@code NAME[:k=v,...]} attention spec, as given to --attn or GRETA_ATTN. */
record KernelSpec(String name, Map<String, String> params) {

    static KernelSpec parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty attention spec; " + AttentionKernels.help());
        }
        String text = spec.strip();
        int colon = text.indexOf(':');
        String name = colon < 0 ? text : text.substring(0, colon);
        Map<String, String> params = new LinkedHashMap<>();
        if (colon >= 0) {
            for (String pair : text.substring(colon + 1).split(",", -1)) {
                int eq = pair.indexOf('=');
                String key = eq < 0 ? "" : pair.substring(0, eq).strip();
                String value = eq < 0 ? "" : pair.substring(eq + 1).strip();
                if (key.isEmpty() || value.isEmpty()) {
                    throw new IllegalArgumentException("attention spec '" + spec + "': parameter '" + pair
                            + "' is not key=value; " + AttentionKernels.help());
                }
                if (params.put(key, value) != null) {
                    throw new IllegalArgumentException("attention spec '" + spec + "' sets '" + key + "' twice; "
                            + AttentionKernels.help());
                }
            }
        }
        return new KernelSpec(name.strip(), params);
    }

    /** The integer parameter {@code key} in [min, max], or {@code fallback} when absent. */
    int intParam(String key, int fallback, int min, int max) {
        String text = params.get(key);
        if (text == null) return fallback;
        int value;
        try {
            value = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("attention parameter " + key + "=" + text + " is not an integer; "
                    + AttentionKernels.help());
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException("attention parameter " + key + "=" + value + " is outside [" + min
                    + ", " + max + "]; " + AttentionKernels.help());
        }
        return value;
    }

    /** Refuses any parameter outside {@code known}. */
    void requireOnly(String... known) {
        for (String key : params.keySet()) {
            if (!List.of(known).contains(key)) {
                throw new IllegalArgumentException("attention kernel '" + name + "' has no parameter '" + key
                        + "'; " + AttentionKernels.help());
            }
        }
    }
}
