package dev.greta.backend.cuda;

import dev.greta.backend.Buffer;
import org.junit.jupiter.api.Assumptions;

import java.util.Arrays;

/** Shared helpers of the GPU tests: open a backend or skip with the reason, move test data in and out. */
final class GpuTests {
    private GpuTests() {
    }

    private static String unavailable;

    /**
     * A backend on GPU 0, or null when CUDA is unavailable here; then {@link #assumeGpu()} skips every test with
     * the reason (also printed once, so that it shows in the build log).
     */
    static CudaBackend open(WeightPrecision precision) {
        if (unavailable != null) return null;
        try {
            return CudaBackend.open(CudaOptions.defaults().withWeightPrecision(precision));
        } catch (CudaUnavailableException e) {
            unavailable = "no usable CUDA GPU here: " + e.getMessage();
            System.err.println("GPU tests skipped: " + unavailable);
            return null;
        }
    }

    /** Skips the calling test, with the reason, when {@link #open} found no usable GPU. */
    static void assumeGpu() {
        Assumptions.assumeTrue(unavailable == null, () -> unavailable);
    }

    static Buffer upload(CudaBackend cuda, int rows, int cols, float[] values) {
        Buffer b = cuda.buffer(rows, cols);
        cuda.write(b, values);
        return b;
    }

    /** A buffer full of NaN, so that an element an op forgets to write fails the comparison. */
    static Buffer poisoned(CudaBackend cuda, int rows, int cols) {
        float[] nan = new float[rows * cols];
        Arrays.fill(nan, Float.NaN);
        return upload(cuda, rows, cols, nan);
    }

    /** The first {@code rows} rows of a buffer, row-major. */
    static float[] rows(CudaBackend cuda, Buffer b, int rows) {
        float[] out = new float[rows * b.cols()];
        for (int r = 0; r < rows; r++) System.arraycopy(cuda.readRow(b, r), 0, out, r * b.cols(), b.cols());
        return out;
    }

    /** Bit-for-bit equality in O(n), naming the first difference (AssertJ's containsExactly is slow on 10^7). */
    static void assertSameFloats(float[] actual, float[] expected) {
        int at = Arrays.mismatch(actual, expected);
        if (at >= 0) {
            throw new AssertionError("arrays of " + actual.length + " and " + expected.length + " floats differ first at "
                    + at + (at < Math.min(actual.length, expected.length)
                    ? ": " + actual[at] + " vs " + expected[at] : ""));
        }
    }

    /** Columns [0, cols) of each row of a rows x stride matrix. */
    static float[] narrow(float[] values, int rows, int stride, int cols) {
        float[] out = new float[rows * cols];
        for (int r = 0; r < rows; r++) System.arraycopy(values, r * stride, out, r * cols, cols);
        return out;
    }

    static double[] narrow(double[] values, int rows, int stride, int cols) {
        double[] out = new double[rows * cols];
        for (int r = 0; r < rows; r++) System.arraycopy(values, r * stride, out, r * cols, cols);
        return out;
    }
}
