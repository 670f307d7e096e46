package dev.greta.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChartsTest {
    @Test
    void logAxisLabelsKeepThreeSignificantDigitsAtTheSmallestValue() {
        assertThat(Charts.labelFormat(6.0).format(10.9648)).isEqualTo("10.96");
        assertThat(Charts.labelFormat(0.0039).format(0.0063096)).isEqualTo("0.00631");
        assertThat(Charts.labelFormat(250).format(398.107)).isEqualTo("398");
    }

    @Test
    void aChartThatCannotBeDrawnBecomesANoteNotACrash() {
        // what the JDK throws on a headless host without fonts (seen on the lent GPU machine)
        String note = HtmlReport.chart(() -> {
            throw new Error("Probable fatal error: No fonts found.");
        });
        assertThat(note).startsWith("<p class=\"note\">Chart not drawn: java.lang.Error: Probable fatal error: No fonts found.");
        assertThat(HtmlReport.chart(() -> "<svg/>")).isEqualTo("<svg/>");
        assertThatThrownBy(() -> HtmlReport.chart(() -> {
            throw new OutOfMemoryError("heap");
        })).isInstanceOf(OutOfMemoryError.class);
    }
}
