package dev.greta.tokenizer;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The byte alphabet, the pre-tokenizer regexes and llama.cpp's detokenize space clean-up. */
class TextHelpersTest {

    @Test
    void byteAlphabetCoversEveryByteOnceAndDecodesBack() {
        byte[] all = new byte[256];
        for (int b = 0; b < 256; b++) all[b] = (byte) b;
        String encoded = ByteLevel.encode(new String(all, StandardCharsets.ISO_8859_1).chars()
                .mapToObj(Character::toString).reduce("", String::concat)); // UTF-8 of U+0000..U+00FF
        assertThat(ByteLevel.decode(encoded)).isEqualTo(new String(all, StandardCharsets.ISO_8859_1).getBytes(StandardCharsets.UTF_8));
        assertThat(ByteLevel.encode(" \n\t")).isEqualTo("\u0120\u010A\u0109");
        assertThat(ByteLevel.encode("é")).isEqualTo("Ã©");
        assertThat(ByteLevel.encode("~¡¬®")).isEqualTo("~Â¡Â¬Â®");
        assertThat(ByteLevel.encode("\u00AD")).isEqualTo("Â\u0143"); // soft hyphen byte 0xAD is the last remapped one
    }

    @Test
    void charOutsideTheAlphabetDecodesToLlamaCppsMarker() {
        assertThat(new String(ByteLevel.decode("a→"), StandardCharsets.UTF_8)).isEqualTo("a[UNK_BYTE_0xe28692a→]");
    }

    @Test
    void llama3SplitKeepsContractionsDigitTriplesAndTrailingSpaces() {
        assertThat(PreTokenizer.LLAMA3.split("Hello world")).containsExactly("Hello", " world");
        assertThat(PreTokenizer.LLAMA3.split("I'M don't")).containsExactly("I", "'M", " don", "'t");
        assertThat(PreTokenizer.LLAMA3.split("1234567")).containsExactly("123", "456", "7");
        assertThat(PreTokenizer.LLAMA3.split("   a")).containsExactly("  ", " a");
        assertThat(PreTokenizer.LLAMA3.split("a  \n\n b")).containsExactly("a", "  \n\n", " b");
        assertThat(PreTokenizer.LLAMA3.split("x  ")).containsExactly("x", "  ");
        assertThat(PreTokenizer.LLAMA3.split("{\n\tsum")).containsExactly("{\n", "\tsum");
        assertThat(PreTokenizer.LLAMA3.split("a\u00A0b")).containsExactly("a", "\u00A0b");
    }

    @Test
    void gpt2SplitAttachesOneLeadingSpace() {
        assertThat(PreTokenizer.GPT2.split("Hello  world's 42!")).containsExactly("Hello", " ", " world", "'s", " 42", "!");
    }

    @Test
    void spaceCleanupFollowsLlamaCppsThreePasses() {
        assertThat(clean("a , b . c ? d !")).isEqualTo("a, b. c? d!");
        assertThat(clean("...   ,,,")).isEqualTo("...  ,,,");
        assertThat(clean("a ' b")).isEqualTo("a'b");
        assertThat(clean("it 's I 'm we 're you 've")).isEqualTo("it's I'm we're you've");
        assertThat(clean("don 't I 'd we 'll")).isEqualTo("don 't I 'd we 'll");
        assertThat(clean(" ,x")).isEqualTo(",x");
        assertThat(clean("")).isEmpty();
    }

    private static String clean(String s) {
        return new String(SpaceCleanup.apply(s.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }
}
