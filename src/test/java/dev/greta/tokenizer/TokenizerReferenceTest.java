package dev.greta.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/** Every case of tokenizer.reference.json (llama.cpp's own output) for all three vocabularies. */
class TokenizerReferenceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> vocabularies() throws IOException {
        JsonNode vocabs = JSON.readTree(TestVocabularies.model("tokenizer.reference.json").toFile()).get("vocabs");
        return StreamSupport.stream(vocabs.properties().spliterator(), false)
                .map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    static Stream<Arguments> cases() throws IOException {
        List<Arguments> cases = new ArrayList<>();
        for (Arguments vocab : vocabularies().toList()) {
            String file = (String) vocab.get()[0];
            JsonNode results = ((JsonNode) vocab.get()[1]).get("results");
            for (int i = 0; i < results.size(); i++) {
                JsonNode c = results.get(i);
                cases.add(Arguments.of(file, i, label(c.get("text").asText()), c));
            }
        }
        assertThat(cases).hasSize(75);
        return cases.stream();
    }

    private static String label(String text) {
        String escaped = text.chars().mapToObj(ch -> ch < 0x20 ? String.format("\\x%02x", ch) : Character.toString(ch))
                .reduce("", String::concat);
        return escaped.length() > 32 ? escaped.substring(0, 32) + "…" : escaped;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vocabularies")
    void vocabularyPropertiesMatch(String file, JsonNode vocab) {
        Tokenizer t = TestVocabularies.tokenizer(file);
        assertThat(t.vocabSize()).isEqualTo(vocab.get("n_tokens").asInt());
        assertThat(t.bos()).isEqualTo(vocab.get("bos").asInt());
        assertThat(t.eos()).isEqualTo(vocab.get("eos").asInt());
        assertThat(t.addBosByDefault()).isEqualTo(vocab.get("add_bos").asBoolean());
        assertThat(t.isControl(t.bos())).isTrue();
        assertThat(t.isEndOfGeneration(t.eos())).isTrue();
        assertThat(t.isEndOfGeneration(t.bos())).isFalse();
    }

    @ParameterizedTest(name = "{0} #{1} \"{2}\"")
    @MethodSource("cases")
    void encodesLikeLlamaCpp(String file, int index, String label, JsonNode c) {
        Tokenizer t = TestVocabularies.tokenizer(file);
        String text = c.get("text").asText();
        int[] ids = ints(c.get("ids"));
        int[] idsParseSpecial = c.has("ids_parse_special") ? ints(c.get("ids_parse_special")) : ids;

        assertThat(t.encode(text)).containsExactly(ids);
        assertThat(t.encode(text, true, false)).containsExactly(ids);
        assertThat(t.encode(text, true, true)).containsExactly(idsParseSpecial);
        assertThat(t.encode(text, false, false)).containsExactly(Arrays.copyOfRange(ids, 1, ids.length));
    }

    @ParameterizedTest(name = "{0} #{1} \"{2}\"")
    @MethodSource("cases")
    void piecesAndBytesMatch(String file, int index, String label, JsonNode c) {
        Tokenizer t = TestVocabularies.tokenizer(file);
        int[] ids = ints(c.get("ids"));
        List<String> pieces = IntStream.of(ids).mapToObj(t::piece).toList();
        assertThat(pieces).containsExactlyElementsOf(strings(c.get("pieces")));

        // The reference renders with special=true; output bytes leave control tokens out.
        List<String> expectedHex = strings(c.get("piece_bytes_hex"));
        for (int i = 0; i < ids.length; i++) {
            byte[] rendered = t.isControl(ids[i]) ? t.piece(ids[i]).getBytes(StandardCharsets.UTF_8) : t.tokenBytes(ids[i]);
            assertThat(HexFormat.of().formatHex(rendered)).as("bytes of token %d", ids[i]).isEqualTo(expectedHex.get(i));
            if (t.isControl(ids[i])) assertThat(t.tokenBytes(ids[i])).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0} #{1} \"{2}\"")
    @MethodSource("cases")
    void decodesLikeLlamaCpp(String file, int index, String label, JsonNode c) {
        Tokenizer t = TestVocabularies.tokenizer(file);
        int[] ids = ints(c.get("ids"));
        assertThat(t.decode(ids)).isEqualTo(c.get("detokenized").asText());
        assertThat(t.decode(Arrays.copyOfRange(ids, 1, ids.length))).isEqualTo(c.get("detokenized_without_bos").asText());
    }

    static int[] ints(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).mapToInt(JsonNode::asInt).toArray();
    }

    private static List<String> strings(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }
}
