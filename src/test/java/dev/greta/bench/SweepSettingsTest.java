package dev.greta.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SweepSettingsTest {
    private static SweepSettings with(String maxSeqLen, int gen, boolean deterministic) {
        return new SweepSettings(null, List.of(512, 256), List.of("naive", "flash"), 2, gen, 2, "cpu", "f32",
                deterministic, maxSeqLen, "auto", 0.2, null);
    }

    @Test
    void planCyclesVariantsWithinEachRepOfEachCtxInTheGivenOrder() {
        assertThat(with("run", 1, true).plan()).containsExactly(
                new RunKey(512, "naive", 1), new RunKey(512, "flash", 1), new RunKey(512, "naive", 2), new RunKey(512, "flash", 2),
                new RunKey(256, "naive", 1), new RunKey(256, "flash", 1), new RunKey(256, "naive", 2), new RunKey(256, "flash", 2));
        assertThat(with("run", 1, true).baseline()).isEqualTo("naive");
    }

    @Test
    void sequenceLimitIsTheRunsNeedTheModelsOwnOrFixed() {
        assertThat(with("run", 3, true).maxSeqLenFor(4096)).isEqualTo(4099);
        assertThat(with("model", 3, true).maxSeqLenFor(4096)).isNull();
        assertThat(with("2048", 3, true).maxSeqLenFor(4096)).isEqualTo(2048);
        assertThatThrownBy(() -> with("lots", 1, true)).hasMessageContaining("--max-seq-len 'lots'");
    }

    @Test
    void resumeNeedsTheSameKindOfRunButMayChangeThePlan() {
        SweepSettings a = with("run", 1, true);
        SweepSettings more = new SweepSettings("core", List.of(4096), List.of("flash"), 3, 1, 2, "cpu", "f32", true, "run",
                "600", 0.2, null);
        assertThat(a.resumeConflict(more)).isNull();
        SweepSettings otherRange = new SweepSettings("core", List.of(4096), List.of("flash"), 3, 1, 2, "cpu", "f32", true,
                "run", "600", 0.1, null);
        assertThat(a.resumeConflict(otherRange)).as("runs were judged with the earlier range").isEqualTo("tolerance 0.1 vs 0.2");
        assertThat(a.measurementConflict(otherRange)).as("but were measured alike").isNull();
        assertThat(a.resumeConflict(with("run", 2, true))).isEqualTo("gen 2 vs 1");
        assertThat(a.resumeConflict(with("run", 1, false))).isEqualTo("deterministic false vs true");
        assertThat(a.resumeConflict(with("model", 1, true))).isEqualTo("max_seq_len model vs run");
    }

    @Test
    void invalidListsAreRefusedWithTheOption() {
        assertThatThrownBy(() -> new SweepSettings(null, List.of(16, 16), List.of("naive"), 1, 1, 1, "cpu", "f32", true,
                "run", "auto", 0.2, null)).hasMessageContaining("--ctx [16, 16] repeats a value");
        assertThatThrownBy(() -> new SweepSettings(null, List.of(16), List.of(), 1, 1, 1, "cpu", "f32", true,
                "run", "auto", 0.2, null)).hasMessageContaining("no attention variant");
        assertThatThrownBy(() -> new SweepSettings(null, List.of(16), List.of("naive"), 0, 1, 1, "cpu", "f32", true,
                "run", "auto", 0.2, null)).hasMessageContaining("--reps 0");
    }
}
