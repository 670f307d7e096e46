package dev.greta.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Optional;

import static dev.greta.backend.cuda.NativeLibrary.rethrow;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * cuBLAS bindings: one handle bound to the backend's stream, used for cublasGemmEx. With one handle on one
 * stream, default math mode and atomics not allowed, cuBLAS gives bit-identical results from run to run on the
 * same GPU (its documented reproducibility condition).
 */
final class Cublas implements AutoCloseable {
    static final int CUBLAS_OP_N = 0;
    static final int CUBLAS_OP_T = 1;
    static final int CUDA_R_32F = 0;
    static final int CUDA_R_16BF = 14;
    static final int CUBLAS_COMPUTE_32F = 68;
    static final int CUBLAS_GEMM_DEFAULT = -1;
    static final int CUBLAS_DEFAULT_MATH = 0;
    static final int CUBLAS_ATOMICS_NOT_ALLOWED = 0;
    private static final List<String> STATUS_NAMES = List.of("CUBLAS_STATUS_SUCCESS", "CUBLAS_STATUS_NOT_INITIALIZED",
            "2", "CUBLAS_STATUS_ALLOC_FAILED", "4", "5", "6", "CUBLAS_STATUS_INVALID_VALUE",
            "CUBLAS_STATUS_ARCH_MISMATCH", "9", "10", "CUBLAS_STATUS_MAPPING_ERROR", "12",
            "CUBLAS_STATUS_EXECUTION_FAILED", "CUBLAS_STATUS_INTERNAL_ERROR", "CUBLAS_STATUS_NOT_SUPPORTED",
            "CUBLAS_STATUS_LICENSE_ERROR");

    private final MethodHandle destroy, gemmEx;
    private final Optional<MethodHandle> statusName, statusString;
    private final MemorySegment handle;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment one, zero;
    private final String version;
    private final long cudartVersion;

    Cublas(NativeLibrary library, MemorySegment stream) {
        statusName = library.optionalFunction("cublasGetStatusName", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        statusString = library.optionalFunction("cublasGetStatusString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        destroy = library.function("cublasDestroy_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        gemmEx = library.function("cublasGemmEx", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT,
                ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        MethodHandle create = library.function("cublasCreate_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        MethodHandle setStream = library.function("cublasSetStream_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        MethodHandle setMath = library.function("cublasSetMathMode", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        MethodHandle setAtomics = library.function("cublasSetAtomicsMode",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        MethodHandle getVersion = library.function("cublasGetVersion_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        MethodHandle getCudart = library.function("cublasGetCudartVersion", FunctionDescriptor.of(JAVA_LONG));
        try {
            MemorySegment out = arena.allocate(ADDRESS);
            check((int) create.invokeExact(out), "cublasCreate_v2");
            handle = out.get(ADDRESS, 0);
            check((int) setStream.invokeExact(handle, stream), "cublasSetStream_v2");
            check((int) setMath.invokeExact(handle, CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
            check((int) setAtomics.invokeExact(handle, CUBLAS_ATOMICS_NOT_ALLOWED), "cublasSetAtomicsMode");
            MemorySegment v = arena.allocate(JAVA_INT);
            check((int) getVersion.invokeExact(handle, v), "cublasGetVersion_v2");
            int n = v.get(JAVA_INT, 0);
            version = (n / 10000) + "." + (n % 10000) / 100 + "." + (n % 100);
            cudartVersion = (long) getCudart.invokeExact();
        } catch (Throwable t) {
            arena.close();
            throw rethrow(t);
        }
        one = arena.allocateFrom(JAVA_FLOAT, 1f);
        zero = arena.allocateFrom(JAVA_FLOAT, 0f);
    }

    String version() { return version; }

    long cudartVersion() { return cudartVersion; }

    /**
     * Row-major out[n][m] = in[n][k] · w[m][k]ᵀ, i.e. column-major C (m x n) = op(A)=Aᵀ (m x k) · B (k x n):
     * A is the weight (k x m, lda = k), B the activations (ldb), C the output (ldc). Accumulates in fp32; with
     * {@code accumulate} the product is added to out (beta = 1) instead of replacing it.
     */
    void gemm(int m, int n, int k, long weights, int weightType, int lda, long input, int inputType, int ldb,
              long out, int ldc, boolean accumulate) {
        MemorySegment beta = accumulate ? one : zero;  // a typed local: invokeExact would see a conditional as Object
        int status;
        try {
            status = (int) gemmEx.invokeExact(handle, CUBLAS_OP_T, CUBLAS_OP_N, m, n, k, one, weights, weightType, lda,
                    input, inputType, ldb, beta, out, CUDA_R_32F, ldc, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        // the message is built only on failure: this runs for every GEMM
        if (status != 0) check(status, "cublasGemmEx(m=" + m + ", n=" + n + ", k=" + k + ")");
    }

    private void check(int status, String call) {
        if (status != 0) throw new CudaException(call, status, name(status), describe(status));
    }

    private String name(int status) {
        return statusName.map(h -> call(h, status))
                .orElse(status >= 0 && status < STATUS_NAMES.size() ? STATUS_NAMES.get(status) : "CUBLAS_STATUS_" + status);
    }

    private String describe(int status) {
        return statusString.map(h -> call(h, status)).orElse("");
    }

    private static String call(MethodHandle h, int status) {
        try {
            return NativeLibrary.cString((MemorySegment) h.invokeExact(status));
        } catch (Throwable t) {
            return "CUBLAS_STATUS_" + status;
        }
    }

    @Override
    public void close() {
        try {
            check((int) destroy.invokeExact(handle), "cublasDestroy_v2");
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            arena.close();
        }
    }
}
