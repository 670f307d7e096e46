package dev.greta.model.synth;

import java.util.LinkedHashSet;
import java.util.Locale;

/**
 * A SentencePiece ({@code tokenizer.ggml.model = llama}) vocabulary of an exact size, laid out like Llama 2's:
 * {@code <unk>}, {@code <s>}, {@code </s>}, the 256 byte-fallback tokens {@code <0x00>..<0xFF>}, then generated
 * pieces: single characters, ▁-prefixed English words and their prefixes, then letter combinations. Every
 * multi-character piece can be built by merging two shorter pieces of the vocabulary, and scores fall with the
 * index, so SentencePiece BPE merging reaches every piece and byte fallback covers any other text.
 */
public record SyntheticVocabulary(String[] tokens, float[] scores, int[] types) {

    /** llama.cpp token types. */
    public static final int NORMAL = 1, UNKNOWN = 2, CONTROL = 3, BYTE = 6;
    public static final int UNK_ID = 0, BOS_ID = 1, EOS_ID = 2;
    /** Index of the first generated piece, after 3 special and 256 byte tokens. */
    public static final int FIRST_PIECE = 3 + 256;

    /** The word-boundary marker SentencePiece puts where a space was. */
    public static final String SPACE = "\u2581";

    private static final String LOWER = "abcdefghijklmnopqrstuvwxyz";
    private static final String SINGLE_CHARS = SPACE + LOWER + LOWER.toUpperCase(Locale.ROOT) + "0123456789"
            + ".,'\"-!?:;()[]{}<>/\\|@#$%^&*_+=~`" + "\u00e9\u2019\u201c\u201d\u2014\u2026";
    private static final String[] WORDS = ("the of and to in a is that for it as was with be by on not he i this are or his "
            + "from at which but have an they you were her she there been one all we their has would when if so no will "
            + "time what up out more about into than them can only other new some could these two may first then do any "
            + "like my now over such our man me even most made after also did many before must through back years where "
            + "much your way well down should because each just those people how too little state good very make world "
            + "still own see men work long get here between both life being under never day same another know while "
            + "last might us great old year off come since against go came right used take three once upon story said "
            + "girl boy happy big small friend play mom dad dog cat tree sun sky water house school book name want help "
            + "thing think look find tell ask give feel try leave call place hand part child eye woman night home")
            .split(" ");
    private static final String[] SUFFIXES = {"ing", "ed", "er", "ly", "tion", "es", "est", "ment", "ness", "able"};

    public SyntheticVocabulary {
        if (tokens.length != scores.length || tokens.length != types.length) throw new IllegalArgumentException("array lengths differ");
    }

    public int size() { return tokens.length; }

    /** The vocabulary of exactly {@code size} tokens; the same size always gives the same vocabulary. */
    public static SyntheticVocabulary of(int size) {
        if (size <= FIRST_PIECE) throw new IllegalArgumentException("vocabulary size must exceed " + FIRST_PIECE + ", got " + size);
        String[] tokens = new String[size];
        float[] scores = new float[size];
        int[] types = new int[size];
        tokens[UNK_ID] = "<unk>";
        types[UNK_ID] = UNKNOWN;
        tokens[BOS_ID] = "<s>";
        types[BOS_ID] = CONTROL;
        tokens[EOS_ID] = "</s>";
        types[EOS_ID] = CONTROL;
        for (int b = 0; b < 256; b++) {
            tokens[3 + b] = String.format(Locale.ROOT, "<0x%02X>", b);
            types[3 + b] = BYTE;
        }
        PieceList pieces = new PieceList(size - FIRST_PIECE);
        generate(pieces);
        if (!pieces.full()) {
            throw new IllegalArgumentException("cannot generate " + (size - FIRST_PIECE) + " distinct pieces (at most " + pieces.set.size() + ")");
        }
        int id = FIRST_PIECE;
        for (String p : pieces.set) {
            tokens[id] = p;
            scores[id] = -(id - FIRST_PIECE);
            types[id] = NORMAL;
            id++;
        }
        return new SyntheticVocabulary(tokens, scores, types);
    }

    /** Adds pieces in order of usefulness until the list is full; each piece's prefixes come before it. */
    private static void generate(PieceList out) {
        for (int i = 0; i < SINGLE_CHARS.length() && !out.full(); i++) out.add(String.valueOf(SINGLE_CHARS.charAt(i)));
        for (String w : WORDS) out.addWithPrefixes(SPACE + w);
        for (String w : WORDS) out.addWithPrefixes(SPACE + Character.toUpperCase(w.charAt(0)) + w.substring(1));
        for (String s : SUFFIXES) out.addWithPrefixes(s);
        for (String w : WORDS) out.addWithPrefixes(w);
        for (char d = '0'; d <= '9'; d++) out.add(SPACE + d);
        for (int n = 0; n < 100; n++) out.add(String.format(Locale.ROOT, "%02d", n));
        for (int len = 1; len <= 4 && !out.full(); len++) {
            int combos = (int) Math.pow(26, len);
            for (int c = 0; c < combos && !out.full(); c++) {
                String letters = letters(c, len);
                out.add(letters);
                out.add(SPACE + letters);
            }
        }
    }

    /** Combination number {@code c} of {@code len} lowercase letters, first letter varying slowest. */
    private static String letters(int c, int len) {
        char[] chars = new char[len];
        for (int i = len - 1; i >= 0; i--) {
            chars[i] = LOWER.charAt(c % 26);
            c /= 26;
        }
        return new String(chars);
    }

    /** An insertion-ordered set of distinct pieces that stops accepting at its capacity. */
    private static final class PieceList {
        final LinkedHashSet<String> set = new LinkedHashSet<>();
        final int capacity;

        PieceList(int capacity) { this.capacity = capacity; }

        boolean full() { return set.size() >= capacity; }

        void add(String piece) {
            if (!full()) set.add(piece);
        }

        /** Adds every prefix of two or more characters, shortest first, then the piece itself. */
        void addWithPrefixes(String piece) {
            for (int end = 2; end <= piece.length(); end++) add(piece.substring(0, end));
        }
    }
}
