package dev.greta.engine;

import dev.greta.attention.AttentionKernels;
import dev.greta.backend.Backend;
import dev.greta.backend.cpu.CpuBackend;
import dev.greta.backend.cuda.CudaBackend;

/** Creates a backend by name. */
public final class Backends {
    private Backends() {}

    public static Backend create(String name, int threads) {
        return switch (name) {
            case "cpu" -> new CpuBackend(threads);
            case "cuda" -> CudaBackend.open();
            default -> throw new IllegalArgumentException("unknown backend '" + name + "' (expected cpu or cuda)");
        };
    }

    /**
     * Refuses an attention spec that backend {@code name} would refuse, with its message (which names the valid
     * kernels), without opening the backend.
     */
    public static void checkAttention(String name, String spec) {
        switch (name) {
            case "cpu" -> AttentionKernels.resolve(spec, true);
            case "cuda" -> CudaBackend.checkAttention(spec);
            default -> throw new IllegalArgumentException("unknown backend '" + name + "' (expected cpu or cuda)");
        }
    }
}
