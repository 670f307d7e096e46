package dev.greta.backend.cpu;

import dev.greta.backend.Weights;

/** A float32 vector weight (RMSNorm scales). */
record CpuVector(float[] values) implements Weights {
    @Override
    public int rows() { return 1; }

    @Override
    public int cols() { return values.length; }
}
