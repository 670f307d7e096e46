package dev.greta.model.synth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.greta.gguf.GgufFile;
import dev.greta.gguf.GgufVerifier;
import dev.greta.gguf.GgufWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;

import static org.assertj.core.api.Assertions.assertThat;

/** The built-in default model: generated once into the cache, reused, regenerated when damaged, and numerically sane. */
class DefaultModelTest {
    @TempDir
    static Path cache;

    private static Path model;
    private static String firstLog;

    @BeforeAll
    static void generateOnce() throws IOException {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        model = SyntheticModels.ensureDefault(cache, new PrintStream(log, true));
        firstLog = log.toString();
    }

    @Test
    void isGeneratedOnceAndSaysItIsSynthetic() throws IOException {
        assertThat(model.getParent()).isEqualTo(cache);
        assertThat(firstLog).contains("generating the built-in synthetic model (random weights, smollm2-135m shape, Q8_0, seed 42)");
        assertThat(firstLog).contains("using the built-in synthetic model");
        assertThat(GgufVerifier.verify(model, true)).isEmpty();
        FileTime written = Files.getLastModifiedTime(model);
        String again = ensure();
        assertThat(again).doesNotContain("generating").contains("synthetic model (random weights");
        assertThat(Files.getLastModifiedTime(model)).isEqualTo(written);
        try (GgufFile f = GgufFile.open(model)) {
            assertThat(f.tensors()).hasSize(30 * 9 + 2);
            assertThat(f.hasTensor("output.weight")).isFalse(); // tied embeddings, as SmolLM2
            assertThat(f.metadata().integer("llama.context_length")).isEqualTo(8192);
        }
    }

    @Test
    void aDamagedCopyIsDetectedAndRegenerated() throws IOException {
        GgufWriter plan = SyntheticModel.plan(SyntheticModels.DEFAULT_PRESET.spec(), SyntheticModels.DEFAULT_TYPE, SyntheticModels.DEFAULT_SEED);
        Path flipped = Files.copy(model, cache.resolve("flipped.gguf"));
        try (FileChannel ch = FileChannel.open(flipped, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[]{'X'}), 100); // inside the metadata
        }
        assertThat(SyntheticModels.matches(flipped, plan)).isFalse();
        assertThat(SyntheticModels.matches(model, plan)).isTrue();
        Files.delete(flipped);

        Path saved = Files.copy(model, cache.resolve("saved.bin"));
        try (FileChannel ch = FileChannel.open(model, StandardOpenOption.WRITE)) {
            ch.truncate(Files.size(model) / 2); // an interrupted copy
        }
        assertThat(ensure()).contains("generating");
        assertThat(Files.mismatch(model, saved)).isEqualTo(-1L); // regenerated bit for bit
        Files.delete(saved);
        try (var s = Files.list(cache)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly(model.getFileName().toString());
        }
    }

    @Test
    void activationsStayFiniteAndOfSensibleSizeThroughAllLayers() throws IOException {
        try (GgufFile f = GgufFile.open(model)) {
            MiniForward.Trace trace = new MiniForward(f).run(new int[]{1, 400, 1000, 20000, 49151});
            assertThat(trace.residualRms()).hasSize(31);
            for (double[] layer : trace.residualRms()) {
                for (double rms : layer) assertThat(rms).isFinite().isBetween(1e-3, 1e2);
            }
            double[] logits = trace.lastLogits();
            assertThat(logits).hasSize(49152);
            double mean = 0;
            for (double l : logits) mean += l / logits.length;
            double var = 0;
            for (double l : logits) var += (l - mean) * (l - mean) / logits.length;
            assertThat(Math.sqrt(var)).isBetween(0.1, 10.0);
            System.out.printf("default model forward: residual RMS after embedding %.4f, after layer 30 %.4f; logit std %.4f%n",
                    trace.residualRms().getFirst()[4], trace.residualRms().getLast()[4], Math.sqrt(var));
        }
    }

    @Test
    void theMiniForwardItselfMatchesLlamaCppOnARealModel() throws IOException {
        Path dir = Files.isDirectory(Path.of("../shared/models")) ? Path.of("../shared/models") : Path.of("/work/shared/models");
        JsonNode ref = new ObjectMapper().readTree(dir.resolve("stories260K.reference.json").toFile());
        int[] tokens = new ObjectMapper().convertValue(ref.get("prompt_token_ids"), int[].class);
        try (GgufFile f = GgufFile.open(dir.resolve("stories260K.gguf"))) {
            double[] logits = new MiniForward(f).run(tokens).lastLogits();
            JsonNode expected = ref.get("last_logits");
            assertThat(logits).hasSize(expected.size());
            for (int i = 0; i < logits.length; i++) assertThat(logits[i]).isCloseTo(expected.get(i).asDouble(), org.assertj.core.data.Offset.offset(1e-3));
        }
    }

    private String ensure() throws IOException {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        assertThat(SyntheticModels.ensureDefault(cache, new PrintStream(log, true))).isEqualTo(model);
        return log.toString();
    }

}
