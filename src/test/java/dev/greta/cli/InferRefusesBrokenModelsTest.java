package dev.greta.cli;

import dev.greta.gguf.GgmlType;
import dev.greta.gguf.GgufValue;
import dev.greta.gguf.GgufWriter;
import dev.greta.model.synth.Llama3RopeScaling;
import dev.greta.model.synth.SyntheticModel;
import dev.greta.model.synth.SyntheticSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Files that open and might even run, but whose metadata or weights make the forward pass meaningless, are
 * refused with exit 1 and a message naming the problem: never a run that prints tokens from NaN logits with exit 0.
 */
class InferRefusesBrokenModelsTest {

    private static final SyntheticSpec SPEC = SyntheticSpec.custom(2, 32, 48, 4, 2, 300);

    @TempDir
    Path dir;

    /** The synthetic F32 model with {@code overrides} in its metadata and NaN in the tensors {@code nan} picks. */
    private Path model(Map<String, GgufValue> overrides, Predicate<String> nan) throws IOException {
        return model(SPEC, overrides, nan);
    }

    private Path model(SyntheticSpec spec, Map<String, GgufValue> overrides, Predicate<String> nan) throws IOException {
        GgufWriter w = SyntheticModel.plan(spec, GgmlType.F32, 7);
        overrides.forEach(w::put);
        Path file = dir.resolve("m" + System.nanoTime() + ".gguf");
        w.write(file, (t, sink) -> {
            ByteBuffer b = ByteBuffer.allocate((int) t.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; b.remaining() >= Float.BYTES; i++) b.putFloat(nan.test(t.name()) ? Float.NaN : 0.02f * ((i % 7) - 3));
            sink.write(b.flip());
        });
        return file;
    }

    private static InferCommandTest.Result infer(Path model) {
        return InferCommandTest.run("infer", "--model", model.toString(), "--prompt", "hello", "--max-tokens", "3",
                "--temp", "0", "--threads", "1", "--no-warmup");
    }

    @Test
    void theCleanModelRuns() throws IOException {
        InferCommandTest.Result r = infer(model(Map.of(), name -> false));
        assertThat(r.exit()).as(r.err()).isZero();
    }

    @Test
    void nanWeightsAreRefusedInsteadOfSampledFrom() throws IOException {
        InferCommandTest.Result r = infer(model(Map.of(), "output_norm.weight"::equals));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("logits").contains("not finite").contains("no result is reported");
        assertThat(r.out()).doesNotContain("PERF_TIMING").endsWith("EXIT_CODE=1" + System.lineSeparator());
    }

    @Test
    void metadataThatBreaksTheForwardPassIsRefusedAtLoad() throws IOException {
        Map<String, GgufValue> values = Map.of(
                "llama.attention.layer_norm_rms_epsilon", GgufValue.ofFloat32(Float.NaN),
                "llama.rope.freq_base", GgufValue.ofFloat32(0f),
                "llama.attention.head_count", GgufValue.ofUint32(0));
        for (var e : values.entrySet()) {
            InferCommandTest.Result r = infer(model(Map.of(e.getKey(), e.getValue()), name -> false));
            assertThat(r.exit()).as(e.getKey()).isEqualTo(1);
            assertThat(r.err()).as(e.getKey()).contains(e.getKey()).contains("positive").doesNotContain("by zero");
        }
    }

    @Test
    void ropeDimensionsOutsideTheHeadOrOddAreRefused() throws IOException {
        for (int dims : new int[]{7, 10, 1000}) { // head size 8
            InferCommandTest.Result r = infer(model(Map.of("llama.rope.dimension_count", GgufValue.ofUint32(dims)), name -> false));
            assertThat(r.exit()).as("rope dims " + dims).isEqualTo(1);
            assertThat(r.err()).as("rope dims " + dims).contains("rope.dimension_count");
        }
    }

    @Test
    void ropeFrequencyFactorsThatAreNotPositiveAreRefused() throws IOException {
        SyntheticSpec llama3 = new SyntheticSpec("custom", 2, 32, 48, 4, 2, 300, 2048, false, 10000f,
                new Llama3RopeScaling(8f, 1f, 4f, 8192), 1e-5f);
        InferCommandTest.Result r = infer(model(llama3, Map.of(), "rope_freqs.weight"::equals));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("rope_freqs.weight[0] must be a positive number, got NaN");
    }

    @Test
    void aFileThatVerifyRejectsIsNotLoaded() throws IOException {
        // block_count 1 while the file holds two blocks' tensors: it would run one layer and look fine
        InferCommandTest.Result r = infer(model(Map.of("llama.block_count", GgufValue.ofUint32(1)), name -> false));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("not a sound model file").contains("greta gguf verify");
    }

    @Test
    void missingDirectoryAndNonUtf8InputsAreNamed() throws IOException {
        InferCommandTest.Result missing = infer(dir.resolve("absent.gguf"));
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("no such file: " + dir.resolve("absent.gguf"));

        InferCommandTest.Result directory = infer(dir);
        assertThat(directory.exit()).isEqualTo(1);
        assertThat(directory.err()).contains(dir + ": is a directory");

        Path prompt = Files.write(dir.resolve("prompt.txt"), new byte[]{(byte) 0xff, (byte) 0xfe, (byte) 0xc3, 0x28});
        InferCommandTest.Result notUtf8 = InferCommandTest.run("infer", "--model", model(Map.of(), name -> false).toString(),
                "--prompt-file", prompt.toString(), "--max-tokens", "1");
        assertThat(notUtf8.exit()).isEqualTo(1);
        assertThat(notUtf8.err()).contains("greta infer: prompt file " + prompt + " is not valid UTF-8");
    }
}
