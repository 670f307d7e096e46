package dev.greta.bench;

import java.nio.file.Path;

/**
 * One sweep to execute: where results go ({@code outDir}, or the first free {@code outDir-N} for a fresh sweep:
 * see {@link OutputDirectory#choose}), which model, what to run and how long each run may take.
 * {@code dropUnplanned}: a resume may leave earlier runs outside its plan out of summary.json.
 */
public record BenchConfig(String name, Path outDir, Path model, SweepSettings settings, TimeoutPolicy timeout,
                          boolean resume, boolean dropUnplanned) {

    /** The earlier summary to compare throughput with, or null. */
    public Path expect() { return settings.expect() == null ? null : Path.of(settings.expect()); }
}
