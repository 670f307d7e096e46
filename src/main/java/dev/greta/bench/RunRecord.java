package dev.greta.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * One finished run as summary.json keeps it. Figures come only from the child's own JSON: a FAILED or TIMEOUT
 * run has null figures, never zeros. {@code processWallS} is the executor's own clock around the child;
 * {@code prefillDeviceS} the prefill on the GPU's clock (null on the cpu backend).
 */
public record RunRecord(int ctx, String attn, int rep, String variant, RunStatus status, Integer exitCode,
                        String error, List<String> stderrTail, String started, String finished, long timeoutS,
                        double processWallS, Double modelLoadS, Double prefillS, Double prefillDeviceS, Double decodeS,
                        Double wallS,
                        Integer promptTokens, Integer genTokens, Double prefillTokS, Double decodeTokS,
                        Long peakRssBytes, Integer maxSeqLen, String logitsSha256, List<Integer> genTokenIds,
                        String log, String stdout, List<String> command, List<GuardrailResult> guardrails) {

    public RunKey key() { return new RunKey(ctx, attn, rep); }

    static RunRecord of(RunKey key, RunOutcome o, String started, String finished, long timeoutS, String log,
                        String stdout, List<String> command, List<GuardrailResult> guardrails) {
        InferResult r = o.result();
        boolean ok = r != null;
        return new RunRecord(key.ctx(), key.attn(), key.rep(), ok ? r.attnImpl() : null, o.status(), o.exitCode(),
                o.error(), o.stderrTail(), started, finished, timeoutS, o.processWallS(),
                ok ? r.modelLoadS() : null, ok ? r.prefillS() : null, ok ? r.prefillDeviceS() : null,
                ok ? r.decodeS() : null,
                ok ? r.wallS() : null, ok ? r.promptTokens() : null, ok ? r.genTokens() : null,
                ok ? r.prefillTokS() : null, ok ? r.decodeTokS() : null, o.peakRssBytes(),
                ok ? r.maxSeqLen() : null, ok ? r.logitsSha256() : null, ok ? r.genTokenIds() : null,
                log, stdout, command, guardrails);
    }

    /** This record with the guardrail of the same name replaced (or added). */
    RunRecord withGuardrail(GuardrailResult g) {
        List<GuardrailResult> list = new ArrayList<>(guardrails.stream().filter(x -> !x.name().equals(g.name())).toList());
        list.add(g);
        return new RunRecord(ctx, attn, rep, variant, status, exitCode, error, stderrTail, started, finished,
                timeoutS, processWallS, modelLoadS, prefillS, prefillDeviceS, decodeS, wallS, promptTokens, genTokens, prefillTokS,
                decodeTokS, peakRssBytes, maxSeqLen, logitsSha256, genTokenIds, log, stdout, command, List.copyOf(list));
    }

    public boolean hasFailedGuardrail() {
        return guardrails.stream().anyMatch(g -> g.verdict() == Verdict.FAIL);
    }
}
