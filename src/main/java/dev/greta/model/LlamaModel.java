package dev.greta.model;

import dev.greta.backend.Attention;
import dev.greta.backend.Backend;
import dev.greta.backend.Buffer;
import dev.greta.backend.KvCache;
import dev.greta.backend.Rope;
import dev.greta.backend.Weights;

/**
 * The Llama forward pass over a chunk of token positions. It reads like the math and knows no backend: every
 * step is one {@link Backend} operation on whole chunks (matrix-matrix work), never token by token.
 */
public final class LlamaModel {
    private final ModelShape shape;
    private final LlamaWeights weights;
    private final Rope rope;
    private final Backend backend;
    private final int maxRows;

    // Activations for one chunk, reused across layers and chunks.
    private final Buffer x;       // residual stream      [rows][dim]
    private final Buffer xb;      // normed input / block output [rows][dim]
    private final Buffer q;       // queries              [rows][heads*headDim]
    private final Buffer k;       // keys                 [rows][kvHeads*headDim]
    private final Buffer v;       // values               [rows][kvHeads*headDim]
    private final Buffer att;     // attention output     [rows][heads*headDim]
    private final Buffer gate;    // FFN gate, then silu(gate)*up [rows][ffn]
    private final Buffer up;      // FFN up               [rows][ffn]
    private final Buffer last;    // final hidden state of the last position [1][dim]
    private final Buffer logits;  // [1][vocab]
    private final Weights[][] qkv;      // per layer: Wq, Wk, Wv (one fused matmul step)
    private final Weights[][] gateUp;   // per layer: Wg, Wu
    private final Buffer[] qkvOut;
    private final Buffer[] gateUpOut;

    public LlamaModel(ModelShape shape, LlamaWeights weights, Rope rope, Backend backend, int maxRows) {
        this.shape = shape;
        this.weights = weights;
        this.rope = rope;
        this.backend = backend;
        this.maxRows = maxRows;
        this.x = backend.buffer(maxRows, shape.dim());
        this.xb = backend.buffer(maxRows, shape.dim());
        this.q = backend.buffer(maxRows, shape.qDim());
        this.k = backend.buffer(maxRows, shape.kvDim());
        this.v = backend.buffer(maxRows, shape.kvDim());
        this.att = backend.buffer(maxRows, shape.qDim());
        this.gate = backend.buffer(maxRows, shape.ffnDim());
        this.up = backend.buffer(maxRows, shape.ffnDim());
        this.last = backend.buffer(1, shape.dim());
        this.logits = backend.buffer(1, shape.vocab());
        LlamaWeights.Layer[] layers = weights.layers();
        this.qkv = new Weights[layers.length][];
        this.gateUp = new Weights[layers.length][];
        for (int l = 0; l < layers.length; l++) {
            qkv[l] = new Weights[]{layers[l].wq(), layers[l].wk(), layers[l].wv()};
            gateUp[l] = new Weights[]{layers[l].wGate(), layers[l].wUp()};
        }
        this.qkvOut = new Buffer[]{q, k, v};
        this.gateUpOut = new Buffer[]{gate, up};
    }

    public ModelShape shape() { return shape; }

    /** The most positions one {@link #forward} call takes. */
    public int maxRows() { return maxRows; }

    /**
     * Runs positions [startPos, startPos + count) holding tokens[from .. from + count) through every layer,
     * appending their keys and values to {@code cache}. Returns the logits of the last position when
     * {@code wantLogits}, else null (earlier chunks of a prompt need no logits).
     */
    public float[] forward(int[] tokens, int from, int count, int startPos, KvCache cache, Attention attention,
                           boolean wantLogits) {
        if (count < 1 || count > maxRows) throw new IllegalArgumentException("chunk of " + count + " rows; must be 1.." + maxRows);
        float eps = shape.rmsEps();
        backend.embed(weights.tokenEmbedding(), tokens, from, count, x);
        for (int l = 0; l < shape.layers(); l++) {
            LlamaWeights.Layer w = weights.layers()[l];

            // attention: x += Wo · attn(rope(Wq·n), rope(Wk·n), Wv·n), n = rmsnorm(x)
            backend.rmsNorm(x, w.attnNorm(), eps, count, xb);
            backend.matmuls(qkv[l], xb, count, qkvOut);
            backend.rope(q, count, shape.heads(), startPos, rope);
            backend.rope(k, count, shape.kvHeads(), startPos, rope);
            backend.storeKv(cache, l, k, v, count, startPos);
            backend.attend(attention, cache, l, q, count, startPos, att);
            backend.matmulAdd(w.wo(), att, count, x);

            // feed-forward: x += Wd · (silu(Wg·n) ⊙ Wu·n), n = rmsnorm(x)
            backend.rmsNorm(x, w.ffnNorm(), eps, count, xb);
            backend.matmuls(gateUp[l], xb, count, gateUpOut);
            backend.swiglu(gate, up, count);
            backend.matmulAdd(w.wDown(), gate, count, x);
        }
        if (!wantLogits) return null;
        // logits only where needed: the last position
        backend.copyRow(x, count - 1, last, 0);
        backend.rmsNorm(last, weights.outputNorm(), eps, 1, last);
        backend.matmul(weights.output(), last, 1, logits);
        return backend.readRow(logits, 0);
    }
}
