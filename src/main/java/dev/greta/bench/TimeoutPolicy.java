package dev.greta.bench;

import dev.greta.model.ModelShape;

/**
 * How long one run may take before it is killed and recorded as TIMEOUT. Either fixed seconds, or "auto": a
 * base for starting the JVM and loading the model (grows with the file size) plus the prefill work, whose
 * attention part grows with ctx², priced at a deliberately slow rate so that only a stuck run hits it.
 */
public record TimeoutPolicy(Long fixedSeconds, double factor) {
    static final double BASE_SECONDS = 30;
    static final double LOAD_BYTES_PER_SECOND = 20e6;
    /** Far below what the CPU kernels reach on 2 cores; a timeout is a ceiling, not an estimate. */
    static final double ASSUMED_FLOPS = 1e9;

    public TimeoutPolicy {
        if (fixedSeconds != null && fixedSeconds < 1) throw new IllegalArgumentException("--timeout must be at least 1 second");
        if (!(factor > 0)) throw new IllegalArgumentException("timeout factor must be positive, got " + factor);
    }

    /** {@code auto} or a whole number of seconds. */
    public static TimeoutPolicy parse(String text, double autoFactor) {
        if (text.equals("auto")) return new TimeoutPolicy(null, autoFactor);
        try {
            return new TimeoutPolicy(Long.parseLong(text), 1);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--timeout '" + text + "': expected auto or a number of seconds");
        }
    }

    public long secondsFor(int ctx, ModelInfo model) {
        if (fixedSeconds != null) return fixedSeconds;
        ModelShape s = model.shape();
        double linearFlops = 2.0 * model.parameters() * ctx;                    // every weight, once per token
        double attentionFlops = 4.0 * s.layers() * s.qDim() * (double) ctx * ctx; // QKᵀ and PV over the full square
        double seconds = BASE_SECONDS + model.sizeBytes() / LOAD_BYTES_PER_SECOND
                + (linearFlops + attentionFlops) / ASSUMED_FLOPS;
        return (long) Math.ceil(factor * seconds);
    }

    public String describe() { return fixedSeconds == null ? "auto" : Long.toString(fixedSeconds); }
}
