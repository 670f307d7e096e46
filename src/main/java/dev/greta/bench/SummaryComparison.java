package dev.greta.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code greta bench compare A B}: two summaries side by side per (ctx, variant), with B/A ratios of the
 * median prefill throughput (above 1: B is faster), e.g. before/after a kernel change or CPU against CUDA.
 */
public final class SummaryComparison {
    private SummaryComparison() {}

    public static String render(BenchSummary a, String labelA, BenchSummary b, String labelB) {
        StringBuilder out = new StringBuilder("# Compare\n\n");
        out.append("- A: ").append(describe(a, labelA)).append('\n');
        out.append("- B: ").append(describe(b, labelB)).append('\n');
        if (!a.model().sha256().equals(b.model().sha256())) {
            out.append("- Note: A and B measured different models (sha256 differs); ratios are not like for like\n");
        }
        String settings = b.settings().measurementConflict(a.settings());
        if (settings != null) {
            out.append("- Note: A and B were run differently (").append(settings).append(", A vs B); ratios are not like for like\n");
        }
        for (String kernels : resolvedDifferently(a, b)) {
            out.append("- Note: ").append(kernels).append("; that row compares different kernels\n");
        }
        out.append('\n').append(MarkdownReport.render(table(a, b)));
        return out.toString();
    }

    /** Variants both sweeps ran under one name but that the engine resolved to different kernels. */
    private static List<String> resolvedDifferently(BenchSummary a, BenchSummary b) {
        Map<String, String> inA = new LinkedHashMap<>();
        for (CellAggregate c : a.aggregates()) if (c.variant() != null) inA.putIfAbsent(c.attn(), c.variant());
        Map<String, String> notes = new LinkedHashMap<>();
        for (CellAggregate c : b.aggregates()) {
            String resolvedA = inA.get(c.attn());
            if (resolvedA != null && c.variant() != null && !resolvedA.equals(c.variant())) {
                notes.putIfAbsent(c.attn(), "'" + c.attn() + "' ran as " + resolvedA + " in A and as " + c.variant() + " in B");
            }
        }
        return List.copyOf(notes.values());
    }

    static Table table(BenchSummary a, BenchSummary b) {
        Map<String, CellAggregate[]> cells = new LinkedHashMap<>();
        for (CellAggregate c : a.aggregates()) cells.computeIfAbsent(c.ctx() + "|" + c.attn(), k -> new CellAggregate[2])[0] = c;
        for (CellAggregate c : b.aggregates()) cells.computeIfAbsent(c.ctx() + "|" + c.attn(), k -> new CellAggregate[2])[1] = c;
        List<List<String>> rows = new ArrayList<>();
        // By context, then as listed (A's variants first): cells only B has join their context's rows.
        List<CellAggregate[]> pairs = cells.values().stream()
                .sorted(java.util.Comparator.comparingInt(p -> (p[0] != null ? p[0] : p[1]).ctx())).toList();
        for (CellAggregate[] pair : pairs) {
            CellAggregate any = pair[0] != null ? pair[0] : pair[1];
            Stats tpsA = pair[0] == null ? null : pair[0].prefillTokS();
            Stats tpsB = pair[1] == null ? null : pair[1].prefillTokS();
            rows.add(List.of(Integer.toString(any.ctx()), any.attn(), Numbers.stat(tpsA, ""), Numbers.stat(tpsB, ""),
                    tpsA != null && tpsB != null ? Numbers.ratio(tpsB.median() / tpsA.median()) : "—",
                    Numbers.stat(pair[0] == null ? null : pair[0].prefillS(), " s"),
                    Numbers.stat(pair[1] == null ? null : pair[1].prefillS(), " s"),
                    pair[0] == null ? "absent" : pair[0].status(), pair[1] == null ? "absent" : pair[1].status()));
        }
        return new Table("Prefill, A against B", "Medians (min–max over reps); B/A above 1.00× means B is faster.",
                List.of("Context", "Variant", "A tok/s", "B tok/s", "B/A", "A prefill", "B prefill", "A status", "B status"),
                rows);
    }

    private static String describe(BenchSummary s, String label) {
        return label + ": " + s.name() + ", " + s.created() + ", backend " + s.settings().backend()
                + (s.gpu() != null && s.gpu().name() != null ? " (" + s.gpu().name() + ")" : "") + ", "
                + s.settings().threads() + " threads, commit " + (s.engine().gitCommit() == null ? "unknown" : s.engine().gitCommit())
                + ", model " + s.model().name() + " sha256 " + s.model().sha256().substring(0, 12) + "…, verdict " + s.verdict();
    }
}
