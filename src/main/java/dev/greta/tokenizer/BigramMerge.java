package dev.greta.tokenizer;

import java.util.PriorityQueue;

/**
 * The greedy merge both tokenizers run, as llama.cpp's SPM and BPE tokenizers do: repeatedly merge the adjacent
 * pair of symbols with the best priority (the lowest value; the leftmost pair on ties) until no pair can merge.
 */
final class BigramMerge {
    private BigramMerge() {}

    /** How soon two adjacent symbols merge: lower first; {@link #NEVER} when they do not. */
    interface Priority {
        double of(Symbols symbols, int left, int right);
    }

    static final double NEVER = Double.NaN;

    /** A candidate merge; {@code length} (chars) detects candidates made stale by other merges. */
    private record Bigram(int left, int right, double priority, int length) {}

    static void run(Symbols symbols, Priority priority) {
        PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) -> a.priority != b.priority
                ? Double.compare(a.priority, b.priority) : Integer.compare(a.left, b.left));
        for (int i = 1; i < symbols.count(); i++) offer(queue, symbols, priority, i - 1, i);
        while (!queue.isEmpty()) {
            Bigram bigram = queue.poll();
            if (!symbols.stillAdjacentAsCounted(bigram.left, bigram.right, bigram.length)) continue;
            symbols.mergeIntoLeft(bigram.left, bigram.right);
            offer(queue, symbols, priority, symbols.prev(bigram.left), bigram.left);
            offer(queue, symbols, priority, bigram.left, symbols.next(bigram.left));
        }
    }

    private static void offer(PriorityQueue<Bigram> queue, Symbols symbols, Priority priority, int left, int right) {
        if (left < 0 || right < 0) return;
        double p = priority.of(symbols, left, right);
        if (!Double.isNaN(p)) queue.add(new Bigram(left, right, p, symbols.length(left) + symbols.length(right)));
    }
}
