package dev.greta.model.synth;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The shape and hyperparameters of a synthetic Llama model.
 *
 * @param name           what general.name reports, e.g. the preset name
 * @param ropeScaling    llama3 rope scaling, or null for none
 * @param tiedEmbeddings true when the output projection reuses token_embd.weight (no output.weight tensor)
 */
public record SyntheticSpec(String name, int layers, int dim, int ffn, int heads, int kvHeads, int vocab,
                            int contextLength, boolean tiedEmbeddings, float ropeFreqBase,
                            Llama3RopeScaling ropeScaling, float rmsEps) {

    /** The keys {@code --shape} accepts. */
    public static final Set<String> SHAPE_KEYS = Set.of("layers", "dim", "ffn", "heads", "kv-heads", "vocab", "tied");

    public SyntheticSpec {
        require(layers >= 1, "layers must be >= 1, got " + layers);
        require(dim >= 2, "dim must be >= 2, got " + dim);
        require(ffn >= 1, "ffn must be >= 1, got " + ffn);
        require(heads >= 1 && dim % heads == 0, "heads (" + heads + ") must divide dim (" + dim + ")");
        require(kvHeads >= 1 && heads % kvHeads == 0, "kv-heads (" + kvHeads + ") must divide heads (" + heads + ")");
        require((dim / heads) % 2 == 0, "head size dim/heads = " + dim / heads + " must be even for RoPE");
        require(vocab >= SyntheticVocabulary.FIRST_PIECE + 1, "vocab must be >= " + (SyntheticVocabulary.FIRST_PIECE + 1) + " (3 special + 256 byte tokens + pieces), got " + vocab);
        require(contextLength >= 1, "context length must be >= 1, got " + contextLength);
        require(ropeFreqBase > 1 && Float.isFinite(ropeFreqBase), "rope freq base must be > 1, got " + ropeFreqBase);
        require(rmsEps > 0, "rms epsilon must be > 0, got " + rmsEps);
    }

    /** A custom shape: untied, RoPE base 10000, epsilon 1e-5, context 2048. */
    public static SyntheticSpec custom(int layers, int dim, int ffn, int heads, int kvHeads, int vocab) {
        return new SyntheticSpec("custom", layers, dim, ffn, heads, kvHeads, vocab, 2048, false, 10000f, null, 1e-5f);
    }

    public int headDim() { return dim / heads; }

    public int kvDim() { return kvHeads * headDim(); }

    public SyntheticSpec withContextLength(int ctx) {
        return new SyntheticSpec(name, layers, dim, ffn, heads, kvHeads, vocab, ctx, tiedEmbeddings, ropeFreqBase, ropeScaling, rmsEps);
    }

    /**
     * This spec with {@code --shape} keys (layers, dim, ffn, heads, kv-heads, vocab, tied) replaced; the name
     * gains a note when anything changed.
     */
    public SyntheticSpec with(Map<String, String> shape) {
        checkKeys(shape);
        if (shape.isEmpty()) return this;
        return new SyntheticSpec(name + " (modified)", intOr(shape, "layers", layers), intOr(shape, "dim", dim),
                intOr(shape, "ffn", ffn), intOr(shape, "heads", heads), intOr(shape, "kv-heads", kvHeads),
                intOr(shape, "vocab", vocab), contextLength, boolOr(shape, "tied", tiedEmbeddings), ropeFreqBase,
                ropeScaling, rmsEps);
    }

    /** A custom spec from {@code --shape} keys alone: layers, dim, ffn, heads and vocab are required. */
    public static SyntheticSpec fromShape(Map<String, String> shape) {
        checkKeys(shape);
        for (String k : new String[]{"layers", "dim", "ffn", "heads", "vocab"}) {
            if (!shape.containsKey(k)) throw new IllegalArgumentException("--shape needs " + k + "= (or start from a --preset)");
        }
        int heads = intOr(shape, "heads", 0);
        return new SyntheticSpec("custom", intOr(shape, "layers", 0), intOr(shape, "dim", 0), intOr(shape, "ffn", 0),
                heads, intOr(shape, "kv-heads", heads), intOr(shape, "vocab", 0), 2048, boolOr(shape, "tied", false),
                10000f, null, 1e-5f);
    }

    private static void checkKeys(Map<String, String> shape) {
        for (String k : shape.keySet()) {
            if (!SHAPE_KEYS.contains(k)) throw new IllegalArgumentException("unknown shape key '" + k + "' (known: layers, dim, ffn, heads, kv-heads, vocab, tied)");
        }
    }

    private static int intOr(Map<String, String> shape, String key, int fallback) {
        String v = shape.get(key);
        if (v == null) return fallback;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("shape " + key + "=" + v + " is not an integer");
        }
    }

    private static boolean boolOr(Map<String, String> shape, String key, boolean fallback) {
        String v = shape.get(key);
        if (v == null) return fallback;
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new IllegalArgumentException("shape " + key + "=" + v + " is not true or false");
        };
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }
}
