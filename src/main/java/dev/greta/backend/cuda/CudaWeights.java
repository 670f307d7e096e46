package dev.greta.backend.cuda;

import dev.greta.backend.Weights;
import dev.greta.gguf.GgmlType;

/**
 * Weights in device memory: a matrix (rows x cols, row-major, bf16 or f32 per {@link WeightPrecision}) dequantised
 * from a GGUF tensor of type {@code source}, or a float32 vector (rows = 1, source = null).
 */
final class CudaWeights implements Weights {
    final CudaBackend owner;
    final DeviceMemory memory;
    final WeightPrecision precision;
    final GgmlType source;
    private final int rows;
    private final int cols;

    CudaWeights(CudaBackend owner, DeviceMemory memory, WeightPrecision precision, GgmlType source, int rows,
                int cols) {
        this.owner = owner;
        this.memory = memory;
        this.precision = precision;
        this.source = source;
        this.rows = rows;
        this.cols = cols;
    }

    @Override
    public int rows() { return rows; }

    @Override
    public int cols() { return cols; }

    boolean isVector() { return source == null; }

    long pointer() { return memory.pointer(); }

    @Override
    public String toString() {
        return (isVector() ? "vector f32" : "matrix " + source + "->" + precision) + "[" + rows + "x" + cols + "]";
    }
}
