package dev.greta.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.function.Function;

/**
 * What SentencePiece and BPE share: special-token splitting around the model's own text tokenizer, and
 * llama.cpp's token_to_piece / detokenize rendering. Subclasses supply how a text fragment becomes ids and how
 * a normal token's text becomes bytes.
 */
abstract sealed class VocabularyTokenizer implements Tokenizer permits SpmTokenizer, BpeTokenizer {
    private static final byte[] NO_BYTES = new byte[0];

    protected final Vocabulary vocab;
    /** Each token as llama.cpp renders it with special=true (its piece cache). */
    private final byte[][] renderedPieces;
    private final boolean cleanSpaces;

    protected VocabularyTokenizer(Vocabulary vocab, Function<String, byte[]> normalTokenBytes, boolean cleanSpaces) {
        this.vocab = vocab;
        this.cleanSpaces = cleanSpaces;
        renderedPieces = new byte[vocab.size()][];
        for (int id = 0; id < vocab.size(); id++) renderedPieces[id] = render(id, normalTokenBytes);
    }

    /**
     * Appends the ids of one text fragment. {@code atStartOrAfterSpecial} is true for the first fragment and
     * for fragments that follow a special token (SentencePiece adds its dummy-prefix space there).
     */
    protected abstract void encodeText(String text, boolean atStartOrAfterSpecial, IntList out);

    @Override
    public final int[] encode(String text, boolean addBos, boolean parseSpecial) {
        if (text == null) throw new IllegalArgumentException("text to encode is null");
        IntList out = new IntList();
        if (addBos) {
            if (vocab.bos() < 0) throw new IllegalStateException("BOS requested, but the vocabulary has no BOS token");
            out.add(vocab.bos());
        }
        boolean afterSpecial = true;
        for (SpecialTokenSplitter.Fragment fragment : SpecialTokenSplitter.split(vocab, text, parseSpecial)) {
            switch (fragment) {
                case SpecialTokenSplitter.Special(int id) -> {
                    out.add(id);
                    afterSpecial = true;
                }
                case SpecialTokenSplitter.Text(String t) -> {
                    encodeText(t, afterSpecial, out);
                    afterSpecial = false;
                }
            }
        }
        return out.toArray();
    }

    @Override
    public final String decode(int[] ids) {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        boolean removeLeadingSpace = vocab.addSpacePrefix();
        for (int id : ids) {
            byte[] piece = outputBytes(id);
            int skip = removeLeadingSpace && piece.length > 0 && piece[0] == ' ' ? 1 : 0;
            text.write(piece, skip, piece.length - skip);
            removeLeadingSpace = false;
        }
        byte[] bytes = text.toByteArray();
        return new String(cleanSpaces ? SpaceCleanup.apply(bytes) : bytes, StandardCharsets.UTF_8);
    }

    @Override
    public final byte[] tokenBytes(int id) { return outputBytes(id).clone(); }

    @Override
    public final String piece(int id) { return vocab.text(id); }

    @Override
    public final int vocabSize() { return vocab.size(); }

    @Override
    public final int bos() { return vocab.bos(); }

    @Override
    public final int eos() { return vocab.eos(); }

    @Override
    public final boolean addBosByDefault() { return vocab.addBos(); }

    @Override
    public final boolean isEndOfGeneration(int id) { return vocab.isEndOfGeneration(id); }

    @Override
    public final boolean isControl(int id) { return vocab.has(id, TokenAttributes.CONTROL); }

    /** token_to_piece with special=false: control and unknown tokens contribute nothing to output text. */
    private byte[] outputBytes(int id) {
        return vocab.has(id, TokenAttributes.CONTROL | TokenAttributes.UNKNOWN) ? NO_BYTES : renderedPieces[id];
    }

    private byte[] render(int id, Function<String, byte[]> normalTokenBytes) {
        String text = vocab.text(id);
        int attributes = vocab.attributes(id);
        if ((attributes & (TokenAttributes.UNKNOWN | TokenAttributes.CONTROL | TokenAttributes.USER_DEFINED)) != 0) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        if ((attributes & TokenAttributes.NORMAL) != 0) return normalTokenBytes.apply(text);
        if ((attributes & TokenAttributes.BYTE) != 0) return new byte[]{(byte) byteTokenValue(id, text)};
        return NO_BYTES; // unused and undefined tokens render as nothing
    }

    /** The byte a {@code <0xXX>} token stands for. */
    static int byteTokenValue(int id, String text) {
        if (text.length() != 6 || !text.startsWith("<0x") || text.charAt(5) != '>') {
            throw new IllegalArgumentException("byte token " + id + " has text '" + text + "', expected <0xXX>");
        }
        try {
            return HexFormat.fromHexDigits(text, 3, 5);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("byte token " + id + " has text '" + text + "', expected <0xXX>", e);
        }
    }
}
