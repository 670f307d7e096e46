package dev.greta.bench;

import java.util.List;
import java.util.Locale;

/**
 * Preset sweeps. {@code quick} (the default) finishes in about a minute on 2 cores with the built-in model;
 * {@code core} and {@code long} are the seed report's context sets, {@code long} with three times the timeouts.
 */
public enum Suite {
    QUICK(List.of(256, 512, 1024), 1, 1),
    CORE(List.of(4096, 8192, 16384), 3, 1),
    LONG(List.of(16384, 24576, 32768), 1, 3);

    public static final List<String> DEFAULT_ATTN = List.of("naive", "flash");

    private final List<Integer> ctx;
    private final int reps;
    private final double timeoutFactor;

    Suite(List<Integer> ctx, int reps, double timeoutFactor) {
        this.ctx = ctx;
        this.reps = reps;
        this.timeoutFactor = timeoutFactor;
    }

    public List<Integer> ctx() { return ctx; }

    public int reps() { return reps; }

    public double timeoutFactor() { return timeoutFactor; }

    public String id() { return name().toLowerCase(Locale.ROOT); }
}
