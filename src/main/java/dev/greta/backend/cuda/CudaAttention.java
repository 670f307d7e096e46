package dev.greta.backend.cuda;

import dev.greta.backend.Attention;
import dev.greta.model.ModelShape;

/**
 * An attention kernel of {@link CudaBackend} bound to a model shape. Both variants compute causal softmax
 * attention of q rows (positions startPos..) over the cache with scale 1/sqrt(headDim), in fp32 with
 * fixed-order reductions, so repeated runs are bit-identical.
 */
abstract sealed class CudaAttention implements Attention permits NaiveAttention, FlashAttention {
    final CudaBackend owner;
    final ModelShape shape;

    CudaAttention(CudaBackend owner, ModelShape shape) {
        this.owner = owner;
        this.shape = shape;
    }

    /**
     * Queues the kernel(s) on the stream; arguments were validated by the backend. {@code outBf16} (0: none) is
     * where the output rows may also be written rounded to bf16 (packed, row stride out's columns); returns whether
     * they were.
     */
    abstract boolean run(CudaKvCache cache, int layer, CudaBuffer q, int rows, int startPos, CudaBuffer out, long outBf16);

    float scale() { return (float) (1.0 / Math.sqrt(shape.headDim())); }

    @Override
    public String toString() { return name(); }
}
