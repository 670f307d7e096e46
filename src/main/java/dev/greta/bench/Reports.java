package dev.greta.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes report.md and report.html for a summary into the sweep's folder. */
public final class Reports {
    private Reports() {}

    public static void write(BenchSummary summary, Path dir) throws IOException {
        Files.writeString(dir.resolve("report.md"), MarkdownReport.full(summary), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("report.html"), HtmlReport.page(summary), StandardCharsets.UTF_8);
    }
}
