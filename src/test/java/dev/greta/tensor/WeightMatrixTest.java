package dev.greta.tensor;

import dev.greta.backend.cpu.Parallel;
import dev.greta.gguf.GgmlType;
import dev.greta.gguf.GgufTensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The fast paths against the scalar reference on random data: row decoding bit for bit, matmul within float
 * rounding for token counts on every path (Q8_0 / Q4_0 fused block dots at 1 token, decoded-row dots at
 * 2-11, GEMM from 12) and with token and row tails, and
 * bit-identical results for 1, 2 and 3 threads.
 */
class WeightMatrixTest {
    private static final int ROWS = 37; // not a multiple of any panel height
    private static Parallel[] pools;

    @BeforeAll
    static void startPools() { pools = new Parallel[]{new Parallel(1), new Parallel(2), new Parallel(3)}; }

    @AfterAll
    static void stopPools() {
        for (Parallel p : pools) p.close();
    }

    /**
     * Columns: rows the GEMM takes in one step, odd for the float formats' vector tail, and rows longer than
     * Matmul.MAX_KC, which it takes in steps of whole 256-column units and a shorter last step (2101: 1280 + 821;
     * 2304: 1280 + 1024).
     */
    private static int[] colsFor(GgmlType type) {
        return switch (type) {
            case F32, F16, BF16 -> new int[]{576, 77, 2101};
            case Q8_0, Q4_0 -> new int[]{576, 96, 2304}; // 18 and 3 blocks: the fused dot pairs blocks, 3 leaves one over
            default -> new int[]{768, 2304};
        };
    }

    private static float[] random(long seed, int n) {
        Random rnd = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rnd.nextGaussian();
        return v;
    }

    private static WeightMatrix randomMatrix(GgmlType type, int rows, int cols, long seed) {
        byte[] bytes = Quantizer.quantize(type, random(seed, rows * cols), 0, rows * cols);
        return WeightMatrix.of(type, MemorySegment.ofArray(bytes), rows, cols);
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void fastRowDecodeIsBitIdenticalToTheReference(GgmlType type) {
        for (int cols : colsFor(type)) {
            WeightMatrix m = randomMatrix(type, ROWS, cols, 11);
            float[] reference = Dequantizer.dequantize(type, m.data, (long) ROWS * cols);
            float[] row = new float[cols + 3];
            for (int r = 0; r < ROWS; r++) {
                m.dequantizeRow(r, row, 3);
                for (int i = 0; i < cols; i++) {
                    assertThat(Float.floatToRawIntBits(row[3 + i])).as("%s row %d col %d", type, r, i)
                            .isEqualTo(Float.floatToRawIntBits(reference[r * cols + i]));
                }
            }
        }
    }

    @Test
    void gemmStepsAreWholeRowsOrTheFewestUnitMultiples() {
        for (int cols = 32; cols <= 20_000; cols += 32) {
            int step = Matmul.kStep(cols);
            int steps = (cols + step - 1) / step;
            assertThat(steps).as("steps for %d columns", cols).isEqualTo((cols + Matmul.MAX_KC - 1) / Matmul.MAX_KC);
            if (cols <= Matmul.MAX_KC) {
                assertThat(step).isEqualTo(cols);
            } else {
                assertThat(step).as("step for %d columns", cols).isLessThanOrEqualTo(Matmul.MAX_KC);
                assertThat(step % 256).as("step for %d columns", cols).isZero();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void matmulMatchesReferenceAndIgnoresThreadCount(GgmlType type) {
        for (int cols : colsFor(type)) {
            WeightMatrix m = randomMatrix(type, ROWS, cols, 12);
            float[] w = Dequantizer.dequantize(type, m.data, (long) ROWS * cols);
            for (int nTokens : new int[]{1, 2, 3, 11, 17, 64}) {
                float[] x = random(13 + nTokens, nTokens * cols);
                float[] expected = new float[nTokens * ROWS];
                m.matmulReference(x, nTokens, expected);
                float[] first = null;
                for (Parallel pool : pools) {
                    float[] out = new float[nTokens * ROWS];
                    m.matmul(x, nTokens, out, pool);
                    if (first == null) {
                        first = out;
                        assertClose(type, w, x, cols, nTokens, expected, out);
                    } else {
                        assertThat(out).as("%s %d tokens, %d threads vs 1", type, nTokens, pool.threads()).containsExactly(first);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "Q8_0", "Q4_0"})
    void matmulAllGivesTheBitsOfSeparateMatmuls(GgmlType type) {
        int cols = 96;
        WeightMatrix[] ws = {randomMatrix(type, ROWS, cols, 21), randomMatrix(type, 5, cols, 22), randomMatrix(type, 130, cols, 23)};
        for (int nTokens : new int[]{1, 3, 17}) {
            float[] x = random(24 + nTokens, nTokens * cols);
            for (Parallel pool : pools) {
                float[][] outs = new float[ws.length][];
                for (int i = 0; i < ws.length; i++) outs[i] = new float[nTokens * ws[i].rows()];
                WeightMatrix.matmulAll(ws, x, nTokens, outs, pool);
                for (int i = 0; i < ws.length; i++) {
                    float[] separate = new float[nTokens * ws[i].rows()];
                    ws[i].matmul(x, nTokens, separate, pools[0]);
                    assertThat(outs[i]).as("%s matrix %d, %d tokens, %d threads", type, i, nTokens, pool.threads()).containsExactly(separate);
                }
            }
        }
        assertThatThrownBy(() -> WeightMatrix.matmulAll(new WeightMatrix[]{ws[0], randomMatrix(type, 2, 64, 1)}, new float[96],
                1, new float[][]{new float[ROWS], new float[2]}, pools[0])).hasMessageContaining("96 and 64 columns");
    }

    /** One-token kernels rearrange x per format; matrices of one format in a call share that rearranged copy. */
    @Test
    void matmulAllOfMixedFormatsGivesTheBitsOfSeparateMatmuls() {
        int cols = 512;
        WeightMatrix[] ws = {randomMatrix(GgmlType.Q4_K, ROWS, cols, 31), randomMatrix(GgmlType.Q8_0, 9, cols, 32),
                randomMatrix(GgmlType.Q4_K, 20, cols, 33), randomMatrix(GgmlType.Q6_K, 11, cols, 34),
                randomMatrix(GgmlType.F16, 7, cols, 35)};
        for (int nTokens : new int[]{1, 2}) {
            float[] x = random(36 + nTokens, nTokens * cols);
            float[][] outs = new float[ws.length][];
            for (int i = 0; i < ws.length; i++) outs[i] = new float[nTokens * ws[i].rows()];
            WeightMatrix.matmulAll(ws, x, nTokens, outs, pools[1]);
            for (int i = 0; i < ws.length; i++) {
                float[] separate = new float[nTokens * ws[i].rows()];
                ws[i].matmul(x, nTokens, separate, pools[0]);
                assertThat(outs[i]).as("%s, %d tokens", ws[i], nTokens).containsExactly(separate);
            }
        }
    }

    /** Within float rounding of a length-cols sum: 2e-5 of sum |w x| (a wrong term would be ~1/cols of it). */
    private static void assertClose(GgmlType type, float[] w, float[] x, int cols, int nTokens, float[] expected, float[] actual) {
        for (int t = 0; t < nTokens; t++) {
            for (int r = 0; r < ROWS; r++) {
                double magnitude = 0;
                for (int i = 0; i < cols; i++) magnitude += Math.abs((double) w[r * cols + i] * x[t * cols + i]);
                assertThat((double) actual[t * ROWS + r]).as("%s %d x %d, %d tokens, token %d row %d", type, ROWS, cols, nTokens, t, r)
                        .isCloseTo(expected[t * ROWS + r], org.assertj.core.data.Offset.offset(2e-5 * magnitude + 1e-30));
            }
        }
    }

    @Test
    void matmulLeavesOutputBeyondTheTokensAlone() {
        WeightMatrix m = randomMatrix(GgmlType.Q8_0, ROWS, 64, 5);
        float[] out = new float[8 * ROWS];
        java.util.Arrays.fill(out, 42f);
        m.matmul(random(6, 8 * 64), 7, out, pools[2]);
        for (int i = 7 * ROWS; i < 8 * ROWS; i++) assertThat(out[i]).isEqualTo(42f);
        m.matmul(new float[0], 0, out, pools[1]);
    }

    @Test
    void rejectsBadShapesAndBuffers() {
        MemorySegment small = MemorySegment.ofArray(new byte[34 * 4]);
        assertThatThrownBy(() -> WeightMatrix.of(GgmlType.Q8_0, small, 2, 48))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a multiple of the Q8_0 block size 32");
        assertThatThrownBy(() -> WeightMatrix.of(GgmlType.Q8_0, small, 3, 64))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 204 bytes");
        WeightMatrix m = WeightMatrix.of(GgmlType.Q8_0, small, 2, 64);
        assertThatThrownBy(() -> m.matmul(new float[100], 2, new float[4], pools[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x holds 100 floats");
        assertThatThrownBy(() -> m.matmul(new float[128], 2, new float[3], pools[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out holds 3 floats");
        assertThatThrownBy(() -> m.dequantizeRow(2, new float[64], 0)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void unsupportedTensorTypeNamesTensorAndType() {
        GgufTensor t = new GgufTensor("blk.3.ffn_down.weight", GgmlType.Q5_K, new long[]{256, 4}, 0, 176 * 4,
                MemorySegment.ofArray(new byte[176 * 4]));
        assertThatThrownBy(() -> WeightMatrix.of(t)).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("blk.3.ffn_down.weight").hasMessageContaining("Q5_K").hasMessageContaining("Q4_K");
    }

    @Test
    void tensorShapeGivesRowsAndCols() {
        byte[] bytes = Quantizer.quantize(GgmlType.F16, random(7, 3 * 2 * 64), 0, 3 * 2 * 64);
        GgufTensor t = new GgufTensor("w", GgmlType.F16, new long[]{64, 3, 2}, 0, bytes.length, MemorySegment.ofArray(bytes));
        WeightMatrix m = WeightMatrix.of(t);
        assertThat(m.rows()).isEqualTo(6);
        assertThat(m.cols()).isEqualTo(64);
        assertThat(m.type()).isEqualTo(GgmlType.F16);
    }
}
