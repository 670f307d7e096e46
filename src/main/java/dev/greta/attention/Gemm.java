package dev.greta.attention;

import jdk.incubator.vector.FloatVector;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static dev.greta.attention.VectorMath.LANES;
import static dev.greta.attention.VectorMath.SPECIES;

/**
 * The one matrix product both attention steps reduce to: scores = Q x K-block (K stored transposed) and
 * acc += P x V. Register-blocked 6 rows x 2 vectors (12 of the 16 AVX2 registers hold accumulators, so each
 * loaded B vector feeds 6 FMAs and each broadcast A element 2: 8 loads per 12 FMAs), then 4 x 2, 3 x 2 and 2 x 2
 * blocks for leftover rows, 1 x 4 for a lone row, and a one-vector and scalar column tail. (Measured on one Zen core, the SmolLM2 flash tile
 * shapes: 6 x 2 ~75 GFLOP/s against ~65 for 4 x 2; 3 x 4 needs 17 registers and spills, ~37.)
 *
 * <p>Every C element is a single chain of fused multiply-adds over p = 0..k-1 in order, starting from C
 * (accumulate) or from +0, in every block shape and in the scalar tail ({@link Math#fma}), so the result does not
 * depend on how m and n are blocked, on the vector width used for a column, or on the JIT tier.
 */
final class Gemm {

    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final long FLOAT = Float.BYTES;

    private Gemm() {
    }

    /**
     * C[i][j] = (accumulate ? C[i][j] : 0) + sum over p of A[i][p] * B[p][j], for i < m, j < n, p < k.
     * A, C: row-major float arrays (row strides lda, ldc, first element at aOff, cOff); B: floats in a segment,
     * row p at byte bOff + 4 * p * ldb.
     */
    static void multiply(float[] a, int aOff, int lda, MemorySegment b, long bOff, int ldb,
                         float[] c, int cOff, int ldc, int m, int n, int k, boolean accumulate) {
        long bStride = ldb * FLOAT;
        int strips = n - n % (2 * LANES);
        // A lone last row (m % 6 == 1, e.g. one query per KV head at decode) runs four vectors at a time: as a
        // 1 x 2 block its two FMA chains would leave the FMA units waiting on their latency.
        int lone = m % 6 == 1 ? 1 : 0;
        int blocked = m - lone;
        for (int j = 0; j < strips; j += 2 * LANES) {
            long bj = bOff + j * FLOAT;
            int i = 0;
            for (; i + 6 <= blocked; i += 6) {
                block6x2(a, aOff + i * lda, lda, b, bj, bStride, c, cOff + i * ldc + j, ldc, k, accumulate);
            }
            int left = blocked - i;
            if (left == 4) {
                block4x2(a, aOff + i * lda, lda, b, bj, bStride, c, cOff + i * ldc + j, ldc, k, accumulate);
            } else if (left == 3 || left == 5) {
                block3x2(a, aOff + i * lda, lda, b, bj, bStride, c, cOff + i * ldc + j, ldc, k, accumulate);
                i += 3;
            }
            if (left == 2 || left == 5) {
                block2x2(a, aOff + i * lda, lda, b, bj, bStride, c, cOff + i * ldc + j, ldc, k, accumulate);
            }
        }
        if (lone == 1) {
            int i = m - 1;
            int j = 0;
            for (; j + 4 * LANES <= strips; j += 4 * LANES) {
                block1x4(a, aOff + i * lda, b, bOff + j * FLOAT, bStride, c, cOff + i * ldc + j, k, accumulate);
            }
            for (; j < strips; j += 2 * LANES) {
                block1x2(a, aOff + i * lda, b, bOff + j * FLOAT, bStride, c, cOff + i * ldc + j, k, accumulate);
            }
        }
        for (int j = strips; j + LANES <= n; j += LANES) {
            for (int i = 0; i < m; i++) {
                block1x1(a, aOff + i * lda, b, bOff + j * FLOAT, bStride, c, cOff + i * ldc + j, k, accumulate);
            }
        }
        for (int j = n - n % LANES; j < n; j++) {
            for (int i = 0; i < m; i++) {
                int at = cOff + i * ldc + j;
                float sum = accumulate ? c[at] : 0f;
                for (int p = 0; p < k; p++) {
                    sum = Math.fma(a[aOff + i * lda + p], b.get(ValueLayout.JAVA_FLOAT,
                            bOff + p * bStride + j * FLOAT), sum);
                }
                c[at] = sum;
            }
        }
    }

    private static void block6x2(float[] a, int a0, int lda, MemorySegment b, long b0, long bStride,
                                 float[] c, int c0, int ldc, int k, boolean accumulate) {
        FloatVector c00 = start(c, c0, accumulate);
        FloatVector c01 = start(c, c0 + LANES, accumulate);
        FloatVector c10 = start(c, c0 + ldc, accumulate);
        FloatVector c11 = start(c, c0 + ldc + LANES, accumulate);
        FloatVector c20 = start(c, c0 + 2 * ldc, accumulate);
        FloatVector c21 = start(c, c0 + 2 * ldc + LANES, accumulate);
        FloatVector c30 = start(c, c0 + 3 * ldc, accumulate);
        FloatVector c31 = start(c, c0 + 3 * ldc + LANES, accumulate);
        FloatVector c40 = start(c, c0 + 4 * ldc, accumulate);
        FloatVector c41 = start(c, c0 + 4 * ldc + LANES, accumulate);
        FloatVector c50 = start(c, c0 + 5 * ldc, accumulate);
        FloatVector c51 = start(c, c0 + 5 * ldc + LANES, accumulate);
        for (int p = 0; p < k; p++) {
            long at = b0 + p * bStride;
            FloatVector b00 = FloatVector.fromMemorySegment(SPECIES, b, at, ORDER);
            FloatVector b01 = FloatVector.fromMemorySegment(SPECIES, b, at + LANES * FLOAT, ORDER);
            FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + p]);
            c00 = x.fma(b00, c00);
            c01 = x.fma(b01, c01);
            x = FloatVector.broadcast(SPECIES, a[a0 + lda + p]);
            c10 = x.fma(b00, c10);
            c11 = x.fma(b01, c11);
            x = FloatVector.broadcast(SPECIES, a[a0 + 2 * lda + p]);
            c20 = x.fma(b00, c20);
            c21 = x.fma(b01, c21);
            x = FloatVector.broadcast(SPECIES, a[a0 + 3 * lda + p]);
            c30 = x.fma(b00, c30);
            c31 = x.fma(b01, c31);
            x = FloatVector.broadcast(SPECIES, a[a0 + 4 * lda + p]);
            c40 = x.fma(b00, c40);
            c41 = x.fma(b01, c41);
            x = FloatVector.broadcast(SPECIES, a[a0 + 5 * lda + p]);
            c50 = x.fma(b00, c50);
            c51 = x.fma(b01, c51);
        }
        c00.intoArray(c, c0);
        c01.intoArray(c, c0 + LANES);
        c10.intoArray(c, c0 + ldc);
        c11.intoArray(c, c0 + ldc + LANES);
        c20.intoArray(c, c0 + 2 * ldc);
        c21.intoArray(c, c0 + 2 * ldc + LANES);
        c30.intoArray(c, c0 + 3 * ldc);
        c31.intoArray(c, c0 + 3 * ldc + LANES);
        c40.intoArray(c, c0 + 4 * ldc);
        c41.intoArray(c, c0 + 4 * ldc + LANES);
        c50.intoArray(c, c0 + 5 * ldc);
        c51.intoArray(c, c0 + 5 * ldc + LANES);
    }

    private static void block4x2(float[] a, int a0, int lda, MemorySegment b, long b0, long bStride,
                                 float[] c, int c0, int ldc, int k, boolean accumulate) {
        FloatVector c00 = start(c, c0, accumulate);
        FloatVector c01 = start(c, c0 + LANES, accumulate);
        FloatVector c10 = start(c, c0 + ldc, accumulate);
        FloatVector c11 = start(c, c0 + ldc + LANES, accumulate);
        FloatVector c20 = start(c, c0 + 2 * ldc, accumulate);
        FloatVector c21 = start(c, c0 + 2 * ldc + LANES, accumulate);
        FloatVector c30 = start(c, c0 + 3 * ldc, accumulate);
        FloatVector c31 = start(c, c0 + 3 * ldc + LANES, accumulate);
        for (int p = 0; p < k; p++) {
            long at = b0 + p * bStride;
            FloatVector b00 = FloatVector.fromMemorySegment(SPECIES, b, at, ORDER);
            FloatVector b01 = FloatVector.fromMemorySegment(SPECIES, b, at + LANES * FLOAT, ORDER);
            FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + p]);
            c00 = x.fma(b00, c00);
            c01 = x.fma(b01, c01);
            x = FloatVector.broadcast(SPECIES, a[a0 + lda + p]);
            c10 = x.fma(b00, c10);
            c11 = x.fma(b01, c11);
            x = FloatVector.broadcast(SPECIES, a[a0 + 2 * lda + p]);
            c20 = x.fma(b00, c20);
            c21 = x.fma(b01, c21);
            x = FloatVector.broadcast(SPECIES, a[a0 + 3 * lda + p]);
            c30 = x.fma(b00, c30);
            c31 = x.fma(b01, c31);
        }
        c00.intoArray(c, c0);
        c01.intoArray(c, c0 + LANES);
        c10.intoArray(c, c0 + ldc);
        c11.intoArray(c, c0 + ldc + LANES);
        c20.intoArray(c, c0 + 2 * ldc);
        c21.intoArray(c, c0 + 2 * ldc + LANES);
        c30.intoArray(c, c0 + 3 * ldc);
        c31.intoArray(c, c0 + 3 * ldc + LANES);
    }

    private static void block3x2(float[] a, int a0, int lda, MemorySegment b, long b0, long bStride,
                                 float[] c, int c0, int ldc, int k, boolean accumulate) {
        FloatVector c00 = start(c, c0, accumulate);
        FloatVector c01 = start(c, c0 + LANES, accumulate);
        FloatVector c10 = start(c, c0 + ldc, accumulate);
        FloatVector c11 = start(c, c0 + ldc + LANES, accumulate);
        FloatVector c20 = start(c, c0 + 2 * ldc, accumulate);
        FloatVector c21 = start(c, c0 + 2 * ldc + LANES, accumulate);
        for (int p = 0; p < k; p++) {
            long at = b0 + p * bStride;
            FloatVector b00 = FloatVector.fromMemorySegment(SPECIES, b, at, ORDER);
            FloatVector b01 = FloatVector.fromMemorySegment(SPECIES, b, at + LANES * FLOAT, ORDER);
            FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + p]);
            c00 = x.fma(b00, c00);
            c01 = x.fma(b01, c01);
            x = FloatVector.broadcast(SPECIES, a[a0 + lda + p]);
            c10 = x.fma(b00, c10);
            c11 = x.fma(b01, c11);
            x = FloatVector.broadcast(SPECIES, a[a0 + 2 * lda + p]);
            c20 = x.fma(b00, c20);
            c21 = x.fma(b01, c21);
        }
        c00.intoArray(c, c0);
        c01.intoArray(c, c0 + LANES);
        c10.intoArray(c, c0 + ldc);
        c11.intoArray(c, c0 + ldc + LANES);
        c20.intoArray(c, c0 + 2 * ldc);
        c21.intoArray(c, c0 + 2 * ldc + LANES);
    }

    private static void block2x2(float[] a, int a0, int lda, MemorySegment b, long b0, long bStride,
                                 float[] c, int c0, int ldc, int k, boolean accumulate) {
        FloatVector c00 = start(c, c0, accumulate);
        FloatVector c01 = start(c, c0 + LANES, accumulate);
        FloatVector c10 = start(c, c0 + ldc, accumulate);
        FloatVector c11 = start(c, c0 + ldc + LANES, accumulate);
        for (int p = 0; p < k; p++) {
            long at = b0 + p * bStride;
            FloatVector b00 = FloatVector.fromMemorySegment(SPECIES, b, at, ORDER);
            FloatVector b01 = FloatVector.fromMemorySegment(SPECIES, b, at + LANES * FLOAT, ORDER);
            FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + p]);
            c00 = x.fma(b00, c00);
            c01 = x.fma(b01, c01);
            x = FloatVector.broadcast(SPECIES, a[a0 + lda + p]);
            c10 = x.fma(b00, c10);
            c11 = x.fma(b01, c11);
        }
        c00.intoArray(c, c0);
        c01.intoArray(c, c0 + LANES);
        c10.intoArray(c, c0 + ldc);
        c11.intoArray(c, c0 + ldc + LANES);
    }

    private static void block1x4(float[] a, int a0, MemorySegment b, long b0, long bStride,
                                 float[] c, int c0, int k, boolean accumulate) {
        FloatVector c00 = start(c, c0, accumulate);
        FloatVector c01 = start(c, c0 + LANES, accumulate);
        FloatVector c02 = start(c, c0 + 2 * LANES, accumulate);
        FloatVector c03 = start(c, c0 + 3 * LANES, accumulate);
        for (int p = 0; p < k; p++) {
            long at = b0 + p * bStride;
            FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + p]);
            c00 = x.fma(FloatVector.fromMemorySegment(SPECIES, b, at, ORDER), c00);
            c01 = x.fma(FloatVector.fromMemorySegment(SPECIES, b, at + LANES * FLOAT, ORDER), c01);
            c02 = x.fma(FloatVector.fromMemorySegment(SPECIES, b, at + 2 * LANES * FLOAT, ORDER), c02);
            c03 = x.fma(FloatVector.fromMemorySegment(SPECIES, b, at + 3 * LANES * FLOAT, ORDER), c03);
        }
        c00.intoArray(c, c0);
        c01.intoArray(c, c0 + LANES);
        c02.intoArray(c, c0 + 2 * LANES);
        c03.intoArray(c, c0 + 3 * LANES);
    }

    private static void block1x2(float[] a, int a0, MemorySegment b, long b0, long bStride,
                                 float[] c, int c0, int k, boolean accumulate) {
        FloatVector c00 = start(c, c0, accumulate);
        FloatVector c01 = start(c, c0 + LANES, accumulate);
        for (int p = 0; p < k; p++) {
            long at = b0 + p * bStride;
            FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + p]);
            c00 = x.fma(FloatVector.fromMemorySegment(SPECIES, b, at, ORDER), c00);
            c01 = x.fma(FloatVector.fromMemorySegment(SPECIES, b, at + LANES * FLOAT, ORDER), c01);
        }
        c00.intoArray(c, c0);
        c01.intoArray(c, c0 + LANES);
    }

    private static void block1x1(float[] a, int a0, MemorySegment b, long b0, long bStride,
                                 float[] c, int c0, int k, boolean accumulate) {
        FloatVector c00 = start(c, c0, accumulate);
        for (int p = 0; p < k; p++) {
            FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + p]);
            c00 = x.fma(FloatVector.fromMemorySegment(SPECIES, b, b0 + p * bStride, ORDER), c00);
        }
        c00.intoArray(c, c0);
    }

    private static FloatVector start(float[] c, int at, boolean accumulate) {
        return accumulate ? FloatVector.fromArray(SPECIES, c, at) : FloatVector.zero(SPECIES);
    }
}
