package dev.greta.backend.cuda;

import dev.greta.backend.Buffer;

/**
 * A float32 rows x cols activation buffer in device memory, row-major; lives as long as its backend. It may also
 * hold a bf16 copy of its first columns, the form cuBLAS's bf16 GEMM reads: written by the op that produced the
 * buffer (rmsNorm) or by the first matmul that needed it, and reused while no op has written the buffer since
 * (q, k and v projections read the same normed rows; so do gate and up).
 */
final class CudaBuffer implements Buffer {
    final CudaBackend owner;
    final DeviceMemory memory;
    private final int rows;
    private final int cols;
    private long version;  // advanced by every op that writes the float32 contents
    private DeviceMemory bf16;
    private long bf16Version = -1;
    private int bf16Rows;
    private int bf16Cols;

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

    /** Marks the float32 contents as changed: any bf16 copy is stale from now on. */
    void written() { version++; }

    /** Whether the bf16 copy holds the current first {@code rows} x {@code cols} (packed, row stride cols). */
    boolean hasBf16(int rows, int cols) { return bf16Version == version && bf16Rows >= rows && bf16Cols == cols; }

    /** Device address of the bf16 copy (allocated on first use, big enough for the whole buffer). */
    long bf16Pointer(CudaDevice device) {
        if (bf16 == null) bf16 = device.allocate(2L * rows * cols);
        return bf16.pointer();
    }

    /** Records that the bf16 copy now holds the current first {@code rows} x {@code cols}. */
    void bf16Written(int rows, int cols) {
        bf16Version = version;
        bf16Rows = rows;
        bf16Cols = cols;
    }

    @Override
    public String toString() { return "CudaBuffer[" + rows + "x" + cols + "]"; }
}
