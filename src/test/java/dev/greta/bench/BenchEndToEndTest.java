package dev.greta.bench;

import dev.greta.cli.GenModelCommand;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The executor against the real {@code greta infer} on a tiny generated model (context_length 48). */
class BenchEndToEndTest {
    @TempDir
    static Path dir;
    static Path model;

    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void generateTinyModel() {
        model = dir.resolve("tiny.gguf");
        int code = new CommandLine(new GenModelCommand()).execute("--shape", "layers=2,dim=64,ffn=128,heads=4,kv-heads=2,vocab=320",
                "--ctx", "48", "-q", "-o", model.toString());
        assertThat(code).isZero();
    }

    private int sweep(Path out, List<Integer> ctx, List<String> attn, int reps, String maxSeqLen) throws Exception {
        SweepSettings settings = new SweepSettings(null, ctx, attn, reps, 1, 1, "cpu", "f32", true, maxSeqLen, "auto", 0.2, null);
        BenchConfig config = new BenchConfig("e2e", out, model, settings, TimeoutPolicy.parse("auto", 1), false, false);
        return new BenchExecutor(config, JvmRunLauncher.greta(), new PrintWriter(new StringWriter()),
                new PrintWriter(err, true), false).run();
    }

    @Test
    void realSweepPassesEveryGuardrailAndItsFilesValidate() throws Exception {
        Path out = dir.resolve("sweep");
        int code = sweep(out, List.of(16), List.of("naive", "flash"), 2, "run");

        BenchSummary s = BenchJson.read(out.resolve("summary.json"), BenchSummary.class);
        assertThat(s.guardrails().failures()).as(err.toString()).isEmpty();
        assertThat(code).isZero();
        assertThat(SchemaCheck.summaryErrors(out.resolve("summary.json"))).isEmpty();
        assertThat(SchemaCheck.statusErrors(out.resolve("status.json"))).isEmpty();
        assertThat(s.runs()).hasSize(4).allSatisfy(r -> {
            assertThat(r.status()).isEqualTo(RunStatus.DONE);
            assertThat(r.promptTokens()).isEqualTo(r.ctx());
            assertThat(r.maxSeqLen()).isEqualTo(r.ctx() + 1);
            assertThat(r.prefillS()).isPositive();
            assertThat(r.variant()).startsWith(r.attn());
        });
        assertThat(s.runs()).allSatisfy(r -> assertThat(r.guardrails()).contains(
                GuardrailResult.pass("deterministic", "same logits and tokens as rep " + (3 - r.rep()))));
        assertThat(s.model().shape().contextLength()).isEqualTo(48);
        assertThat(s.aggregates()).allSatisfy(c -> assertThat(c.prefillTokS().n()).isEqualTo(2));
        assertThat(Files.readString(out.resolve("report.md"))).contains("## Speedup over the baseline (naive)");
        assertThat(Files.readString(out.resolve("report.html"))).contains("<svg id='chart-prefill-tok-s'");
    }

    @Test
    void promptLongerThanTheModelsContextIsFailedWithTheEnginesMessage() throws Exception {
        Path out = dir.resolve("over");
        int code = sweep(out, List.of(64), List.of("naive"), 1, "model");

        assertThat(code).isEqualTo(1);
        RunRecord run = BenchJson.read(out.resolve("summary.json"), BenchSummary.class).runs().getFirst();
        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.error()).contains("prompt of 64 tokens + 1 new tokens = 65 exceeds the max sequence length 48");
        assertThat(run.prefillS()).isNull();
        assertThat(run.prefillTokS()).isNull();
    }
}
