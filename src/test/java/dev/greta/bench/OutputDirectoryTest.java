package dev.greta.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;

import static org.assertj.core.api.Assertions.assertThat;

class OutputDirectoryTest {
    @Test
    void defaultIsArtifactsDateName() {
        assertThat(OutputDirectory.defaultFor("B3_89", LocalDate.of(2026, 2, 12))).isEqualTo(Path.of("artifacts/2026-02-12/B3_89"));
    }

    @Test
    void aFreshSweepNeverOverwritesAnEarlierSummaryButResumeUsesIt(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("quick");
        assertThat(OutputDirectory.choose(dir, false)).isEqualTo(dir);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("summary.json"), "{}");
        assertThat(OutputDirectory.choose(dir, false)).isEqualTo(tmp.resolve("quick-2"));
        assertThat(OutputDirectory.choose(dir, true)).isEqualTo(dir);
    }
}
