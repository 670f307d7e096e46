package dev.greta.model;

import dev.greta.backend.Backend;
import dev.greta.backend.Weights;
import dev.greta.gguf.GgufFile;
import dev.greta.gguf.GgufTensor;
import dev.greta.tensor.Dequantizer;

/** The weights of a Llama-family model, bound to a backend under their GGUF tensor names. */
public record LlamaWeights(Weights tokenEmbedding, Layer[] layers, Weights outputNorm, Weights output) {

    /** One transformer block's weights. */
    public record Layer(Weights attnNorm, Weights wq, Weights wk, Weights wv, Weights wo,
                        Weights ffnNorm, Weights wGate, Weights wUp, Weights wDown) {}

    public static LlamaWeights bind(GgufFile file, ModelShape shape, Backend backend) {
        Layer[] layers = new Layer[shape.layers()];
        for (int l = 0; l < layers.length; l++) {
            String b = "blk." + l + ".";
            layers[l] = new Layer(
                    vector(file, b + "attn_norm.weight", shape.dim(), backend),
                    matrix(file, b + "attn_q.weight", shape.qDim(), shape.dim(), backend),
                    matrix(file, b + "attn_k.weight", shape.kvDim(), shape.dim(), backend),
                    matrix(file, b + "attn_v.weight", shape.kvDim(), shape.dim(), backend),
                    matrix(file, b + "attn_output.weight", shape.dim(), shape.qDim(), backend),
                    vector(file, b + "ffn_norm.weight", shape.dim(), backend),
                    matrix(file, b + "ffn_gate.weight", shape.ffnDim(), shape.dim(), backend),
                    matrix(file, b + "ffn_up.weight", shape.ffnDim(), shape.dim(), backend),
                    matrix(file, b + "ffn_down.weight", shape.dim(), shape.ffnDim(), backend));
        }
        Weights embedding = matrix(file, "token_embd.weight", shape.vocab(), shape.dim(), backend);
        // Tied embeddings (SmolLM, Llama 3.2 1B): the output projection reuses the embedding table.
        Weights output = file.hasTensor("output.weight")
                ? matrix(file, "output.weight", shape.vocab(), shape.dim(), backend) : embedding;
        return new LlamaWeights(embedding, layers, vector(file, "output_norm.weight", shape.dim(), backend), output);
    }

    private static Weights matrix(GgufFile file, String name, int rows, int cols, Backend backend) {
        GgufTensor t = file.tensor(name);
        if (t.dims().length != 2 || t.cols() != cols || t.rows() != rows) {
            throw new IllegalArgumentException("tensor '" + name + "' has shape " + t.shape() + ", expected [" + cols + ", " + rows + "]");
        }
        return backend.matrix(t);
    }

    private static Weights vector(GgufFile file, String name, int length, Backend backend) {
        GgufTensor t = file.tensor(name);
        if (t.elementCount() != length) {
            throw new IllegalArgumentException("tensor '" + name + "' has shape " + t.shape() + ", expected [" + length + "]");
        }
        return backend.vector(Dequantizer.dequantize(t.type(), t.data(), length));
    }
}
