package dev.greta.bench;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

import java.awt.Color;
import java.awt.geom.Rectangle2D;
import java.text.DecimalFormat;
import java.util.function.Function;

/** The report's charts, drawn by JFreeChart and rendered to SVG elements by JFreeSVG. */
final class Charts {
    static final int WIDTH = 760;
    static final int HEIGHT = 420;

    private Charts() {}

    /** Median prefill tok/s against context, one line per variant (context on a log₂ axis). */
    static String prefillThroughputSvg(BenchSummary s) {
        XYPlot plot = plot(s, "Prefill throughput by context", "Median prefill tok/s", CellAggregate::prefillTokS);
        plot.setDomainAxis(contextAxis());
        NumberAxis y = (NumberAxis) plot.getRangeAxis();
        y.setAutoRangeIncludesZero(true);
        return svg(plot.getChart(), "chart-prefill-tok-s");
    }

    /** Median prefill seconds against context, both axes logarithmic (a slope of 2 is quadratic growth). */
    static String prefillSecondsSvg(BenchSummary s) {
        XYPlot plot = plot(s, "Prefill time by context (log-log)", "Median prefill seconds", CellAggregate::prefillS);
        plot.setDomainAxis(contextAxis());
        LogAxis y = new LogAxis("Median prefill seconds (log scale)");
        y.setNumberFormatOverride(labelFormat(smallestValue(plot)));
        y.setSmallestValue(1e-9);
        plot.setRangeAxis(y);
        return svg(plot.getChart(), "chart-prefill-s");
    }

    /** Enough decimals for three significant digits at the smallest value (log ticks fall on uneven values). */
    static DecimalFormat labelFormat(double smallest) {
        int decimals = smallest > 0 ? (int) Math.max(0, Math.min(9, 2 - Math.floor(Math.log10(smallest)))) : 3;
        return new DecimalFormat(decimals == 0 ? "0" : "0." + "#".repeat(decimals));
    }

    private static double smallestValue(XYPlot plot) {
        XYSeriesCollection data = (XYSeriesCollection) plot.getDataset();
        double min = Double.POSITIVE_INFINITY;
        for (int s = 0; s < data.getSeriesCount(); s++) {
            if (data.getSeries(s).getItemCount() > 0) min = Math.min(min, data.getSeries(s).getMinY());
        }
        return Double.isInfinite(min) ? 0 : min;
    }

    private static XYPlot plot(BenchSummary s, String title, String yLabel, Function<CellAggregate, Stats> metric) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (String attn : s.settings().attn()) {
            XYSeries series = new XYSeries(attn);
            for (CellAggregate c : ReportTables.cells(s, attn)) {
                Stats v = metric.apply(c);
                if (v != null && v.median() > 0) series.add(c.ctx(), v.median());
            }
            data.addSeries(series);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, "Context (tokens)", yLabel, data,
                PlotOrientation.VERTICAL, true, false, false);
        chart.setBackgroundPaint(Color.WHITE);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.setRenderer(new XYLineAndShapeRenderer(true, true));
        return plot;
    }

    private static LogAxis contextAxis() {
        LogAxis x = new LogAxis("Context (tokens, log₂ scale)");
        x.setBase(2);
        x.setTickUnit(new NumberTickUnit(1));
        x.setNumberFormatOverride(new DecimalFormat("0"));
        return x;
    }

    private static String svg(JFreeChart chart, String id) {
        SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
        g.setDefsKeyPrefix(id + "-"); // two charts in one page must not share clip-path ids
        chart.draw(g, new Rectangle2D.Double(0, 0, WIDTH, HEIGHT));
        return g.getSVGElement(id);
    }
}
