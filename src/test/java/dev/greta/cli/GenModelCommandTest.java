package dev.greta.cli;

import dev.greta.gguf.GgmlType;
import dev.greta.gguf.GgufFile;
import dev.greta.gguf.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class GenModelCommandTest {
    @TempDir
    Path dir;

    @Test
    void generatedModelsPassVerifyDataAndRepeatBitForBit() throws IOException {
        String[] shape = {"--shape", "layers=2,dim=128,ffn=256,heads=4,kv-heads=2,vocab=400", "--seed", "9", "-q"};
        for (String type : new String[]{"f32", "bf16", "q4_0", "q6_k"}) {
            Path a = dir.resolve(type + "-a.gguf");
            Path b = dir.resolve(type + "-b.gguf");
            CommandRunner gen = CommandRunner.run(new GenModelCommand(), concat(shape, "--type", type, "-o", a.toString()));
            assertThat(gen.code()).as(gen.err()).isZero();
            assertThat(gen.out()).contains("synthetic custom, " + type.toUpperCase());
            if (type.equals("q6_k")) assertThat(gen.err()).contains("rows of 128 are not whole Q6_K blocks: those matrices use Q8_0");
            else assertThat(gen.err()).isEmpty();
            assertThat(CommandRunner.run(new GenModelCommand(), concat(shape, "--type", type, "-o", b.toString())).code()).isZero();
            assertThat(TestFiles.sha256(a)).as(type).isEqualTo(TestFiles.sha256(b));
            CommandRunner verify = CommandRunner.run(new GgufCommand(), "verify", "--data", a.toString());
            assertThat(verify.code()).as(verify.out()).isZero();
        }
    }

    @Test
    void presetWithOverridesAndContextLength() throws IOException {
        Path out = dir.resolve("smol.gguf");
        CommandRunner gen = CommandRunner.run(new GenModelCommand(), "--preset", "smollm2-135m", "--shape", "layers=1",
                "--type", "q4_k", "--ctx", "32768", "-q", "-o", out.toString());
        assertThat(gen.code()).as(gen.err()).isZero();
        assertThat(gen.err()).contains("rows of 576 are not whole Q4_K blocks: those matrices use Q4_0");
        try (GgufFile f = GgufFile.open(out)) {
            assertThat(f.metadata().integer("llama.block_count")).isEqualTo(1);
            assertThat(f.metadata().integer("llama.context_length")).isEqualTo(32768);
            assertThat(f.metadata().integer("llama.attention.head_count_kv")).isEqualTo(3);
            assertThat(f.tensor("blk.0.ffn_down.weight").type()).isEqualTo(GgmlType.Q4_K);
            assertThat(f.tensor("blk.0.ffn_up.weight").type()).isEqualTo(GgmlType.Q4_0);
        }
        assertThat(CommandRunner.run(new GgufCommand(), "verify", "--data", out.toString()).code()).isZero();
    }

    @Test
    void aModelTheDiskCannotHoldIsRefusedBeforeWritingAnything() throws IOException {
        // ~7e12 F32 weights, ~28 TB: more than any CI disk
        CommandRunner gen = CommandRunner.run(new GenModelCommand(), "--shape",
                "layers=1,dim=1048576,ffn=1048576,heads=4096,kv-heads=4096,vocab=400", "--type", "f32", "-q",
                "-o", dir.resolve("huge.gguf").toString());
        assertThat(gen.code()).isEqualTo(1);
        assertThat(gen.err()).contains("the model needs").contains("bytes free");
        try (var left = java.nio.file.Files.list(dir)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void badOptionsExitOneWithTheReason() {
        String out = dir.resolve("x.gguf").toString();
        assertThat(CommandRunner.run(new GenModelCommand(), "-o", out).err()).contains("give --preset NAME or --shape");
        assertThat(CommandRunner.run(new GenModelCommand(), "--preset", "llama9", "-o", out).err()).contains("unknown preset 'llama9'");
        CommandRunner type = CommandRunner.run(new GenModelCommand(), "--preset", "smollm2-135m", "--type", "q5_k", "-o", out);
        assertThat(type.code()).isEqualTo(1);
        assertThat(type.err()).contains("unknown --type 'q5_k'");
        assertThat(CommandRunner.run(new GenModelCommand(), "--shape", "layers=1,dim=64", "-o", out).err()).contains("--shape needs ffn=");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
