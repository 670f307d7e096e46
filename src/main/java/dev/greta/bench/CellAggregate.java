package dev.greta.bench;

import java.util.List;
import java.util.function.Function;

/**
 * Median and spread of every figure over the finished reps of one (ctx, variant) cell. {@code status} is PASS
 * only when every planned rep finished and passed all its guardrails.
 */
public record CellAggregate(int ctx, String attn, String variant, int planned, int done, String status,
                            Stats modelLoadS, Stats prefillS, Stats decodeS, Stats wallS, Stats prefillTokS,
                            Stats decodeTokS, Stats peakRssBytes) {

    static CellAggregate of(int ctx, String attn, int planned, List<RunRecord> runs) {
        List<RunRecord> done = runs.stream().filter(r -> r.status() == RunStatus.DONE).toList();
        String variant = done.isEmpty() ? null : done.getFirst().variant();
        return new CellAggregate(ctx, attn, variant, planned, done.size(), status(planned, runs),
                stats(done, RunRecord::modelLoadS), stats(done, RunRecord::prefillS), stats(done, RunRecord::decodeS),
                stats(done, RunRecord::wallS), stats(done, RunRecord::prefillTokS), stats(done, RunRecord::decodeTokS),
                stats(done, RunRecord::peakRssBytes));
    }

    private static String status(int planned, List<RunRecord> runs) {
        if (runs.stream().anyMatch(r -> r.status() == RunStatus.FAILED)) return "FAILED";
        if (runs.stream().anyMatch(r -> r.status() == RunStatus.TIMEOUT)) return "TIMEOUT";
        if (runs.stream().anyMatch(RunRecord::hasFailedGuardrail)) return "FAIL";
        return runs.size() < planned ? "INCOMPLETE" : "PASS";
    }

    private static Stats stats(List<RunRecord> done, Function<RunRecord, ? extends Number> metric) {
        return Stats.of(done.stream().map(metric).filter(java.util.Objects::nonNull).toList());
    }
}
