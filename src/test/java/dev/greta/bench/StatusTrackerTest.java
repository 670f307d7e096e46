package dev.greta.bench;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class StatusTrackerTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static StatusReport.RunState measured(int ctx, String attn, double seconds) {
        return new StatusReport.RunState(ctx, attn, 1, RunStatus.DONE, null, null, 60L, seconds, null, "l");
    }

    private static StatusReport.RunState pending(int ctx, String attn) {
        return new StatusReport.RunState(ctx, attn, 2, RunStatus.PENDING, null, null, null, null, null, "l");
    }

    @Test
    void estimatePrefersTheSameCellThenTheSameCtxThenScalesQuadratically() {
        List<StatusReport.RunState> m = List.of(measured(512, "naive", 4), measured(512, "flash", 2), measured(1024, "naive", 10));
        assertThat(StatusTracker.estimate(pending(512, "flash"), m)).isEqualTo(2);
        assertThat(StatusTracker.estimate(pending(1024, "flash"), m)).isEqualTo(10);
        assertThat(StatusTracker.estimate(pending(2048, "flash"), m)).isCloseTo(40, within(1e-9));
    }

    @Test
    void progressCountsAndEtaFollowTheRuns() {
        SweepSettings s = BenchFixtures.settings(List.of(64, 128), List.of("naive"), 1);
        StatusTracker t = new StatusTracker("x", "/out", s.plan(), List.of(), T0);
        assertThat(t.report(T0).etaS()).as("no run measured yet").isNull();
        assertThat(t.report(T0).progress().pending()).isEqualTo(2);

        t.running(new RunKey(64, "naive", 1), T0, 60, 4242);
        StatusReport running = t.report(T0.plusSeconds(1));
        assertThat(running.progress().running()).isEqualTo(1);
        assertThat(running.runs().getFirst().pid()).isEqualTo(4242);

        RunOutcome o = new RunOutcome(RunStatus.DONE, 0, null, null, List.of(), null, 3.0);
        t.finished(RunRecord.of(new RunKey(64, "naive", 1), o, T0.toString(), T0.plusSeconds(3).toString(), 60, "l", "s",
                List.of("java"), List.of()));
        StatusReport after = t.report(T0.plusSeconds(3));
        assertThat(after.progress().finished()).isEqualTo(1);
        assertThat(after.progress().percent()).isEqualTo(50);
        assertThat(after.etaS()).as("ctx 128 at 4× the 3 s of ctx 64").isEqualTo(12);
        assertThat(after.eta()).isEqualTo("2026-01-01T00:00:15Z");
        assertThat(after.runs().getFirst().pid()).isNull();
        assertThat(t.unfinished()).containsExactly(new RunKey(128, "naive", 1));
    }

    @Test
    void anInterruptedSweepSaysSoAndItsKilledRunIsPendingAgain() {
        StatusTracker t = new StatusTracker("x", "/out", BenchFixtures.settings(List.of(64), List.of("naive", "flash"), 1).plan(),
                List.of(), T0);
        t.running(new RunKey(64, "naive", 1), T0, 60, 4242);
        assertThat(t.report(T0).state()).isEqualTo("running");

        t.sweepInterrupted();
        StatusReport r = t.report(T0.plusSeconds(1));
        assertThat(r.state()).isEqualTo("interrupted");
        assertThat(r.etaS()).isNull();
        assertThat(r.progress().running()).isZero();
        assertThat(r.progress().pending()).isEqualTo(2);
        assertThat(r.runs()).allMatch(s -> s.state() == RunStatus.PENDING && s.pid() == null);
    }

    @Test
    void progressBarShowsCountsCurrentRunAndEta() {
        StatusTracker t = new StatusTracker("x", "/out", BenchFixtures.settings(List.of(64), List.of("naive", "flash"), 1).plan(),
                List.of(), T0);
        String line = ProgressBar.render(t.report(T0), new RunKey(64, "flash", 1), 75);
        assertThat(line).isEqualTo("bench [------------------------] 0/2 | ctx 64 flash rep 1 1m15s | ETA ?");
    }
}
