package dev.greta.backend.cuda;

/** One device allocation: its address (CUdeviceptr) and size; freed by the {@link CudaDevice} that made it. */
final class DeviceMemory {
    final long pointer;
    final long bytes;
    private boolean freed;

    DeviceMemory(long pointer, long bytes) {
        this.pointer = pointer;
        this.bytes = bytes;
    }

    /** Marks this allocation freed; false when it already was. */
    boolean markFreed() {
        if (freed) return false;
        freed = true;
        return true;
    }

    long pointer() {
        if (freed) throw new IllegalStateException("device memory of " + bytes + " bytes used after it was freed");
        return pointer;
    }
}
