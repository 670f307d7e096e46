package dev.greta.tokenizer;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** A prompt of more than 32k tokens encodes completely and decodes back (speed is measured by the JMH benchmark). */
class LongInputTest {
    static final String PARAGRAPH = """
            Once upon a time, in a village by the sea, there lived a girl named Lily who loved to read books. \
            Every morning she walked 1234 steps to the library; she counted them twice!
            for (int i = 0; i < n; i++) { sum += a[i] * b[i]; }  // dot product
            Größe, café, naïve — 你好世界, 안녕하세요, مرحبا 🤖🚀 ✅
            """;

    static String longText(int paragraphs) {
        return PARAGRAPH.repeat(paragraphs);
    }

    @ParameterizedTest
    @ValueSource(strings = {TestVocabularies.LLAMA3_BPE, TestVocabularies.LLAMA2_SPM})
    void encodesMoreThan32kTokensAndDecodesBack(String file) {
        Tokenizer t = TestVocabularies.tokenizer(file);
        int perParagraph = t.encode(PARAGRAPH, false, false).length;
        String text = longText(32_768 / perParagraph + 1);

        int[] ids = t.encode(text, false, false);

        assertThat(ids.length).isGreaterThanOrEqualTo(32_768);
        assertThat(t.decode(ids)).isEqualTo(text);
    }
}
