package dev.greta.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts input text at special-token text before the model tokenizer sees it (llama.cpp's tokenizer_st_partition):
 * special tokens are tried longest first, each splitting every remaining text fragment at all its occurrences.
 * User-defined tokens are always matched; control and unknown tokens only when special text is parsed.
 */
final class SpecialTokenSplitter {

    /** A piece of the input: text still to tokenize, or a special token already decided. */
    sealed interface Fragment permits Text, Special {}

    record Text(String text) implements Fragment {}

    record Special(int id) implements Fragment {}

    private SpecialTokenSplitter() {}

    static List<Fragment> split(Vocabulary vocab, String text, boolean parseSpecial) {
        List<Fragment> fragments = new ArrayList<>();
        if (text.isEmpty()) return fragments;
        fragments.add(new Text(text));
        for (int id : vocab.specialTokensLongestFirst()) {
            if (!parseSpecial && vocab.has(id, TokenAttributes.CONTROL | TokenAttributes.UNKNOWN)) continue;
            String special = vocab.text(id);
            if (fragments.stream().anyMatch(f -> f instanceof Text t && t.text().contains(special))) {
                fragments = splitAll(fragments, special, id);
            }
        }
        return fragments;
    }

    private static List<Fragment> splitAll(List<Fragment> fragments, String special, int id) {
        List<Fragment> out = new ArrayList<>(fragments.size() + 2);
        for (Fragment f : fragments) {
            if (!(f instanceof Text(String text))) {
                out.add(f);
                continue;
            }
            int from = 0;
            for (int at = text.indexOf(special); at >= 0; at = text.indexOf(special, from)) {
                if (at > from) out.add(new Text(text.substring(from, at)));
                out.add(new Special(id));
                from = at + special.length();
            }
            if (from < text.length()) out.add(new Text(from == 0 ? text : text.substring(from)));
        }
        return out;
    }
}
