package dev.greta.sampling;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SamplerTest {

    /** The order the sampler promises: larger logit first, equal logits by ascending index. */
    private static int[] referenceOrder(float[] logits, int k) {
        return IntStream.range(0, logits.length).boxed()
                .sorted((a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : Integer.compare(a, b))
                .limit(k).mapToInt(Integer::intValue).toArray();
    }

    @Test
    void topMatchesAFullSortForSmallAndLargeK() {
        Random random = new Random(7);
        for (int n : new int[] {1, 9, 100, 32000}) {
            float[] logits = new float[n];
            // coarse values: many ties; some negative, some zeros of both signs
            for (int i = 0; i < n; i++) logits[i] = (random.nextInt(41) - 20) / 4f;
            if (n > 3) {
                logits[1] = 0f;
                logits[2] = -0f;
            }
            for (int k : new int[] {1, 2, Math.max(1, n / 10), n}) {
                if (k > n) continue;
                assertThat(Sampler.top(logits, k)).as("n=%d k=%d", n, k).containsExactly(referenceOrder(logits, k));
            }
        }
    }

    @Test
    void greedyAndTopOneTakeTheFirstLargestLogit() {
        float[] logits = {0.5f, 3f, -1f, 3f, 2f};
        assertThat(Sampler.greedy().sample(logits)).isEqualTo(1);
        assertThat(new Sampler(0.8f, 1, 0.95f, 123).sample(logits)).isEqualTo(1);
    }

    @Test
    void samplesStayInsideTopKAndTheNucleus() {
        float[] logits = new float[1000];
        for (int i = 0; i < logits.length; i++) logits[i] = -i / 100f;  // token 0 most likely
        Sampler topK = new Sampler(1f, 5, 1f, 42);
        for (int i = 0; i < 2000; i++) assertThat(topK.sample(logits)).isBetween(0, 4);
        // a nucleus of 0.001: only the most likely token is inside it
        Sampler narrow = new Sampler(1f, 0, 0.001f, 42);
        for (int i = 0; i < 200; i++) assertThat(narrow.sample(logits)).isZero();
        // top-k 0 keeps the whole vocabulary: over many draws, tokens beyond the first 40 appear
        Sampler all = new Sampler(1f, 0, 1f, 42);
        assertThat(IntStream.range(0, 2000).map(i -> all.sample(logits)).max().orElseThrow()).isGreaterThan(40);
    }

    @Test
    void theSameSeedGivesTheSameTokens() {
        float[] logits = new float[32000];
        Random random = new Random(3);
        for (int i = 0; i < logits.length; i++) logits[i] = (float) random.nextGaussian() * 3;
        int[] first = IntStream.range(0, 50).map(i -> 0).toArray(), second = first.clone();
        Sampler a = new Sampler(0.8f, 40, 0.95f, 9), b = new Sampler(0.8f, 40, 0.95f, 9);
        for (int i = 0; i < first.length; i++) {
            first[i] = a.sample(logits);
            second[i] = b.sample(logits);
        }
        assertThat(second).containsExactly(first);
        assertThat(Arrays.stream(first).distinct().count()).as("temperature 0.8 draws more than one token").isGreaterThan(1);
    }

    @Test
    void rejectsAnInvalidNucleus() {
        assertThatThrownBy(() -> new Sampler(0.8f, 40, 0f, 1)).hasMessageContaining("--top-p");
    }
}
