package dev.greta.bench;

/** One planned run of a sweep: a context length, the requested attention variant and the repetition (from 1). */
public record RunKey(int ctx, String attn, int rep) {

    /** The per-run file name stem, {@code <ctx>_<variant>_<rep>}. */
    public String fileStem() {
        return ctx + "_" + AttnSpec.fileSafe(attn) + "_" + rep;
    }

    @Override
    public String toString() { return "ctx " + ctx + " " + attn + " rep " + rep; }
}
