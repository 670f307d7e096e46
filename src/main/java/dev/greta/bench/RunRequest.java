package dev.greta.bench;

import java.nio.file.Path;

/**
 * What one child run is asked to do: a prompt of exactly {@code promptTokens} tokens and {@code genTokens} new
 * tokens. {@code maxSeqLen} is the sequence limit passed as {@code --ctx}; null leaves the engine at the model's
 * own context length.
 */
public record RunRequest(Path model, int promptTokens, int genTokens, Integer maxSeqLen, String attn, int threads,
                         boolean deterministic, String kvType, String backend) {
}
