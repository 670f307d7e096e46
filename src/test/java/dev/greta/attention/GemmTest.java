package dev.greta.attention;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The blocked product gives exactly the bits of a scalar fma chain per element, for every block shape (6, 4, 3, 2
 * rows; a lone row) and column tail.
 */
class GemmTest {

    @ParameterizedTest
    @CsvSource({"1,1,1", "4,32,64", "5,32,64", "7,17,9", "3,8,33", "9,64,32", "2,3,5", "12,40,13", "1,96,64", "6,16,64", "11,32,7", "17,48,128", "192,32,64",
            "3,64,128", "3,32,64", "8,64,128", "13,32,64", "7,48,20", "5,64,16", "1,32,64", "10,48,9"})
    void equalsScalarFmaChains(int m, int n, int k) {
        SplittableRandom random = new SplittableRandom(m * 10007L + n * 101L + k);
        int lda = k + 3;
        int ldb = n + 5;
        int ldc = n + 2;
        float[] a = fill(random, 2 + m * lda);
        float[] b = fill(random, k * ldb + 7);
        float[] c0 = fill(random, 1 + m * ldc);
        MemorySegment segment = Arena.ofAuto().allocate((long) b.length * Float.BYTES);
        MemorySegment.copy(b, 0, segment, ValueLayout.JAVA_FLOAT, 0, b.length);
        for (boolean accumulate : new boolean[] {false, true}) {
            float[] c = c0.clone();
            Gemm.multiply(a, 2, lda, segment, 7L * Float.BYTES, ldb, c, 1, ldc, m, n, k, accumulate);
            float[] expected = c0.clone();
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    float sum = accumulate ? expected[1 + i * ldc + j] : 0f;
                    for (int p = 0; p < k; p++) sum = Math.fma(a[2 + i * lda + p], b[7 + p * ldb + j], sum);
                    expected[1 + i * ldc + j] = sum;
                }
            }
            assertThat(c).as("accumulate=%s", accumulate).isEqualTo(expected);
        }
    }

    private static float[] fill(SplittableRandom random, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) random.nextDouble(-2, 2);
        return x;
    }
}
