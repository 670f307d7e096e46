package dev.greta.attention;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector helpers built only from exactly-rounded IEEE operations (add, mul, fma, max, bit moves), so they give
 * the same bits in the interpreter, C1 and C2. The Vector API's own {@code EXP} is faster by ~2x in isolation
 * but may differ by an ulp between its SVML intrinsic and the scalar fallback used before C2 compiles, and
 * {@code reduceLanes(ADD)} has an unspecified order; either would break bit-identical results run to run.
 */
public final class VectorMath {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();

    private static final float LOG2_E = (float) (1 / Math.log(2));
    private static final float LN2_HI = (float) Math.log(2);
    private static final float LN2_LO = (float) (Math.log(2) - LN2_HI);
    /** 1.5 * 2^23: adding it rounds a float of magnitude < 2^22 to an integer held in the low mantissa bits. */
    private static final float ROUNDER = 12582912f;
    private static final int ROUNDER_BITS = Float.floatToRawIntBits(ROUNDER);
    private static final float MIN_ARG = -87f;
    private static final float MAX_ARG = 88f;
    /** ROUNDER + 127: the rounded integer n lands in the low bits already biased, so (bits << 23) is 2^n. */
    private static final float BIASED_ROUNDER = ROUNDER + 127f;
    /** 2^r on |r| <= 1/2, degree 6, fitted at Chebyshev nodes: max relative error 1.8e-8 (0.15 ulp). */
    private static final float P1 = 0.6931471824645996f;
    private static final float P2 = 0.24022650718688965f;
    private static final float P3 = 0.05550327152013779f;
    private static final float P4 = 0.00961802527308464f;
    private static final float P5 = 0.0013400441966950893f;
    private static final float P6 = 0.0001546974090160802f;

    private VectorMath() {
    }

    /**
     * e^x per lane for x in [-87, 88] (clamped outside, so e^-inf gives e^-87 ~ 1.6e-38, never 0), with relative
     * error below 2 ulp (measured max 1.5e-7 = 1.3 ulp, see VectorMathTest). x = n ln2 + r with |r| <= ln2/2,
     * e^r by its Taylor polynomial to degree 7 (truncation < 6e-9 relative), times 2^n built in the exponent bits.
     */
    public static FloatVector exp(FloatVector x) {
        FloatVector clamped = x.max(MIN_ARG).min(MAX_ARG);
        FloatVector shifted = clamped.fma(LOG2_E, ROUNDER);
        FloatVector n = shifted.sub(ROUNDER);
        FloatVector r = n.fma(constant(-LN2_HI), clamped);
        r = n.fma(constant(-LN2_LO), r);
        FloatVector p = r.fma(1f / 5040, 1f / 720);
        p = p.fma(r, constant(1f / 120));
        p = p.fma(r, constant(1f / 24));
        p = p.fma(r, constant(1f / 6));
        p = p.fma(r, constant(0.5f));
        p = p.fma(r, constant(1f));
        p = p.fma(r, constant(1f));
        FloatVector twoToN = shifted.reinterpretAsInts()
                .sub(ROUNDER_BITS - 127)
                .lanewise(VectorOperators.LSHL, 23)
                .reinterpretAsFloats();
        return p.mul(twoToN);
    }

    /**
     * 2^x per lane for x <= 127, the exponential softmax uses once scores are in base-2 units (queries pre-scaled
     * by log2 e). 11 vector operations against exp's 17: no ln 2 reduction (r = x - round(x) is exact), a
     * polynomial one degree lower, and no upper clamp. x <= -127 (including -infinity) gives exactly +0, because
     * the biased exponent is then 0 and 2^n is built as +0; relative error below 2 ulp down to 2^-126
     * (VectorMathTest). Results below 2^-126 round to 0 or a subnormal.
     */
    public static FloatVector exp2(FloatVector x) {
        FloatVector clamped = x.max(-127f);
        FloatVector shifted = clamped.add(BIASED_ROUNDER);
        FloatVector r = clamped.sub(shifted.sub(BIASED_ROUNDER));
        FloatVector p = r.fma(P6, P5);
        p = p.fma(r, constant(P4));
        p = p.fma(r, constant(P3));
        p = p.fma(r, constant(P2));
        p = p.fma(r, constant(P1));
        p = p.fma(r, constant(1f));
        return p.mul(shifted.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
    }

    /** 2^x of one float, by the same arithmetic as {@link #exp2(FloatVector)}. */
    static float exp2(float x) {
        return exp2(FloatVector.broadcast(SPECIES, x)).lane(0);
    }

    private static FloatVector constant(float c) {
        return FloatVector.broadcast(SPECIES, c);
    }

    /** e^x of one float, by the same arithmetic as {@link #exp(FloatVector)}. */
    static float exp(float x) {
        return exp(FloatVector.broadcast(SPECIES, x)).lane(0);
    }

    /** The lanes' sum, added from lane 0 up: a fixed order, unlike reduceLanes(ADD). */
    public static float sumLanes(FloatVector v) {
        float sum = 0;
        for (int i = 0; i < LANES; i++) sum += v.lane(i);
        return sum;
    }
}
