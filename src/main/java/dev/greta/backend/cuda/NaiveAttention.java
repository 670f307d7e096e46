package dev.greta.backend.cuda;

import dev.greta.backend.KvType;
import dev.greta.model.ModelShape;

/**
 * The baseline: one block of 128 threads per (query row, head) keeps the whole score row in shared memory, so
 * it serves up to about (shared memory per block / 4) keys (some 57k on an H100).
 */
final class NaiveAttention extends CudaAttention {
    private static final int THREADS = 128;
    private final CudaDevice device;
    private final CudaKernels kernels;

    NaiveAttention(CudaBackend owner, ModelShape shape, CudaDevice device, CudaKernels kernels) {
        super(owner, shape);
        this.device = device;
        this.kernels = kernels;
    }

    @Override
    public String name() { return "naive"; }

    @Override
    boolean run(CudaKvCache cache, int layer, CudaBuffer q, int rows, int startPos, CudaBuffer out, long outBf16) {
        int keys = startPos + rows;
        long shared = 4L * (shape.headDim() + keys);
        if (shared > device.maxSharedPerBlock) {
            throw new IllegalArgumentException("naive attention keeps every score in shared memory: " + keys
                    + " keys need " + shared + " bytes, " + device.name + " allows " + device.maxSharedPerBlock
                    + " (use flash)");
        }
        Kernel kernel = cache.type() == KvType.F16 ? kernels.naiveF16 : kernels.naiveF32;
        kernel.launch(rows, shape.heads(), 1, THREADS, (int) shared, device.args()
                .ptr(q.pointer()).i32(q.cols())
                .ptr(cache.keys(layer)).ptr(cache.values(layer)).i32(cache.maxSeq())
                .i32(shape.heads()).i32(shape.kvHeads()).i32(shape.headDim()).i32(startPos).f32(scale())
                .ptr(out.pointer()).i32(out.cols()));
        return false;  // the baseline leaves the bf16 rounding to the GEMM
    }
}
