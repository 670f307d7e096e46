package dev.greta.model;

/**
 * The hyperparameters of a Llama-family model, all read from GGUF metadata.
 *
 * @param layers     llama.block_count
 * @param dim        llama.embedding_length
 * @param ffnDim     llama.feed_forward_length
 * @param heads      llama.attention.head_count
 * @param kvHeads    llama.attention.head_count_kv (heads for MHA; a divisor of heads for GQA/MQA)
 * @param headDim    dim / heads unless the file says otherwise (llama.attention.key_length)
 * @param vocab      rows of the embedding table
 * @param contextLength llama.context_length: the trained context, Greta's default sequence limit
 * @param rmsEps     llama.attention.layer_norm_rms_epsilon
 */
public record ModelShape(int layers, int dim, int ffnDim, int heads, int kvHeads, int headDim, int vocab,
                         int contextLength, float rmsEps) {

    public int qDim() { return heads * headDim; }

    public int kvDim() { return kvHeads * headDim; }

    /** Query heads sharing one KV head. */
    public int groupSize() { return heads / kvHeads; }
}
