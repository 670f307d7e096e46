package dev.greta.model;

import dev.greta.backend.Rope;
import dev.greta.gguf.GgufFile;
import dev.greta.gguf.GgufMetadata;
import dev.greta.gguf.GgufTensor;
import dev.greta.gguf.GgmlType;
import dev.greta.tensor.Dequantizer;

/**
 * RoPE inverse frequencies from GGUF metadata: base^(-2i/d), then Llama 3 frequency factors (the
 * {@code rope_freqs.weight} tensor llama.cpp's converter writes, or the {@code rope.scaling.*} keys) or
 * linear scaling.
 */
public final class RopeFrequencies {
    private RopeFrequencies() {}

    public static Rope fromFile(GgufFile file, ModelShape shape) {
        GgufMetadata md = file.metadata();
        String p = md.architecture() + ".";
        int ropeDims = md.integer(p + "rope.dimension_count", shape.headDim());
        float base = md.floating(p + "rope.freq_base", 10000f);
        float[] inv = new float[ropeDims / 2];
        for (int i = 0; i < inv.length; i++) {
            inv[i] = (float) Math.pow(base, -2.0 * i / ropeDims);
        }
        String scaling = md.string(p + "rope.scaling.type", "none");
        if (file.hasTensor("rope_freqs.weight")) {
            GgufTensor t = file.tensor("rope_freqs.weight");
            if (t.type() != GgmlType.F32 || t.elementCount() != inv.length) {
                throw new IllegalArgumentException("rope_freqs.weight must be F32 with " + inv.length + " elements, got " + t);
            }
            float[] factors = Dequantizer.dequantize(t.type(), t.data(), t.elementCount());
            for (int i = 0; i < inv.length; i++) {
                // A tensor's values are not part of gguf verify's structural check, which Session runs at load.
                if (!(factors[i] > 0) || !Float.isFinite(factors[i])) {
                    throw new IllegalArgumentException("rope_freqs.weight[" + i + "] must be a positive number, got " + factors[i]);
                }
                inv[i] /= factors[i];
            }
        } else if (scaling.equals("llama3")) {
            applyLlama3(inv, md.floating(p + "rope.scaling.factor", 8f), md.floating(p + "rope.scaling.low_freq_factor", 1f),
                    md.floating(p + "rope.scaling.high_freq_factor", 4f),
                    md.integer(p + "rope.scaling.original_context_length", 8192));
        } else if (scaling.equals("linear")) {
            float factor = md.floating(p + "rope.scaling.factor", 1f);
            for (int i = 0; i < inv.length; i++) inv[i] /= factor;
        } else if (!scaling.equals("none")) {
            throw new IllegalArgumentException("unsupported rope scaling type '" + scaling + "'");
        }
        return new Rope(shape.headDim(), ropeDims, inv);
    }

    /** Meta's Llama 3.1 rule: long wavelengths divided by factor, short kept, a smooth blend between. */
    static void applyLlama3(float[] inv, float factor, float lowFreqFactor, float highFreqFactor, int originalContext) {
        double lowWavelen = originalContext / lowFreqFactor;
        double highWavelen = originalContext / highFreqFactor;
        for (int i = 0; i < inv.length; i++) {
            double wavelen = 2 * Math.PI / inv[i];
            if (wavelen > lowWavelen) {
                inv[i] = (float) (inv[i] / factor);
            } else if (wavelen >= highWavelen) {
                double smooth = (originalContext / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                inv[i] = (float) ((1 - smooth) * inv[i] / factor + smooth * inv[i]);
            }
        }
    }
}
