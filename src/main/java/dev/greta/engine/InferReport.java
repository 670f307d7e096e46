package dev.greta.engine;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import dev.greta.backend.OpTiming;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The record of one {@code greta infer} run: the PERF_TIMING line and the {@code --json} object carry the same
 * fields. Throughputs that do not exist (no decode pass) are null, never zero. {@code warmup_s} is the untimed
 * warm-up pass (null with --no-warmup); it is not part of prefill_s or decode_s, but it is part of wall_s.
 * {@code prefill_device_s} is the prefill on the device's own clock (CUDA events; null on the cpu backend), and
 * {@code op_profile} the device time per op (only with --profile-ops, which adds two events per op).
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record InferReport(
        @JsonProperty("text") String text,
        @JsonProperty("gen_token_ids") int[] genTokenIds,
        @JsonProperty("prompt_tokens") int promptTokens,
        @JsonProperty("gen_tokens") int genTokens,
        @JsonProperty("model_load_s") double modelLoadSeconds,
        @JsonProperty("warmup_s") Double warmupSeconds,
        @JsonProperty("prefill_s") double prefillSeconds,
        @JsonProperty("prefill_device_s") Double prefillDeviceSeconds,
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
        @JsonProperty("op_profile") Map<String, OpTiming> opProfile,
        @JsonProperty("exit_code") int exitCode) {

    /** The one-line record: {@code PERF_TIMING key=value ...}. */
    public String perfTimingLine() {
        return "PERF_TIMING"
                + " model_load_s=" + f(modelLoadSeconds)
                + " warmup_s=" + (warmupSeconds == null ? "off" : f(warmupSeconds))
                + " prefill_s=" + f(prefillSeconds)
                + " prefill_device_s=" + (prefillDeviceSeconds == null ? "n/a" : f(prefillDeviceSeconds))
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

    /** One {@code PERF_OP} line per profiled op, the most expensive first, with its share of the profiled time. */
    public List<String> perfOpLines() {
        if (opProfile == null) return List.of();
        double total = opProfile.values().stream().mapToDouble(OpTiming::totalMillis).sum();
        return opProfile.entrySet().stream()
                .sorted(Map.Entry.<String, OpTiming>comparingByValue(
                        Comparator.comparingDouble(OpTiming::totalMillis)).reversed())
                .map(e -> String.format(Locale.ROOT, "PERF_OP op=%s calls=%d total_ms=%.3f mean_ms=%.4f share=%.1f%%",
                        e.getKey(), e.getValue().calls(), e.getValue().totalMillis(), e.getValue().meanMillis(),
                        total > 0 ? 100 * e.getValue().totalMillis() / total : 0))
                .toList();
    }

    private static String f(double v) { return String.format(Locale.ROOT, "%.6f", v); }
}
