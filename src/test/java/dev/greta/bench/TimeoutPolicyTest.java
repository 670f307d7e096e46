package dev.greta.bench;

import dev.greta.model.ModelShape;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TimeoutPolicyTest {
    // SmolLM2-135M's shape: 30 layers, dim 576, 9 heads of 64
    private static final ModelInfo SMOL = new ModelInfo("m.gguf", "0".repeat(64), 145_000_000L, "llama", "smol",
            new ModelShape(30, 576, 1536, 9, 3, 64, 49152, 8192, 1e-5f), 134_515_008L, Map.of("Q8_0", 1));

    @Test
    void fixedSecondsAreUsedAsGiven() {
        TimeoutPolicy p = TimeoutPolicy.parse("90", 3);
        assertThat(p.secondsFor(32768, SMOL)).isEqualTo(90);
        assertThat(p.describe()).isEqualTo("90");
    }

    @Test
    void autoGrowsWithTheSquareOfTheContextAtLongContexts() {
        TimeoutPolicy auto = TimeoutPolicy.parse("auto", 1);
        long t16k = auto.secondsFor(16384, SMOL), t32k = auto.secondsFor(32768, SMOL);
        assertThat((double) t32k / t16k).isBetween(3.0, 4.0);
        assertThat(auto.secondsFor(256, SMOL)).as("the base covers JVM start and model load")
                .isGreaterThanOrEqualTo((long) TimeoutPolicy.BASE_SECONDS);
    }

    @Test
    void autoIsLongerForABiggerModelAndScalesWithTheSuiteFactor() {
        ModelInfo bigger = new ModelInfo("b.gguf", "0".repeat(64), 1_300_000_000L, "llama", "1b",
                new ModelShape(16, 2048, 8192, 32, 8, 64, 128256, 131072, 1e-5f), 1_235_814_400L, Map.of("Q8_0", 1));
        TimeoutPolicy auto = TimeoutPolicy.parse("auto", 1);
        assertThat(auto.secondsFor(256, bigger)).isGreaterThan(auto.secondsFor(256, SMOL));
        assertThat(TimeoutPolicy.parse("auto", 3).secondsFor(4096, SMOL)).isBetween(
                3 * auto.secondsFor(4096, SMOL) - 3, 3 * auto.secondsFor(4096, SMOL));
    }

    @Test
    void badValuesAreRefusedClearly() {
        assertThatThrownBy(() -> TimeoutPolicy.parse("soon", 1)).hasMessageContaining("--timeout 'soon'");
        assertThatThrownBy(() -> TimeoutPolicy.parse("0", 1)).hasMessageContaining("at least 1 second");
    }
}
