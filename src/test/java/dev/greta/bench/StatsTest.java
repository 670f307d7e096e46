package dev.greta.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class StatsTest {
    @Test
    void medianMinMaxAndSampleStdev() {
        Stats odd = Stats.of(List.of(3.0, 1.0, 2.0));
        assertThat(odd).isEqualTo(new Stats(3, 2.0, 1.0, 3.0, 1.0));
        Stats even = Stats.of(List.of(4, 1, 3, 2));
        assertThat(even.median()).isEqualTo(2.5);
        assertThat(even.stdev()).isCloseTo(Math.sqrt(5.0 / 3), within(1e-12));
    }

    @Test
    void oneValueHasNoSpreadAndNoValuesNoStats() {
        assertThat(Stats.of(List.of(7.5))).isEqualTo(new Stats(1, 7.5, 7.5, 7.5, 0));
        assertThat(Stats.of(List.of())).isNull();
    }
}
