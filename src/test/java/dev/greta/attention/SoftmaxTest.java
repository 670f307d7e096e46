package dev.greta.attention;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

/** The softmax steps against float64 on odd lengths, masked tails and a reference below the run's maximum. */
class SoftmaxTest {

    private static final double U = Math.scalb(1.0, -24);

    @ParameterizedTest
    @CsvSource({"1,8,0", "7,8,0", "8,8,0", "9,16,0", "17,32,0", "128,128,0", "100,128,0", "33,128,0",
                "128,128,-5", "41,64,-8"})
    void exponentiateMatchesFloat64(int count, int width, float referenceBelowMax) {
        SplittableRandom random = new SplittableRandom(count * 31L + width);
        int from = 3;
        float[] s = new float[from + width + VectorMath.LANES];
        for (int j = 0; j < s.length; j++) s[j] = (float) random.nextDouble(-20, 6);
        float[] original = s.clone();
        float max = Softmax.max(s, from, count);
        double exactMax = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < count; j++) exactMax = Math.max(exactMax, original[from + j]);
        assertThat((double) max).isEqualTo(exactMax);

        float reference = max + referenceBelowMax;
        float[] sums = new float[VectorMath.LANES + 2];
        sums[1] = 0.5f;
        float returned = Softmax.exponentiate(s, from, count, width, reference, sums, 1);

        assertThat(returned).isEqualTo(max);
        double exactSum = 0.5;
        for (int j = 0; j < width; j++) {
            if (j < count) {
                double t = (double) original[from + j] - reference;
                double exact = Math.pow(2, t);
                exactSum += exact;
                // Rounding s - reference (half an ulp of |t|, times ln 2) plus exp2's < 2 ulp.
                double tolerance = exact * U * (Math.log(2) * Math.abs(t) + 3);
                assertThat((double) s[from + j]).as("weight %d", j).isCloseTo(exact, offset(tolerance));
            } else {
                assertThat(s[from + j]).as("masked weight %d", j).isEqualTo(0f);
            }
        }
        assertThat(s[from - 1]).isEqualTo(original[from - 1]);
        assertThat(s[from + width]).isEqualTo(original[from + width]);
        assertThat(sums[0]).isEqualTo(0f);
        assertThat(sums[VectorMath.LANES + 1]).isEqualTo(0f);
        float lanes = VectorMath.sumLanes(FloatVector.fromArray(VectorMath.SPECIES, sums, 1));
        assertThat((double) lanes).isCloseTo(exactSum, offset(exactSum * U * (2 * width + 30)));
    }
}
