package dev.greta.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An attention variant as the user names it: {@code name[:key=value,...]}, e.g. {@code flash:q=64,kv=32}.
 * The engine reports the variant it resolved in the same form (with every parameter filled in).
 */
public record AttnSpec(String name, Map<String, String> params) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");

    public AttnSpec {
        params = Map.copyOf(params);
    }

    public static AttnSpec parse(String spec) {
        if (spec == null || spec.isBlank()) throw new IllegalArgumentException("empty attention variant");
        int colon = spec.indexOf(':');
        String name = colon < 0 ? spec : spec.substring(0, colon);
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("attention variant '" + spec + "': bad name '" + name + "'");
        }
        Map<String, String> params = new LinkedHashMap<>();
        if (colon >= 0) {
            for (String kv : spec.substring(colon + 1).split(",")) {
                int eq = kv.indexOf('=');
                if (eq <= 0 || eq == kv.length() - 1) {
                    throw new IllegalArgumentException("attention variant '" + spec + "': parameter '" + kv
                            + "' is not key=value");
                }
                params.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return new AttnSpec(name, params);
    }

    /** True when {@code resolved} is this variant: the same name and every parameter given here. */
    public boolean isSatisfiedBy(AttnSpec resolved) {
        if (!resolved.name.equals(name)) return false;
        for (Map.Entry<String, String> p : params.entrySet()) {
            if (!sameValue(p.getValue(), resolved.params.get(p.getKey()))) return false;
        }
        return true;
    }

    /** Equal as written, or as numbers (the engine reports q=064 as q=64). */
    private static boolean sameValue(String requested, String resolved) {
        if (requested.equals(resolved)) return true;
        if (resolved == null || !requested.matches("\\d{1,18}") || !resolved.matches("\\d{1,18}")) return false;
        return Long.parseLong(requested) == Long.parseLong(resolved);
    }

    /** The spec with characters that are awkward in file names replaced, e.g. {@code flash_q-64_kv-32}. */
    public static String fileSafe(String spec) {
        return spec.replace(':', '_').replace(',', '_').replace('=', '-').replaceAll("[^A-Za-z0-9_.-]", "_");
    }
}
