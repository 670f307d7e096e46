package dev.greta.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.greta.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class InferCommandTest {

    record Result(int exit, String out, String err) {}

    static Result run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = new CommandLine(new GretaCli()).execute(args);
            return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void printsTextPerfTimingAndExitCode() {
        Result r = run("infer", "--model", TestModels.file("stories260K.gguf").toString(), "--prompt", "Once upon a time",
                "--max-tokens", "8", "--temp", "0", "--threads", "2");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith(", there was a little girl");
        assertThat(r.out()).containsPattern("PERF_TIMING model_load_s=\\d+\\.\\d+ warmup_s=\\d+\\.\\d+ prefill_s=\\d+\\.\\d+ prefill_device_s=n/a decode_s=\\S+ prompt_tokens=5 gen_tokens=8 ");
        assertThat(r.out()).contains("attn_impl=flash").contains("backend=cpu").contains("threads=2");
        assertThat(r.out()).doesNotContain("PERF_OP");  // only with --profile-ops
        assertThat(r.out()).endsWith("EXIT_CODE=0" + System.lineSeparator());
    }

    @Test
    void jsonHasExactPromptTokensAndNonZeroPrefill() throws Exception {
        Result r = run("infer", "--model", TestModels.file("synth-tiny-Q8_0.gguf").toString(), "--prompt-tokens", "300",
                "--max-tokens", "3", "--json", "--attn", "naive", "--ignore-eos");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("prompt_tokens").asInt()).isEqualTo(300);
        assertThat(json.get("gen_tokens").asInt()).isEqualTo(3);
        assertThat(json.get("gen_token_ids").size()).isEqualTo(3);
        assertThat(json.get("prefill_s").asDouble()).isGreaterThan(0);
        assertThat(json.get("prefill_tok_s").asDouble()).isGreaterThan(0);
        assertThat(json.get("decode_tok_s").asDouble()).isGreaterThan(0);
        assertThat(json.get("attn_impl").asText()).isEqualTo("naive");
        assertThat(json.get("max_seq_len").asInt()).isEqualTo(2048);
        assertThat(json.get("prefill_device_s").isNull()).isTrue();
        assertThat(json.get("op_profile").isNull()).isTrue();
    }

    @Test
    void profileOpsTimesEveryCpuOpOfTheRun() throws Exception {
        Result r = run("infer", "--model", TestModels.file("stories260K.gguf").toString(), "--prompt-tokens", "40",
                "--max-tokens", "3", "--ignore-eos", "--profile-ops", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode ops = new ObjectMapper().readTree(r.out()).get("op_profile");
        // stories260K: 5 layers; the prompt in one chunk, then 2 decode steps (the last token needs no forward pass)
        int passes = 1 + 2, layers = 5;
        assertThat(ops.get("rmsNorm").get("calls").asInt()).isEqualTo(passes * (2 * layers + 1));
        assertThat(ops.get("attend.flash:q=64,kv=128").get("calls").asInt()).isEqualTo(passes * layers);
        // matmuls by weight shape: Wo (dim x dim) and Wdown (dim x ffn) add into the residual stream
        int dim = 64, ffn = 172;
        assertThat(ops.get("matmulAdd " + dim + "x" + dim).get("calls").asInt()).isEqualTo(passes * layers);
        assertThat(ops.get("matmulAdd " + dim + "x" + ffn).get("calls").asInt()).isEqualTo(passes * layers);
        assertThat(ops.has("add")).as("matmulAdd's own addition is not a separate op").isFalse();
        ops.forEach(op -> assertThat(op.get("total_ms").asDouble()).isPositive());
    }

    @Test
    void promptOverTheLimitExits2BeforeAnyPrefill() {
        Result r = run("infer", "--model", TestModels.file("stories260K.gguf").toString(), "--prompt-tokens", "3000",
                "--max-tokens", "1");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("3000").contains("2048").contains("--ctx 3001").contains("Nothing was computed");
        assertThat(r.out()).doesNotContain("PERF_TIMING").contains("EXIT_CODE=2");
    }

    @Test
    void badOptionsAreRefusedWithExit2BeforeTheModelIsOpened() {
        String absent = "/nonexistent/model.gguf"; // never opened: the options are refused first
        String[][] cases = {{"--threads", "0"}, {"--chunk", "0"}, {"--ctx", "0"}, {"--kv-type", "q8"},
                {"--attn", "flash:q=0"}, {"--backend", "tpu"}, {"--temp", "-1"}, {"--top-p", "1.5"}};
        for (String[] option : cases) {
            Result r = run("infer", "--model", absent, "--prompt", "hi", option[0], option[1]);
            assertThat(r.exit()).as(Arrays.toString(option) + r.err()).isEqualTo(2);
            assertThat(r.err()).as(Arrays.toString(option)).doesNotContain("no such file");
            assertThat(r.out()).contains("EXIT_CODE=2");
        }
    }

    @Test
    void moreThreadsThanCpusRunWithAWarning() {
        int threads = Runtime.getRuntime().availableProcessors() + 1;
        Result r = run("infer", "--model", TestModels.file("stories260K.gguf").toString(), "--prompt", "hi",
                "--max-tokens", "1", "--threads", String.valueOf(threads), "--no-warmup");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains(threads + " threads on " + (threads - 1) + " CPUs");
        Result fitting = run("infer", "--model", TestModels.file("stories260K.gguf").toString(), "--prompt", "hi",
                "--max-tokens", "1", "--threads", String.valueOf(threads - 1), "--no-warmup");
        assertThat(fitting.err()).doesNotContain("warning");
    }

    @Test
    void ctxFlagRaisesTheLimitWithAWarning() throws Exception {
        Result r = run("infer", "--model", TestModels.file("stories260K.gguf").toString(), "--prompt-tokens", "2100",
                "--max-tokens", "1", "--ctx", "2101", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("above the model's trained context 2048");
        assertThat(new ObjectMapper().readTree(r.out()).get("prompt_tokens").asInt()).isEqualTo(2100);
    }

    @Test
    void deterministicLogitsAreByteIdenticalForAnyThreadCount(@TempDir Path dir) throws Exception {
        byte[] first = null;
        for (int threads : new int[]{1, 2, 4}) {
            Path f = dir.resolve("logits-" + threads + ".bin");
            Result r = run("infer", "--model", TestModels.file("synth-tiny-Q4_K_M.gguf").toString(), "--prompt-tokens", "200",
                    "--max-tokens", "1", "--deterministic", "--threads", String.valueOf(threads), "--chunk", "64",
                    "--dump-logits", f.toString());
            assertThat(r.exit()).as(r.err()).isZero();
            byte[] bytes = Files.readAllBytes(f);
            assertThat(bytes).hasSize(512 * 4);
            if (first == null) first = bytes;
            else assertThat(Arrays.equals(bytes, first)).as("logits with threads=%d equal those with 1 thread", threads).isTrue();
        }
    }
}
