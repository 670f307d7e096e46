package dev.greta.model.synth;

import dev.greta.gguf.GgufFile;
import dev.greta.gguf.GgufMetadata;
import dev.greta.gguf.GgufTensor;
import dev.greta.tensor.Dequantizer;

import java.util.ArrayList;
import java.util.List;

/**
 * A plain float64 Llama forward pass over a GGUF file's dequantised weights, for checking that a synthetic
 * model's activations stay finite and of sensible size. Slow and simple on purpose: weights are dequantised
 * one layer at a time, all prompt positions go through each layer together.
 */
final class MiniForward {
    /** RMS of the residual stream of every position after the embedding and after each layer; the last logits. */
    record Trace(List<double[]> residualRms, double[] lastLogits) {}

    private final GgufFile file;
    private final int dim, layers, heads, kvHeads, headDim, ffn;
    private final double eps, ropeBase;

    MiniForward(GgufFile file) {
        this.file = file;
        GgufMetadata md = file.metadata();
        dim = md.integer("llama.embedding_length");
        layers = md.integer("llama.block_count");
        heads = md.integer("llama.attention.head_count");
        kvHeads = md.integer("llama.attention.head_count_kv");
        ffn = md.integer("llama.feed_forward_length");
        headDim = dim / heads;
        eps = md.floating("llama.attention.layer_norm_rms_epsilon");
        ropeBase = md.floating("llama.rope.freq_base", 10000f);
    }

    Trace run(int[] tokens) {
        int n = tokens.length;
        GgufTensor embd = file.tensor("token_embd.weight");
        long rowBytes = embd.type().bytesFor(dim);
        double[][] x = new double[n][];
        for (int t = 0; t < n; t++) x[t] = toDouble(Dequantizer.dequantize(embd.type(), embd.data().asSlice(tokens[t] * rowBytes, rowBytes), dim));
        List<double[]> trace = new ArrayList<>();
        trace.add(rmsOfRows(x));
        for (int l = 0; l < layers; l++) {
            String p = "blk." + l + ".";
            double[][] h = norm(x, weights(p + "attn_norm.weight"));
            double[][] q = matmul(weights(p + "attn_q.weight"), h, dim);
            double[][] k = matmul(weights(p + "attn_k.weight"), h, dim);
            double[][] v = matmul(weights(p + "attn_v.weight"), h, dim);
            for (int t = 0; t < n; t++) {
                rope(q[t], heads, t);
                rope(k[t], kvHeads, t);
            }
            double[][] attn = new double[n][heads * headDim];
            for (int t = 0; t < n; t++) {
                for (int hd = 0; hd < heads; hd++) {
                    int kvOff = (hd / (heads / kvHeads)) * headDim;
                    double[] scores = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int s = 0; s <= t; s++) {
                        double dot = 0;
                        for (int i = 0; i < headDim; i++) dot += q[t][hd * headDim + i] * k[s][kvOff + i];
                        scores[s] = dot / Math.sqrt(headDim);
                        max = Math.max(max, scores[s]);
                    }
                    double sum = 0;
                    for (int s = 0; s <= t; s++) sum += scores[s] = Math.exp(scores[s] - max);
                    for (int s = 0; s <= t; s++) {
                        for (int i = 0; i < headDim; i++) attn[t][hd * headDim + i] += scores[s] / sum * v[s][kvOff + i];
                    }
                }
            }
            add(x, matmul(weights(p + "attn_output.weight"), attn, heads * headDim));
            h = norm(x, weights(p + "ffn_norm.weight"));
            double[][] gate = matmul(weights(p + "ffn_gate.weight"), h, dim);
            double[][] up = matmul(weights(p + "ffn_up.weight"), h, dim);
            for (int t = 0; t < n; t++) {
                for (int i = 0; i < ffn; i++) gate[t][i] = gate[t][i] / (1 + Math.exp(-gate[t][i])) * up[t][i];
            }
            add(x, matmul(weights(p + "ffn_down.weight"), gate, ffn));
            trace.add(rmsOfRows(x));
        }
        double[] last = norm(new double[][]{x[n - 1]}, weights("output_norm.weight"))[0];
        GgufTensor out = file.hasTensor("output.weight") ? file.tensor("output.weight") : embd;
        double[] logits = matmul(weights(out.name()), new double[][]{last}, dim)[0];
        return new Trace(trace, logits);
    }

    private float[] weights(String name) {
        GgufTensor t = file.tensor(name);
        return Dequantizer.dequantize(t.type(), t.data(), t.elementCount());
    }

    /** Rotates pairs (2i, 2i+1) of each head by pos * base^(-2i/headDim): GGML's normal RoPE layout. */
    private void rope(double[] v, int nHeads, int pos) {
        for (int h = 0; h < nHeads; h++) {
            for (int i = 0; i < headDim / 2; i++) {
                double angle = pos * Math.pow(ropeBase, -2.0 * i / headDim);
                int a = h * headDim + 2 * i;
                double x0 = v[a];
                double x1 = v[a + 1];
                v[a] = x0 * Math.cos(angle) - x1 * Math.sin(angle);
                v[a + 1] = x0 * Math.sin(angle) + x1 * Math.cos(angle);
            }
        }
    }

    private double[][] norm(double[][] x, float[] w) {
        double[][] out = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            double ss = 0;
            for (double d : x[t]) ss += d * d;
            double scale = 1 / Math.sqrt(ss / x[t].length + eps);
            out[t] = new double[x[t].length];
            for (int i = 0; i < x[t].length; i++) out[t][i] = x[t][i] * scale * w[i];
        }
        return out;
    }

    /** out[t][r] = sum_c w[r * cols + c] * x[t][c]. */
    private static double[][] matmul(float[] w, double[][] x, int cols) {
        int rows = w.length / cols;
        double[][] out = new double[x.length][rows];
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < x.length; t++) {
                double s = 0;
                for (int c = 0; c < cols; c++) s += w[r * cols + c] * x[t][c];
                out[t][r] = s;
            }
        }
        return out;
    }

    private static void add(double[][] x, double[][] y) {
        for (int t = 0; t < x.length; t++) for (int i = 0; i < x[t].length; i++) x[t][i] += y[t][i];
    }

    private static double[] rmsOfRows(double[][] x) {
        double[] out = new double[x.length];
        for (int t = 0; t < x.length; t++) {
            double ss = 0;
            for (double d : x[t]) ss += d * d;
            out[t] = Math.sqrt(ss / x[t].length);
        }
        return out;
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }
}
