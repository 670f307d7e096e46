package dev.greta.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OutputDirectoryTest {
    @Test
    void defaultIsArtifactsDateName() {
        assertThat(OutputDirectory.defaultFor("B3_89", LocalDate.of(2026, 2, 12))).isEqualTo(Path.of("artifacts/2026-02-12/B3_89"));
    }

    @Test
    void aFreshSweepNeverOverwritesAnEarlierSummaryButResumeUsesIt(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("quick");
        assertThat(OutputDirectory.choose(dir, false)).isEqualTo(dir);
        Files.writeString(dir.resolve("summary.json"), "{}");
        assertThat(OutputDirectory.choose(dir, false)).isEqualTo(tmp.resolve("quick-2"));
        assertThat(OutputDirectory.choose(dir, true)).isEqualTo(dir);
    }

    @Test
    void anExistingEmptyFolderIsUsedButNotOneAnotherSweepHasClaimed(@TempDir Path tmp) throws Exception {
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        assertThat(OutputDirectory.choose(empty, false)).isEqualTo(empty);
        assertThat(empty.resolve("runs")).isDirectory();
        assertThat(OutputDirectory.choose(empty, false)).as("runs/ there: claimed, summary or not")
                .isEqualTo(tmp.resolve("empty-2"));
    }

    @Test
    void sweepsStartedTogetherNeverShareAFolder(@TempDir Path tmp) throws Exception {
        int sweeps = 8;
        Path dir = tmp.resolve("same");
        CyclicBarrier start = new CyclicBarrier(sweeps);
        Callable<Path> choose = () -> {
            start.await();
            return OutputDirectory.choose(dir, false);
        };
        List<Path> chosen = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(sweeps)) {
            List<Future<Path>> futures = new ArrayList<>();
            for (int i = 0; i < sweeps; i++) futures.add(pool.submit(choose));
            for (Future<Path> f : futures) chosen.add(f.get());
        }
        assertThat(chosen).doesNotHaveDuplicates().hasSize(sweeps).contains(dir, tmp.resolve("same-" + sweeps));
    }

    @Test
    void aFileInTheWayIsRefusedWithItsName(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("afile"), "x");
        assertThatThrownBy(() -> OutputDirectory.choose(file, false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--out " + file + ": exists and is not a directory");
        assertThatThrownBy(() -> OutputDirectory.choose(file, true)).hasMessageContaining("is not a directory");
        assertThatThrownBy(() -> OutputDirectory.choose(file.resolve("sub"), false))
                .hasMessageStartingWith("--out " + file.resolve("sub") + ": cannot create the folder");
    }
}
