package dev.greta.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/** A cubin loaded into the device's context (cuModuleLoadData); hands out its kernels by name. */
final class CudaModule implements AutoCloseable {
    private final CudaDevice device;
    private final MemorySegment module;

    CudaModule(String name, byte[] cubin, CudaDevice device) {
        this.device = device;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment image = arena.allocate(cubin.length, 16);
            MemorySegment.copy(cubin, 0, image, JAVA_BYTE, 0, cubin.length);
            this.module = device.driver.loadModule(image, name);
        }
    }

    Kernel kernel(String function) {
        return new Kernel(function, device.driver.function(module, function), device);
    }

    @Override
    public void close() {
        device.driver.unloadModule(module);
    }
}
