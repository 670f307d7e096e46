package dev.greta.gguf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class GgufVerifierTest {
    @TempDir
    Path dir;

    static Path shared(String name) {
        for (Path d : new Path[]{Path.of("../shared/models"), Path.of("/work/shared/models")}) {
            if (Files.isRegularFile(d.resolve(name))) return d.resolve(name);
        }
        throw new IllegalStateException("test model " + name + " not found in ../shared/models or /work/shared/models");
    }

    @Test
    void realFilesOfEveryTypeAreClean() throws IOException {
        for (String name : List.of("stories260K.gguf", "synth-tiny-F32.gguf", "synth-tiny-F16.gguf", "synth-tiny-BF16.gguf",
                "synth-tiny-Q8_0.gguf", "synth-tiny-Q4_0.gguf", "synth-tiny-Q4_K.gguf", "synth-tiny-Q4_K_M.gguf",
                "synth-tiny-Q6_K.gguf", "vocab-llama2-spm.gguf", "vocab-llama3-bpe.gguf")) {
            assertThat(GgufVerifier.verify(shared(name), true)).as(name).isEmpty();
        }
    }

    @Test
    void nonFiniteValuesAreFoundInFloatAndQuantisedTensors() throws IOException {
        assertNonFinite("synth-tiny-F32.gguf", "blk.1.ffn_up.weight", 4 * 1000, new byte[]{0, 0, (byte) 0xC0, 0x7F}, "1 NaN/Inf values (first at element 1000)");
        assertNonFinite("synth-tiny-F16.gguf", "blk.0.attn_k.weight", 2 * 7, new byte[]{0, 0x7C}, "1 NaN/Inf values (first at element 7)");
        assertNonFinite("synth-tiny-BF16.gguf", "output.weight", 2 * 3, new byte[]{(byte) 0xC0, 0x7F}, "1 NaN/Inf values (first at element 3)");
        assertNonFinite("synth-tiny-Q8_0.gguf", "blk.0.ffn_down.weight", 34 * 5, new byte[]{0, 0x7E}, "1 Q8_0 blocks with a NaN/Inf scale (first at block 5)");
        assertNonFinite("synth-tiny-Q4_0.gguf", "blk.1.attn_v.weight", 18 * 2, new byte[]{0, (byte) 0xFC}, "1 Q4_0 blocks with a NaN/Inf scale (first at block 2)");
        assertNonFinite("synth-tiny-Q4_K.gguf", "blk.0.attn_q.weight", 144 * 3 + 2, new byte[]{0, 0x7C}, "1 Q4_K blocks with a NaN/Inf scale (first at block 3)");
        assertNonFinite("synth-tiny-Q6_K.gguf", "blk.0.ffn_gate.weight", 210 * 4 + 208, new byte[]{1, 0x7C}, "1 Q6_K blocks with a NaN/Inf scale (first at block 4)");
    }

    private void assertNonFinite(String model, String tensor, long byteInTensor, byte[] bits, String expected) throws IOException {
        Path copy = Files.copy(shared(model), dir.resolve(model));
        long at;
        try (GgufFile f = GgufFile.open(copy)) {
            at = f.dataOffset() + f.tensor(tensor).offset() + byteInTensor;
        }
        try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bits), at);
        }
        assertThat(GgufVerifier.verify(copy, false)).as(model + " structure").isEmpty();
        assertThat(GgufVerifier.verify(copy, true)).as(model).containsExactly(new GgufVerifier.Problem("tensor '" + tensor + "' data", expected));
    }

    @Test
    void everyTensorProblemIsListedIncludingOverlaps() {
        byte[] file = new TestFiles.Raw().header(4, 1).str("general.architecture").u32(8).str("test")
                .str("a").u32(1).u64(16).u32(0).u64(0)        // [0, 64)
                .str("b").u32(1).u64(8).u32(0).u64(32)        // [32, 64): overlaps a
                .str("c").u32(1).u64(8).u32(0).u64(4096)      // past the end
                .str("d").u32(1).u64(8).u32(0).u64(16)        // misaligned
                .padTo(32).put(new byte[64]).bytes();
        List<GgufVerifier.Problem> problems = GgufVerifier.verify(MemorySegment.ofArray(file), true);
        assertThat(problems).extracting(GgufVerifier.Problem::field)
                .containsExactly("tensor 'd' offset", "tensor 'c' data", "tensor 'b' data");
        assertThat(problems.get(2).message()).isEqualTo("bytes from 32 overlap tensor 'a' [0, 64)");
    }

    @Test
    void llamaKeysShapesAndTokenizerAreChecked() throws IOException {
        GgufWriter w = new GgufWriter().put("general.architecture", GgufValue.ofString("llama"));
        w.put("llama.embedding_length", GgufValue.ofUint32(64));
        w.put("llama.block_count", GgufValue.ofUint32(1));
        w.put("llama.feed_forward_length", GgufValue.ofUint32(128));
        w.put("llama.attention.head_count", GgufValue.ofUint32(4));
        w.put("llama.attention.head_count_kv", GgufValue.ofUint32(3));
        w.put("llama.attention.layer_norm_rms_epsilon", GgufValue.ofFloat32(1e-5f));
        w.put("tokenizer.ggml.tokens", GgufValue.ofArray(GgufArray.ofStrings(new String[]{"a", "b", "c"})));
        w.put("tokenizer.ggml.scores", GgufValue.ofArray(GgufArray.ofFloats(new float[]{0, 0})));
        w.put("tokenizer.ggml.eos_token_id", GgufValue.ofUint32(3));
        w.addTensor("token_embd.weight", GgmlType.F32, 64, 4);
        w.addTensor("blk.0.attn_q.weight", GgmlType.F32, 64, 32);
        List<GgufVerifier.Problem> problems = GgufVerifier.verify(MemorySegment.ofArray(TestFiles.bytes(w, TestFiles.randomData())), false);
        assertThat(problems).extracting(Object::toString).contains("llama.context_length: missing (required for llama)")
                .noneMatch(p -> p.contains("shape")); // shapes are only checked once the keys are complete
        w.put("llama.context_length", GgufValue.ofUint32(2048));
        problems = GgufVerifier.verify(MemorySegment.ofArray(TestFiles.bytes(w, TestFiles.randomData())), false);
        assertThat(problems).extracting(Object::toString).contains(
                "llama.attention.head_count_kv: 3 does not divide head_count 4",
                "output_norm.weight: missing (expected shape [64])",
                "blk.0.attn_q.weight: shape [64, 32] should be [64, 64]",
                "blk.0.ffn_down.weight: missing (expected shape [128, 64])",
                "tokenizer.ggml.model: missing while tokenizer.ggml.tokens is present",
                "tokenizer.ggml.scores: has 2 entries but tokenizer.ggml.tokens has 3",
                "tokenizer.ggml.eos_token_id: token id 3 is outside the vocabulary of 3",
                "token_embd.weight: has 4 rows but the vocabulary has 3 tokens");
    }

    @Test
    void ropeValuesAndAZeroHeadCountAreReported() throws IOException {
        Path model = shared("synth-tiny-Q8_0.gguf");
        assertThat(problemsWith(model, "llama.rope.freq_base", GgufValue.ofFloat32(0))).contains("llama.rope.freq_base: must be a positive number, got 0.0");
        assertThat(problemsWith(model, "llama.rope.freq_base", GgufValue.ofFloat32(Float.NaN))).contains("llama.rope.freq_base: must be a positive number, got NaN");
        assertThat(problemsWith(model, "llama.rope.freq_base", GgufValue.ofFloat32(Float.POSITIVE_INFINITY))).contains("llama.rope.freq_base: must be a positive number, got Infinity");
        assertThat(problemsWith(model, "llama.rope.scaling.factor", GgufValue.ofFloat32(-2))).contains("llama.rope.scaling.factor: must be a positive number, got -2.0");
        assertThat(problemsWith(model, "llama.rope.scaling.factor", GgufValue.ofFloat32(4))).isEmpty();
        assertThat(problemsWith(model, "llama.rope.dimension_count", GgufValue.ofUint32(63))).contains("llama.rope.dimension_count: must be a positive even number, got 63");
        assertThat(problemsWith(model, "llama.attention.head_count", GgufValue.ofUint32(0))).contains("llama.attention.head_count: must be positive, got 0");
    }

    @Test
    void oneBadValueDoesNotHideTheOthers() throws IOException {
        // context_length is checked before the epsilon and the RoPE keys: all three must still be reported
        assertThat(problemsWith(shared("synth-tiny-Q8_0.gguf"), java.util.Map.of(
                "llama.context_length", GgufValue.ofUint32(0),
                "llama.attention.layer_norm_rms_epsilon", GgufValue.ofFloat32(-1),
                "llama.rope.dimension_count", GgufValue.ofUint32(3)))).contains(
                "llama.context_length: must be positive, got 0",
                "llama.attention.layer_norm_rms_epsilon: must be a positive number, got -1.0",
                "llama.rope.dimension_count: must be a positive even number, got 3");
    }

    @Test
    void llama3RopeScalingValuesAreChecked() throws IOException {
        Path model = shared("synth-tiny-Q8_0.gguf");
        assertThat(problemsWith(model, "llama.rope.scaling.low_freq_factor", GgufValue.ofFloat32(0)))
                .contains("llama.rope.scaling.low_freq_factor: must be a positive number, got 0.0");
        assertThat(problemsWith(model, java.util.Map.of("llama.rope.scaling.low_freq_factor", GgufValue.ofFloat32(4),
                "llama.rope.scaling.high_freq_factor", GgufValue.ofFloat32(1))))
                .contains("llama.rope.scaling.high_freq_factor: must exceed rope.scaling.low_freq_factor");
        assertThat(problemsWith(model, "llama.rope.scaling.original_context_length", GgufValue.ofInt32(-5)))
                .contains("llama.rope.scaling.original_context_length: must be positive, got -5");
    }

    private List<String> problemsWith(Path model, String key, GgufValue value) throws IOException {
        return problemsWith(model, java.util.Map.of(key, value));
    }

    private List<String> problemsWith(Path model, java.util.Map<String, GgufValue> changes) throws IOException {
        Path copy = dir.resolve("patched.gguf");
        new GgufEditor(true).apply(model, copy, changes);
        return GgufVerifier.verify(copy, false).stream().map(Object::toString).toList();
    }
}
