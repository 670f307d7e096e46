package dev.greta.attention;

import dev.greta.backend.Attention;
import dev.greta.backend.cpu.Parallel;

/**
 * A CPU attention kernel. An instance keeps per-worker scratch between calls, so it serves one
 * {@link #attend} at a time (the forward pass is sequential; use one instance per concurrent caller).
 */
public interface AttentionKernel extends Attention {

    /**
     * Causal self-attention of {@code rows} query rows at positions startPos..startPos+rows-1 against the cache's
     * positions [0, startPos+rows) of {@code layer}. q and out are [rows][heads*headDim] row-major, distinct
     * arrays (q already RoPE-rotated); scale 1/sqrt(headDim). GQA/MQA: query head h uses KV head
     * h / (heads/kvHeads). Multi-threaded with {@code pool}.
     *
     * @throws IllegalArgumentException when the arrays, shape, cache or positions do not fit together
     */
    void attend(float[] q, int rows, int startPos, CpuKvCache cache, int layer, float[] out, AttentionShape shape,
                Parallel pool);
}
