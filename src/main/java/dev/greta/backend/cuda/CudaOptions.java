package dev.greta.backend.cuda;

import java.nio.file.Path;

/**
 * How to open a {@link CudaBackend}.
 *
 * @param device          GPU ordinal as the driver numbers them
 * @param weightPrecision element type of matrices on the device
 * @param libraryDir      searched first for the CUDA libraries (GRETA_CUDA_LIB_DIR), or null
 * @param moduleCacheDir  where compiled kernels are kept, or null to compile every time
 * @param profile         record device-side timings of every op from the start (see {@link CudaBackend#timings()})
 */
public record CudaOptions(int device, WeightPrecision weightPrecision, Path libraryDir, Path moduleCacheDir,
                          boolean profile) {

    public CudaOptions {
        if (device < 0) throw new IllegalArgumentException("GPU ordinal must be >= 0, got " + device);
        if (weightPrecision == null) throw new IllegalArgumentException("weightPrecision is required");
    }

    /** GPU 0, bf16 weights, GRETA_CUDA_LIB_DIR, kernels cached under ~/.cache/greta/cuda, no profiling. */
    public static CudaOptions defaults() {
        return new CudaOptions(0, WeightPrecision.BF16, CudaLibraries.dirFromEnvironment(),
                Path.of(System.getProperty("user.home"), ".cache", "greta", "cuda"), false);
    }

    public CudaOptions withWeightPrecision(WeightPrecision precision) {
        return new CudaOptions(device, precision, libraryDir, moduleCacheDir, profile);
    }

    public CudaOptions withProfile(boolean on) {
        return new CudaOptions(device, weightPrecision, libraryDir, moduleCacheDir, on);
    }

    public CudaOptions withModuleCacheDir(Path dir) {
        return new CudaOptions(device, weightPrecision, libraryDir, dir, profile);
    }
}
