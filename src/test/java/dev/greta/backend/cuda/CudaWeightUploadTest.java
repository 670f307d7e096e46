package dev.greta.backend.cuda;

import dev.greta.TestModels;
import dev.greta.backend.Weights;
import dev.greta.gguf.GgmlType;
import dev.greta.gguf.GgufFile;
import dev.greta.gguf.GgufTensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * GPU dequantisation of every uploadable GGUF type against the scalar reference: random blocks, a tensor large
 * enough to upload in several chunks, and the real llama.cpp-quantised synth-tiny files; bf16 and f32 targets.
 */
class CudaWeightUploadTest {
    private static CudaBackend bf16;
    private static CudaBackend f32;

    @BeforeAll
    static void open() {
        bf16 = GpuTests.open(WeightPrecision.BF16);
        f32 = GpuTests.open(WeightPrecision.F32);
    }

    @BeforeEach
    void requireGpu() {
        GpuTests.assumeGpu();
    }

    @AfterAll
    static void close() {
        if (bf16 != null) bf16.close();
        if (f32 != null) f32.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void randomBlocksDequantiseLikeTheReference(String typeName) {
        GgmlType type = GgmlType.valueOf(typeName);
        try (Arena arena = Arena.ofConfined()) {
            GgufTensor t = GgmlReference.random(type, 24, 512, new Random(typeName.hashCode()), arena);
            float[] expected = GgmlReference.dequantize(t);
            assertThat(Reference.normalizedError(f32.read(f32.matrix(t)), expected)).as("f32").isLessThan(1e-6);
            float[] rounded = expected.clone();
            for (int i = 0; i < rounded.length; i++) rounded[i] = GgmlReference.roundBf16(rounded[i]);
            Weights w = bf16.matrix(t);
            assertThat(w.rows()).isEqualTo(24);
            assertThat(w.cols()).isEqualTo(512);
            assertThat(Reference.normalizedError(bf16.read(w), rounded)).as("bf16").isLessThan(1e-4);
        }
    }

    @Test
    void largeTensorUploadsInChunksOfWholeRows() {
        int rows = 5000, cols = 8192;  // 82 MB of F16: two chunks of the 64 MiB upload area
        assertThat(GgmlType.F16.bytesFor((long) rows * cols)).isGreaterThan(WeightUploader.CHUNK_BYTES);
        try (Arena arena = Arena.ofConfined()) {
            GgufTensor t = GgmlReference.random(GgmlType.F16, rows, cols, new Random(11), arena);
            float[] expected = GgmlReference.dequantize(t);
            for (int i = 0; i < expected.length; i++) expected[i] = GgmlReference.roundBf16(expected[i]);
            GpuTests.assertSameFloats(bf16.read(bf16.matrix(t)), expected);
        }
    }

    @ParameterizedTest(name = "synth-tiny-{0}")
    @ValueSource(strings = {"Q4_K_M", "Q4_0", "Q8_0", "BF16"})
    void realQuantisedFilesDequantiseLikeTheReference(String file) throws Exception {
        Path path = TestModels.find("synth-tiny-" + file + ".gguf").orElse(null);
        Assumptions.assumeTrue(path != null, "shared/models/synth-tiny-" + file + ".gguf not found");
        int checked = 0;
        try (GgufFile gguf = GgufFile.open(path)) {
            for (GgufTensor t : gguf.tensors()) {
                if (t.dims().length != 2) continue;
                float[] expected = GgmlReference.dequantize(t);
                assertThat(Reference.normalizedError(f32.read(f32.matrix(t)), expected)).as(t.toString()).isLessThan(1e-6);
                checked++;
            }
        }
        assertThat(checked).isPositive();
    }

    @Test
    void unsupportedTensorsAreRefusedByName() {
        try (Arena arena = Arena.ofConfined()) {
            var q5 = new GgufTensor("blk.0.ffn_up.weight", GgmlType.Q5_K, new long[] {256, 2}, 0, 352,
                    arena.allocate(352));
            assertThatThrownBy(() -> bf16.matrix(q5)).hasMessageContaining("blk.0.ffn_up.weight has type Q5_K");
            var cube = new GgufTensor("cube", GgmlType.F32, new long[] {2, 2, 2}, 0, 32, arena.allocate(32));
            assertThatThrownBy(() -> bf16.matrix(cube)).hasMessageContaining("a matrix needs 1 or 2 dimensions");
            var shortData = new GgufTensor("short", GgmlType.Q8_0, new long[] {64, 2}, 0, 68, arena.allocate(68));
            assertThatThrownBy(() -> bf16.matrix(shortData)).hasMessageContaining("holds 68 bytes");
        }
    }
}
