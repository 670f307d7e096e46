package dev.greta.bench;

import java.util.List;

/**
 * What a sweep asked for. The first attention variant is the baseline. {@code maxSeqLen} is the sequence limit
 * each run gets: "run" (ctx + gen, exactly what it needs), "model" (the model's own context length, so a longer
 * prompt is refused) or a number. {@code timeout} is "auto" or seconds; {@code expect} is the earlier summary
 * the throughput guardrail compares with (null without --expect).
 */
public record SweepSettings(String suite, List<Integer> ctx, List<String> attn, int reps, int gen, int threads,
                            String backend, String kvType, boolean deterministic, String maxSeqLen, String timeout,
                            double tolerance, String expect) {

    public SweepSettings {
        ctx = List.copyOf(ctx);
        attn = List.copyOf(attn);
        if (ctx.isEmpty()) throw new IllegalArgumentException("no context length to run (--ctx)");
        if (attn.isEmpty()) throw new IllegalArgumentException("no attention variant to run (--attn)");
        for (int c : ctx) if (c < 1) throw new IllegalArgumentException("--ctx " + c + ": must be at least 1 token");
        if (ctx.stream().distinct().count() != ctx.size()) throw new IllegalArgumentException("--ctx " + ctx + " repeats a value");
        if (attn.stream().distinct().count() != attn.size()) throw new IllegalArgumentException("--attn " + attn + " repeats a variant");
        attn.forEach(AttnSpec::parse);
        if (reps < 1) throw new IllegalArgumentException("--reps " + reps + ": must be at least 1");
        if (gen < 1) throw new IllegalArgumentException("--gen " + gen + ": must be at least 1");
        if (threads < 1) throw new IllegalArgumentException("--threads " + threads + ": must be at least 1");
        if (!(tolerance >= 0 && tolerance < 1)) throw new IllegalArgumentException("--tolerance must be in [0, 1), got " + tolerance);
        if (!maxSeqLen.equals("run") && !maxSeqLen.equals("model") && !maxSeqLen.matches("[1-9][0-9]{0,9}")) {
            throw new IllegalArgumentException("--max-seq-len '" + maxSeqLen + "': expected run, model or a number of tokens");
        }
    }

    /** The --ctx a run of {@code ctx} prompt tokens gets; null for the model's own limit. */
    public Integer maxSeqLenFor(int ctx) {
        return switch (maxSeqLen) {
            case "run" -> ctx + gen;
            case "model" -> null;
            default -> Integer.parseInt(maxSeqLen);
        };
    }

    public String baseline() { return attn.getFirst(); }

    /** The order runs are made in: per ctx (ascending as given), each rep cycles through every variant. */
    public List<RunKey> plan() {
        return ctx.stream().flatMap(c -> java.util.stream.IntStream.rangeClosed(1, reps).boxed()
                .flatMap(rep -> attn.stream().map(a -> new RunKey(c, a, rep)))).toList();
    }

    /**
     * Why a summary made with {@code earlier} settings cannot be resumed with these (null when it can): the
     * figures must come from the same kind of run. ctx, attn and reps may change; the plan decides what runs.
     */
    String resumeConflict(SweepSettings earlier) {
        String measured = measurementConflict(earlier);
        if (measured != null) return measured;
        // the guardrails of the runs already made were judged against the earlier expectation
        if (!java.util.Objects.equals(earlier.expect, expect)) return "expect " + earlier.expect + " vs " + expect;
        if (earlier.tolerance != tolerance) return "tolerance " + earlier.tolerance + " vs " + tolerance;
        return null;
    }

    /**
     * Why figures measured with {@code other} settings are not comparable with these (null when they are): a
     * different kind of run, whatever its ctx, variants or repetitions.
     */
    public String measurementConflict(SweepSettings other) {
        if (other.gen != gen) return "gen " + other.gen + " vs " + gen;
        if (other.threads != threads) return "threads " + other.threads + " vs " + threads;
        if (!other.backend.equals(backend)) return "backend " + other.backend + " vs " + backend;
        if (!other.kvType.equals(kvType)) return "kv_type " + other.kvType + " vs " + kvType;
        if (other.deterministic != deterministic) return "deterministic " + other.deterministic + " vs " + deterministic;
        if (!other.maxSeqLen.equals(maxSeqLen)) return "max_seq_len " + other.maxSeqLen + " vs " + maxSeqLen;
        return null;
    }
}
