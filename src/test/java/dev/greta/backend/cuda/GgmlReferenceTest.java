package dev.greta.backend.cuda;

import dev.greta.TestModels;
import dev.greta.gguf.GgmlType;
import dev.greta.gguf.GgufFile;
import dev.greta.gguf.GgufTensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks the reference dequantisers (which the GPU kernels are tested against) on real llama.cpp-quantised
 * files: every matrix of synth-tiny-TYPE must come back close to the same matrix of synth-tiny-F32, within that
 * format's quantisation noise. A wrong block layout gives errors near or above 1.
 */
class GgmlReferenceTest {

    @ParameterizedTest(name = "{0} matrices match F32 within {1}")
    @CsvSource({"F16, 0.0005", "BF16, 0.003", "Q8_0, 0.008", "Q6_K, 0.025", "Q4_K, 0.1", "Q4_0, 0.12"})
    void dequantisedMatricesMatchTheF32File(String type, double bound) throws Exception {
        Path quantised = TestModels.find("synth-tiny-" + type + ".gguf").orElse(null);
        Path f32 = TestModels.find("synth-tiny-F32.gguf").orElse(null);
        Assumptions.assumeTrue(quantised != null && f32 != null, "shared/models/synth-tiny-*.gguf not found");
        GgmlType expectedType = GgmlType.valueOf(type);
        int checked = 0;
        try (GgufFile q = GgufFile.open(quantised); GgufFile reference = GgufFile.open(f32)) {
            for (GgufTensor t : q.tensors()) {
                if (t.dims().length != 2 || t.type() != expectedType) continue;
                float[] actual = GgmlReference.dequantize(t);
                float[] expected = GgmlReference.dequantize(reference.tensor(t.name()));
                assertThat(Reference.normalizedError(actual, expected)).as(t.toString()).isLessThan(bound);
                checked++;
            }
        }
        assertThat(checked).as("matrices of type " + type).isPositive();
    }
}
