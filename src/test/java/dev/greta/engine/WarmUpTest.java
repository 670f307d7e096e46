package dev.greta.engine;

import dev.greta.TestModels;
import dev.greta.backend.KvType;
import dev.greta.sampling.Sampler;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The warm-up's prompt chunk and decode steps leave no trace in what the timed generation computes. */
class WarmUpTest {
    private static final Path MODEL = TestModels.file("synth-tiny-Q8_0.gguf");

    @Test
    void generationAfterWarmUpEqualsGenerationWithout() throws IOException {
        Generation cold = generate(null, 20, 12, false);
        Generation warm = generate(null, 20, 12, true);
        assertThat(warm.tokens()).containsExactly(cold.tokens());
        assertThat(warm.promptLogits()).containsExactly(cold.promptLogits());
    }

    @Test
    void warmUpStaysInsideASequenceLimitTheRequestFillsExactly() throws IOException {
        Generation cold = generate(30, 20, 10, false);
        Generation warm = generate(30, 20, 10, true);
        assertThat(warm.tokens()).hasSize(10).containsExactly(cold.tokens());
    }

    @Test
    void aPromptLongerThanOneChunkWarmsUpOnTheFirstChunk() throws IOException {
        // chunk 8: the warm-up's decode steps start at position 8, inside the prompt the prefill rewrites
        Generation cold = generate(null, 19, 5, false, 8);
        Generation warm = generate(null, 19, 5, true, 8);
        assertThat(warm.tokens()).containsExactly(cold.tokens());
        assertThat(warm.promptLogits()).containsExactly(cold.promptLogits());
    }

    private static Generation generate(Integer ctx, int promptTokens, int newTokens, boolean warmUp) throws IOException {
        return generate(ctx, promptTokens, newTokens, warmUp, SessionOptions.DEFAULT_CHUNK);
    }

    private static Generation generate(Integer ctx, int promptTokens, int newTokens, boolean warmUp, int chunk)
            throws IOException {
        try (Session s = Session.open(new SessionOptions(MODEL, ctx, "flash", true, 2, KvType.F32, "cpu", chunk), null)) {
            int[] prompt = PromptTokens.exactly(promptTokens, s.tokenizer());
            if (warmUp) assertThat(s.warmUp(prompt, newTokens)).isPositive();
            return s.generate(prompt, newTokens, Sampler.greedy(), false, id -> {});
        }
    }
}
