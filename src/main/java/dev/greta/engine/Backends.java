package dev.greta.engine;

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
}
