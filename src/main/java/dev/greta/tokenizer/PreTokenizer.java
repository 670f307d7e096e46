package dev.greta.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text into the words BPE merges run within, by the regex of {@code tokenizer.ggml.pre}. Java regex with
 * UNICODE_CHARACTER_CLASS gives \s, \p{L}, \p{N} the Unicode meaning llama.cpp's hand-written splitters use
 * (White_Space, letters, numbers); text between matches, if any, stays a word of its own as in llama.cpp.
 */
enum PreTokenizer {
    /** Llama 3 (tiktoken) split; the contractions are spelled out because (?i) would also fold non-ASCII. */
    LLAMA3("(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
    /** The original GPT-2 split. */
    GPT2("'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");

    private final Pattern pattern;

    PreTokenizer(String regex) {
        this.pattern = Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
    }

    List<String> split(String text) {
        List<String> words = new ArrayList<>();
        Matcher m = pattern.matcher(text);
        int end = 0;
        while (m.find()) {
            if (m.start() > end) words.add(text.substring(end, m.start()));
            words.add(m.group());
            end = m.end();
        }
        if (end < text.length()) words.add(text.substring(end));
        return words;
    }
}
