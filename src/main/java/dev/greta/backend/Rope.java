package dev.greta.backend;

/**
 * Rotary position embedding parameters: pairs (2i, 2i+1) of each head rotate by pos * freq[i]
 * (the "normal" GGML/llama layout used by Llama GGUF files, whose Q/K weights llama.cpp's converter permuted).
 *
 * @param headDim   dimensions per head
 * @param ropeDims  leading dimensions of each head that rotate (usually headDim)
 * @param inverseFrequencies freq[i] for i in [0, ropeDims/2), already including any rope scaling
 */
public record Rope(int headDim, int ropeDims, float[] inverseFrequencies) {
}
