package dev.greta.model.synth;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SyntheticVocabularyTest {

    @Test
    void exactSizeUniqueWithLlamaSpecialAndByteTokens() {
        for (int size : new int[]{260, 512, 32000, 49152, 128256}) {
            SyntheticVocabulary v = SyntheticVocabulary.of(size);
            assertThat(v.size()).isEqualTo(size);
            assertThat(Arrays.stream(v.tokens()).distinct().count()).as("unique at " + size).isEqualTo(size);
            assertThat(v.tokens()).startsWith("<unk>", "<s>", "</s>", "<0x00>", "<0x01>");
            assertThat(v.tokens()[258]).isEqualTo("<0xFF>");
            assertThat(v.types()[0]).isEqualTo(SyntheticVocabulary.UNKNOWN);
            assertThat(v.types()[1]).isEqualTo(SyntheticVocabulary.CONTROL);
            for (int i = 3; i < 259; i++) assertThat(v.types()[i]).isEqualTo(SyntheticVocabulary.BYTE);
            for (int i = 259; i < size; i++) {
                assertThat(v.types()[i]).isEqualTo(SyntheticVocabulary.NORMAL);
                assertThat(v.tokens()[i]).isNotEmpty().doesNotStartWith("<0x");
                if (i > 259) assertThat(v.scores()[i]).isLessThan(v.scores()[i - 1]);
            }
        }
        assertThatThrownBy(() -> SyntheticVocabulary.of(259)).hasMessageContaining("must exceed 259");
    }

    @Test
    void everyPieceCanBeMergedFromTwoShorterPieces() {
        SyntheticVocabulary v = SyntheticVocabulary.of(128256);
        Map<String, Integer> ids = ids(v);
        for (int i = 259; i < v.size(); i++) {
            String p = v.tokens()[i];
            int len = p.codePointCount(0, p.length());
            if (len == 1) continue;
            int cut = p.offsetByCodePoints(0, len - 1);
            assertThat(ids).as(p).containsKeys(p.substring(0, cut), p.substring(cut));
        }
        assertThat(ids).containsKeys("▁the", "▁The", "▁once", "ing", "▁", "e", "▁zzz", "abcd");
    }

    @Test
    void sameSizeAlwaysGivesTheSameVocabulary() {
        SyntheticVocabulary a = SyntheticVocabulary.of(49152);
        SyntheticVocabulary b = SyntheticVocabulary.of(49152);
        assertThat(a.tokens()).isEqualTo(b.tokens());
        assertThat(a.scores()).isEqualTo(b.scores());
        assertThat(a.types()).isEqualTo(b.types());
        assertThat(SyntheticVocabulary.of(512).tokens()).isEqualTo(Arrays.copyOf(a.tokens(), 512)); // a prefix of larger ones
    }

    @Test
    void sentencePieceEncodingWithByteFallbackRoundTrips() {
        SyntheticVocabulary v = SyntheticVocabulary.of(49152);
        for (String text : List.of("Once upon a time, there was a little girl.", "Hello world 2025!", "naïve café — 日本語 🙂")) {
            List<Integer> tokens = encode(v, text);
            assertThat(decode(v, tokens)).isEqualTo(text);
        }
        List<Integer> once = encode(v, "Once upon a time");
        assertThat(once).extracting(id -> v.tokens()[id]).containsExactly("▁Once", "▁upon", "▁a", "▁time");
        assertThat(encode(v, "日")).extracting(id -> v.tokens()[id]).containsExactly("▁", "<0xE6>", "<0x97>", "<0xA5>");
    }

    /** SentencePiece BPE as llama.cpp runs it: merge the best-scoring adjacent pair in the vocabulary, repeatedly. */
    private static List<Integer> encode(SyntheticVocabulary v, String text) {
        Map<String, Integer> ids = ids(v);
        String normalized = "▁" + text.replace(" ", "▁");
        List<String> symbols = new ArrayList<>();
        normalized.codePoints().forEach(cp -> symbols.add(new String(Character.toChars(cp))));
        while (true) {
            int best = -1;
            float bestScore = Float.NEGATIVE_INFINITY;
            for (int i = 0; i + 1 < symbols.size(); i++) {
                Integer id = ids.get(symbols.get(i) + symbols.get(i + 1));
                if (id != null && v.scores()[id] > bestScore) {
                    best = i;
                    bestScore = v.scores()[id];
                }
            }
            if (best < 0) break;
            symbols.set(best, symbols.get(best) + symbols.remove(best + 1));
        }
        List<Integer> out = new ArrayList<>();
        for (String s : symbols) {
            Integer id = ids.get(s);
            if (id != null) {
                out.add(id);
            } else {
                for (byte b : s.getBytes(StandardCharsets.UTF_8)) out.add(3 + (b & 0xFF));
            }
        }
        return out;
    }

    private static String decode(SyntheticVocabulary v, List<Integer> tokens) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (int id : tokens) {
            if (v.types()[id] == SyntheticVocabulary.BYTE) bytes.write(id - 3);
            else bytes.writeBytes(v.tokens()[id].replace("▁", " ").getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toString(StandardCharsets.UTF_8).substring(1);
    }

    private static Map<String, Integer> ids(SyntheticVocabulary v) {
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < v.size(); i++) ids.put(v.tokens()[i], i);
        return ids;
    }
}
