package dev.greta.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Whole sweeps against {@link FakeInferMain} children (real separate JVMs). */
class BenchExecutorTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int sweep(Path outDir, SweepSettings settings, String timeout, RunLauncher launcher) throws Exception {
        BenchConfig config = new BenchConfig("test", outDir, BenchFixtures.tinyModel(), settings,
                TimeoutPolicy.parse(timeout, 1), false, false);
        return new BenchExecutor(config, launcher, new PrintWriter(out, true), new PrintWriter(err, true), false).run();
    }

    private static BenchSummary summary(Path outDir) throws Exception {
        return BenchJson.read(outDir.resolve("summary.json"), BenchSummary.class);
    }

    @Test
    void fullSweepWritesSummaryStatusAndReportsThatValidate() throws Exception {
        int code = sweep(dir, BenchFixtures.settings(List.of(16, 32), List.of("naive", "flash"), 2), "auto", BenchFixtures.fake());

        assertThat(code).as(err.toString()).isZero();
        assertThat(SchemaCheck.summaryErrors(dir.resolve("summary.json"))).isEmpty();
        assertThat(SchemaCheck.statusErrors(dir.resolve("status.json"))).isEmpty();
        BenchSummary s = summary(dir);
        assertThat(s.complete()).isTrue();
        assertThat(s.verdict()).isEqualTo(Verdict.PASS);
        assertThat(s.runs()).hasSize(8).allMatch(r -> r.status() == RunStatus.DONE);
        assertThat(s.runs()).extracting(RunRecord::key).doesNotHaveDuplicates();
        assertThat(s.model().sha256()).isEqualTo(ModelInfo.sha256(BenchFixtures.tinyModel()));
        assertThat(s.model().shape().layers()).isEqualTo(2);
        assertThat(s.model().tensorTypes()).containsKey("Q8_0");
        assertThat(s.host().cpuCount()).isPositive();
        assertThat(s.runs()).allSatisfy(r -> assertThat(r.guardrails()).extracting(GuardrailResult::verdict)
                .containsOnly(Verdict.PASS));
        RunRecord flash = s.runs().stream().filter(r -> r.attn().equals("flash")).findFirst().orElseThrow();
        assertThat(flash.variant()).isEqualTo("flash:q=64,kv=32");
        assertThat(flash.peakRssBytes()).isPositive();
        assertThat(flash.command()).contains("--prompt-tokens", "--ctx", "--deterministic", "--json");
        assertThat(s.aggregates()).hasSize(4).allSatisfy(c -> {
            assertThat(c.status()).isEqualTo("PASS");
            assertThat(c.prefillTokS().n()).isEqualTo(2);
        });

        StatusReport status = BenchJson.read(dir.resolve("status.json"), StatusReport.class);
        assertThat(status.state()).isEqualTo("finished");
        assertThat(status.progress().finished()).isEqualTo(8);
        assertThat(Files.exists(dir.resolve("runs/32_flash_2.log"))).isTrue();
        assertThat(Files.exists(dir.resolve("runs/32_flash_2.json"))).isTrue();

        String md = Files.readString(dir.resolve("report.md"));
        assertThat(md).contains("| Context | Wall | Model Load | Prefill | Decode | tok/s | Peak RSS | Status |",
                "## Results: naive (baseline)", "## Speedup over the baseline (naive)", "## Scaling", "## Guardrails",
                "## Artifacts", "| 16 |", s.model().sha256());
        String html = Files.readString(dir.resolve("report.html"));
        assertThat(html).contains("<svg id='chart-prefill-tok-s'", "<svg id='chart-prefill-s'")
                .doesNotContain("<script", "<link", "src=\"http");
        assertThat(out.toString()).contains("## Results: flash", "Report: " + dir.resolve("report.md"));
    }

    @Test
    void runGivenOneSecondIsTimeoutWithNoFigure() throws Exception {
        int code = sweep(dir, BenchFixtures.settings(List.of(16), List.of("naive"), 1), "1", BenchFixtures.fake("sleepMs=60000"));

        assertThat(code).isEqualTo(1);
        assertThat(SchemaCheck.summaryErrors(dir.resolve("summary.json"))).isEmpty();
        RunRecord run = summary(dir).runs().getFirst();
        assertThat(run.status()).isEqualTo(RunStatus.TIMEOUT);
        assertThat(run.timeoutS()).isEqualTo(1);
        assertThat(run.prefillS()).isNull();
        assertThat(run.prefillTokS()).isNull();
        assertThat(run.exitCode()).isNull();
        assertThat(summary(dir).aggregates().getFirst().prefillTokS()).isNull();
        assertThat(Files.readString(dir.resolve("report.md"))).contains("| 16 | — | — | — | — | — |", "| TIMEOUT |");
    }

    @Test
    void contextOverTheModelsLimitIsFailedWithTheClearMessageNotAZero() throws Exception {
        // synth-tiny's context_length is 2048 and the runs keep it: the engine refuses, the bench reports no figure
        SweepSettings modelLimit = new SweepSettings(null, List.of(4096), List.of("naive"), 1, 1, 2, "cpu", "f32", true,
                "model", "auto", 0.2, null);
        int code = sweep(dir, modelLimit, "auto", BenchFixtures.fake());

        assertThat(code).isEqualTo(1);
        RunRecord run = summary(dir).runs().getFirst();
        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.error()).contains("prompt of 4096 tokens + 1 new tokens = 4097 exceeds the max sequence length 2048");
        assertThat(run.prefillS()).isNull();
        assertThat(summary(dir).guardrails().failures()).extracting(GuardrailTally.Failure::guardrail).containsExactly("exit_code");
        assertThat(Files.readString(dir.resolve("report.md"))).contains("FAILED (exit 2)", "exceeds the max sequence length");
        assertThat(err.toString()).contains("FAILED: exit 2: greta infer: prompt of 4096 tokens");
    }

    @Test
    void truncatedPromptOrWrongKernelFailsItsGuardrail() throws Exception {
        int code = sweep(dir, BenchFixtures.settings(List.of(16), List.of("flash"), 1), "auto",
                BenchFixtures.fake("promptShortBy=1", "attn=naive"));

        assertThat(code).isEqualTo(1);
        BenchSummary s = summary(dir);
        assertThat(s.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(s.guardrails().failures()).extracting(GuardrailTally.Failure::guardrail)
                .containsExactlyInAnyOrder("prompt_tokens", "attn_impl");
        assertThat(s.aggregates().getFirst().status()).isEqualTo("FAIL");
        assertThat(Files.readString(dir.resolve("report.md"))).contains("## Guardrail failures", "ran 'naive' but 'flash' was requested");
    }

    @Test
    void expectFlagsAThroughputRegressionAndCompareShowsTheRatio() throws Exception {
        Path before = dir.resolve("before");
        Path after = dir.resolve("after");
        assertThat(sweep(before, BenchFixtures.settings(List.of(16), List.of("naive"), 1), "auto", BenchFixtures.fake())).isZero();
        SweepSettings expecting = new SweepSettings(null, List.of(16), List.of("naive"), 1, 1, 2, "cpu", "f32", true, "run", "auto",
                0.2, before.resolve("summary.json").toString());

        int code = sweep(after, expecting, "auto", BenchFixtures.fake("slowdown=2"));

        assertThat(code).isEqualTo(1);
        GuardrailTally.Failure f = summary(after).guardrails().failures().getFirst();
        assertThat(f.guardrail()).isEqualTo("throughput");
        assertThat(f.reason()).startsWith("regression: prefill").contains("is 50% of the expected");
        String compare = SummaryComparison.render(summary(before), "before", summary(after), "after");
        assertThat(compare).contains("| 16 | naive |", "| 0.50× |").doesNotContain("run differently");

        BenchSummary b = summary(after);
        SweepSettings s = b.settings();
        SweepSettings moreThreads = new SweepSettings(s.suite(), s.ctx(), s.attn(), s.reps(), s.gen(), s.threads() + 1,
                s.backend(), s.kvType(), s.deterministic(), s.maxSeqLen(), s.timeout(), s.tolerance(), s.expect());
        BenchSummary other = new BenchSummary(b.schemaVersion(), b.name(), b.created(), b.updated(), b.complete(),
                b.verdict(), b.engine(), b.host(), moreThreads, b.model(), b.gpu(), b.backendProperties(), b.runs(),
                b.aggregates(), b.guardrails());
        assertThat(SummaryComparison.render(summary(before), "before", other, "after"))
                .contains("run differently (threads " + s.threads() + " vs " + (s.threads() + 1) + ", A vs B)");

        List<CellAggregate> otherKernel = b.aggregates().stream().map(c -> new CellAggregate(c.ctx(), c.attn(),
                c.variant() + "-other", c.planned(), c.done(), c.status(), c.modelLoadS(), c.prefillS(), c.decodeS(),
                c.wallS(), c.prefillTokS(), c.decodeTokS(), c.peakRssBytes())).toList();
        BenchSummary resolvedElsewhere = new BenchSummary(b.schemaVersion(), b.name(), b.created(), b.updated(),
                b.complete(), b.verdict(), b.engine(), b.host(), s, b.model(), b.gpu(), b.backendProperties(), b.runs(),
                otherKernel, b.guardrails());
        String variant = b.aggregates().getFirst().variant();
        assertThat(SummaryComparison.render(summary(before), "before", resolvedElsewhere, "after"))
                .contains("ran as " + variant + " in A and as " + variant + "-other in B");
    }
}
