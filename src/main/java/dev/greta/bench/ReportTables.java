package dev.greta.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The tables of report.md and report.html, computed once from a summary. */
final class ReportTables {
    private ReportTables() {}

    /** The seed's table for one variant: medians over reps (min–max when several), prefill tok/s. */
    static Table results(BenchSummary s, String attn) {
        List<List<String>> rows = new ArrayList<>();
        String resolved = null;
        for (CellAggregate c : cells(s, attn)) {
            if (resolved == null) resolved = c.variant();
            rows.add(List.of(Integer.toString(c.ctx()), Numbers.stat(c.wallS(), " s"), Numbers.stat(c.modelLoadS(), " s"),
                    Numbers.stat(c.prefillS(), " s"), Numbers.stat(c.decodeS(), " s"), Numbers.stat(c.prefillTokS(), ""),
                    c.peakRssBytes() == null ? "—" : Numbers.mib(c.peakRssBytes().max()), status(s, c)));
        }
        String title = "Results: " + attn + (attn.equals(s.settings().baseline()) ? " (baseline)" : "");
        String note = (resolved == null ? "" : "Resolved as " + resolved + ". ")
                + "Medians over " + s.settings().reps() + " rep(s); tok/s is prefill throughput; peak RSS is the largest rep's.";
        return new Table(title, note, List.of("Context", "Wall", "Model Load", "Prefill", "Decode", "tok/s",
                "Peak RSS", "Status"), rows);
    }

    /** Each variant's median prefill throughput over the baseline's, per ctx. */
    static Table speedup(BenchSummary s) {
        String base = s.settings().baseline();
        List<List<String>> rows = new ArrayList<>();
        for (int ctx : s.settings().ctx().stream().sorted().toList()) {
            List<String> row = new ArrayList<>(List.of(Integer.toString(ctx)));
            Optional<Double> baseTps = prefillTokS(s, ctx, base);
            for (String attn : s.settings().attn()) {
                Optional<Double> tps = prefillTokS(s, ctx, attn);
                row.add(baseTps.isPresent() && tps.isPresent() ? Numbers.ratio(tps.get() / baseTps.get()) : "—");
            }
            rows.add(row);
        }
        return new Table("Speedup over the baseline (" + base + ")", "Median prefill tok/s of each variant divided by the baseline's at the same context.",
                header("Context", s), rows);
    }

    /** Each variant's median prefill throughput relative to its own at the smallest context. */
    static Table scaling(BenchSummary s) {
        int smallest = s.settings().ctx().stream().min(Integer::compare).orElseThrow();
        List<List<String>> rows = new ArrayList<>();
        for (int ctx : s.settings().ctx().stream().sorted().toList()) {
            List<String> row = new ArrayList<>(List.of(Integer.toString(ctx)));
            for (String attn : s.settings().attn()) {
                Optional<Double> ref = prefillTokS(s, smallest, attn);
                Optional<Double> tps = prefillTokS(s, ctx, attn);
                row.add(ref.isPresent() && tps.isPresent() ? Numbers.ratio(tps.get() / ref.get()) : "—");
            }
            rows.add(row);
        }
        return new Table("Scaling", "Median prefill tok/s at each context relative to the same variant at ctx " + smallest
                + " (1.00× = no slowdown as the context grows).", header("Context", s), rows);
    }

    static Table guardrails(BenchSummary s) {
        Map<String, int[]> counts = new LinkedHashMap<>();
        for (RunRecord r : s.runs()) {
            for (GuardrailResult g : r.guardrails()) counts.computeIfAbsent(g.name(), k -> new int[3])[g.verdict().ordinal()]++;
        }
        List<List<String>> rows = new ArrayList<>();
        counts.forEach((name, c) -> rows.add(List.of(name, Integer.toString(c[0]), Integer.toString(c[1]), Integer.toString(c[2]))));
        String note = "Verdict: " + s.verdict() + (s.complete() ? "" : " (sweep incomplete)") + ". "
                + s.guardrails().pass() + " PASS, " + s.guardrails().fail() + " FAIL, " + s.guardrails().skip() + " SKIP.";
        return new Table("Guardrails", note, List.of("Guardrail", "PASS", "FAIL", "SKIP"), rows);
    }

    /** Null when nothing failed. */
    static Table failures(BenchSummary s) {
        if (s.guardrails().failures().isEmpty()) return null;
        List<List<String>> rows = s.guardrails().failures().stream().map(f -> List.of(
                new RunKey(f.ctx(), f.attn(), f.rep()).toString(), f.guardrail(), f.reason())).toList();
        return new Table("Guardrail failures", null, List.of("Run", "Guardrail", "Reason"), rows);
    }

    static Table artifacts(BenchSummary s) {
        List<List<String>> rows = new ArrayList<>(List.of(
                List.of("Summary", "summary.json", "Machine-readable results (schema version " + s.schemaVersion() + ")"),
                List.of("Status", "status.json", "Progress of the sweep, rewritten after every change"),
                List.of("Report", "report.md", "This report"),
                List.of("Charts", "report.html", "This report with charts")));
        for (RunRecord r : s.runs()) {
            rows.add(List.of(r.key().toString(), r.log() + ", " + r.stdout(),
                    "stderr and infer JSON of the run (" + r.status().name() + ")"));
        }
        return new Table("Artifacts", null, List.of("Artifact", "Location", "Description"), rows);
    }

    private static List<String> header(String first, BenchSummary s) {
        List<String> h = new ArrayList<>(List.of(first));
        h.addAll(s.settings().attn());
        return h;
    }

    /** A variant's cells by ascending ctx, the order of every table's rows. */
    static List<CellAggregate> cells(BenchSummary s, String attn) {
        return s.aggregates().stream().filter(c -> c.attn().equals(attn))
                .sorted(java.util.Comparator.comparingInt(CellAggregate::ctx)).toList();
    }

    static Optional<Double> prefillTokS(BenchSummary s, int ctx, String attn) {
        return s.aggregates().stream().filter(c -> c.ctx() == ctx && c.attn().equals(attn) && c.prefillTokS() != null)
                .map(c -> c.prefillTokS().median()).findFirst();
    }

    /** The cell's status, with the names of failed guardrails or the exit code of a failed run. */
    private static String status(BenchSummary s, CellAggregate c) {
        List<RunRecord> runs = s.runs().stream().filter(r -> r.ctx() == c.ctx() && r.attn().equals(c.attn())).toList();
        return switch (c.status()) {
            case "FAILED" -> "FAILED (" + runs.stream().filter(r -> r.status() == RunStatus.FAILED)
                    .map(r -> "exit " + r.exitCode()).distinct().reduce((a, b) -> a + ", " + b).orElse("") + ")";
            case "FAIL" -> "FAIL (" + runs.stream().flatMap(r -> r.guardrails().stream())
                    .filter(g -> g.verdict() == Verdict.FAIL).map(GuardrailResult::name).distinct()
                    .reduce((a, b) -> a + ", " + b).orElse("") + ")";
            case "INCOMPLETE" -> "INCOMPLETE (" + runs.size() + "/" + c.planned() + ")";
            default -> c.status();
        };
    }
}
