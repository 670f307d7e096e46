package dev.greta.bench;

import java.util.ArrayList;
import java.util.List;

/** report.md: the seed's tables, speedup, scaling, guardrails and the artifacts index. */
final class MarkdownReport {
    private MarkdownReport() {}

    static String full(BenchSummary s) {
        StringBuilder b = new StringBuilder("# Bench " + s.name() + "\n\n");
        provenance(s).forEach(line -> b.append("- ").append(line).append('\n'));
        b.append('\n').append(resultsSection(s));
        b.append(render(ReportTables.scaling(s)));
        b.append(render(ReportTables.guardrails(s)));
        Table failures = ReportTables.failures(s);
        if (failures != null) b.append(render(failures));
        b.append(render(ReportTables.artifacts(s)));
        return b.toString();
    }

    /** The per-variant results and the speedup table: what the terminal shows at the end of a sweep. */
    static String resultsSection(BenchSummary s) {
        StringBuilder b = new StringBuilder();
        for (String attn : s.settings().attn()) b.append(render(ReportTables.results(s, attn)));
        if (s.settings().attn().size() > 1) b.append(render(ReportTables.speedup(s)));
        return b.toString();
    }

    /** Where the numbers come from, one line each. */
    static List<String> provenance(BenchSummary s) {
        List<String> lines = new ArrayList<>();
        EngineInfo e = s.engine();
        lines.add("Date: " + s.created() + (s.complete() ? "" : " (incomplete)") + ", verdict " + s.verdict());
        lines.add("Engine: " + (e.version() == null ? "version unknown" : e.version()) + ", commit "
                + (e.gitCommit() == null ? "unknown" : e.gitCommit() + (Boolean.TRUE.equals(e.gitDirty()) ? " (dirty)" : "")));
        HostInfo h = s.host();
        lines.add("Host: " + h.cpuModel() + ", " + h.cpuCount() + " CPUs, " + h.osName() + " " + h.osVersion() + ", "
                + h.jvmName() + " " + h.jvmVersion());
        SweepSettings c = s.settings();
        lines.add("Run: backend " + c.backend() + (s.gpu() != null && s.gpu().name() != null ? " (" + s.gpu().name() + ")" : "")
                + ", " + c.threads() + " threads, KV " + c.kvType() + ", deterministic " + c.deterministic()
                + ", max-seq-len " + c.maxSeqLen() + ", gen "
                + c.gen() + ", reps " + c.reps() + ", timeout " + c.timeout() + (c.suite() == null ? "" : ", suite " + c.suite()));
        ModelInfo m = s.model();
        lines.add("Model: " + m.path() + " (" + m.name() + ", " + m.architecture() + ", " + m.shape().layers() + " layers, dim "
                + m.shape().dim() + ", context " + m.shape().contextLength() + ", " + m.parameters() + " parameters, tensors "
                + m.tensorTypes().entrySet().stream().map(t -> t.getKey() + " ×" + t.getValue()).reduce((a, b) -> a + ", " + b).orElse("none")
                + "), sha256 " + m.sha256());
        return lines;
    }

    static String render(Table t) {
        StringBuilder b = new StringBuilder("## ").append(t.title()).append("\n\n");
        if (t.note() != null) b.append(t.note()).append("\n\n");
        row(b, t.header());
        row(b, t.header().stream().map(h -> "---").toList());
        t.rows().forEach(r -> row(b, r));
        return b.append('\n').toString();
    }

    private static void row(StringBuilder b, List<String> cells) {
        b.append('|');
        for (String c : cells) b.append(' ').append(c.replace("|", "\\|").replace("\n", " ")).append(" |");
        b.append('\n');
    }
}
