package dev.greta.tokenizer;

import dev.greta.gguf.GgufArray;
import dev.greta.gguf.GgufMetadata;
import dev.greta.gguf.GgufValue;
import dev.greta.gguf.GgufValueType;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * The token table shared by every tokenizer kind, loaded from {@code tokenizer.ggml.*} metadata the way
 * llama.cpp's llama_vocab::load does: texts, scores, attributes, special ids and the end-of-generation set.
 */
final class Vocabulary {
    static final String KEY_MODEL = "tokenizer.ggml.model";
    static final String KEY_PRE = "tokenizer.ggml.pre";
    static final String KEY_TOKENS = "tokenizer.ggml.tokens";
    static final String KEY_SCORES = "tokenizer.ggml.scores";
    static final String KEY_TOKEN_TYPE = "tokenizer.ggml.token_type";
    static final String KEY_MERGES = "tokenizer.ggml.merges";
    static final String KEY_BOS = "tokenizer.ggml.bos_token_id";
    static final String KEY_EOS = "tokenizer.ggml.eos_token_id";
    static final String KEY_EOT = "tokenizer.ggml.eot_token_id";
    static final String KEY_EOM = "tokenizer.ggml.eom_token_id";
    static final String KEY_ADD_BOS = "tokenizer.ggml.add_bos_token";
    static final String KEY_ADD_SPACE_PREFIX = "tokenizer.ggml.add_space_prefix";

    /** Token texts llama.cpp treats as end of generation (and forces to control), whatever their type. */
    private static final Set<String> END_OF_GENERATION_TEXTS = Set.of(
            "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>",
            "<EOT>", "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>", "<end_of_utterance>", "<eos>",
            "<｜end▁of▁sentence｜>");

    /** Per-kind defaults, applied where the metadata says nothing (llama.cpp's values). */
    record Defaults(int bos, int eos, boolean addBos, boolean addSpacePrefix) {}

    private final String[] texts;
    private final float[] scores;
    private final int[] attributes;
    private final Map<String, Integer> idsByText;
    private final int bos;
    private final int eos;
    private final boolean addBos;
    private final boolean addSpacePrefix;
    private final BitSet endOfGeneration = new BitSet();
    private final int[] specialTokensLongestFirst;

    Vocabulary(GgufMetadata md, Defaults defaults) {
        if (!md.has(KEY_TOKENS)) throw new IllegalArgumentException("GGUF metadata has no '" + KEY_TOKENS + "'");
        String[] raw = md.stringArray(KEY_TOKENS);
        int n = raw.length;
        if (n == 0) throw new IllegalArgumentException("'" + KEY_TOKENS + "' is empty");
        texts = new String[n];
        idsByText = HashMap.newHashMap(n);
        for (int i = 0; i < n; i++) {
            String text = raw[i].isEmpty() ? "[EMPTY_" + i + "]" : raw[i];
            Integer previous = idsByText.putIfAbsent(text, i);
            if (previous != null) {
                throw new IllegalArgumentException("duplicate token in '" + KEY_TOKENS + "': '" + text + "' has ids " + previous + " and " + i);
            }
            texts[i] = text;
        }
        scores = readScores(md, n);
        attributes = readAttributes(md, n);
        bos = specialId(md, KEY_BOS, defaults.bos(), n);
        eos = specialId(md, KEY_EOS, defaults.eos(), n);
        addBos = md.bool(KEY_ADD_BOS, defaults.addBos());
        addSpacePrefix = md.bool(KEY_ADD_SPACE_PREFIX, defaults.addSpacePrefix());
        if (addBos && bos < 0) throw new IllegalArgumentException(KEY_ADD_BOS + " is true, but " + KEY_BOS + " is not set");

        for (int id = 0; id < n; id++) {
            if (END_OF_GENERATION_TEXTS.contains(texts[id])) {
                endOfGeneration.set(id);
                attributes[id] |= TokenAttributes.CONTROL;
            }
        }
        for (int id : new int[]{eos, specialId(md, KEY_EOT, -1, n), specialId(md, KEY_EOM, -1, n)}) {
            if (id >= 0) endOfGeneration.set(id);
        }
        specialTokensLongestFirst = IntStream.range(0, n)
                .filter(id -> (attributes[id] & (TokenAttributes.CONTROL | TokenAttributes.USER_DEFINED | TokenAttributes.UNKNOWN)) != 0)
                .boxed()
                .sorted(Comparator.comparingInt((Integer id) -> -texts[id].getBytes(StandardCharsets.UTF_8).length))
                .mapToInt(Integer::intValue)
                .toArray();
    }

    private static float[] readScores(GgufMetadata md, int n) {
        if (!md.has(KEY_SCORES)) return new float[n];
        GgufArray a = md.array(KEY_SCORES);
        float[] scores = switch (a.elementType()) {
            case FLOAT32 -> (float[]) a.values();
            case INT32 -> {
                int[] ints = (int[]) a.values();
                float[] f = new float[ints.length];
                for (int i = 0; i < ints.length; i++) f[i] = ints[i];
                yield f;
            }
            default -> throw new IllegalArgumentException("'" + KEY_SCORES + "' is an array of " + a.elementType() + ", expected float32 or int32");
        };
        if (scores.length < n) throw new IllegalArgumentException("'" + KEY_SCORES + "' has " + scores.length + " entries for " + n + " tokens");
        return scores;
    }

    private static int[] readAttributes(GgufMetadata md, int n) {
        int[] attributes = new int[n];
        if (!md.has(KEY_TOKEN_TYPE)) {
            Arrays.fill(attributes, TokenAttributes.NORMAL);
            return attributes;
        }
        GgufArray a = md.array(KEY_TOKEN_TYPE);
        if (a.elementType() != GgufValueType.INT32) {
            throw new IllegalArgumentException("'" + KEY_TOKEN_TYPE + "' is an array of " + a.elementType() + ", expected int32");
        }
        int[] types = (int[]) a.values();
        if (types.length < n) throw new IllegalArgumentException("'" + KEY_TOKEN_TYPE + "' has " + types.length + " entries for " + n + " tokens");
        for (int i = 0; i < n; i++) attributes[i] = TokenAttributes.fromTokenType(types[i]);
        return attributes;
    }

    /** As llama.cpp: an id outside the vocabulary (e.g. 0xFFFFFFFF for "none") leaves the default in place. */
    private static int specialId(GgufMetadata md, String key, int fallback, int n) {
        int id = fallback >= 0 && fallback < n ? fallback : -1;
        if (!md.has(key)) return id;
        GgufValue v = md.get(key);
        if (!v.type().isInteger()) throw new IllegalArgumentException("GGUF metadata key '" + key + "' has type " + v.type() + ", expected integer");
        long value = v.asLong();
        return value >= 0 && value < n ? (int) value : id;
    }

    int size() { return texts.length; }

    String text(int id) {
        checkId(id);
        return texts[id];
    }

    float score(int id) { return scores[id]; }

    int attributes(int id) {
        checkId(id);
        return attributes[id];
    }

    boolean has(int id, int attribute) { return (attributes(id) & attribute) != 0; }

    /** The id whose text is exactly {@code text}, or -1 (llama.cpp's text_to_token). */
    int id(String text) {
        Integer id = idsByText.get(text);
        return id == null ? -1 : id;
    }

    int bos() { return bos; }

    int eos() { return eos; }

    boolean addBos() { return addBos; }

    boolean addSpacePrefix() { return addSpacePrefix; }

    boolean isEndOfGeneration(int id) {
        checkId(id);
        return endOfGeneration.get(id);
    }

    /**
     * Control, user-defined and unknown tokens, longest UTF-8 text first: the order special text is matched in.
     * Equal lengths go by id (llama.cpp's std::sort leaves them unordered; it matters only for overlapping texts).
     */
    int[] specialTokensLongestFirst() { return specialTokensLongestFirst; }

    private void checkId(int id) {
        if (id < 0 || id >= texts.length) throw new IllegalArgumentException("token id " + id + " is outside the vocabulary (size " + texts.length + ")");
    }
}
