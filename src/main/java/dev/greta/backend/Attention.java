package dev.greta.backend;

/** An attention kernel resolved by a backend; {@link #name()} is what PERF_TIMING reports as attn_impl. */
public interface Attention {
    /** The resolved name with every parameter, e.g. "flash:q=64,kv=32". */
    String name();
}
