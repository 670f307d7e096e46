package dev.greta.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * The checks that make a figure trustworthy (the seed's lesson: a truncated prompt once reported prefill_s 0
 * and looked like a result). Each run gets a PASS, FAIL or SKIP per guardrail, with its reason.
 */
public final class Guardrails {
    public static final String EXIT_CODE = "exit_code";
    public static final String PREFILL_POSITIVE = "prefill_positive";
    public static final String PROMPT_TOKENS = "prompt_tokens";
    public static final String ATTN_IMPL = "attn_impl";
    public static final String DETERMINISTIC = "deterministic";
    public static final String THROUGHPUT = "throughput";

    private Guardrails() {}

    /** The checks one run can answer alone; {@code expectations} may be null (no --expect). */
    public static List<GuardrailResult> perRun(RunKey key, RunOutcome outcome, Expectations expectations) {
        List<GuardrailResult> out = new ArrayList<>();
        InferResult r = outcome.result();
        out.add(switch (outcome.status()) {
            case DONE -> GuardrailResult.pass(EXIT_CODE, "exit 0");
            case TIMEOUT, FAILED -> GuardrailResult.fail(EXIT_CODE, outcome.error());
            default -> throw new IllegalArgumentException("run " + key + " has not finished: " + outcome.status());
        });
        if (r == null) {
            String why = "no result: the run " + (outcome.status() == RunStatus.TIMEOUT ? "timed out" : "failed");
            for (String name : List.of(PREFILL_POSITIVE, PROMPT_TOKENS, ATTN_IMPL)) out.add(GuardrailResult.skip(name, why));
            if (expectations != null) out.add(GuardrailResult.skip(THROUGHPUT, why));
            return out;
        }
        out.add(prefillPositive(r));
        out.add(promptTokens(key, r));
        out.add(attnImpl(key, r));
        if (expectations != null) out.add(throughput(key, r, expectations));
        return out;
    }

    static GuardrailResult prefillPositive(InferResult r) {
        if (r.prefillS() == null) return GuardrailResult.fail(PREFILL_POSITIVE, "prefill_s is missing");
        return r.prefillS() > 0 ? GuardrailResult.pass(PREFILL_POSITIVE, "prefill_s = " + r.prefillS())
                : GuardrailResult.fail(PREFILL_POSITIVE, "prefill_s = " + r.prefillS() + ": no prefill was measured");
    }

    static GuardrailResult promptTokens(RunKey key, InferResult r) {
        if (Objects.equals(r.promptTokens(), key.ctx())) {
            return GuardrailResult.pass(PROMPT_TOKENS, "prompt_tokens = ctx = " + key.ctx());
        }
        return GuardrailResult.fail(PROMPT_TOKENS, "prompt_tokens = " + r.promptTokens() + " but ctx = " + key.ctx()
                + ": the prompt was not the requested length");
    }

    static GuardrailResult attnImpl(RunKey key, InferResult r) {
        if (r.attnImpl() == null) return GuardrailResult.fail(ATTN_IMPL, "attn_impl is missing");
        AttnSpec resolved;
        try {
            resolved = AttnSpec.parse(r.attnImpl());
        } catch (IllegalArgumentException e) {
            return GuardrailResult.fail(ATTN_IMPL, "attn_impl '" + r.attnImpl() + "' is malformed: " + e.getMessage());
        }
        return AttnSpec.parse(key.attn()).isSatisfiedBy(resolved)
                ? GuardrailResult.pass(ATTN_IMPL, "'" + r.attnImpl() + "' is the requested '" + key.attn() + "'")
                : GuardrailResult.fail(ATTN_IMPL, "ran '" + r.attnImpl() + "' but '" + key.attn() + "' was requested");
    }

    static GuardrailResult throughput(RunKey key, InferResult r, Expectations expectations) {
        OptionalDouble expected = expectations.prefillTokS(key.ctx(), key.attn());
        if (expected.isEmpty()) {
            return GuardrailResult.skip(THROUGHPUT, "no figure for ctx " + key.ctx() + " " + key.attn() + " in "
                    + expectations.source());
        }
        if (r.prefillTokS() == null) return GuardrailResult.fail(THROUGHPUT, "prefill_tok_s is missing");
        double ratio = r.prefillTokS() / expected.getAsDouble();
        String text = String.format(Locale.ROOT, "prefill %.4g tok/s is %.0f%% of the expected %.4g tok/s (tolerance %.0f%%)",
                r.prefillTokS(), ratio * 100, expected.getAsDouble(), expectations.tolerance() * 100);
        if (ratio < 1 - expectations.tolerance()) return GuardrailResult.fail(THROUGHPUT, "regression: " + text);
        // a jump is as suspicious as a drop: the seed's truncated prompt looked like a speed-up
        if (ratio > 1 + expectations.tolerance()) return GuardrailResult.fail(THROUGHPUT, "unexpectedly fast: " + text);
        return GuardrailResult.pass(THROUGHPUT, text);
    }

    /**
     * Deterministic runs of the same (ctx, variant) must agree exactly: same last-position logits and same
     * generated tokens. Each run is compared with every other finished rep of its cell.
     */
    public static List<RunRecord> withDeterminism(List<RunRecord> records, boolean deterministic) {
        Map<String, List<RunRecord>> cells = new LinkedHashMap<>();
        for (RunRecord r : records) {
            if (r.status() == RunStatus.DONE) cells.computeIfAbsent(r.ctx() + "|" + r.attn(), k -> new ArrayList<>()).add(r);
        }
        List<RunRecord> out = new ArrayList<>();
        for (RunRecord r : records) {
            if (r.status() != RunStatus.DONE) {
                out.add(r.withGuardrail(GuardrailResult.skip(DETERMINISTIC, "no result to compare")));
            } else if (!deterministic) {
                out.add(r.withGuardrail(GuardrailResult.skip(DETERMINISTIC, "run with --no-deterministic")));
            } else {
                out.add(r.withGuardrail(agreement(r, cells.get(r.ctx() + "|" + r.attn()))));
            }
        }
        return out;
    }

    private static GuardrailResult agreement(RunRecord run, List<RunRecord> cell) {
        List<RunRecord> others = cell.stream().filter(o -> o.rep() != run.rep()).toList();
        if (others.isEmpty()) return GuardrailResult.skip(DETERMINISTIC, "no other finished rep to compare with");
        List<String> differences = new ArrayList<>();
        for (RunRecord o : others) {
            if (!Objects.equals(o.logitsSha256(), run.logitsSha256())) differences.add("logits_sha256 differs from rep " + o.rep());
            if (!Objects.equals(o.genTokenIds(), run.genTokenIds())) differences.add("gen_token_ids differ from rep " + o.rep());
        }
        String reps = others.stream().map(o -> Integer.toString(o.rep())).reduce((a, b) -> a + "," + b).orElseThrow();
        return differences.isEmpty() ? GuardrailResult.pass(DETERMINISTIC, "same logits and tokens as rep " + reps)
                : GuardrailResult.fail(DETERMINISTIC, String.join("; ", differences));
    }
}
