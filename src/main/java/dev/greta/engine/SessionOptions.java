package dev.greta.engine;

import dev.greta.backend.KvType;

import java.nio.file.Path;

/**
 * How to open a session.
 *
 * @param model         GGUF file (null until the CLI has chosen the default one)
 * @param ctx           --ctx, or null to use GRETA_MAX_SEQ_LEN / the model's context length
 * @param attention     attention kernel spec, e.g. "flash:q=64,kv=32"
 * @param deterministic bit-identical results for any thread count
 * @param threads       compute threads
 * @param kvType        KV cache element type
 * @param backend       "cpu" or "cuda"
 * @param chunkSize     prompt rows per batched forward pass
 */
public record SessionOptions(Path model, Integer ctx, String attention, boolean deterministic, int threads,
                             KvType kvType, String backend, int chunkSize) {
    public static final int DEFAULT_CHUNK = 512;
    /**
     * A GPU fills its SMs only with big GEMMs and many query tiles (H200: TinyLlama 4k 0.053 s at 4096 rows vs 0.078
     * at 512; Llama-2-7B 16k 0.615 s at 8192 vs 0.629 at 4096, the same at 16384).
     */
    public static final int DEFAULT_CUDA_CHUNK = 8192;

    /** Prompt rows per forward pass when --chunk is not given. */
    public static int defaultChunk(String backend) {
        return "cuda".equals(backend) ? DEFAULT_CUDA_CHUNK : DEFAULT_CHUNK;
    }

    public SessionOptions withModel(Path file) {
        return new SessionOptions(file, ctx, attention, deterministic, threads, kvType, backend, chunkSize);
    }

    public SessionOptions {
        if (threads < 1) throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        if (chunkSize < 1) throw new IllegalArgumentException("--chunk must be >= 1, got " + chunkSize);
        if (ctx != null && ctx < 1) throw new IllegalArgumentException("--ctx must be >= 1, got " + ctx);
    }
}
