package dev.greta.bench;

import java.util.Arrays;
import java.util.List;

/** Median and spread of one metric over the repetitions of a (ctx, variant) cell. */
public record Stats(int n, double median, double min, double max, double stdev) {

    /** Null when there are no values (no run of the cell produced the metric). */
    public static Stats of(List<? extends Number> values) {
        double[] v = values.stream().mapToDouble(Number::doubleValue).sorted().toArray();
        if (v.length == 0) return null;
        int n = v.length;
        double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        double mean = Arrays.stream(v).average().orElseThrow();
        double ss = 0;
        for (double x : v) ss += (x - mean) * (x - mean);
        double stdev = n > 1 ? Math.sqrt(ss / (n - 1)) : 0; // sample standard deviation
        return new Stats(n, median, v[0], v[n - 1], stdev);
    }
}
