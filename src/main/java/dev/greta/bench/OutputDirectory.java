package dev.greta.bench;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
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
     * A fresh sweep never shares a folder with another: it claims the first of {@code dir}, {@code dir-2},
     * {@code dir-3}, ... that holds neither summary.json nor runs/ by creating runs/ there (creating a directory
     * is atomic, so of two executors started together only one gets each folder). A resumed sweep uses {@code dir}.
     *
     * @throws IllegalArgumentException when {@code dir} is not a folder or cannot be created
     */
    public static Path choose(Path dir, boolean resume) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--out " + dir + ": exists and is not a directory");
        }
        try {
            if (resume) return Files.createDirectories(dir);
            for (int i = 1; ; i++) {
                Path candidate = i == 1 ? dir : dir.resolveSibling(dir.getFileName() + "-" + i);
                if (claim(candidate)) return candidate;
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("--out " + dir + ": cannot create the folder (" + e.getMessage() + ")");
        }
    }

    private static boolean claim(Path candidate) throws IOException {
        if (Files.exists(candidate.resolve("summary.json"))) return false;
        try {
            Files.createDirectories(candidate);
            Files.createDirectory(candidate.resolve("runs"));
            return true;
        } catch (FileAlreadyExistsException e) {
            return false; // another sweep's folder (or a file of that name): try the next suffix
        }
    }
}
