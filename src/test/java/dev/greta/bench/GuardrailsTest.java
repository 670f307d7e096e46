package dev.greta.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class GuardrailsTest {
    private static InferResult result(int promptTokens, double prefillS, String attnImpl, String sha, List<Integer> ids) {
        return new InferResult("t", ids, promptTokens, ids.size(), 0.1, prefillS, null, 0.01, promptTokens / Math.max(prefillS, 1e-9),
                100.0, 0.2, attnImpl, "cpu", 2, "f32", true, promptTokens + 1, sha, "m", Map.of(), 0);
    }

    private static RunOutcome done(InferResult r) { return new RunOutcome(RunStatus.DONE, 0, r, null, List.of(), 1L, 0.3); }

    private static Map<String, GuardrailResult> byName(List<GuardrailResult> list) {
        return list.stream().collect(java.util.stream.Collectors.toMap(GuardrailResult::name, g -> g));
    }

    @Test
    void honestRunPassesEveryCheck() {
        var g = Guardrails.perRun(new RunKey(512, "flash", 1), done(result(512, 0.5, "flash:q=64,kv=32", "a", List.of(1))), null);
        assertThat(g).extracting(GuardrailResult::verdict).containsOnly(Verdict.PASS);
        assertThat(g).extracting(GuardrailResult::name).containsExactly("exit_code", "prefill_positive", "prompt_tokens", "attn_impl");
    }

    @Test
    void theSeedsZeroPrefillAndTruncatedPromptFail() {
        var g = byName(Guardrails.perRun(new RunKey(4096, "naive", 1), done(result(2048, 0.0, "naive", "a", List.of(1))), null));
        assertThat(g.get("prefill_positive").verdict()).isEqualTo(Verdict.FAIL);
        assertThat(g.get("prompt_tokens").verdict()).isEqualTo(Verdict.FAIL);
        assertThat(g.get("prompt_tokens").reason()).contains("prompt_tokens = 2048 but ctx = 4096");
    }

    @Test
    void anotherKernelThanRequestedFails() {
        var g = byName(Guardrails.perRun(new RunKey(64, "flash:q=32", 1), done(result(64, 0.1, "flash:q=64,kv=32", "a", List.of(1))), null));
        assertThat(g.get("attn_impl").verdict()).isEqualTo(Verdict.FAIL);
        assertThat(g.get("attn_impl").reason()).isEqualTo("ran 'flash:q=64,kv=32' but 'flash:q=32' was requested");
    }

    @Test
    void runWithoutResultFailsItsExitAndSkipsTheRest() {
        RunOutcome timeout = new RunOutcome(RunStatus.TIMEOUT, null, null, "killed at its timeout of 5 s", List.of(), null, 5.1);
        var g = Guardrails.perRun(new RunKey(64, "naive", 1), timeout, null);
        assertThat(g.getFirst()).isEqualTo(GuardrailResult.fail("exit_code", "killed at its timeout of 5 s"));
        assertThat(g.subList(1, g.size())).extracting(GuardrailResult::verdict).containsOnly(Verdict.SKIP);
    }

    @Test
    void repsThatDisagreeFailDeterminismOnBothSides() {
        RunKey k1 = new RunKey(64, "naive", 1), k2 = new RunKey(64, "naive", 2), k3 = new RunKey(128, "naive", 1);
        List<RunRecord> records = List.of(
                record(k1, result(64, 0.1, "naive", "aaa", List.of(5, 6))),
                record(k2, result(64, 0.1, "naive", "bbb", List.of(5, 7))),
                record(k3, result(128, 0.2, "naive", "ccc", List.of(1))));

        var checked = Guardrails.withDeterminism(records, true);

        GuardrailResult rep1 = byName(checked.get(0).guardrails()).get("deterministic");
        assertThat(rep1.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(rep1.reason()).isEqualTo("logits_sha256 differs from rep 2; gen_token_ids differ from rep 2");
        assertThat(byName(checked.get(1).guardrails()).get("deterministic").verdict()).isEqualTo(Verdict.FAIL);
        assertThat(byName(checked.get(2).guardrails()).get("deterministic").verdict()).isEqualTo(Verdict.SKIP);
        assertThat(byName(Guardrails.withDeterminism(records, false).get(0).guardrails()).get("deterministic").verdict())
                .isEqualTo(Verdict.SKIP);
    }

    @Test
    void repsThatAgreePass() {
        RunKey k1 = new RunKey(64, "naive", 1), k2 = new RunKey(64, "naive", 2);
        var checked = Guardrails.withDeterminism(List.of(record(k1, result(64, 0.1, "naive", "aaa", List.of(5))),
                record(k2, result(64, 0.12, "naive", "aaa", List.of(5)))), true);
        assertThat(byName(checked.get(0).guardrails()).get("deterministic"))
                .isEqualTo(GuardrailResult.pass("deterministic", "same logits and tokens as rep 2"));
    }

    private static RunRecord record(RunKey key, InferResult r) {
        return RunRecord.of(key, done(r), "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", 60, "l", "s", List.of("java"),
                Guardrails.perRun(key, done(r), null));
    }
}
