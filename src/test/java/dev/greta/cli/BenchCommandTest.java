package dev.greta.cli;

import dev.greta.bench.BenchFixtures;
import dev.greta.bench.BenchJson;
import dev.greta.bench.BenchSummary;
import dev.greta.bench.RunRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class BenchCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final AtomicInteger launches = new AtomicInteger();

    private int bench(String... args) {
        BenchCommand command = new BenchCommand(request -> {
            launches.incrementAndGet();
            return BenchFixtures.fake().command(request);
        }, BenchFixtures::tinyModel);
        return new CommandLine(command).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
    }

    /** The reason on one line of its own, after at most progress lines: no stack trace. */
    private void assertRefusedWith(String reason) {
        List<String> lines = err.toString().lines().toList();
        assertThat(lines).as(err.toString()).isNotEmpty().allMatch(line -> line.startsWith("bench: "));
        assertThat(lines.getLast()).startsWith("bench: " + reason);
    }

    @Test
    void attnListSplitsOnCommasBetweenVariantsNotInsideTheirParameters() {
        BenchCommand c = new BenchCommand();
        new CommandLine(c).parseArgs("--attn", "naive,flash:q=64,kv=32,tiled", "--no-deterministic");
        assertThat(c.attn).containsExactly("naive", "flash:q=64,kv=32", "tiled");
        assertThat(c.deterministic).isFalse();
        BenchCommand d = new BenchCommand();
        new CommandLine(d).parseArgs("--ctx", "4096,8192");
        assertThat(d.deterministic).isTrue();
        assertThat(d.ctx).containsExactly(4096, 8192);
    }

    @Test
    void badOptionsExitTwoWithTheReasonAndRunNothing() {
        assertThat(bench("--backend", "tpu")).isEqualTo(2);
        assertThat(err.toString()).contains("--backend 'tpu': expected one of cpu, cuda");
        assertThat(bench("--suite", "huge")).isEqualTo(2);
        assertThat(err.toString()).contains("--suite 'huge': expected quick, core or long");
        assertThat(bench("--ctx", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--ctx 0: must be at least 1 token");
        assertThat(bench("--timeout", "soon")).isEqualTo(2);
        assertThat(bench("--max-seq-len", "lots")).isEqualTo(2);
        assertThat(bench("--model", "/no/such.gguf")).isEqualTo(2);
        assertThat(err.toString()).contains("--model /no/such.gguf: no such file");
        assertThat(launches).hasValue(0);
    }

    @Test
    void tablesListContextsAscendingAndAResumedSweepListsRunsInPlanOrder(@TempDir Path dir) throws Exception {
        Path first = dir.resolve("a");
        assertThat(bench("--ctx", "16", "--attn", "naive,flash", "--out", first.toString())).as(err.toString()).isZero();
        assertThat(bench("--ctx", "32,16", "--attn", "naive,flash", "--out", first.toString(), "--resume")).as(err.toString()).isZero();
        Path clean = dir.resolve("b");
        assertThat(bench("--ctx", "32,16", "--attn", "naive,flash", "--out", clean.toString())).as(err.toString()).isZero();

        java.util.function.Function<Path, List<String>> order = d -> BenchJson.readInput(d.resolve("summary.json"),
                BenchSummary.class, "summary").runs().stream().map(r -> r.ctx() + " " + r.attn()).toList();
        assertThat(order.apply(first)).isEqualTo(order.apply(clean)).containsExactly("32 naive", "32 flash", "16 naive", "16 flash");
        String report = Files.readString(clean.resolve("report.md"));
        for (String table : new String[]{"## Results: naive", "## Speedup over the baseline"}) {
            String section = report.substring(report.indexOf(table));
            assertThat(section.indexOf("| 16 |")).as(table).isLessThan(section.indexOf("| 32 |"));
        }
    }

    @Test
    void aToleranceOutsideItsRangeOrANameThatIsAPathIsRefused(@TempDir Path dir) {
        for (String tolerance : new String[]{"NaN", "1", "-0.1", "Infinity"}) {
            assertThat(bench("--ctx", "16", "--attn", "naive", "--tolerance", tolerance, "--out", dir.toString()))
                    .as(tolerance).isEqualTo(2);
            assertThat(err.toString()).contains("--tolerance must be in [0, 1)");
        }
        assertThat(bench("--ctx", "16", "--attn", "naive", "--name", "../../escape")).isEqualTo(2);
        assertThat(err.toString()).contains("--name '../../escape'");
        assertThat(bench("--ctx", "16", "--attn", "naive", "--resume", "--out", dir.resolve("typo").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("does not exist: nothing to resume");
        assertThat(dir.resolve("typo")).doesNotExist();
        assertThat(launches).hasValue(0);
    }

    @Test
    void anExpectationFromOtherSettingsIsRefusedAndAResumeKeepsItsExpectation(@TempDir Path dir) throws Exception {
        Path first = dir.resolve("first");
        assertThat(bench("--ctx", "16", "--attn", "naive", "--threads", "1", "--out", first.toString())).as(err.toString()).isZero();
        Path expect = first.resolve("summary.json");

        assertThat(bench("--ctx", "16", "--attn", "naive", "--threads", "2", "--expect", expect.toString(),
                "--out", dir.resolve("other").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("was measured differently (threads 1 vs 2)");

        assertThat(bench("--ctx", "16,32", "--attn", "naive", "--threads", "1", "--resume", "--expect", expect.toString(),
                "--out", first.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("expect null vs " + expect);
    }

    @Test
    void anAttentionVariantTheEngineWouldRefuseStopsTheSweepBeforeAnyRun(@TempDir Path dir) {
        assertThat(bench("--ctx", "16", "--attn", "naive,bogus", "--out", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--attn bogus: unknown attention kernel 'bogus'", "valid kernels: naive");
        assertThat(bench("--ctx", "16", "--attn", "flash:q=0", "--out", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--attn flash:q=0: attention parameter q=0 is outside [1, 4096]");
        assertThat(bench("--ctx", "16", "--backend", "cuda", "--attn", "flash:seg=auto,zz=1", "--out", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("flash has no parameter 'zz' (it takes kv, mma, mt, q, seg)");
        assertThat(launches).hasValue(0);
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void badInputFilesExitTwoWithOneLineNamingTheFile(@TempDir Path dir) throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage.json"), "garbage");
        Path notAModel = Files.writeString(dir.resolve("bad.gguf"), "not gguf");
        Path afile = Files.writeString(dir.resolve("afile"), "");
        Path out = dir.resolve("out");
        String o = out.toString();
        Map<List<String>, String> expected = new LinkedHashMap<>();
        expected.put(List.of("--out", o, "--expect", garbage.toString()), "--expect " + garbage + ": not a valid BenchSummary (Unrecognized token 'garbage'");
        expected.put(List.of("--out", o, "--expect", dir.toString()), "--expect " + dir + ": is a directory, not a file");
        expected.put(List.of("--out", o, "--expect", dir.resolve("none.json").toString()), "--expect " + dir.resolve("none.json") + ": no such file");
        expected.put(List.of("--out", o, "--expect", afile.toString()), "--expect " + afile + ": not a valid BenchSummary (No content");
        expected.put(List.of("--out", o, "--model", notAModel.toString()), "model " + notAModel + ": magic at offset 0: expected 'GGUF'");
        expected.put(List.of("--out", afile.toString()), "--out " + afile + ": exists and is not a directory");
        expected.put(List.of("--out", afile.toString(), "--resume"), "--out " + afile + ": exists and is not a directory");
        for (Map.Entry<List<String>, String> c : expected.entrySet()) {
            err.getBuffer().setLength(0);
            List<String> args = new ArrayList<>(List.of("--ctx", "16", "--attn", "naive"));
            args.addAll(c.getKey());
            assertThat(bench(args.toArray(String[]::new))).as(c.getKey().toString()).isEqualTo(2);
            assertRefusedWith(c.getValue());
        }
        assertThat(launches).hasValue(0);
        assertThat(out).as("no folder claimed by a sweep refused for its input").doesNotExist();
    }

    @Test
    void resumeFromATruncatedSummaryExitsTwoNamingIt(@TempDir Path dir) throws Exception {
        assertThat(bench("--ctx", "16", "--attn", "naive", "--out", dir.toString())).as(err.toString()).isZero();
        Path summary = dir.resolve("summary.json");
        String text = Files.readString(summary);
        Files.writeString(summary, text.substring(0, text.length() / 2));
        err.getBuffer().setLength(0);

        assertThat(bench("--ctx", "16", "--attn", "naive", "--out", dir.toString(), "--resume")).isEqualTo(2);
        assertRefusedWith("cannot resume " + summary + ": not a valid BenchSummary (Unexpected end-of-input");
        assertThat(launches).hasValue(1);
    }

    @Test
    void resumeWithASmallerPlanKeepsEarlierRunsUnlessToldToDropThem(@TempDir Path dir) throws Exception {
        assertThat(bench("--ctx", "16,32", "--attn", "naive", "--out", dir.toString())).as(err.toString()).isZero();
        String before = Files.readString(dir.resolve("summary.json"));

        assertThat(bench("--ctx", "16", "--attn", "naive", "--out", dir.toString(), "--resume")).isEqualTo(2);
        assertThat(err.toString()).contains("cannot resume: 1 earlier runs are outside this plan (ctx 32 naive rep 1)",
                "--drop-unplanned");
        assertThat(Files.readString(dir.resolve("summary.json"))).isEqualTo(before);

        assertThat(bench("--ctx", "16", "--attn", "naive", "--out", dir.toString(), "--resume", "--drop-unplanned"))
                .as(err.toString()).isZero();
        assertThat(err.toString()).contains("1 earlier runs outside this plan are left out of summary.json");
        BenchSummary s = BenchJson.read(dir.resolve("summary.json"), BenchSummary.class);
        assertThat(s.runs()).extracting(RunRecord::ctx).containsExactly(16);
        assertThat(dir.resolve("runs/32_naive_1.json")).as("measured data stays").isNotEmptyFile();
        assertThat(launches).hasValue(2);

        assertThat(bench("--ctx", "16", "--attn", "naive", "--out", dir.resolveSibling("other").toString(), "--drop-unplanned"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--drop-unplanned only applies with --resume");
    }

    @Test
    void sweepsWithParameterisedVariantsAndComparesTwoSummaries(@TempDir Path dir) throws Exception {
        int code = bench("--ctx", "16", "--attn", "naive,flash:q=64,kv=32", "--reps", "1", "--out", dir.toString());

        assertThat(code).as(err.toString()).isZero();
        BenchSummary s = BenchJson.read(dir.resolve("summary.json"), BenchSummary.class);
        assertThat(s.settings().attn()).containsExactly("naive", "flash:q=64,kv=32");
        assertThat(s.settings().suite()).isNull();
        assertThat(s.name()).isEqualTo("sweep");
        assertThat(s.runs()).extracting(RunRecord::variant).containsExactly("naive", "flash:q=64,kv=32");
        assertThat(out.toString()).contains("## Speedup over the baseline (naive)", "Report: ");

        StringWriter compared = new StringWriter();
        String summary = dir.resolve("summary.json").toString();
        int cmp = new CommandLine(new BenchCommand()).setOut(new PrintWriter(compared, true)).execute("compare", summary, summary);
        assertThat(cmp).isZero();
        assertThat(compared.toString()).contains("| Context | Variant | A tok/s | B tok/s | B/A |", "| 16 | flash:q=64,kv=32 |", "| 1.00× |");
    }

    @Test
    void compareRefusesAFileThatIsNotASummary(@TempDir Path dir) throws Exception {
        Path bogus = Files.writeString(dir.resolve("x.json"), "[1,2]");
        int code = new CommandLine(new BenchCommand()).setErr(new PrintWriter(err, true))
                .execute("compare", bogus.toString(), bogus.toString());
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("cannot read summary " + bogus);
    }
}
