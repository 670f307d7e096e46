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

    // The constants as vectors, made once: a broadcast inside a hot method is a call chain deep enough that C2
    // sometimes leaves it out-of-line, and its fallback allocates (JFR showed exp2's broadcasts allocating ~4 GB
    // during one 4096-token prefill).
    private static final FloatVector V_MIN_ARG = constant(MIN_ARG);
    private static final FloatVector V_MAX_ARG = constant(MAX_ARG);
    private static final FloatVector V_LOG2_E = constant(LOG2_E);
    private static final FloatVector V_ROUNDER = constant(ROUNDER);
    private static final FloatVector V_MINUS_LN2_HI = constant(-LN2_HI);
    private static final FloatVector V_MINUS_LN2_LO = constant(-LN2_LO);
    private static final FloatVector V_INV_FACT7 = constant(1f / 5040);
    private static final FloatVector V_INV_FACT6 = constant(1f / 720);
    private static final FloatVector V_INV_FACT5 = constant(1f / 120);
    private static final FloatVector V_INV_FACT4 = constant(1f / 24);
    private static final FloatVector V_INV_FACT3 = constant(1f / 6);
    private static final FloatVector V_HALF = constant(0.5f);
    private static final FloatVector V_MIN_ARG2 = constant(-127f);
    private static final FloatVector V_BIASED_ROUNDER = constant(BIASED_ROUNDER);
    private static final FloatVector V_P1 = constant(P1);
    private static final FloatVector V_P2 = constant(P2);
    private static final FloatVector V_P3 = constant(P3);
    private static final FloatVector V_P4 = constant(P4);
    private static final FloatVector V_P5 = constant(P5);
    private static final FloatVector V_P6 = constant(P6);
    private static final FloatVector V_ONE = constant(1f);

    private VectorMath() {
    }

    /**
     * e^x per lane for x in [-87, 88] (clamped outside, so e^-inf gives e^-87 ~ 1.6e-38, never 0), with relative
     * error below 2 ulp (measured max 1.5e-7 = 1.3 ulp, see VectorMathTest). x = n ln2 + r with |r| <= ln2/2,
     * e^r by its Taylor polynomial to degree 7 (truncation < 6e-9 relative), times 2^n built in the exponent bits.
     */
    public static FloatVector exp(FloatVector x) {
        FloatVector clamped = x.max(V_MIN_ARG).min(V_MAX_ARG);
        FloatVector shifted = clamped.fma(V_LOG2_E, V_ROUNDER);
        FloatVector n = shifted.sub(V_ROUNDER);
        FloatVector r = n.fma(V_MINUS_LN2_HI, clamped);
        r = n.fma(V_MINUS_LN2_LO, r);
        FloatVector p = r.fma(V_INV_FACT7, V_INV_FACT6);
        p = p.fma(r, V_INV_FACT5);
        p = p.fma(r, V_INV_FACT4);
        p = p.fma(r, V_INV_FACT3);
        p = p.fma(r, V_HALF);
        p = p.fma(r, V_ONE);
        p = p.fma(r, V_ONE);
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
        FloatVector clamped = x.max(V_MIN_ARG2);
        FloatVector shifted = clamped.add(V_BIASED_ROUNDER);
        FloatVector r = clamped.sub(shifted.sub(V_BIASED_ROUNDER));
        FloatVector p = r.fma(V_P6, V_P5);
        p = p.fma(r, V_P4);
        p = p.fma(r, V_P3);
        p = p.fma(r, V_P2);
        p = p.fma(r, V_P1);
        p = p.fma(r, V_ONE);
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
