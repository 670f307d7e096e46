package dev.greta.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * summary.json: everything needed to trust and reproduce a sweep (docs/BENCH.md documents each field; the
 * JSON Schema is src/main/resources/bench/summary.schema.json). Rewritten atomically after every run.
 */
public record BenchSummary(int schemaVersion, String name, String created, String updated, boolean complete,
                           Verdict verdict, EngineInfo engine, HostInfo host, SweepSettings settings,
                           ModelInfo model, GpuInfo gpu, Map<String, Object> backendProperties,
                           List<RunRecord> runs, List<CellAggregate> aggregates, GuardrailTally guardrails) {
    public static final int SCHEMA_VERSION = 1;

    /** A summary the user named (--expect, --resume), refused with a one-line reason unless it is of this schema. */
    public static BenchSummary load(Path file, String subject) {
        BenchSummary summary = BenchJson.readInput(file, BenchSummary.class, subject);
        if (summary.schemaVersion() != SCHEMA_VERSION) {
            throw new IllegalArgumentException(subject + ": schema_version " + summary.schemaVersion()
                    + ", this build reads " + SCHEMA_VERSION);
        }
        if (summary.settings() == null || summary.model() == null || summary.runs() == null || summary.aggregates() == null) {
            throw new IllegalArgumentException(subject + ": not a whole summary (settings, model, runs or aggregates missing)");
        }
        return summary;
    }
}
