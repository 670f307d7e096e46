package dev.greta.backend.cpu;

import dev.greta.backend.Buffer;

/** A heap float32 rows x cols buffer, row-major. */
public record CpuBuffer(int rows, int cols, float[] data) implements Buffer {
    public CpuBuffer(int rows, int cols) {
        this(rows, cols, new float[Math.multiplyExact(rows, cols)]);
    }
}
