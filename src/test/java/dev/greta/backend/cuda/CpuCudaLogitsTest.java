package dev.greta.backend.cuda;

import dev.greta.TestModels;
import dev.greta.backend.KvType;
import dev.greta.engine.Session;
import dev.greta.engine.SessionOptions;
import dev.greta.gguf.GgmlType;
import dev.greta.model.synth.Progress;
import dev.greta.model.synth.SyntheticModel;
import dev.greta.model.synth.SyntheticSpec;
import dev.greta.sampling.Sampler;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole model on {@code cuda} against {@code cpu}, position by position: the logits after every prefix of a
 * prompt agree within bf16 tolerance (the GPU rounds weights and GEMM inputs to bf16), and the argmax agrees.
 */
class CpuCudaLogitsTest extends GpuBackendTest {
    /** bf16 keeps 8 significant bits: allow 2 % of the largest logit. */
    private static final double RELATIVE_TOLERANCE = 0.02;

    @TempDir
    static Path generated;

    /**
     * @param file a model of the test models folder, or "gen:SHAPE" (gen-model --shape keys joined by ';'): a Q8_0
     *             model generated here, e.g. of head dim 64 or 128, which the wgmma kernel serves on Hopper
     */
    @ParameterizedTest
    @CsvSource({"stories260K.gguf, naive, f32", "stories260K.gguf, flash, f32", "synth-tiny-Q8_0.gguf, flash, f32",
            "synth-tiny-Q4_K_M.gguf, naive, f32", "stories260K.gguf, flash, f16", "synth-tiny-Q8_0.gguf, flash, f16",
            "gen:layers=2;dim=256;ffn=512;heads=4;kv-heads=2;vocab=512, flash, f16",
            "gen:layers=2;dim=512;ffn=768;heads=4;kv-heads=4;vocab=512, flash, f16"})
    void cudaLogitsFollowTheCpuAtEveryPosition(String file, String attention, String gpuKv) throws IOException {
        Path model = file.startsWith("gen:") ? generate(file.substring(4)) : TestModels.find(file).orElse(null);
        Assumptions.assumeTrue(model != null, file + " not found");
        KvType kv = KvType.parse(gpuKv);
        try (Session cpu = open(model, "cpu", attention, KvType.F32); Session gpu = open(model, "cuda", attention, kv)) {
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
                double tolerance = RELATIVE_TOLERANCE * scale;
                assertThat(diff).as("%s %s position %d: max |cuda - cpu| vs largest logit %.3f", file, attention, n - 1, scale)
                        .isLessThanOrEqualTo(tolerance);
                int cpuBest = Sampler.argmax(expected), gpuBest = Sampler.argmax(actual);
                if (kv == KvType.F32) {
                    assertThat(gpuBest).as("argmax at position %d", n - 1).isEqualTo(cpuBest);
                } else {
                    // f16 keys and values on top of bf16 GEMMs may flip a near-tie: the GPU's pick must be a
                    // token the CPU rates within the tolerance of its own best
                    assertThat((double) expected[gpuBest]).as("cpu logit of the cuda argmax at position %d", n - 1)
                            .isGreaterThanOrEqualTo(expected[cpuBest] - tolerance);
                }
            }
        }
    }

    private static Path generate(String shape) throws IOException {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String kv : shape.split(";")) keys.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        Path file = generated.resolve(shape.replace(';', '_').replace('=', '-') + ".gguf");
        SyntheticModel.write(SyntheticSpec.fromShape(keys), GgmlType.Q8_0, 5, file, Progress.none());
        return file;
    }

    private static Session open(Path model, String backend, String attention, KvType kv) throws IOException {
        return Session.open(new SessionOptions(model, null, attention, true, 2, kv, backend,
                SessionOptions.defaultChunk(backend)), null);
    }
}
