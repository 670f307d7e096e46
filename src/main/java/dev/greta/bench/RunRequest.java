package dev.greta.bench;

import java.nio.file.Path;

/**
 * What one child run is asked to do: a prompt of exactly {@code promptTokens} tokens, {@code genTokens} new
 * tokens, and a sequence limit of both together, so the engine never truncates.
 */
public record RunRequest(Path model, int promptTokens, int genTokens, String attn, int threads,
                         boolean deterministic, String kvType, String backend) {

    public int maxSeqLen() { return promptTokens + genTokens; }
}
