package dev.greta.backend.cuda;

/** Device time spent in one op (or kernel) of {@link CudaBackend}, measured with CUDA events. */
public record OpTiming(long calls, double totalMillis) {
    public double meanMillis() { return calls == 0 ? 0 : totalMillis / calls; }

    OpTiming plus(double millis) { return new OpTiming(calls + 1, totalMillis + millis); }
}
