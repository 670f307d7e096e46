package dev.greta.model;

import dev.greta.gguf.GgufFile;
import dev.greta.gguf.GgufMetadata;
import dev.greta.gguf.GgufVerifier;

/** Reads a {@link ModelShape} from GGUF metadata of a Llama-family model. */
public final class ModelShapes {
    private ModelShapes() {}

    public static ModelShape fromFile(GgufFile file) {
        GgufMetadata md = file.metadata();
        String arch = md.architecture();
        if (!GgufVerifier.LLAMA_LIKE.contains(arch)) {
            throw new IllegalArgumentException("unsupported architecture '" + arch + "' (supported: " + GgufVerifier.LLAMA_LIKE + ")");
        }
        String p = arch + ".";
        int dim = md.integer(p + "embedding_length");
        int heads = md.integer(p + "attention.head_count");
        if (heads <= 0) throw new IllegalArgumentException(p + "attention.head_count must be positive, got " + heads);
        int kvHeads = md.integer(p + "attention.head_count_kv", heads);
        int headDim = md.integer(p + "attention.key_length", dim / heads);
        int vocab = file.hasTensor("token_embd.weight") ? (int) file.tensor("token_embd.weight").rows()
                : md.has(p + "vocab_size") ? md.integer(p + "vocab_size") : md.array("tokenizer.ggml.tokens").length();
        ModelShape shape = new ModelShape(
                md.integer(p + "block_count"), dim, md.integer(p + "feed_forward_length"), heads, kvHeads, headDim,
                vocab, md.integer(p + "context_length"), md.floating(p + "attention.layer_norm_rms_epsilon", 1e-5f));
        validate(shape);
        return shape;
    }

    static void validate(ModelShape s) {
        if (s.layers() <= 0 || s.dim() <= 0 || s.ffnDim() <= 0 || s.heads() <= 0 || s.kvHeads() <= 0 || s.headDim() <= 0) {
            throw new IllegalArgumentException("model hyperparameters must be positive: " + s);
        }
        if (s.heads() % s.kvHeads() != 0) {
            throw new IllegalArgumentException("head_count " + s.heads() + " is not a multiple of head_count_kv " + s.kvHeads());
        }
        if (s.headDim() % 2 != 0) throw new IllegalArgumentException("head dimension " + s.headDim() + " must be even for RoPE");
        if (s.contextLength() <= 0) throw new IllegalArgumentException("context_length must be positive, got " + s.contextLength());
    }
}
