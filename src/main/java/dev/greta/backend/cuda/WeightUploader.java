package dev.greta.backend.cuda;

import dev.greta.gguf.GgmlType;
import dev.greta.gguf.GgufTensor;

import java.lang.foreign.MemorySegment;

/**
 * Uploads GGUF tensors as they are stored (raw block bytes, straight from the mapped file) and expands them on
 * the GPU into bf16 or f32 matrices with the dequant kernels. Large tensors go in chunks of whole rows through
 * one reusable raw area, so uploading never needs twice a tensor's size on the device.
 */
final class WeightUploader {
    static final long CHUNK_BYTES = 64L << 20;
    private static final int THREADS = 256;
    private final CudaDevice device;
    private final CudaKernels kernels;
    private final Scratch raw;

    WeightUploader(CudaDevice device, CudaKernels kernels) {
        this.device = device;
        this.kernels = kernels;
        this.raw = new Scratch(device, "raw weight upload");
    }

    /** Rows x cols of a GGUF tensor that the backend can bind as a matrix; throws on anything else. */
    static int[] matrixShape(GgufTensor tensor) {
        if (tensor.dims().length < 1 || tensor.dims().length > 2) {
            throw new IllegalArgumentException("tensor " + tensor.name() + " has shape " + tensor.shape()
                    + "; a matrix needs 1 or 2 dimensions");
        }
        if (!CudaKernels.UPLOADABLE.contains(tensor.type())) {
            throw new IllegalArgumentException("tensor " + tensor.name() + " has type " + tensor.type()
                    + "; the cuda backend uploads " + CudaKernels.UPLOADABLE);
        }
        long cols = tensor.cols(), rows = tensor.rows();
        if (cols <= 0 || rows <= 0 || cols > Integer.MAX_VALUE || rows > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor " + tensor.name() + " has unsupported shape " + tensor.shape());
        }
        GgmlType type = tensor.type();
        if (cols % type.blockSize() != 0) {
            throw new IllegalArgumentException("tensor " + tensor.name() + ": rows of " + cols + " elements are not"
                    + " whole " + type + " blocks of " + type.blockSize());
        }
        long expected = type.bytesFor(rows * cols);
        if (tensor.data().byteSize() < expected) {
            throw new IllegalArgumentException("tensor " + tensor.name() + " holds " + tensor.data().byteSize()
                    + " bytes; " + type + " " + tensor.shape() + " needs " + expected);
        }
        return new int[] {(int) rows, (int) cols};
    }

    /** Allocates {@code out} and fills it with the dequantised tensor; queued on the stream. */
    void upload(GgufTensor tensor, DeviceMemory out, WeightPrecision precision) {
        int[] shape = matrixShape(tensor);
        int rows = shape[0], cols = shape[1];
        GgmlType type = tensor.type();
        long rowBytes = type.bytesFor(cols);
        int rowsPerChunk = (int) Math.max(1, Math.min(rows, CHUNK_BYTES / rowBytes));
        long rawPointer = raw.ensure(rowsPerChunk * rowBytes);
        Kernel kernel = kernels.dequant(type, precision);
        MemorySegment data = tensor.data();
        for (int row = 0; row < rows; row += rowsPerChunk) {
            int chunkRows = Math.min(rowsPerChunk, rows - row);
            device.upload(rawPointer, data.asSlice(row * rowBytes, chunkRows * rowBytes), chunkRows * rowBytes);
            long elements = (long) chunkRows * cols;
            long dst = out.pointer() + (long) row * cols * precision.bytesPerElement();
            kernel.launch((int) ((elements + THREADS - 1) / THREADS), 1, 1, THREADS, 0,
                    device.args().ptr(rawPointer).ptr(dst).i64(elements));
        }
    }
}
