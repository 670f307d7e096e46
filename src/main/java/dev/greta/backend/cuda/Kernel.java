package dev.greta.backend.cuda;

import java.lang.foreign.MemorySegment;

/** A kernel function of a loaded module, launched on its device's stream. */
final class Kernel {
    /** Dynamic shared memory any kernel may use without opting in (48 KiB less room for static shared memory). */
    private static final int DEFAULT_DYNAMIC_SHARED = 40 * 1024;
    final String name;
    private final MemorySegment function;
    private final CudaDevice device;
    private int dynamicSharedLimit = DEFAULT_DYNAMIC_SHARED;

    Kernel(String name, MemorySegment function, CudaDevice device) {
        this.name = name;
        this.function = function;
        this.device = device;
    }

    void launch(int gridX, int gridY, int gridZ, int blockX, int sharedBytes, LaunchArgs args) {
        if (sharedBytes > dynamicSharedLimit) {
            if (sharedBytes > device.maxSharedPerBlock) {
                throw new IllegalArgumentException(name + " needs " + sharedBytes + " bytes of shared memory; "
                        + device.name + " allows " + device.maxSharedPerBlock + " per block");
            }
            device.driver.setFunctionAttribute(function, CudaDriver.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                    sharedBytes, name);
            dynamicSharedLimit = sharedBytes;
        }
        device.driver.launch(function, gridX, gridY, gridZ, blockX, 1, 1, sharedBytes, device.stream(), args.pointers(),
                name);
    }
}
