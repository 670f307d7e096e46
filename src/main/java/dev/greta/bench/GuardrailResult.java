package dev.greta.bench;

/** One guardrail checked on one run, with the reason a reader needs to trust or chase it. */
public record GuardrailResult(String name, Verdict verdict, String reason) {

    public static GuardrailResult pass(String name, String reason) { return new GuardrailResult(name, Verdict.PASS, reason); }

    public static GuardrailResult fail(String name, String reason) { return new GuardrailResult(name, Verdict.FAIL, reason); }

    public static GuardrailResult skip(String name, String reason) { return new GuardrailResult(name, Verdict.SKIP, reason); }
}
