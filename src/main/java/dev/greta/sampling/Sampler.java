package dev.greta.sampling;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from logits: greedy (argmax, lowest id on ties) at temperature 0, else softmax at the
 * temperature restricted to the top-k most likely tokens and then to the smallest set whose probability
 * reaches top-p, drawn with a seeded generator so runs repeat.
 */
public final class Sampler {
    private final float temperature;
    private final int topK;
    private final float topP;
    private final SplittableRandom random;

    public Sampler(float temperature, int topK, float topP, long seed) {
        if (temperature < 0 || Float.isNaN(temperature)) throw new IllegalArgumentException("--temp must be >= 0, got " + temperature);
        if (topK < 0) throw new IllegalArgumentException("--top-k must be >= 0 (0 = all), got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("--top-p must be in (0, 1], got " + topP);
        this.temperature = temperature;
        this.topK = topK;
        this.topP = topP;
        this.random = new SplittableRandom(seed);
    }

    public static Sampler greedy() { return new Sampler(0, 0, 1, 0); }

    public int sample(float[] logits) {
        if (temperature == 0) return argmax(logits);
        int keep = topK == 0 ? logits.length : Math.min(topK, logits.length);
        int[] order = top(logits, keep);
        double max = logits[order[0]];
        double[] p = new double[keep];
        double sum = 0;
        for (int i = 0; i < keep; i++) {
            p[i] = Math.exp((logits[order[i]] - max) / temperature);
            sum += p[i];
        }
        double cumulative = 0;
        int nucleus = keep;
        for (int i = 0; i < keep; i++) {
            cumulative += p[i] / sum;
            if (cumulative >= topP) {
                nucleus = i + 1;
                break;
            }
        }
        double nucleusSum = 0;
        for (int i = 0; i < nucleus; i++) nucleusSum += p[i];
        double r = random.nextDouble() * nucleusSum;
        for (int i = 0; i < nucleus; i++) {
            r -= p[i];
            if (r < 0) return order[i];
        }
        return order[nucleus - 1];
    }

    /**
     * The indices of the k largest logits, largest first; equal logits (0.0 and -0.0 included) by ascending index,
     * so the order is a function of the logits alone. A k-entry heap for the usual small k (one pass, no boxing:
     * this runs once per generated token over the whole vocabulary), a full sort otherwise.
     */
    static int[] top(float[] logits, int k) {
        long[] kept;
        if (k <= logits.length / 8) {
            kept = new long[k];
            int size = 0;
            for (int i = 0; i < logits.length; i++) {
                long key = rankKey(logits[i], i);
                if (size < k) {
                    kept[size] = key;
                    siftUp(kept, size++);
                } else if (key > kept[0]) {
                    kept[0] = key;
                    siftDown(kept, k);
                }
            }
        } else {
            kept = new long[logits.length];
            for (int i = 0; i < logits.length; i++) kept[i] = rankKey(logits[i], i);
        }
        Arrays.sort(kept);
        int[] order = new int[k];
        for (int j = 0; j < k; j++) order[j] = (int) (0xFFFFFFFFL - (kept[kept.length - 1 - j] & 0xFFFFFFFFL));
        return order;
    }

    /** Larger for a larger logit, then for a smaller index: the logit's bits made order-preserving as a signed int. */
    private static long rankKey(float logit, int index) {
        int bits = Float.floatToIntBits(logit == 0 ? 0f : logit);
        int ordered = bits ^ ((bits >> 31) & 0x7FFFFFFF);
        return ((long) ordered << 32) | (0xFFFFFFFFL - index);
    }

    /** Min-heap on kept[0 .. n). */
    private static void siftUp(long[] heap, int i) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (heap[parent] <= heap[i]) return;
            long t = heap[parent];
            heap[parent] = heap[i];
            heap[i] = t;
            i = parent;
        }
    }

    private static void siftDown(long[] heap, int n) {
        int i = 0;
        while (true) {
            int smallest = i, left = 2 * i + 1, right = left + 1;
            if (left < n && heap[left] < heap[smallest]) smallest = left;
            if (right < n && heap[right] < heap[smallest]) smallest = right;
            if (smallest == i) return;
            long t = heap[smallest];
            heap[smallest] = heap[i];
            heap[i] = t;
            i = smallest;
        }
    }

    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) best = i;
        }
        return best;
    }
}
