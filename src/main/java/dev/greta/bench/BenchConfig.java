package dev.greta.bench;

import java.nio.file.Path;

/** One sweep to execute: where results go, which model, what to run and how long each run may take. */
public record BenchConfig(String name, Path outDir, Path model, SweepSettings settings, TimeoutPolicy timeout,
                          boolean resume) {

    /** The earlier summary to compare throughput with, or null. */
    public Path expect() { return settings.expect() == null ? null : Path.of(settings.expect()); }
}
