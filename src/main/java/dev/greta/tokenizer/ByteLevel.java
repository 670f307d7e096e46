package dev.greta.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * GPT-2's byte-level alphabet (bytes_to_unicode): printable Latin-1 bytes stand for themselves, the other 68
 * bytes map to U+0100 upwards in byte order, so every byte string is a printable string the merges apply to.
 */
final class ByteLevel {
    private static final char[] CHAR_OF_BYTE = new char[256];
    private static final int[] BYTE_OF_CHAR = new int[256 + 68];

    static {
        Arrays.fill(BYTE_OF_CHAR, -1);
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = (char) (printable ? b : 256 + extra++);
            CHAR_OF_BYTE[b] = c;
            BYTE_OF_CHAR[c] = b;
        }
    }

    private ByteLevel() {}

    /** The text's UTF-8 bytes, one alphabet char each. */
    static String encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) chars[i] = CHAR_OF_BYTE[bytes[i] & 0xFF];
        return new String(chars);
    }

    /**
     * The bytes a vocabulary string stands for (llama.cpp's llama_decode_text); a char outside the alphabet
     * becomes llama.cpp's marker {@code [UNK_BYTE_0x<its UTF-8 hex><token text>]}.
     */
    static byte[] decode(String tokenText) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(tokenText.length());
        for (int i = 0; i < tokenText.length(); ) {
            int cp = tokenText.codePointAt(i);
            i += Character.charCount(cp);
            int b = cp < BYTE_OF_CHAR.length ? BYTE_OF_CHAR[cp] : -1;
            if (b >= 0) {
                out.write(b);
            } else {
                String hex = HexFormat.of().formatHex(Character.toString(cp).getBytes(StandardCharsets.UTF_8));
                out.writeBytes(("[UNK_BYTE_0x" + hex + tokenText + "]").getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }
}
