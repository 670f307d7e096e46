package dev.greta.tensor;

import dev.greta.TestModels;
import dev.greta.backend.cpu.Parallel;
import dev.greta.gguf.GgmlType;
import dev.greta.gguf.GgufFile;
import dev.greta.gguf.GgufTensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.lang.foreign.ValueLayout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The synth-tiny files, quantised by llama.cpp from the same F32 weights, check the layouts against
 * llama.cpp: each tensor dequantises close to the F32 file's (relative RMS error within the format's normal
 * error), and quantising the F32 weights with {@link Quantizer} reproduces llama.cpp's bytes exactly.
 */
class RealModelTest {
    private static GgufFile f32;

    @BeforeAll
    static void openReference() throws IOException { f32 = GgufFile.open(TestModels.synthTiny("F32")); }

    @AfterAll
    static void closeReference() { f32.close(); }

    private static double rmsBound(GgmlType type) {
        return switch (type) {
            case F32 -> 0;
            case F16 -> 3e-4;
            case BF16 -> 2.5e-3;
            case Q8_0 -> 0.007;
            case Q4_0 -> 0.1;
            case Q4_K -> 0.085;
            case Q6_K -> 0.022;
            default -> throw new AssertionError(type);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q4_K_M", "Q6_K"})
    void dequantisedTensorsAreCloseToF32(String file) throws IOException {
        try (GgufFile q = GgufFile.open(TestModels.synthTiny(file))) {
            for (GgufTensor t : q.tensors()) {
                float[] reference = Dequantizer.dequantize(GgmlType.F32, f32.tensor(t.name()).data(), t.elementCount());
                WeightMatrix m = WeightMatrix.of(t);
                float[] row = new float[m.cols()];
                double errSq = 0;
                double sumSq = 0;
                for (int r = 0; r < m.rows(); r++) {
                    m.dequantizeRow(r, row, 0);
                    for (int i = 0; i < row.length; i++) {
                        double ref = reference[r * m.cols() + i];
                        errSq += (row[i] - ref) * (row[i] - ref);
                        sumSq += ref * ref;
                    }
                }
                assertThat(Math.sqrt(errSq / sumSq)).as("%s %s %s", file, t.name(), t.type()).isLessThanOrEqualTo(rmsBound(t.type()));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q4_K_M", "Q6_K"})
    void quantiserReproducesLlamaCppBytes(String file) throws IOException {
        try (GgufFile q = GgufFile.open(TestModels.synthTiny(file))) {
            for (GgufTensor t : q.tensors()) {
                if (t.type() == GgmlType.F32) continue;
                float[] reference = Dequantizer.dequantize(GgmlType.F32, f32.tensor(t.name()).data(), t.elementCount());
                byte[] ours = Quantizer.quantize(t.type(), reference, 0, reference.length);
                assertThat(ours).as("%s %s %s", file, t.name(), t.type()).isEqualTo(t.data().toArray(ValueLayout.JAVA_BYTE));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void realTensorMatmulMatchesReference(String file) throws IOException {
        try (GgufFile q = GgufFile.open(TestModels.synthTiny(file)); Parallel pool = new Parallel(2)) {
            for (String name : new String[]{"blk.0.ffn_down.weight", "blk.1.ffn_up.weight"}) {
                WeightMatrix m = WeightMatrix.of(q.tensor(name));
                int nTokens = name.startsWith("blk.0") ? 5 : 13; // the dot-product path and the GEMM path
                float[] x = new float[nTokens * m.cols()];
                java.util.Random rnd = new java.util.Random(3);
                for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
                float[] expected = new float[nTokens * m.rows()];
                float[] actual = new float[nTokens * m.rows()];
                m.matmulReference(x, nTokens, expected);
                m.matmul(x, nTokens, actual, pool);
                double scale = 0;
                for (float e : expected) scale = Math.max(scale, Math.abs(e));
                for (int i = 0; i < expected.length; i++) {
                    assertThat((double) actual[i]).as("%s %s element %d", file, name, i)
                            .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-5 * scale));
                }
            }
        }
    }
}
