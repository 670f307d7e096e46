package dev.greta.attention;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class VectorMathTest {

    /** exp within 2 ulp of the correctly rounded float over the whole range softmax uses, and above it. */
    @Test
    void expIsWithinTwoUlpOnMinus87To88() {
        float[] x = new float[VectorMath.LANES];
        double worstUlps = 0;
        int steps = 2_000_000;
        for (int i = 0; i < steps; i += x.length) {
            for (int l = 0; l < x.length; l++) x[l] = -87f + 175f * (i + l) / steps;
            FloatVector e = VectorMath.exp(FloatVector.fromArray(VectorMath.SPECIES, x, 0));
            for (int l = 0; l < x.length; l++) {
                double exact = Math.exp(x[l]);
                worstUlps = Math.max(worstUlps, Math.abs(e.lane(l) - exact) / Math.ulp((float) exact));
            }
        }
        System.out.printf("exp worst error %.3f ulp%n", worstUlps);
        assertThat(worstUlps).isLessThan(2.0);
    }

    @Test
    void expOfMinusInfinityIsTinyAndExpOfZeroIsOne() {
        assertThat(VectorMath.exp(Float.NEGATIVE_INFINITY)).isPositive().isLessThan(1e-37f);
        assertThat(VectorMath.exp(0f)).isEqualTo(1f);
    }

    @Test
    void sumLanesAddsFromLaneZeroUp() {
        float[] x = new float[VectorMath.LANES];
        float expected = 0;
        for (int l = 0; l < x.length; l++) {
            x[l] = l % 2 == 0 ? 1e8f : 1f / (l + 3);
            expected += x[l];
        }
        assertThat(VectorMath.sumLanes(FloatVector.fromArray(VectorMath.SPECIES, x, 0))).isEqualTo(expected);
    }
}
