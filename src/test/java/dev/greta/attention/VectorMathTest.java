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

    /** exp2 within 2 ulp over every normal result softmax produces, x in [-126, 0], and up to 127. */
    @Test
    void exp2IsWithinTwoUlpOnMinus126To127() {
        float[] x = new float[VectorMath.LANES];
        double worstUlps = 0;
        int steps = 2_000_000;
        for (int i = 0; i < steps; i += x.length) {
            for (int l = 0; l < x.length; l++) x[l] = -126f + 253f * (i + l) / steps;
            FloatVector e = VectorMath.exp2(FloatVector.fromArray(VectorMath.SPECIES, x, 0));
            for (int l = 0; l < x.length; l++) {
                double exact = Math.pow(2, x[l]);
                worstUlps = Math.max(worstUlps, Math.abs(e.lane(l) - exact) / Math.ulp((float) exact));
            }
        }
        System.out.printf("exp2 worst error %.3f ulp%n", worstUlps);
        assertThat(worstUlps).isLessThan(2.0);
    }

    /** Masked scores (-infinity) and anything at or below -127 weigh exactly nothing; whole powers are exact. */
    @Test
    void exp2IsZeroAtMinus127AndBelowAndExactAtIntegers() {
        assertThat(VectorMath.exp2(Float.NEGATIVE_INFINITY)).isEqualTo(0f);
        assertThat(VectorMath.exp2(-127f)).isEqualTo(0f);
        assertThat(VectorMath.exp2(-1000f)).isEqualTo(0f);
        for (int n = -126; n <= 127; n++) assertThat(VectorMath.exp2((float) n)).isEqualTo(Math.scalb(1f, n));
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
