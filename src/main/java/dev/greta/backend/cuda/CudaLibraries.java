package dev.greta.backend.cuda;

import java.nio.file.Path;
import java.util.List;

/**
 * The CUDA libraries Greta calls: the driver (libcuda), NVRTC and cuBLAS (with cuBLASLt, loaded first so that
 * cuBLAS's dependency resolves from the same directory). Search order for each: {@code preferredDir}
 * (GRETA_CUDA_LIB_DIR), the dynamic loader's path, /usr/local/cuda/lib64.
 */
record CudaLibraries(NativeLibrary driver, NativeLibrary nvrtc, NativeLibrary cublasLt, NativeLibrary cublas) {
    static final String ENV_LIB_DIR = "GRETA_CUDA_LIB_DIR";

    /** GRETA_CUDA_LIB_DIR as a path, or null when unset or blank. */
    static Path dirFromEnvironment() {
        String dir = System.getenv(ENV_LIB_DIR);
        return dir == null || dir.isBlank() ? null : Path.of(dir);
    }

    /** @throws CudaUnavailableException naming the library and every place tried */
    static CudaLibraries locate(Path preferredDir) {
        NativeLibrary driver = NativeLibrary.locate("the CUDA driver library (is an NVIDIA driver installed?)",
                List.of("libcuda.so.1"), preferredDir);
        NativeLibrary nvrtc = NativeLibrary.locate("NVRTC", List.of("libnvrtc.so.13", "libnvrtc.so.12"), preferredDir);
        NativeLibrary cublasLt = NativeLibrary.locate("cuBLASLt", List.of("libcublasLt.so.13", "libcublasLt.so.12"),
                preferredDir);
        String major = cublasLt.soname().substring(cublasLt.soname().lastIndexOf('.') + 1);
        NativeLibrary cublas = NativeLibrary.locate("cuBLAS", List.of("libcublas.so." + major), preferredDir);
        return new CudaLibraries(driver, nvrtc, cublasLt, cublas);
    }
}
