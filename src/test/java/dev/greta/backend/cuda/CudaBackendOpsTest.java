package dev.greta.backend.cuda;

import dev.greta.backend.Buffer;
import dev.greta.backend.KvCache;
import dev.greta.backend.KvType;
import dev.greta.backend.Rope;
import dev.greta.backend.Weights;
import dev.greta.gguf.GgmlType;
import dev.greta.gguf.GgufTensor;
import dev.greta.model.ModelShape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Random;

import static dev.greta.backend.cuda.GpuTests.narrow;
import static dev.greta.backend.cuda.GpuTests.poisoned;
import static dev.greta.backend.cuda.GpuTests.rows;
import static dev.greta.backend.cuda.GpuTests.upload;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every Backend op of {@link CudaBackend} (bf16 weights) against the float64 reference, on random data. */
class CudaBackendOpsTest extends GpuBackendTest {

    @Test
    void embedGathersTableRowsRoundedToBf16() {
        Random random = new Random(1);
        try (Arena arena = Arena.ofConfined()) {
            GgufTensor table = GgmlReference.random(GgmlType.F16, 50, 96, random, arena);
            float[] values = GgmlReference.dequantize(table);
            Weights w = cuda.matrix(table);
            assertThat(w.rows()).isEqualTo(50);
            assertThat(w.cols()).isEqualTo(96);
            int[] tokens = {3, 0, 49, 3, 17};
            Buffer out = poisoned(cuda, 4, 96);
            cuda.embed(w, tokens, 1, 3, out);
            float[] actual = rows(cuda, out, 3);
            for (int r = 0; r < 3; r++) {
                for (int c = 0; c < 96; c++) {
                    assertThat(actual[r * 96 + c]).isEqualTo(GgmlReference.roundBf16(values[tokens[1 + r] * 96 + c]));
                }
            }
            assertThat(cuda.readRow(out, 3)[0]).as("row past count untouched").isNaN();
        }
    }

    @ParameterizedTest(name = "cols={0}")
    @ValueSource(ints = {70, 72, 4096})  // 70: rows of a column count not divisible by 4 take the scalar path
    void rmsNormMatchesReference(int cols) {
        Random random = new Random(cols);
        int rows = 5;
        float[] x = Reference.gaussian(random, rows * cols, 2.0);
        float[] w = Reference.gaussian(random, cols, 1.0);
        Buffer in = upload(cuda, rows, cols, x);
        Buffer out = poisoned(cuda, rows, cols);
        cuda.rmsNorm(in, cuda.vector(w), 1e-5f, rows, out);
        double[] expected = Reference.rmsNorm(x, w, 1e-5f, rows, cols);
        assertThat(Reference.normalizedError(rows(cuda, out, rows), expected)).isLessThan(1e-6);
        cuda.rmsNorm(in, cuda.vector(w), 1e-5f, rows, in);
        assertThat(Reference.normalizedError(rows(cuda, in, rows), expected)).as("in place").isLessThan(1e-6);
    }

    @ParameterizedTest(name = "rows={0}")
    @ValueSource(ints = {1, 7, 64})
    void matmulMatchesReferenceOnBf16RoundedInputs(int rows) {
        Random random = new Random(100 + rows);
        int in = 512, outFeatures = 300;
        try (Arena arena = Arena.ofConfined()) {
            float[] w = Reference.gaussian(random, outFeatures * in, 0.05);
            Weights weights = cuda.matrix(GgmlReference.f32(w, outFeatures, in, arena));
            float[] x = Reference.gaussian(random, rows * (in + 16), 1.0);
            Buffer xb = upload(cuda, rows, in + 16, x);  // wider than the matrix: only the first 512 columns count
            Buffer out = poisoned(cuda, rows, outFeatures + 8);
            cuda.matmul(weights, xb, rows, out);
            float[] xr = narrow(x, rows, in + 16, in), wr = w.clone();
            for (int i = 0; i < xr.length; i++) xr[i] = GgmlReference.roundBf16(xr[i]);
            for (int i = 0; i < wr.length; i++) wr[i] = GgmlReference.roundBf16(wr[i]);
            double[] expected = Reference.matmul(wr, outFeatures, in, xr, rows);
            float[] actual = narrow(rows(cuda, out, rows), rows, outFeatures + 8, outFeatures);
            assertThat(Reference.normalizedError(actual, expected)).isLessThan(1e-5);
        }
    }

    /**
     * The bf16 GEMM input is reused while its buffer is unchanged (rmsNorm and swiglu write it, several matmuls read it) and
     * redone after any op writes the buffer: a stale copy would show here as the old product.
     */
    @Test
    void matmulInputCopyFollowsEveryWriteOfItsBuffer() {
        Random random = new Random(11);
        int rows = 6, in = 256, outFeatures = 96;
        try (Arena arena = Arena.ofConfined()) {
            float[] w = Reference.gaussian(random, outFeatures * in, 0.05);
            Weights weights = cuda.matrix(GgmlReference.f32(w, outFeatures, in, arena));
            float[] wr = w.clone();
            for (int i = 0; i < wr.length; i++) wr[i] = GgmlReference.roundBf16(wr[i]);
            float[] x = Reference.gaussian(random, rows * in, 1.0), norm = Reference.gaussian(random, in, 1.0);
            Buffer raw = upload(cuda, rows, in, x), normed = cuda.buffer(rows, in), out = cuda.buffer(rows, outFeatures);

            cuda.rmsNorm(raw, cuda.vector(norm), 1e-5f, rows, normed);  // writes the bf16 copy itself
            cuda.matmul(weights, normed, rows, out);
            assertProduct(wr, outFeatures, in, rows(cuda, normed, rows), rows, out);
            cuda.matmul(weights, normed, rows, out);  // second reader of the same copy
            assertProduct(wr, outFeatures, in, rows(cuda, normed, rows), rows, out);

            Buffer delta = upload(cuda, rows, in, Reference.gaussian(random, rows * in, 1.0));
            cuda.add(normed, delta, rows);
            cuda.matmul(weights, normed, rows, out);
            assertProduct(wr, outFeatures, in, rows(cuda, normed, rows), rows, out);

            cuda.swiglu(normed, delta, rows);  // writes its own bf16 copy too
            cuda.matmul(weights, normed, rows, out);
            assertProduct(wr, outFeatures, in, rows(cuda, normed, rows), rows, out);

            cuda.copyRow(raw, 0, normed, 2);
            cuda.matmul(weights, normed, rows, out);
            assertProduct(wr, outFeatures, in, rows(cuda, normed, rows), rows, out);

            cuda.write(normed, Reference.gaussian(random, rows * in, 1.0));
            cuda.matmul(weights, normed, rows, out);
            assertProduct(wr, outFeatures, in, rows(cuda, normed, rows), rows, out);

            // attention writes the bf16 copy of its output as well (flash, one key segment) or leaves it to the GEMM
            ModelShape shape = new ModelShape(1, in, 2 * in, 4, 2, in / 4, 64, 64, 1e-5f);
            try (KvCache cache = cuda.kvCache(shape, 64, KvType.F16)) {
                int keys = 40, startPos = keys - rows;  // 40 keys: 3 segments of 16 for seg=1,kv=16
                Buffer kv = upload(cuda, keys, shape.kvDim(), Reference.gaussian(random, keys * shape.kvDim(), 1.0));
                cuda.storeKv(cache, 0, kv, kv, keys, 0);
                for (String spec : List.of("flash", "flash:mma=1", "flash:mma=0", "naive", "flash:seg=1,kv=16,mma=0")) {
                    // a new query each time: a copy left from the kernel before would give another product
                    Buffer q = upload(cuda, rows, in, Reference.gaussian(random, rows * in, 1.0));
                    cuda.attend(cuda.attention(spec, shape, false), cache, 0, q, rows, startPos, normed);
                    cuda.matmul(weights, normed, rows, out);
                    assertProduct(wr, outFeatures, in, rows(cuda, normed, rows), rows, out);
                }
            }
        }
    }

    private void assertProduct(float[] wr, int outFeatures, int in, float[] x, int rows, Buffer out) {
        float[] xr = x.clone();
        for (int i = 0; i < xr.length; i++) xr[i] = GgmlReference.roundBf16(xr[i]);
        assertThat(Reference.normalizedError(rows(cuda, out, rows), Reference.matmul(wr, outFeatures, in, xr, rows)))
                .isLessThan(1e-5);
    }

    @Test
    void matmulAddAddsTheProductToTheResidualRows() {
        Random random = new Random(12);
        int rows = 5, in = 256, outFeatures = 128;
        try (Arena arena = Arena.ofConfined()) {
            float[] w = Reference.gaussian(random, outFeatures * in, 0.05);
            float[] x = Reference.gaussian(random, rows * in, 1.0), residual = Reference.gaussian(random, rows * outFeatures, 1.0);
            Buffer sum = upload(cuda, rows, outFeatures, residual);
            cuda.matmulAdd(cuda.matrix(GgmlReference.f32(w, outFeatures, in, arena)), upload(cuda, rows, in, x), rows, sum);
            float[] wr = w.clone(), xr = x.clone();
            for (int i = 0; i < wr.length; i++) wr[i] = GgmlReference.roundBf16(wr[i]);
            for (int i = 0; i < xr.length; i++) xr[i] = GgmlReference.roundBf16(xr[i]);
            double[] expected = Reference.matmul(wr, outFeatures, in, xr, rows);
            for (int i = 0; i < expected.length; i++) expected[i] += residual[i];
            assertThat(Reference.normalizedError(rows(cuda, sum, rows), expected)).isLessThan(1e-5);
        }
    }

    @Test
    void matmulOfAQuantisedMatrixMatchesItsDequantisedReference() {
        Random random = new Random(7);
        int rows = 9, in = 512, outFeatures = 64;
        try (Arena arena = Arena.ofConfined()) {
            GgufTensor t = GgmlReference.random(GgmlType.Q4_K, outFeatures, in, random, arena);
            float[] w = GgmlReference.dequantize(t);
            for (int i = 0; i < w.length; i++) w[i] = GgmlReference.roundBf16(w[i]);
            float[] x = Reference.gaussian(random, rows * in, 1.0);
            Buffer out = poisoned(cuda, rows, outFeatures);
            cuda.matmul(cuda.matrix(t), upload(cuda, rows, in, x), rows, out);
            for (int i = 0; i < x.length; i++) x[i] = GgmlReference.roundBf16(x[i]);
            assertThat(Reference.normalizedError(rows(cuda, out, rows), Reference.matmul(w, outFeatures, in, x, rows)))
                    .isLessThan(1e-5);
        }
    }

    @ParameterizedTest(name = "heads={0}, head dim {1}, rotated {2}")
    @CsvSource({"4, 16, 12", "48, 64, 64", "3, 128, 128"})
    void ropeRotatesLeadingPairsOfEachHead(int heads, int headDim, int ropeDims) {
        Random random = new Random(3);
        int rows = 3, cols = heads * headDim + 8, startPos = 37;
        float[] invFreq = new float[ropeDims / 2];
        for (int i = 0; i < invFreq.length; i++) invFreq[i] = (float) Math.pow(10000, -2.0 * i / ropeDims);
        float[] x = Reference.gaussian(random, rows * cols, 1.0);
        Buffer b = upload(cuda, rows + 1, cols, concat(x, Reference.gaussian(random, cols, 1.0)));
        cuda.rope(b, rows, heads, startPos, new Rope(headDim, ropeDims, invFreq));
        double[] expected = Reference.rope(x, rows, cols, heads, headDim, ropeDims, invFreq, startPos);
        assertThat(Reference.normalizedError(rows(cuda, b, rows), expected)).isLessThan(1e-6);
    }

    @ParameterizedTest(name = "cols={0}")
    @ValueSource(ints = {700, 7, 701})  // 7, 701: element counts not divisible by 4, the last thread's tail runs one by one
    void swigluMatchesReference(int cols) {
        Random random = new Random(cols);
        int rows = 6;
        float[] g = Reference.gaussian(random, (rows + 1) * cols, 3.0), u = Reference.gaussian(random, (rows + 1) * cols, 1.0);
        Buffer gb = upload(cuda, rows + 1, cols, g), ub = upload(cuda, rows + 1, cols, u);
        cuda.swiglu(gb, ub, rows);
        double[] expected = Reference.swiglu(narrow(g, rows, cols, cols), narrow(u, rows, cols, cols));
        assertThat(Reference.normalizedError(rows(cuda, gb, rows), expected)).isLessThan(1e-6);
        assertThat(cuda.readRow(gb, rows)).as("row past rows untouched").containsExactly(narrowRow(g, rows, cols));
    }

    @Test
    void addMatchesReference() {
        Random random = new Random(4);
        int rows = 6, cols = 700;
        float[] x = Reference.gaussian(random, rows * cols, 1.0), y = Reference.gaussian(random, rows * cols, 1.0);
        Buffer xb = upload(cuda, rows, cols, x);
        cuda.add(xb, upload(cuda, rows, cols, y), rows - 1);
        float[] actual = rows(cuda, xb, rows);
        for (int i = 0; i < rows * cols; i++) {
            assertThat(actual[i]).isEqualTo(i < (rows - 1) * cols ? x[i] + y[i] : x[i]);
        }
    }

    @Test
    void copyRowAndReadRowMoveExactlyOneRow() {
        Random random = new Random(5);
        float[] src = Reference.gaussian(random, 3 * 40, 1.0);
        Buffer s = upload(cuda, 3, 40, src), d = poisoned(cuda, 2, 40);
        cuda.copyRow(s, 2, d, 1);
        assertThat(cuda.readRow(d, 1)).containsExactly(narrowRow(src, 2, 40));
        assertThat(cuda.readRow(d, 0)[0]).isNaN();
    }

    @ParameterizedTest
    @EnumSource(KvType.class)
    void storeKvWritesHeadMajorCacheRows(KvType type) {
        Random random = new Random(6);
        ModelShape shape = new ModelShape(2, 64, 128, 4, 2, 16, 100, 64, 1e-5f);
        int rows = 5, startPos = 9, kvDim = shape.kvDim();
        float[] k = Reference.gaussian(random, rows * (kvDim + 4), 1.0), v = Reference.gaussian(random, rows * (kvDim + 4), 1.0);
        try (KvCache cache = cuda.kvCache(shape, 20, type)) {
            assertThat(cache.bytes()).isEqualTo(2L * 2 * 2 * 20 * 16 * type.bytesPerElement());
            cuda.storeKv(cache, 1, upload(cuda, rows, kvDim + 4, k), upload(cuda, rows, kvDim + 4, v), rows, startPos);
            CudaKvCache c = (CudaKvCache) cache;
            float[] keys = readCache(c.keys(1), 2 * 20 * 16, type), values = readCache(c.values(1), 2 * 20 * 16, type);
            for (int r = 0; r < rows; r++) {
                for (int col = 0; col < kvDim; col++) {
                    int at = ((col / 16) * 20 + startPos + r) * 16 + col % 16;
                    float ek = k[r * (kvDim + 4) + col], ev = v[r * (kvDim + 4) + col];
                    assertThat(keys[at]).isEqualTo(type == KvType.F16 ? GgmlReference.roundF16(ek) : ek);
                    assertThat(values[at]).isEqualTo(type == KvType.F16 ? GgmlReference.roundF16(ev) : ev);
                }
            }
        }
    }

    @Test
    void rejectsBadArgumentsWithTheReason() {
        try (Arena arena = Arena.ofConfined()) {
            Weights table = cuda.matrix(GgmlReference.f32(new float[8 * 4], 8, 4, arena));
            Buffer b = cuda.buffer(2, 4);
            assertThatThrownBy(() -> cuda.embed(table, new int[] {1, 8}, 0, 2, b))
                    .hasMessageContaining("token id 8 at index 1 is outside the vocabulary of 8");
            assertThatThrownBy(() -> cuda.add(b, b, 3)).hasMessageContaining("add of 3 rows");
            assertThatThrownBy(() -> cuda.matmul(table, b, 2, b)).hasMessageContaining("cannot write its input");
            ModelShape shape = new ModelShape(1, 4, 8, 1, 1, 4, 8, 16, 1e-5f);
            try (KvCache cache = cuda.kvCache(shape, 4, KvType.F32)) {
                assertThatThrownBy(() -> cuda.storeKv(cache, 0, b, b, 2, 3))
                        .hasMessageContaining("positions [3, 5) beyond the KV cache's 4");
                assertThatThrownBy(() -> cuda.storeKv(cache, 1, b, b, 1, 0)).hasMessageContaining("layer 1 of a 1-layer");
                Buffer odd = cuda.buffer(2, 5);
                assertThatThrownBy(() -> cuda.storeKv(cache, 0, odd, odd, 1, 0))
                        .hasMessageContaining("row strides divisible by 4");
            }
            try (CudaBackend other = GpuTests.open(WeightPrecision.BF16)) {
                Buffer foreign = other.buffer(2, 4);
                assertThatThrownBy(() -> cuda.add(b, foreign, 1)).hasMessageContaining("does not belong to this cuda backend");
            }
        }
    }

    private static float[] readCache(long pointer, int elements, KvType type) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate((long) elements * type.bytesPerElement(), 4);
            cuda.device().download(host, pointer, host.byteSize());
            cuda.synchronize();
            float[] out = new float[elements];
            for (int i = 0; i < elements; i++) {
                out[i] = type == KvType.F16 ? Float.float16ToFloat(host.getAtIndex(JAVA_SHORT, i)) : host.getAtIndex(JAVA_FLOAT, i);
            }
            return out;
        }
    }

    private static float[] narrowRow(float[] values, int row, int cols) {
        float[] out = new float[cols];
        System.arraycopy(values, row * cols, out, 0, cols);
        return out;
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = new float[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
