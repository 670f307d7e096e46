package dev.greta.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.greta.TestModels;
import dev.greta.backend.KvType;
import dev.greta.engine.Generation;
import dev.greta.engine.Session;
import dev.greta.engine.SessionOptions;
import dev.greta.sampling.Sampler;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every tensor format end to end: logits of llama.cpp's quantised files against a float64 forward pass over
 * the same dequantised weights (Greta computes in float32 without quantising activations, so the float64
 * answer is the one to match), and the argmax against llama.cpp's own.
 */
class SynthTinyLogitsTest {

    @ParameterizedTest
    @ValueSource(strings = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q4_K_M", "Q6_K"})
    void lastLogitsMatchTheFloat64Reference(String type) throws IOException {
        JsonNode ref = new ObjectMapper().readTree(TestModels.file("synth-tiny.reference.json").toFile());
        JsonNode entry = ref.get("types").get(type);
        int[] tokens = Stories260KReferenceTest.ints(ref.get("tokens"));
        for (String attn : new String[]{"naive", "flash"}) {
            try (Session s = Session.open(new SessionOptions(TestModels.file(entry.get("file").asText()), null, attn, true, 2,
                    KvType.F32, "cpu", 5), null)) {
                Generation g = s.generate(tokens, 0, Sampler.greedy(), false, id -> {});
                float[] expected = Stories260KReferenceTest.floats(entry.get("np_f64_last_logits"));
                double maxDiff = 0;
                for (int i = 0; i < expected.length; i++) maxDiff = Math.max(maxDiff, Math.abs(g.promptLogits()[i] - expected[i]));
                assertThat(maxDiff).as("%s with %s: max |logit - float64 reference|", type, attn).isLessThanOrEqualTo(1e-3);
                assertThat(Sampler.argmax(g.promptLogits())).as("argmax").isEqualTo(entry.get("argmax").asInt());
            }
        }
    }
}
