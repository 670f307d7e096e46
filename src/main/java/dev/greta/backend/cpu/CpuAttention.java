package dev.greta.backend.cpu;

import dev.greta.attention.AttentionKernel;
import dev.greta.attention.AttentionShape;
import dev.greta.backend.Attention;

/** A CPU attention kernel bound to the head layout of the model it serves. */
record CpuAttention(AttentionKernel kernel, AttentionShape shape) implements Attention {
    @Override
    public String name() { return kernel.name(); }
}
