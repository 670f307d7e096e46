package dev.greta.tokenizer;

/**
 * The doubly linked list of symbols both merge algorithms work on: symbol i covers {@code length(i)} chars of the
 * text from {@code start(i)}; merging moves the right symbol's chars into the left one and unlinks it.
 */
final class Symbols {
    private final int[] start;
    private final int[] length;
    private final int[] prev;
    private final int[] next;

    private Symbols(int count) {
        start = new int[count];
        length = new int[count];
        prev = new int[count];
        next = new int[count];
    }

    /** One symbol per code point of {@code text}. */
    static Symbols ofCodePoints(String text) {
        Symbols s = new Symbols(text.codePointCount(0, text.length()));
        int i = 0;
        for (int at = 0; at < text.length(); i++) {
            int chars = Character.charCount(text.codePointAt(at));
            s.start[i] = at;
            s.length[i] = chars;
            s.prev[i] = i - 1;
            at += chars;
            s.next[i] = at == text.length() ? -1 : i + 1;
        }
        return s;
    }

    /** The whole text as one symbol. */
    static Symbols single(String text) {
        Symbols s = new Symbols(1);
        s.length[0] = text.length();
        s.prev[0] = -1;
        s.next[0] = -1;
        return s;
    }

    int count() { return start.length; }

    int start(int i) { return start[i]; }

    int length(int i) { return length[i]; }

    int prev(int i) { return prev[i]; }

    int next(int i) { return next[i]; }

    String text(String source, int i) { return source.substring(start[i], start[i] + length[i]); }

    /**
     * Whether a pair recorded when the two symbols spanned {@code pairLength} chars is still current. Symbols only
     * grow or empty, so an unchanged total with both non-empty means neither took part in another merge.
     */
    boolean stillAdjacentAsCounted(int left, int right, int pairLength) {
        return length[left] != 0 && length[right] != 0 && length[left] + length[right] == pairLength;
    }

    void mergeIntoLeft(int left, int right) {
        length[left] += length[right];
        length[right] = 0;
        next[left] = next[right];
        if (next[right] >= 0) prev[next[right]] = left;
    }
}
