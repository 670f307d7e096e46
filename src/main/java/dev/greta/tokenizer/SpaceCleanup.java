package dev.greta.tokenizer;

import java.util.Arrays;

/**
 * llama.cpp's clean_spaces step of detokenize (HF clean_up_tokenization_spaces), on UTF-8 bytes, in its three
 * passes: drop the space before {@code ? ! . ,}; turn {@code " ' "} into {@code "'"}; drop the space before the
 * contractions {@code 's 'm 're 've}.
 */
final class SpaceCleanup {
    private SpaceCleanup() {}

    static byte[] apply(byte[] text) {
        return dropSpaceBeforeContractions(joinQuoteBetweenSpaces(dropSpaceBeforePunctuation(text)));
    }

    static byte[] dropSpaceBeforePunctuation(byte[] in) {
        byte[] out = new byte[in.length];
        int n = 0;
        for (int i = 0; i < in.length; i++) {
            byte x = in[i];
            if (i > 0 && in[i - 1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',')) n--;
            out[n++] = x;
        }
        return Arrays.copyOf(out, n);
    }

    static byte[] joinQuoteBetweenSpaces(byte[] in) {
        byte[] out = new byte[in.length];
        int n = 0;
        boolean previousWasSpace = false;
        for (int i = 0; i < in.length; i++) {
            byte x = in[i];
            if (i > 0 && x == '\'' && previousWasSpace && i + 1 < in.length && in[i + 1] == ' ') {
                n--;  // the space before
                i++;  // the space after; it no longer counts as the next char's predecessor
                out[n++] = x;
                previousWasSpace = false;
                continue;
            }
            out[n++] = x;
            previousWasSpace = x == ' ';
        }
        return Arrays.copyOf(out, n);
    }

    static byte[] dropSpaceBeforeContractions(byte[] in) {
        byte[] out = new byte[in.length];
        int n = 0;
        for (int i = 0; i < in.length; i++) {
            byte x = in[i];
            if (i > 0 && in[i - 1] == ' ' && x == '\'' && i + 1 < in.length) {
                byte x1 = in[i + 1];
                boolean sOrM = x1 == 's' || x1 == 'm';
                boolean reOrVe = i + 2 < in.length && (x1 == 'r' || x1 == 'v') && in[i + 2] == 'e';
                if (sOrM || reOrVe) n--;
            }
            out[n++] = x;
        }
        return Arrays.copyOf(out, n);
    }
}
