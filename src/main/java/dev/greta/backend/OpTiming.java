package dev.greta.backend;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Time spent in one op (or kernel) of a backend: on the device's own clock (CUDA events), or the wall clock on cpu. */
public record OpTiming(@JsonProperty("calls") long calls, @JsonProperty("total_ms") double totalMillis) {
    public double meanMillis() { return calls == 0 ? 0 : totalMillis / calls; }

    public OpTiming plus(double millis) { return new OpTiming(calls + 1, totalMillis + millis); }
}
