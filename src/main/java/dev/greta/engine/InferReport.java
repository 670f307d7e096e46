package dev.greta.engine;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Locale;
import java.util.Map;

/**
 * The record of one {@code greta infer} run: the PERF_TIMING line and the {@code --json} object carry the same
 * fields. Throughputs that do not exist (no decode pass) are null, never zero.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record InferReport(
        @JsonProperty("text") String text,
        @JsonProperty("gen_token_ids") int[] genTokenIds,
        @JsonProperty("prompt_tokens") int promptTokens,
        @JsonProperty("gen_tokens") int genTokens,
        @JsonProperty("model_load_s") double modelLoadSeconds,
        @JsonProperty("prefill_s") double prefillSeconds,
        @JsonProperty("decode_s") double decodeSeconds,
        @JsonProperty("prefill_tok_s") double prefillTokensPerSecond,
        @JsonProperty("decode_tok_s") Double decodeTokensPerSecond,
        @JsonProperty("wall_s") double wallSeconds,
        @JsonProperty("attn_impl") String attnImpl,
        @JsonProperty("backend") String backend,
        @JsonProperty("threads") int threads,
        @JsonProperty("kv_type") String kvType,
        @JsonProperty("deterministic") boolean deterministic,
        @JsonProperty("max_seq_len") int maxSeqLen,
        @JsonProperty("chunk") int chunk,
        @JsonProperty("logits_sha256") String logitsSha256,
        @JsonProperty("model") String model,
        @JsonProperty("backend_properties") Map<String, String> backendProperties,
        @JsonProperty("exit_code") int exitCode) {

    /** The one-line record: {@code PERF_TIMING key=value ...}. */
    public String perfTimingLine() {
        return "PERF_TIMING"
                + " model_load_s=" + f(modelLoadSeconds)
                + " prefill_s=" + f(prefillSeconds)
                + " decode_s=" + f(decodeSeconds)
                + " prompt_tokens=" + promptTokens
                + " gen_tokens=" + genTokens
                + " prefill_tok_s=" + f(prefillTokensPerSecond)
                + " decode_tok_s=" + (decodeTokensPerSecond == null ? "n/a" : f(decodeTokensPerSecond))
                + " wall_s=" + f(wallSeconds)
                + " attn_impl=" + attnImpl
                + " backend=" + backend
                + " threads=" + threads
                + " kv_type=" + kvType
                + " deterministic=" + deterministic
                + " max_seq_len=" + maxSeqLen;
    }

    private static String f(double v) { return String.format(Locale.ROOT, "%.6f", v); }
}
