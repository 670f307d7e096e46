package dev.greta.tokenizer;

import dev.greta.gguf.GgufMetadata;

/**
 * Text ↔ token ids for a GGUF vocabulary, producing the ids llama.cpp produces. Instances are immutable and
 * safe to share between threads.
 */
public interface Tokenizer {

    /**
     * Builds the tokenizer named by {@code tokenizer.ggml.model} from metadata alone (vocab-only files work):
     * {@code llama} (SentencePiece) or {@code gpt2} (byte-level BPE).
     *
     * @throws IllegalArgumentException for a missing or unsupported model, or malformed tokenizer arrays
     */
    static Tokenizer fromMetadata(GgufMetadata md) {
        if (!md.has(Vocabulary.KEY_MODEL)) {
            throw new IllegalArgumentException("GGUF metadata has no '" + Vocabulary.KEY_MODEL + "': the file carries no tokenizer");
        }
        String model = md.string(Vocabulary.KEY_MODEL);
        return switch (model) {
            case "llama" -> new SpmTokenizer(md);
            case "gpt2" -> new BpeTokenizer(md);
            default -> throw new IllegalArgumentException(
                    "unsupported " + Vocabulary.KEY_MODEL + " '" + model + "' (supported: 'llama' SentencePiece, 'gpt2' byte-level BPE)");
        };
    }

    /**
     * Tokenizes like llama.cpp's {@code llama_tokenize}. {@code addBos} prepends the BOS token;
     * {@code parseSpecial} maps control/unknown token text in the input to their ids (user-defined tokens are
     * always matched, as in llama.cpp).
     */
    int[] encode(String text, boolean addBos, boolean parseSpecial);

    /** Tokenizes as llama.cpp does by default: BOS per {@code tokenizer.ggml.add_bos_token}, special text as text. */
    default int[] encode(String text) { return encode(text, addBosByDefault(), false); }

    /**
     * Detokenizes like llama.cpp's {@code llama_detokenize(remove_special=false, unparse_special=false)}: control
     * tokens render as nothing, the SPM leading space of the first piece is dropped, BPE vocabularies that ask
     * for it get llama.cpp's space clean-up. Bytes are assembled first, so characters split over tokens decode.
     */
    String decode(int[] ids);

    /** The bytes this token contributes to output text (empty for control and unknown tokens). */
    byte[] tokenBytes(int id);

    /** The raw vocabulary string of a token. */
    String piece(int id);

    int vocabSize();

    /** The BOS id, or -1 when the vocabulary has none. */
    int bos();

    /** The EOS id, or -1 when the vocabulary has none. */
    int eos();

    boolean addBosByDefault();

    /** Whether generation ends at this token: EOS, EOT, EOM and the end-of-turn tokens llama.cpp recognises. */
    boolean isEndOfGeneration(int id);

    boolean isControl(int id);
}
