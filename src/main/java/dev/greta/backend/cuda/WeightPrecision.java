package dev.greta.backend.cuda;

/** How {@link CudaBackend} stores matrices on the device, and so which cuBLAS GEMM it runs. */
public enum WeightPrecision {
    /** bf16 weights, activations rounded to bf16 for the GEMM, fp32 accumulation (tensor cores). The default. */
    BF16(2),
    /** fp32 weights and activations, fp32 GEMM without TF32: for checking accuracy, at twice the memory. */
    F32(4);

    private final int bytes;

    WeightPrecision(int bytes) { this.bytes = bytes; }

    public int bytesPerElement() { return bytes; }
}
