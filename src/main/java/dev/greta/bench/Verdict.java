package dev.greta.bench;

/** The outcome of one guardrail; SKIP when it does not apply (e.g. a single rep, or a run without a result). */
public enum Verdict { PASS, FAIL, SKIP }
