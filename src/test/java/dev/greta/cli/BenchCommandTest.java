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
import java.nio.file.Path;
import java.util.List;
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
        Path bogus = java.nio.file.Files.writeString(dir.resolve("x.json"), "[1,2]");
        int code = new CommandLine(new BenchCommand()).setErr(new PrintWriter(err, true))
                .execute("compare", bogus.toString(), bogus.toString());
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("cannot read summary " + bogus);
    }
}
