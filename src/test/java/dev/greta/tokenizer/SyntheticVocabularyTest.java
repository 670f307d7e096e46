package dev.greta.tokenizer;

import dev.greta.gguf.GgufArray;
import dev.greta.gguf.GgufMetadata;
import dev.greta.gguf.GgufValue;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Behaviours the reference vectors do not reach, on small vocabularies built in memory. */
class SyntheticVocabularyTest {

    /** A SentencePiece vocabulary: specials, 256 byte tokens, then the given normal/user-defined tokens. */
    private static Tokenizer spm(Map<String, GgufValue> extra, Object... textScoreType) {
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        List<Float> scores = new ArrayList<>(List.of(0f, 0f, 0f));
        List<Integer> types = new ArrayList<>(List.of(2, 3, 3));
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
            scores.add(0f);
            types.add(6);
        }
        for (int i = 0; i < textScoreType.length; i += 3) {
            tokens.add((String) textScoreType[i]);
            scores.add((Float) textScoreType[i + 1]);
            types.add((Integer) textScoreType[i + 2]);
        }
        Map<String, GgufValue> kv = new LinkedHashMap<>();
        kv.put("tokenizer.ggml.model", GgufValue.ofString("llama"));
        kv.put("tokenizer.ggml.tokens", GgufValue.ofArray(GgufArray.ofStrings(tokens.toArray(String[]::new))));
        float[] s = new float[scores.size()];
        for (int i = 0; i < s.length; i++) s[i] = scores.get(i);
        kv.put("tokenizer.ggml.scores", GgufValue.ofArray(GgufArray.ofFloats(s)));
        kv.put("tokenizer.ggml.token_type", GgufValue.ofArray(GgufArray.ofInt32(types.stream().mapToInt(Integer::intValue).toArray())));
        kv.putAll(extra);
        return Tokenizer.fromMetadata(new GgufMetadata(kv));
    }

    private static final int FIRST = 3 + 256; // id of the first extra token

    @Test
    void spmMergesTheHighestScoringPairFirst() {
        // "▁ab": the pair a+b (score -1) outranks ▁+a (score -2), so the result is ▁ + ab, not ▁a + b.
        Tokenizer t = spm(Map.of(), "▁", -5f, 1, "a", -5f, 1, "b", -5f, 1, "▁a", -2f, 1, "ab", -1f, 1);
        assertThat(t.encode("ab", false, false)).containsExactly(FIRST, FIRST + 4);
        // Raise ▁a above ab and the order flips.
        Tokenizer flipped = spm(Map.of(), "▁", -5f, 1, "a", -5f, 1, "b", -5f, 1, "▁a", -0.5f, 1, "ab", -1f, 1);
        assertThat(flipped.encode("ab", false, false)).containsExactly(FIRST + 3, FIRST + 2);
    }

    @Test
    void spmFallsBackToByteTokensForUnknownCharacters() {
        Tokenizer t = spm(Map.of(), "▁", 0f, 1);
        assertThat(t.encode("é", false, false)).containsExactly(FIRST, 3 + 0xC3, 3 + 0xA9);
        assertThat(t.decode(new int[]{FIRST, 3 + 0xC3, 3 + 0xA9})).isEqualTo("é");
        // Half a character streams as its one byte; the pair assembles into the character.
        assertThat(t.tokenBytes(3 + 0xC3)).containsExactly((byte) 0xC3);
    }

    @Test
    void userDefinedTokensAreAlwaysSplitControlTokensOnlyWhenParsingSpecial() {
        Tokenizer t = spm(Map.of(), "▁", -5f, 1, "a", -5f, 1, "▁a", -1f, 1, "<tool>", 0f, 4);
        int space = FIRST, a = FIRST + 1, spaceA = FIRST + 2, tool = FIRST + 3;
        // After a special token SentencePiece adds its dummy-prefix space again, as llama.cpp does.
        assertThat(t.encode("a<tool>a", false, false)).containsExactly(spaceA, tool, spaceA);
        assertThat(t.encode("<tool> a", false, false)).containsExactly(tool, space, spaceA);
        assertThat(t.encode("a<s>", false, false)).containsExactly(spaceA, 3 + '<', 3 + 's', 3 + '>');
        assertThat(t.encode("a<s>", false, true)).containsExactly(spaceA, 1);
        // User-defined text renders verbatim; control tokens render as nothing.
        assertThat(t.decode(new int[]{a, tool, 1, a})).isEqualTo("a<tool>a");
        assertThat(t.isControl(tool)).isFalse();
    }

    @Test
    void addBosAndSpacePrefixFollowMetadata() {
        Tokenizer t = spm(Map.of("tokenizer.ggml.add_bos_token", GgufValue.ofBool(false),
                "tokenizer.ggml.add_space_prefix", GgufValue.ofBool(false)), "a", 0f, 1);
        assertThat(t.addBosByDefault()).isFalse();
        assertThat(t.encode("a")).containsExactly(FIRST);
        assertThat(t.encode("a", true, false)).containsExactly(1, FIRST);
    }

    @Test
    void endOfTurnTokensEndGenerationAndBecomeControl() {
        Tokenizer t = spm(Map.of("tokenizer.ggml.eot_token_id", GgufValue.ofUint32(FIRST + 1)),
                "<|im_end|>", 0f, 1, "<|my_eot|>", 0f, 3, "hello", 0f, 1);
        assertThat(t.isEndOfGeneration(2)).isTrue();           // eos
        assertThat(t.isEndOfGeneration(FIRST)).isTrue();       // recognised by its text
        assertThat(t.isControl(FIRST)).isTrue();               // and promoted to control
        assertThat(t.isEndOfGeneration(FIRST + 1)).isTrue();   // named by eot_token_id
        assertThat(t.isEndOfGeneration(FIRST + 2)).isFalse();
        assertThat(t.isEndOfGeneration(1)).isFalse();
    }

    @Test
    void llama3EndOfGenerationTokens() {
        Tokenizer t = TestVocabularies.tokenizer(TestVocabularies.LLAMA3_BPE);
        assertThat(t.isEndOfGeneration(128001)).as("<|end_of_text|>").isTrue();
        assertThat(t.isEndOfGeneration(128008)).as("<|eom_id|>").isTrue();
        assertThat(t.isEndOfGeneration(128009)).as("<|eot_id|>").isTrue();
        assertThat(t.isEndOfGeneration(128006)).as("<|start_header_id|>").isFalse();
        assertThat(t.isControl(128006)).isTrue();
        assertThat(t.isControl(9906)).isFalse();
        int[] chat = t.encode("<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>", true, true);
        assertThat(chat).containsExactly(128000, 128006, 882, 128007, 271, 13347, 128009);
        assertThat(t.decode(chat)).isEqualTo("user\n\nHi");
    }

    @Test
    void rejectsUnsupportedOrMissingModels() {
        assertThatThrownBy(() -> Tokenizer.fromMetadata(new GgufMetadata(Map.of("tokenizer.ggml.model", GgufValue.ofString("bert")))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'bert'").hasMessageContaining("gpt2");
        assertThatThrownBy(() -> Tokenizer.fromMetadata(new GgufMetadata(Map.of())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tokenizer.ggml.model");
        Map<String, GgufValue> noMerges = Map.of("tokenizer.ggml.model", GgufValue.ofString("gpt2"),
                "tokenizer.ggml.tokens", GgufValue.ofArray(GgufArray.ofStrings(new String[]{"a", "b"})));
        assertThatThrownBy(() -> Tokenizer.fromMetadata(new GgufMetadata(noMerges)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tokenizer.ggml.merges");
    }

    @Test
    void rejectsDuplicateTokensAndBadIds() {
        assertThatThrownBy(() -> spm(Map.of(), "a", 0f, 1, "a", 0f, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate token").hasMessageContaining("'a'");
        Tokenizer t = spm(Map.of(), "a", 0f, 1);
        assertThatThrownBy(() -> t.decode(new int[]{t.vocabSize()})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("token id " + t.vocabSize());
        assertThatThrownBy(() -> t.tokenBytes(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
