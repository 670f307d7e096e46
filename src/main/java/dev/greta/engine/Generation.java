package dev.greta.engine;

import java.util.OptionalDouble;

/**
 * What one {@link Session#generate} call did.
 *
 * @param promptTokens   positions prefilled
 * @param tokens         generated token ids
 * @param prefillSeconds from the first prompt chunk to the last prompt position's logits
 * @param prefillDeviceSeconds the same span on the device's clock (CUDA events); empty on the cpu backend
 * @param decodeSeconds  sampling plus the single-row forward passes after prefill
 * @param decodePasses   single-row forward passes run (generated tokens after the first)
 * @param promptLogits   logits of the last prompt position
 */
public record Generation(int promptTokens, int[] tokens, double prefillSeconds, OptionalDouble prefillDeviceSeconds,
                         double decodeSeconds, int decodePasses, float[] promptLogits) {

    public double prefillTokensPerSecond() { return promptTokens / prefillSeconds; }

    /** Decode throughput, or NaN when no decode pass ran (one generated token comes from the prefill logits). */
    public double decodeTokensPerSecond() { return decodePasses == 0 ? Double.NaN : decodePasses / decodeSeconds; }
}
