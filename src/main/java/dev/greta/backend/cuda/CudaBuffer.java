package dev.greta.backend.cuda;

import dev.greta.backend.Buffer;

/** A float32 rows x cols activation buffer in device memory, row-major; lives as long as its backend. */
final class CudaBuffer implements Buffer {
    final CudaBackend owner;
    final DeviceMemory memory;
    private final int rows;
    private final int cols;

    CudaBuffer(CudaBackend owner, DeviceMemory memory, int rows, int cols) {
        this.owner = owner;
        this.memory = memory;
        this.rows = rows;
        this.cols = cols;
    }

    @Override
    public int rows() { return rows; }

    @Override
    public int cols() { return cols; }

    long pointer() { return memory.pointer(); }

    long rowPointer(int row) { return memory.pointer() + 4L * row * cols; }

    @Override
    public String toString() { return "CudaBuffer[" + rows + "x" + cols + "]"; }
}
