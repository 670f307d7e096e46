package dev.greta.tokenizer;

import dev.greta.gguf.GgufMetadata;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Byte-level BPE ({@code tokenizer.ggml.model = gpt2}) as llama.cpp's llm_tokenizer_bpe runs it: the
 * pre-tokenizer regex cuts words, each word's UTF-8 bytes are written in GPT-2's byte alphabet, then adjacent
 * symbols are merged lowest merge rank first.
 *
 * <p>{@code tokenizer.ggml.pre} values of the Llama 3 family select the Llama 3 regex and llama.cpp's
 * ignore_merges (a word that is itself a token is emitted whole); every other value gets the GPT-2 regex, which
 * matches llama.cpp only for the GPT-2-style pre-tokenizers.
 */
final class BpeTokenizer extends VocabularyTokenizer {
    private static final Set<String> LLAMA3_PRE = Set.of(
            "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2");

    private final PreTokenizer preTokenizer;
    private final boolean ignoreMerges;
    /** Merge rank by the merge's text "left right" (byte-level symbols never contain a plain space). */
    private final Map<String, Integer> ranks;

    BpeTokenizer(GgufMetadata md) {
        this(md, LLAMA3_PRE.contains(md.string(Vocabulary.KEY_PRE, "default")));
    }

    private BpeTokenizer(GgufMetadata md, boolean llama3) {
        super(new Vocabulary(md, new Vocabulary.Defaults(11, 11, llama3, false)), ByteLevel::decode, true);
        this.preTokenizer = llama3 ? PreTokenizer.LLAMA3 : PreTokenizer.GPT2;
        this.ignoreMerges = llama3;
        if (!md.has(Vocabulary.KEY_MERGES)) throw new IllegalArgumentException("BPE vocabulary without '" + Vocabulary.KEY_MERGES + "'");
        String[] merges = md.stringArray(Vocabulary.KEY_MERGES);
        ranks = HashMap.newHashMap(merges.length);
        for (int rank = 0; rank < merges.length; rank++) {
            if (merges[rank].indexOf(' ', 1) > 0) ranks.putIfAbsent(merges[rank], rank); // first occurrence wins
        }
    }

    @Override
    protected void encodeText(String text, boolean atStartOrAfterSpecial, IntList out) {
        for (String word : preTokenizer.split(text)) encodeWord(ByteLevel.encode(word), out);
    }

    private void encodeWord(String word, IntList out) {
        Symbols symbols = ignoreMerges && vocab.id(word) >= 0 ? Symbols.single(word) : Symbols.ofCodePoints(word);
        // the merge rank: the lowest merges first
        BigramMerge.run(symbols, (s, left, right) -> {
            Integer rank = ranks.get(s.text(word, left) + ' ' + s.text(word, right));
            return rank == null ? BigramMerge.NEVER : rank;
        });
        for (int i = 0; i != -1; i = symbols.next(i)) emit(symbols.text(word, i), out);
    }

    /**
     * A symbol that is a token is emitted as that token. Otherwise llama.cpp looks up each of its UTF-8 bytes as
     * a one-byte token and skips those that are not; only ASCII bytes can be such tokens. (A vocabulary holding
     * the whole byte alphabet never gets here.)
     */
    private void emit(String symbol, IntList out) {
        int id = vocab.id(symbol);
        if (id >= 0) {
            out.add(id);
            return;
        }
        for (byte b : symbol.getBytes(StandardCharsets.UTF_8)) {
            int byteToken = b >= 0 ? vocab.id(String.valueOf((char) b)) : -1;
            if (byteToken >= 0) out.add(byteToken);
        }
    }
}
