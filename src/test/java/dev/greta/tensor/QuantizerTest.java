package dev.greta.tensor;

import dev.greta.gguf.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Quantise then dequantise Gaussian data (sigma 0.02, like trained weights) and check the error against the
 * format's normal error. Per element: F16 half an ulp (2^-11 relative, or 2^-25 absolute for subnormals),
 * BF16 2^-8 relative. Per block, against the block's largest magnitude amax: Q8_0 0.57 * amax / 127 (half a step
 * plus the F16 rounding of the scale), Q4_0 amax / 8 (the code opposite the extreme clamps from 16 to 15),
 * Q6_K 0.025 * amax, Q4_K 0.1 * amax over its 256. Over everything, the RMS error relative to the data's RMS:
 * Q8_0 0.006, Q4_0 0.09, Q4_K 0.08, Q6_K 0.02 (llama.cpp's own files show 0.0054, 0.086, 0.072, 0.018).
 */
class QuantizerTest {
    private static final int N = 64 * 512;

    private static float[] gaussian(long seed, int n, double sigma) {
        Random rnd = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (rnd.nextGaussian() * sigma);
        return v;
    }

    private static float[] roundTrip(GgmlType type, float[] v, int offset, int count) {
        return Dequantizer.dequantize(type, MemorySegment.ofArray(Quantizer.quantize(type, v, offset, count)), count);
    }

    @Test
    void floatFormatsRoundToNearest() {
        float[] v = gaussian(1, N, 0.02);
        assertThat(roundTrip(GgmlType.F32, v, 0, N)).containsExactly(v);
        float[] f16 = roundTrip(GgmlType.F16, v, 0, N);
        float[] bf16 = roundTrip(GgmlType.BF16, v, 0, N);
        for (int i = 0; i < N; i++) {
            assertThat(Math.abs(f16[i] - v[i])).isLessThanOrEqualTo(Math.max(0x1p-11f * Math.abs(v[i]), 0x1p-25f));
            assertThat(Math.abs(bf16[i] - v[i])).isLessThanOrEqualTo(0x1p-8f * Math.abs(v[i]));
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void blockFormatsStayWithinTheirNormalError(GgmlType type) {
        float[] v = gaussian(2, N, 0.02);
        float[] back = roundTrip(type, v, 0, N);
        double blockBound = switch (type) {
            case Q8_0 -> 0.57 / 127;
            case Q4_0 -> 1.001 / 8;
            case Q4_K -> 0.1;
            case Q6_K -> 0.025;
            default -> throw new AssertionError(type);
        };
        double rmsBound = switch (type) {
            case Q8_0 -> 0.006;
            case Q4_0 -> 0.09;
            case Q4_K -> 0.08;
            case Q6_K -> 0.02;
            default -> throw new AssertionError(type);
        };
        int bs = type.blockSize();
        double errSq = 0;
        double sumSq = 0;
        for (int b = 0; b < N / bs; b++) {
            float amax = 0;
            for (int j = 0; j < bs; j++) amax = Math.max(amax, Math.abs(v[b * bs + j]));
            for (int j = 0; j < bs; j++) {
                int i = b * bs + j;
                double err = back[i] - v[i];
                assertThat(Math.abs(err)).as("%s element %d", type, i).isLessThanOrEqualTo(blockBound * amax);
                errSq += err * err;
                sumSq += (double) v[i] * v[i];
            }
        }
        assertThat(Math.sqrt(errSq / sumSq)).as("%s relative RMS error", type).isLessThan(rmsBound);
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void zerosStayZeroAndOffsetSelectsTheValues(GgmlType type) {
        // An all-zero block may come back as -0 (Q4_0's scale is max / -8), which is still zero.
        for (float z : roundTrip(type, new float[512], 0, 256)) assertThat(Math.abs(z)).isEqualTo(0f);
        float[] v = gaussian(3, 768, 1.0);
        float[] whole = roundTrip(type, v, 256, 256);
        float[] copy = roundTrip(type, java.util.Arrays.copyOfRange(v, 256, 512), 0, 256);
        assertThat(whole).containsExactly(copy);
    }

    @Test
    void extremeMagnitudesMapToTheEndCodes() {
        float[] v = new float[32];
        v[3] = -2.0f;
        v[7] = 1.0f;
        byte[] q8 = Quantizer.quantize(GgmlType.Q8_0, v, 0, 32);
        assertThat(q8[2 + 3]).isEqualTo((byte) -127);
        byte[] q4 = Quantizer.quantize(GgmlType.Q4_0, v, 0, 32);
        // d = max / -8 = 0.25: -2 is code 0 (-8 after the offset), 1 is code 12, 0 is code 8.
        assertThat(q4[2 + 3] & 0x0f).isEqualTo(0);
        assertThat(q4[2 + 7] & 0x0f).isEqualTo(12);
        assertThat(q4[2] & 0x0f).isEqualTo(8);
    }

    @Test
    void rejectsPartialBlocksAndBadRanges() {
        assertThatThrownBy(() -> Quantizer.quantize(GgmlType.Q4_K, new float[300], 0, 300))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not whole Q4_K blocks of 256");
        assertThatThrownBy(() -> Quantizer.quantize(GgmlType.Q8_0, new float[32], 16, 32))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> Quantizer.quantize(GgmlType.Q5_0, new float[32], 0, 32))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("Q5_0");
    }
}
