package dev.greta.bench;

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
}
