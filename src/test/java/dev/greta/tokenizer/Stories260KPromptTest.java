package dev.greta.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The prompt and greedy continuation of stories260K.reference.json, tokenized and rendered by llama.cpp. */
class Stories260KPromptTest {
    private static JsonNode reference() throws IOException {
        return new ObjectMapper().readTree(TestVocabularies.model("stories260K.reference.json").toFile());
    }

    @Test
    void promptEncodesToLlamaCppIds() throws IOException {
        JsonNode ref = reference();
        Tokenizer t = TestVocabularies.tokenizer(TestVocabularies.STORIES);
        assertThat(t.encode(ref.get("prompt").asText())).containsExactly(TokenizerReferenceTest.ints(ref.get("prompt_token_ids")));
    }

    @Test
    void greedyContinuationDecodesToReferenceTextAndStreamsTheSameBytes() throws IOException {
        JsonNode ref = reference();
        Tokenizer t = TestVocabularies.tokenizer(TestVocabularies.STORIES);
        int[] generated = TokenizerReferenceTest.ints(ref.get("greedy_64_token_ids"));
        String expected = ref.get("greedy_64_text").asText();

        assertThat(t.decode(generated)).isEqualTo(expected);
        ByteArrayOutputStream streamed = new ByteArrayOutputStream();
        for (int id : generated) streamed.writeBytes(t.tokenBytes(id));
        assertThat(streamed.toString(StandardCharsets.UTF_8)).isEqualTo(expected);
    }
}
