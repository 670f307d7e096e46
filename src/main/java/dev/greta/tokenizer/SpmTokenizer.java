package dev.greta.tokenizer;

import dev.greta.gguf.GgufMetadata;

import java.nio.charset.StandardCharsets;

/**
 * SentencePiece ({@code tokenizer.ggml.model = llama}) as llama.cpp's llm_tokenizer_spm runs it: spaces become
 * U+2581 (with a dummy-prefix space at the start and after special tokens), then adjacent symbols are merged
 * greedily by the score of the token they form, and symbols that are not tokens fall back to byte tokens.
 */
final class SpmTokenizer extends VocabularyTokenizer {
    private static final char ESCAPED_SPACE = '\u2581';

    /** Byte value → token id (-1 where the vocabulary has none), as llama.cpp's byte_to_token resolves it. */
    private final int[] byteTokens = new int[256];

    SpmTokenizer(GgufMetadata md) {
        super(new Vocabulary(md, new Vocabulary.Defaults(1, 2, true, true)),
                text -> text.replace(ESCAPED_SPACE, ' ').getBytes(StandardCharsets.UTF_8), false);
        for (int b = 0; b < 256; b++) {
            int id = vocab.id(String.format("<0x%02X>", b));
            byteTokens[b] = id >= 0 || b >= 0x80 ? id : vocab.id(String.valueOf((char) b));
        }
    }

    @Override
    protected void encodeText(String fragment, boolean atStartOrAfterSpecial, IntList out) {
        String text = (vocab.addSpacePrefix() && atStartOrAfterSpecial ? " " + fragment : fragment).replace(' ', ESCAPED_SPACE);
        Symbols symbols = Symbols.ofCodePoints(text);
        if (symbols.count() == 0) return;
        // pairs whose joined text is a token merge, the highest score first
        BigramMerge.run(symbols, (s, left, right) -> {
            int start = s.start(left);
            int id = vocab.id(text.substring(start, start + s.length(left) + s.length(right)));
            return id < 0 ? BigramMerge.NEVER : -(double) vocab.score(id);
        });
        for (int i = 0; i != -1; i = symbols.next(i)) emit(symbols.text(text, i), out);
    }

    /**
     * llama.cpp's resegment: a symbol that is a token is emitted as that token, any other as its UTF-8 bytes.
     * (Its recursive split via rev_merge never applies: every merged symbol's text is a token.)
     */
    private void emit(String symbol, IntList out) {
        int id = vocab.id(symbol);
        if (id >= 0) {
            out.add(id);
            return;
        }
        for (byte b : symbol.getBytes(StandardCharsets.UTF_8)) {
            int byteToken = byteTokens[b & 0xFF];
            if (byteToken < 0) {
                throw new IllegalArgumentException(String.format("the vocabulary has no byte token <0x%02X> for text it cannot otherwise tokenize", b & 0xFF));
            }
            out.add(byteToken);
        }
    }
}
