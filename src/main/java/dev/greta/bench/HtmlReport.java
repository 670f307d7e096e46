package dev.greta.bench;

import java.util.List;
import java.util.function.Supplier;

/** report.html: one self-contained page (no external resources) with the charts inlined as SVG and the tables. */
final class HtmlReport {
    private static final String STYLE = """
            body{font-family:sans-serif;margin:2em auto;max-width:1100px;color:#222}
            table{border-collapse:collapse;margin:.5em 0 1.5em}
            th,td{border:1px solid #bbb;padding:.25em .6em;text-align:right}
            th{background:#eee}td:first-child,th:first-child{text-align:left}
            .chart{margin:1em 0}.note{color:#555}
            """;

    private HtmlReport() {}

    static String page(BenchSummary s) {
        StringBuilder b = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        b.append("<title>Bench ").append(esc(s.name())).append("</title><style>").append(STYLE).append("</style></head><body>\n");
        b.append("<h1>Bench ").append(esc(s.name())).append("</h1>\n<ul>");
        MarkdownReport.provenance(s).forEach(line -> b.append("<li>").append(esc(line)).append("</li>"));
        b.append("</ul>\n<div class=\"chart\">").append(chart(() -> Charts.prefillThroughputSvg(s))).append("</div>\n");
        b.append("<div class=\"chart\">").append(chart(() -> Charts.prefillSecondsSvg(s))).append("</div>\n");
        for (String attn : s.settings().attn()) table(b, ReportTables.results(s, attn));
        if (s.settings().attn().size() > 1) table(b, ReportTables.speedup(s));
        table(b, ReportTables.scaling(s));
        table(b, ReportTables.guardrails(s));
        Table failures = ReportTables.failures(s);
        if (failures != null) table(b, failures);
        table(b, ReportTables.artifacts(s));
        return b.append("</body></html>\n").toString();
    }

    /**
     * The chart as inline SVG, or a note saying why it could not be drawn: measuring text needs fonts, and a
     * headless host without any (e.g. a bare GPU machine) makes the JDK throw an Error; the tables still stand.
     */
    static String chart(Supplier<String> svg) {
        try {
            return svg.get();
        } catch (VirtualMachineError e) {
            throw e;
        } catch (RuntimeException | Error e) {
            return "<p class=\"note\">Chart not drawn: " + esc(String.valueOf(e)) + " (no usable fonts on this host?)</p>";
        }
    }

    private static void table(StringBuilder b, Table t) {
        b.append("<h2>").append(esc(t.title())).append("</h2>\n");
        if (t.note() != null) b.append("<p class=\"note\">").append(esc(t.note())).append("</p>\n");
        b.append("<table><tr>");
        t.header().forEach(h -> b.append("<th>").append(esc(h)).append("</th>"));
        b.append("</tr>\n");
        for (List<String> row : t.rows()) {
            b.append("<tr>");
            row.forEach(c -> b.append("<td>").append(esc(c)).append("</td>"));
            b.append("</tr>\n");
        }
        b.append("</table>\n");
    }

    static String esc(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
