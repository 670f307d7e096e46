package dev.greta.attention;

import dev.greta.model.ModelShape;

/**
 * Head layout of one attention layer.
 *
 * @param heads   query heads
 * @param kvHeads key/value heads: heads for MHA, a divisor of heads for GQA, 1 for MQA
 * @param headDim dimensions per head
 */
public record AttentionShape(int heads, int kvHeads, int headDim) {

    public AttentionShape {
        if (heads < 1 || kvHeads < 1 || headDim < 1) {
            throw new IllegalArgumentException("heads, kvHeads and headDim must be >= 1, got " + heads + ", "
                    + kvHeads + ", " + headDim);
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("heads " + heads + " is not a multiple of kvHeads " + kvHeads);
        }
    }

    public static AttentionShape of(ModelShape model) {
        return new AttentionShape(model.heads(), model.kvHeads(), model.headDim());
    }

    /** Query heads sharing one KV head. */
    public int groupSize() { return heads / kvHeads; }

    /** Floats per query (and output) row. */
    public int qDim() { return heads * headDim; }

    /** 1 / sqrt(headDim), the score scale. */
    public float scale() { return (float) (1 / Math.sqrt(headDim)); }
}
