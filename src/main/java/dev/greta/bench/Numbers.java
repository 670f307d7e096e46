package dev.greta.bench;

import java.util.Locale;

/** Number formatting for reports: about three significant digits, never scientific notation. */
final class Numbers {
    private Numbers() {}

    static String fmt(double v) {
        double a = Math.abs(v);
        if (a >= 100) return String.format(Locale.ROOT, "%.1f", v);
        if (a >= 1) return String.format(Locale.ROOT, "%.2f", v);
        if (a >= 0.001 || a == 0) return String.format(Locale.ROOT, "%.4f", v);
        return String.format(Locale.ROOT, "%.2e", v);
    }

    /** The median, with the min–max range when the reps differ; "—" when there is no figure. */
    static String stat(Stats s, String unit) {
        if (s == null) return "—";
        String median = fmt(s.median()) + unit;
        String min = fmt(s.min()), max = fmt(s.max());
        return min.equals(max) ? median : median + " (" + min + "–" + max + ")";
    }

    static String ratio(double r) { return String.format(Locale.ROOT, "%.2f×", r); }

    static String mib(double bytes) { return String.format(Locale.ROOT, "%.0f MiB", bytes / (1024 * 1024)); }
}
