package dev.greta.bench;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builds summary.json from the sweep's fixed facts and the runs finished so far. */
final class SummaryAssembler {
    private final String name;
    private final String created;
    private final EngineInfo engine;
    private final HostInfo host;
    private final SweepSettings settings;
    private final ModelInfo model;
    private Map<String, Object> backendProperties;

    SummaryAssembler(String name, String created, EngineInfo engine, HostInfo host, SweepSettings settings,
                     ModelInfo model, Map<String, Object> backendProperties) {
        this.name = name;
        this.created = created;
        this.engine = engine;
        this.host = host;
        this.settings = settings;
        this.model = model;
        this.backendProperties = backendProperties;
    }

    /** Remembers what the engine said about its backend (the first finished run's report is kept). */
    void sawBackend(Map<String, Object> properties) {
        if (backendProperties == null && properties != null) backendProperties = properties;
    }

    BenchSummary build(List<RunRecord> runs, Instant now) {
        Map<String, List<RunRecord>> byCell = new HashMap<>();
        for (RunRecord r : runs) byCell.computeIfAbsent(r.ctx() + "|" + r.attn(), k -> new java.util.ArrayList<>()).add(r);
        List<CellAggregate> cells = settings.ctx().stream().flatMap(c -> settings.attn().stream().map(a ->
                CellAggregate.of(c, a, settings.reps(), byCell.getOrDefault(c + "|" + a, List.of())))).toList();
        List<RunKey> plan = settings.plan();
        Map<RunKey, Integer> planIndex = new HashMap<>();
        for (int i = 0; i < plan.size(); i++) planIndex.put(plan.get(i), i);
        // Plan order, whatever the order they ran in: a resumed sweep lists its runs as a clean one would.
        runs = runs.stream().sorted(java.util.Comparator.comparingInt(
                r -> planIndex.getOrDefault(new RunKey(r.ctx(), r.attn(), r.rep()), Integer.MAX_VALUE))).toList();
        GuardrailTally tally = GuardrailTally.of(runs);
        boolean complete = runs.size() == plan.size();
        return new BenchSummary(BenchSummary.SCHEMA_VERSION, name, created, now.toString(), complete,
                tally.fail() > 0 ? Verdict.FAIL : Verdict.PASS, engine, host, settings, model,
                GpuInfo.fromBackend(settings.backend(), backendProperties), backendProperties, List.copyOf(runs),
                cells, tally);
    }
}
