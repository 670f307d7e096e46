package dev.greta.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.greta.TestModels;
import dev.greta.backend.KvType;
import dev.greta.engine.Generation;
import dev.greta.engine.Session;
import dev.greta.engine.SessionOptions;
import dev.greta.sampling.Sampler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

/** A real trained model against llama.cpp: token ids, last-position logits and a greedy continuation. */
class Stories260KReferenceTest {
    static JsonNode reference;
    static Session session;

    @BeforeAll
    static void open() throws IOException {
        reference = new ObjectMapper().readTree(TestModels.file("stories260K.reference.json").toFile());
        session = Session.open(new SessionOptions(TestModels.file("stories260K.gguf"), null, "naive", true, 2,
                KvType.F32, "cpu", SessionOptions.DEFAULT_CHUNK), null);
    }

    @AfterAll
    static void close() { session.close(); }

    @Test
    void promptTokensEqualLlamaCpp() {
        int[] ids = session.tokenizer().encode(reference.get("prompt").asText());
        assertThat(ids).containsExactly(ints(reference.get("prompt_token_ids")));
    }

    @Test
    void lastLogitsMatchLlamaCppWithin1e3() {
        Generation g = session.generate(ints(reference.get("prompt_token_ids")), 1, Sampler.greedy(), false, id -> {});
        float[] expected = floats(reference.get("last_logits"));
        assertThat(g.promptLogits()).hasSize(expected.length);
        double maxDiff = 0;
        for (int i = 0; i < expected.length; i++) maxDiff = Math.max(maxDiff, Math.abs(g.promptLogits()[i] - expected[i]));
        assertThat(maxDiff).isLessThanOrEqualTo(1e-3);
        assertThat(Sampler.argmax(g.promptLogits())).isEqualTo(reference.get("last_logits_argmax").asInt());
    }

    @Test
    void flashAttentionGivesTheSameLogitsAsNaive() throws IOException {
        int[] prompt = ints(reference.get("prompt_token_ids"));
        float[] naive = session.generate(prompt, 0, Sampler.greedy(), false, id -> {}).promptLogits();
        try (Session flash = Session.open(new SessionOptions(TestModels.file("stories260K.gguf"), null, "flash:q=16,kv=32",
                true, 2, KvType.F32, "cpu", SessionOptions.DEFAULT_CHUNK), null)) {
            float[] tiled = flash.generate(prompt, 0, Sampler.greedy(), false, id -> {}).promptLogits();
            double maxDiff = 0;
            for (int i = 0; i < naive.length; i++) maxDiff = Math.max(maxDiff, Math.abs(naive[i] - tiled[i]));
            assertThat(maxDiff).isLessThanOrEqualTo(1e-4);
        }
    }

    @Test
    void greedyContinuationEqualsLlamaCpp() {
        Generation g = session.generate(ints(reference.get("prompt_token_ids")), 64, Sampler.greedy(), false, id -> {});
        assertThat(g.tokens()).containsExactly(ints(reference.get("greedy_64_token_ids")));
        assertThat(session.tokenizer().decode(g.tokens())).isEqualTo(reference.get("greedy_64_text").asText());
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }

    static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = (float) array.get(i).asDouble();
        return out;
    }
}
