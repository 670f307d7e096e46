package dev.greta.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;

/** Where a sweep writes: {@code artifacts/<date>/<name>/} unless --out says otherwise. */
public final class OutputDirectory {
    private OutputDirectory() {}

    public static Path defaultFor(String name, LocalDate date) {
        return Path.of("artifacts", date.toString(), name);
    }

    /**
     * A fresh sweep never overwrites an earlier one: if {@code dir} already holds a summary, the first free
     * {@code dir-2}, {@code dir-3}, ... is used. A resumed sweep uses {@code dir} itself.
     */
    public static Path choose(Path dir, boolean resume) {
        if (resume || !Files.exists(dir.resolve("summary.json"))) return dir;
        for (int i = 2; ; i++) {
            Path candidate = dir.resolveSibling(dir.getFileName() + "-" + i);
            if (!Files.exists(candidate.resolve("summary.json"))) return candidate;
        }
    }
}
