package dev.greta.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ChartsTest {
    @Test
    void logAxisLabelsKeepThreeSignificantDigitsAtTheSmallestValue() {
        assertThat(Charts.labelFormat(6.0).format(10.9648)).isEqualTo("10.96");
        assertThat(Charts.labelFormat(0.0039).format(0.0063096)).isEqualTo("0.00631");
        assertThat(Charts.labelFormat(250).format(398.107)).isEqualTo("398");
    }
}
