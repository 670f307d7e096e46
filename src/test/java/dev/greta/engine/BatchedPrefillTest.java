package dev.greta.engine;

import dev.greta.TestModels;
import dev.greta.backend.KvType;
import dev.greta.sampling.Sampler;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Batched prefill (chunks of many rows) and token-by-token prefill compute the same logits. */
class BatchedPrefillTest {

    @Test
    void batchedAndTokenByTokenPrefillAgree() throws IOException {
        Path model = TestModels.file("synth-tiny-Q8_0.gguf");
        float[] batched = lastLogits(model, 512);
        float[] chunked = lastLogits(model, 7);
        float[] oneByOne = lastLogits(model, 1);
        assertThat(maxAbsDiff(batched, oneByOne)).isLessThanOrEqualTo(1e-4);
        assertThat(maxAbsDiff(batched, chunked)).isLessThanOrEqualTo(1e-4);
    }

    private static float[] lastLogits(Path model, int chunk) throws IOException {
        try (Session s = Session.open(new SessionOptions(model, null, "flash", true, 2, KvType.F32, "cpu", chunk), null)) {
            int[] prompt = PromptTokens.exactly(45, s.tokenizer());
            return s.generate(prompt, 0, Sampler.greedy(), false, id -> {}).promptLogits();
        }
    }

    static double maxAbsDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double d = 0;
        for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
        return d;
    }
}
