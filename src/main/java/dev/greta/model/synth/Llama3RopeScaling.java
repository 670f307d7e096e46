package dev.greta.model.synth;

/**
 * Llama 3.1-style RoPE frequency scaling (Hugging Face {@code rope_type: llama3}). Written as the
 * {@code llama.rope.scaling.*} keys and, as llama.cpp's converter does, as per-frequency divisors in the
 * {@code rope_freqs.weight} tensor.
 */
public record Llama3RopeScaling(float factor, float lowFreqFactor, float highFreqFactor, int originalContextLength) {

    public Llama3RopeScaling {
        if (!(factor >= 1) || !(lowFreqFactor > 0) || !(highFreqFactor > lowFreqFactor) || originalContextLength <= 0) {
            throw new IllegalArgumentException("bad llama3 rope scaling " + factor + "/" + lowFreqFactor + "/" + highFreqFactor + "/" + originalContextLength);
        }
    }

    /** The divisor of each rotary frequency i in [0, ropeDims/2): 1 for short wavelengths, factor for long ones. */
    public float[] frequencyDivisors(int ropeDims, double freqBase) {
        float[] out = new float[ropeDims / 2];
        double lowFreqWavelen = originalContextLength / lowFreqFactor;
        double highFreqWavelen = originalContextLength / highFreqFactor;
        for (int i = 0; i < out.length; i++) {
            double freq = 1.0 / Math.pow(freqBase, 2.0 * i / ropeDims);
            double wavelen = 2 * Math.PI / freq;
            if (wavelen < highFreqWavelen) {
                out[i] = 1f;
            } else if (wavelen > lowFreqWavelen) {
                out[i] = factor;
            } else {
                double smooth = (originalContextLength / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                out[i] = (float) (1.0 / ((1 - smooth) / factor + smooth));
            }
        }
        return out;
    }
}
