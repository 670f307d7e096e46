package dev.greta.bench;

import dev.greta.cli.BenchCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class ResumeAfterKillTest {
    @TempDir
    Path dir;

    @Test
    void resumeAfterTheExecutorIsKilledFinishesEveryRunExactlyOnce() throws Exception {
        List<String> bench = List.of("--ctx", "16,32", "--attn", "naive,flash", "--reps", "1", "--threads", "1",
                "--out", dir.toString());
        Process executor = startExecutor(500, bench);
        BenchSummary partial;
        try {
            partial = awaitRuns(2, executor);
        } finally {
            executor.destroyForcibly(); // SIGKILL: no shutdown hook, a child may be left running
            executor.waitFor();
        }
        assertThat(partial.complete()).isFalse();
        BenchSummary atKill = read(); // what the killed executor left
        assertThat(atKill.runs().size()).isBetween(2, 3);

        StringWriter err = new StringWriter();
        List<String> resume = new ArrayList<>(bench);
        resume.add("--resume");
        int code = new CommandLine(new BenchCommand(BenchFixtures.fake(), BenchFixtures::tinyModel))
                .setOut(new PrintWriter(new StringWriter())).setErr(new PrintWriter(err, true))
                .execute(resume.toArray(String[]::new));

        assertThat(code).as(err.toString()).isZero();
        BenchSummary done = read();
        assertThat(done.complete()).isTrue();
        assertThat(done.runs()).extracting(RunRecord::key).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(done.settings().plan());
        Map<RunKey, RunRecord> byKey = done.runs().stream().collect(Collectors.toMap(RunRecord::key, Function.identity()));
        for (RunRecord before : atKill.runs()) {
            assertThat(byKey.get(before.key()).started()).as("kept, not re-run: " + before.key()).isEqualTo(before.started());
        }
        assertThat(SchemaCheck.summaryErrors(dir.resolve("summary.json"))).isEmpty();
        StatusReport status = BenchJson.read(dir.resolve("status.json"), StatusReport.class);
        assertThat(status.state()).isEqualTo("finished");
        assertThat(status.runs()).allMatch(r -> r.state() == RunStatus.DONE && r.pid() == null);
    }

    @Test
    void sigtermEndsTheRunningChildAndLeavesStatusInterrupted() throws Exception {
        Process executor = startExecutor(60_000, List.of("--ctx", "16", "--attn", "naive", "--reps", "2", "--out", dir.toString()));
        long child;
        try {
            child = awaitRunningChild(executor);
        } finally {
            executor.destroy(); // SIGTERM: the shutdown hook runs
            executor.waitFor();
        }

        StatusReport status = BenchJson.read(dir.resolve("status.json"), StatusReport.class);
        assertThat(status.state()).as(Files.readString(dir.resolve("executor.log"))).isEqualTo("interrupted");
        assertThat(status.runs()).allMatch(r -> r.state() == RunStatus.PENDING && r.pid() == null);
        assertThat(SchemaCheck.statusErrors(dir.resolve("status.json"))).isEmpty();
        assertThat(ProcessHandle.of(child).filter(ProcessHandle::isAlive)).as("the run's child is ended").isEmpty();
        assertThat(read().runs()).as("the killed run is no result").isEmpty();
    }

    private Process startExecutor(int runMs, List<String> bench) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(JvmRunLauncher.javaBinary()));
        cmd.addAll(JvmRunLauncher.ENGINE_JVM_FLAGS);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), SweepMain.class.getName(), String.valueOf(runMs)));
        cmd.addAll(bench);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("executor.log").toFile()).start();
    }

    /** The pid of the first run's child, once status.json shows it running. */
    private long awaitRunningChild(Process executor) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!executor.isAlive()) {
                throw new AssertionError("executor ended early: " + Files.readString(dir.resolve("executor.log")));
            }
            if (Files.exists(dir.resolve("status.json"))) {
                StatusReport s = BenchJson.read(dir.resolve("status.json"), StatusReport.class);
                if (s.progress().running() == 1) return s.runs().getFirst().pid();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no run started within 60 s");
    }

    private BenchSummary awaitRuns(int runs, Process executor) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!executor.isAlive()) {
                throw new AssertionError("executor ended early: " + Files.readString(dir.resolve("executor.log")));
            }
            if (Files.exists(dir.resolve("summary.json"))) {
                BenchSummary s = read();
                if (s.runs().size() >= runs) return s;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no " + runs + " finished runs within 60 s");
    }

    private BenchSummary read() throws Exception {
        return BenchJson.read(dir.resolve("summary.json"), BenchSummary.class);
    }
}
