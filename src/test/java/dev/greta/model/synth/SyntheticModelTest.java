package dev.greta.model.synth;

import dev.greta.gguf.GgmlType;
import dev.greta.gguf.GgufFile;
import dev.greta.gguf.GgufTensor;
import dev.greta.gguf.GgufVerifier;
import dev.greta.gguf.GgufWriter;
import dev.greta.gguf.TestFiles;
import dev.greta.tensor.Dequantizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SyntheticModelTest {
    @TempDir
    Path dir;

    private static final SyntheticSpec SMALL = SyntheticSpec.custom(2, 256, 512, 4, 2, 600);

    @Test
    void everyTypePassesVerifyWithData() throws IOException {
        for (GgmlType type : SyntheticModel.TYPES) {
            Path file = dir.resolve(type + ".gguf");
            SyntheticModel.write(SMALL, type, 7, file, Progress.none());
            assertThat(GgufVerifier.verify(file, true)).as(type.toString()).isEmpty();
            try (GgufFile f = GgufFile.open(file)) {
                assertThat(f.tensor("blk.1.ffn_down.weight").type()).isEqualTo(type);
                assertThat(f.tensor("blk.0.attn_norm.weight").type()).isEqualTo(GgmlType.F32);
                assertThat(f.tensor("output.weight").dims()).containsExactly(256, 600);
                assertThat(f.metadata().string("tokenizer.ggml.model")).isEqualTo("llama");
                assertThat(f.metadata().stringArray("tokenizer.ggml.tokens")).hasSize(600);
            }
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    @Test
    void sameSeedGivesBitIdenticalFilesAndAnotherSeedDoesNot() throws IOException {
        Path a = dir.resolve("a.gguf");
        Path b = dir.resolve("b.gguf");
        Path c = dir.resolve("c.gguf");
        SyntheticModel.write(SMALL, GgmlType.Q8_0, 1234, a, Progress.none());
        SyntheticModel.write(SMALL, GgmlType.Q8_0, 1234, b, Progress.none());
        SyntheticModel.write(SMALL, GgmlType.Q8_0, 1235, c, Progress.none());
        assertThat(TestFiles.sha256(a)).isEqualTo(TestFiles.sha256(b)).isNotEqualTo(TestFiles.sha256(c));
        assertThat(Files.size(a)).isEqualTo(Files.size(c)).isEqualTo(SyntheticModel.plan(SMALL, GgmlType.Q8_0, 1234).fileSize());
    }

    @Test
    void weightsHaveTheIntendedDistributionAndNormsAreOne() throws IOException {
        Path file = dir.resolve("f32.gguf");
        SyntheticModel.write(SMALL, GgmlType.F32, 3, file, Progress.none());
        try (GgufFile f = GgufFile.open(file)) {
            GgufTensor t = f.tensor("blk.0.ffn_up.weight");
            float[] w = Dequantizer.dequantize(t.type(), t.data(), t.elementCount());
            double sum = 0;
            double squares = 0;
            double max = 0;
            for (float x : w) {
                sum += x;
                squares += (double) x * x;
                max = Math.max(max, Math.abs(x));
            }
            double mean = sum / w.length;
            double std = Math.sqrt(squares / w.length - mean * mean);
            assertThat(mean).isCloseTo(0, org.assertj.core.data.Offset.offset(0.0005));
            assertThat(std).isCloseTo(SyntheticModel.WEIGHT_STD, org.assertj.core.data.Percentage.withPercentage(2));
            assertThat(max).isLessThanOrEqualTo(Math.sqrt(12) * SyntheticModel.WEIGHT_STD * 1.0001);
            GgufTensor norm = f.tensor("output_norm.weight");
            assertThat(Dequantizer.dequantize(norm.type(), norm.data(), norm.elementCount())).containsOnly(1f);
            float[] rowOfUp = Dequantizer.dequantize(t.type(), t.data().asSlice(0, 256 * 4), 256);
            float[] rowOfGate = Dequantizer.dequantize(t.type(), f.tensor("blk.0.ffn_gate.weight").data().asSlice(0, 256 * 4), 256);
            assertThat(rowOfUp).isNotEqualTo(rowOfGate); // every tensor draws its own numbers
        }
    }

    @Test
    void presetsHaveTheirRealShapes() {
        record Expect(ModelPreset preset, int tensors, long params, int ctx, float base) {}
        for (Expect e : new Expect[]{
                new Expect(ModelPreset.SMOLLM2_135M, 30 * 9 + 2, 134_515_008L, 8192, 100_000f),
                new Expect(ModelPreset.TINYLLAMA_1_1B, 22 * 9 + 3, 1_100_048_384L, 2048, 10_000f),
                new Expect(ModelPreset.LLAMA3_2_1B, 16 * 9 + 3, 1_235_814_432L, 131072, 500_000f),
                new Expect(ModelPreset.LLAMA2_7B, 32 * 9 + 3, 6_738_415_616L, 4096, 10_000f),
                new Expect(ModelPreset.MISTRAL_7B, 32 * 9 + 3, 7_241_732_096L, 32768, 1_000_000f)}) {
            GgufWriter plan = SyntheticModel.plan(e.preset().spec(), GgmlType.Q8_0, 1);
            assertThat(plan.tensors()).as(e.preset().id()).hasSize(e.tensors());
            long params = plan.tensors().stream().mapToLong(GgufWriter.PlannedTensor::elementCount).sum();
            assertThat(params).as(e.preset().id()).isEqualTo(e.params());
            assertThat(plan.metadata().get("llama.context_length").asLong()).isEqualTo(e.ctx());
            assertThat(plan.metadata().get("llama.rope.freq_base").asDouble()).isEqualTo(e.base());
            assertThat(plan.metadata().get("tokenizer.ggml.tokens").value()).extracting("values").asInstanceOf(
                    org.assertj.core.api.InstanceOfAssertFactories.ARRAY).hasSize(e.preset().spec().vocab());
            boolean hasOutput = plan.tensors().stream().anyMatch(t -> t.name().equals("output.weight"));
            assertThat(hasOutput).isEqualTo(!e.preset().spec().tiedEmbeddings());
        }
        GgufWriter llama3 = SyntheticModel.plan(ModelPreset.LLAMA3_2_1B.spec(), GgmlType.F16, 1);
        assertThat(llama3.metadata().get("llama.rope.scaling.type").value()).isEqualTo("llama3");
        assertThat(llama3.metadata().get("llama.rope.scaling.factor").asDouble()).isEqualTo(32.0);
        assertThat(llama3.metadata().get("llama.rope.scaling.original_context_length").asLong()).isEqualTo(8192);
        assertThat(llama3.tensors().get(1).name()).isEqualTo("rope_freqs.weight");
        assertThat(llama3.tensors().get(1).dims()).containsExactly(32);
        float[] divisors = new Llama3RopeScaling(32f, 1f, 4f, 8192).frequencyDivisors(64, 500_000);
        assertThat(divisors[0]).isEqualTo(1f);   // short wavelengths unchanged
        assertThat(divisors[31]).isEqualTo(32f); // long wavelengths divided by the factor
        assertThat(divisors).isSorted();
    }

    @Test
    void kQuantRowsThatAreNotWholeBlocksFallBackAsLlamaCppDoes() throws IOException {
        SyntheticSpec odd = SyntheticSpec.custom(1, 96, 256, 2, 1, 300);
        for (var e : Map.of(GgmlType.Q4_K, GgmlType.Q4_0, GgmlType.Q6_K, GgmlType.Q8_0).entrySet()) {
            Path file = dir.resolve(e.getKey() + ".gguf");
            SyntheticModel.write(odd, e.getKey(), 1, file, Progress.none());
            try (GgufFile f = GgufFile.open(file)) {
                assertThat(f.tensor("blk.0.attn_q.weight").type()).isEqualTo(e.getValue());
                assertThat(f.tensor("blk.0.ffn_down.weight").type()).isEqualTo(e.getKey()); // rows of 256
            }
            assertThat(GgufVerifier.verify(file, true)).isEmpty();
        }
        assertThat(SyntheticModel.matrixType(GgmlType.Q8_0, 48)).isEqualTo(GgmlType.F16);
    }

    @Test
    void badShapesAreRefusedWithTheReason() {
        assertThatThrownBy(() -> SyntheticSpec.custom(1, 100, 64, 3, 1, 300)).hasMessageContaining("heads (3) must divide dim (100)");
        assertThatThrownBy(() -> SyntheticSpec.custom(1, 96, 64, 4, 3, 300)).hasMessageContaining("kv-heads (3) must divide heads (4)");
        assertThatThrownBy(() -> SyntheticSpec.custom(1, 96, 64, 32, 32, 300)).hasMessageContaining("must be even for RoPE");
        assertThatThrownBy(() -> SyntheticSpec.custom(1, 96, 64, 2, 1, 100)).hasMessageContaining("vocab must be >= 260");
        assertThatThrownBy(() -> ModelPreset.byId("gpt-5")).hasMessageContaining("unknown preset 'gpt-5'");
        assertThatThrownBy(() -> SyntheticSpec.fromShape(Map.of("layers", "2"))).hasMessageContaining("--shape needs dim=");
        assertThatThrownBy(() -> ModelPreset.SMOLLM2_135M.spec().with(Map.of("depth", "2"))).hasMessageContaining("unknown shape key 'depth'");
        assertThat(ModelPreset.SMOLLM2_135M.spec().with(Map.of("layers", "2")).layers()).isEqualTo(2);
    }
}
