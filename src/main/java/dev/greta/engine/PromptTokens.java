package dev.greta.engine;

import dev.greta.tokenizer.Tokenizer;

import java.util.SplittableRandom;

/**
 * A prompt of exactly N tokens for benchmarks, the same for every run: BOS (when the model adds one) followed
 * by ids drawn from a fixed-seed generator among the vocabulary's ordinary tokens. Longer prompts extend
 * shorter ones, so runs at different contexts share their prefix.
 */
public final class PromptTokens {
    private static final long SEED = 0x6A7E_5EEDL;

    private PromptTokens() {}

    public static int[] exactly(int n, Tokenizer tokenizer) {
        if (n < 1) throw new IllegalArgumentException("--prompt-tokens must be >= 1, got " + n);
        int[] ids = new int[n];
        int i = 0;
        if (tokenizer.addBosByDefault()) ids[i++] = tokenizer.bos();
        SplittableRandom random = new SplittableRandom(SEED);
        while (i < n) {
            int id = random.nextInt(tokenizer.vocabSize());
            if (!tokenizer.isControl(id) && !tokenizer.isEndOfGeneration(id)) ids[i++] = id;
        }
        return ids;
    }
}
