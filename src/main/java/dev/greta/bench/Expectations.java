package dev.greta.bench;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;

/** Median prefill throughput per (ctx, variant) from an earlier summary, for the throughput guardrail. */
public final class Expectations {
    private final Map<String, Double> prefillTokS = new HashMap<>();
    private final String source;
    private final double tolerance;

    /** {@code tolerance} as SweepSettings checks it, in [0, 1). */
    public Expectations(BenchSummary earlier, String source, double tolerance) {
        this.source = source;
        this.tolerance = tolerance;
        for (CellAggregate cell : earlier.aggregates()) {
            if (cell.prefillTokS() != null) prefillTokS.put(key(cell.ctx(), cell.attn()), cell.prefillTokS().median());
        }
    }

    public OptionalDouble prefillTokS(int ctx, String attn) {
        Double v = prefillTokS.get(key(ctx, attn));
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    public String source() { return source; }

    public double tolerance() { return tolerance; }

    private static String key(int ctx, String attn) { return ctx + "|" + attn; }
}
