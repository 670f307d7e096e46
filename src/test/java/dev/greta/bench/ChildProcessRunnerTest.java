package dev.greta.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class ChildProcessRunnerTest {
    @TempDir
    Path dir;

    private final AtomicLong startedPid = new AtomicLong(-1);
    private final ChildProcessRunner.Listener listener = new ChildProcessRunner.Listener() {
        @Override public void started(ProcessHandle child) { startedPid.set(child.pid()); }

        @Override public void tick() {}
    };

    private RunOutcome run(JvmRunLauncher launcher, int ctx, Duration timeout) throws Exception {
        return run(launcher, ctx, ctx + 1, timeout);
    }

    private RunOutcome run(JvmRunLauncher launcher, int ctx, Integer maxSeqLen, Duration timeout) throws Exception {
        List<String> cmd = launcher.command(new RunRequest(BenchFixtures.tinyModel(), ctx, 1, maxSeqLen, "naive", 1, true, "f32", "cpu"));
        return new ChildProcessRunner().run(cmd, dir.resolve("out.json"), dir.resolve("err.log"), timeout, listener);
    }

    @Test
    void finishedRunCarriesTheChildsFiguresAndItsPeakRss() throws Exception {
        RunOutcome o = run(BenchFixtures.fake("sleepMs=300"), 64, Duration.ofSeconds(60));
        assertThat(o.status()).isEqualTo(RunStatus.DONE);
        assertThat(o.exitCode()).isZero();
        assertThat(o.result().promptTokens()).isEqualTo(64);
        assertThat(o.result().maxSeqLen()).isEqualTo(65);
        assertThat(o.result().attnImpl()).isEqualTo("naive");
        assertThat(o.peakRssBytes()).as("a JVM's VmHWM").isGreaterThan(10L << 20);
        assertThat(startedPid.get()).isPositive();
        assertThat(Files.readString(dir.resolve("err.log"))).contains("fake infer: loading");
    }

    @Test
    void runPastItsTimeoutIsKilledAndHasNoFigures() throws Exception {
        RunOutcome o = run(BenchFixtures.fake("sleepMs=60000"), 64, Duration.ofSeconds(1));
        assertThat(o.status()).isEqualTo(RunStatus.TIMEOUT);
        assertThat(o.result()).isNull();
        assertThat(o.exitCode()).isNull();
        assertThat(o.error()).isEqualTo("killed at its timeout of 1 s");
        assertThat(o.processWallS()).isLessThan(30);
        assertThat(ProcessHandle.of(startedPid.get()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void crashIsFailedWithExitCodeAndTheEndOfStderr() throws Exception {
        RunOutcome o = run(BenchFixtures.fake("crash=true"), 64, Duration.ofSeconds(60));
        assertThat(o.status()).isEqualTo(RunStatus.FAILED);
        assertThat(o.exitCode()).isEqualTo(1);
        assertThat(o.result()).isNull();
        assertThat(String.join("\n", o.stderrTail())).contains("simulated kernel crash at ctx 64");
        assertThat(o.stderrTail()).hasSizeLessThanOrEqualTo(ChildProcessRunner.STDERR_TAIL_LINES);
    }

    @Test
    void promptOverTheSequenceLimitIsFailedWithTheEnginesMessage() throws Exception {
        RunOutcome o = run(BenchFixtures.fake(), 4096, null, Duration.ofSeconds(60)); // the model's context is 2048
        assertThat(o.status()).isEqualTo(RunStatus.FAILED);
        assertThat(o.exitCode()).isEqualTo(2);
        assertThat(o.error()).isEqualTo("exit 2: greta infer: prompt of 4096 tokens + 1 new tokens = 4097 exceeds "
                + "the max sequence length 2048 (from llama.context_length). Nothing was computed.");
    }

    @Test
    void exitZeroWithoutTheJsonIsFailedNotDone() throws Exception {
        List<String> cmd = List.of(JvmRunLauncher.javaBinary(), "-version"); // exits 0, prints nothing on stdout
        RunOutcome o = new ChildProcessRunner().run(cmd, dir.resolve("out.json"), dir.resolve("err.log"),
                Duration.ofSeconds(60), listener);
        assertThat(o.status()).isEqualTo(RunStatus.FAILED);
        assertThat(o.exitCode()).isZero();
        assertThat(o.error()).startsWith("exit 0 but stdout is not the infer JSON");
    }

    @Test
    void vmHwmLinesParseToKilobytes() {
        assertThat(PeakRssSampler.parseKilobytes("VmHWM:\t  123456 kB")).isEqualTo(123456);
    }
}
