package dev.greta.backend.cuda;

/** A grow-only device work area (GEMM inputs, raw upload bytes, attention partials), reused across calls. */
final class Scratch {
    private final CudaDevice device;
    private final String purpose;
    private DeviceMemory memory;

    Scratch(CudaDevice device, String purpose) {
        this.device = device;
        this.purpose = purpose;
    }

    /** A device pointer to at least {@code bytes} bytes; growing frees the old area after queued work ends. */
    long ensure(long bytes) {
        if (bytes <= 0) throw new IllegalArgumentException(purpose + " scratch of " + bytes + " bytes");
        if (memory == null || memory.bytes < bytes) {
            device.free(memory);
            memory = device.allocate(Math.max(bytes, memory == null ? 0 : memory.bytes + memory.bytes / 2));
        }
        return memory.pointer();
    }
}
