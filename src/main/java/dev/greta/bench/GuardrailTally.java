package dev.greta.bench;

import java.util.List;

/** The guardrail verdicts of a whole sweep, with every FAIL spelled out. */
public record GuardrailTally(int pass, int fail, int skip, List<Failure> failures) {

    public record Failure(int ctx, String attn, int rep, String guardrail, String reason) {}

    static GuardrailTally of(List<RunRecord> runs) {
        int pass = 0, fail = 0, skip = 0;
        List<Failure> failures = new java.util.ArrayList<>();
        for (RunRecord r : runs) {
            for (GuardrailResult g : r.guardrails()) {
                switch (g.verdict()) {
                    case PASS -> pass++;
                    case SKIP -> skip++;
                    case FAIL -> {
                        fail++;
                        failures.add(new Failure(r.ctx(), r.attn(), r.rep(), g.name(), g.reason()));
                    }
                }
            }
        }
        return new GuardrailTally(pass, fail, skip, List.copyOf(failures));
    }
}
