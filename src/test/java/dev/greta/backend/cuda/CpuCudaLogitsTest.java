package dev.greta.backend.cuda;

import dev.greta.TestModels;
import dev.greta.backend.KvType;
import dev.greta.engine.Session;
import dev.greta.engine.SessionOptions;
import dev.greta.sampling.Sampler;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole model on {@code cuda} against {@code cpu}, position by position: the logits after every prefix of a
 * prompt agree within bf16 tolerance (the GPU rounds weights and GEMM inputs to bf16), and the argmax agrees.
 */
class CpuCudaLogitsTest extends GpuBackendTest {
    /** bf16 keeps 8 significant bits: allow 2 % of the largest logit. */
    private static final double RELATIVE_TOLERANCE = 0.02;

    @ParameterizedTest
    @CsvSource({"stories260K.gguf, naive", "stories260K.gguf, flash", "synth-tiny-Q8_0.gguf, flash", "synth-tiny-Q4_K_M.gguf, naive"})
    void cudaLogitsFollowTheCpuAtEveryPosition(String file, String attention) throws IOException {
        Path model = TestModels.find(file).orElse(null);
        Assumptions.assumeTrue(model != null, file + " not found");
        try (Session cpu = open(model, "cpu", attention); Session gpu = open(model, "cuda", attention)) {
            int[] prompt = cpu.tokenizer().encode("Once upon a time, a little dog found a red ball in the park.");
            for (int n = 1; n <= prompt.length; n++) {
                int[] prefix = java.util.Arrays.copyOf(prompt, n);
                float[] expected = cpu.generate(prefix, 0, Sampler.greedy(), false, id -> {}).promptLogits();
                float[] actual = gpu.generate(prefix, 0, Sampler.greedy(), false, id -> {}).promptLogits();
                double scale = 0, diff = 0;
                for (int i = 0; i < expected.length; i++) {
                    scale = Math.max(scale, Math.abs(expected[i]));
                    diff = Math.max(diff, Math.abs(expected[i] - actual[i]));
                }
                assertThat(diff).as("%s %s position %d: max |cuda - cpu| vs largest logit %.3f", file, attention, n - 1, scale)
                        .isLessThanOrEqualTo(RELATIVE_TOLERANCE * scale);
                assertThat(Sampler.argmax(actual)).as("argmax at position %d", n - 1).isEqualTo(Sampler.argmax(expected));
            }
        }
    }

    private static Session open(Path model, String backend, String attention) throws IOException {
        return Session.open(new SessionOptions(model, null, attention, true, 2, KvType.F32, backend,
                SessionOptions.DEFAULT_CHUNK), null);
    }
}
