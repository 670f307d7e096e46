package dev.greta.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * One GPU as Greta uses it: the device's primary context, one non-blocking stream that every copy, kernel and
 * cuBLAS call is queued on (so work runs in call order), and the device allocations made through it, all freed
 * on {@link #close()}. Not thread-safe; the context is made current on whichever thread calls {@link #bind()}.
 */
final class CudaDevice implements AutoCloseable {
    final CudaDriver driver;
    final String name;
    final int computeMajor;
    final int computeMinor;
    final int multiprocessors;
    final int maxSharedPerBlock;
    final long totalMemory;
    final int driverApiVersion;
    private final int device;
    private final MemorySegment context;
    private final MemorySegment stream;
    private final Arena arena = Arena.ofShared();
    private final LaunchArgs args = new LaunchArgs(arena);
    private final Map<DeviceMemory, Boolean> live = new IdentityHashMap<>();
    private Thread boundThread;

    private CudaDevice(CudaDriver driver, int ordinal) {
        this.driver = driver;
        this.driverApiVersion = driver.driverVersion();
        this.device = driver.device(ordinal);
        this.name = driver.deviceName(device);
        this.computeMajor = driver.attribute(device, CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
        this.computeMinor = driver.attribute(device, CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        this.multiprocessors = driver.attribute(device, CudaDriver.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
        this.maxSharedPerBlock = driver.attribute(device, CudaDriver.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN);
        this.totalMemory = driver.totalMemory(device);
        if (computeMajor < 8) {
            throw new CudaUnavailableException(name + " has compute capability " + computeMajor + "." + computeMinor
                    + "; Greta's CUDA backend needs 8.0 or newer (bf16 tensor cores)");
        }
        this.context = driver.retainPrimaryContext(device);
        bind();
        this.stream = driver.createStream(CudaDriver.CU_STREAM_NON_BLOCKING);
    }

    /**
     * Initialises the driver and opens GPU {@code ordinal}.
     *
     * @throws CudaUnavailableException when the driver finds no GPU or not that many
     */
    static CudaDevice open(CudaDriver driver, int ordinal) {
        int rc = driver.init();
        if (rc == CudaDriver.CUDA_ERROR_NO_DEVICE) {
            throw new CudaUnavailableException("the CUDA driver (" + driver.library.location()
                    + ") found no GPU: cuInit returned CUDA_ERROR_NO_DEVICE");
        }
        if (rc != 0) {
            throw new CudaUnavailableException("the CUDA driver (" + driver.library.location() + ") did not start: "
                    + driver.error(rc, "cuInit").getMessage());
        }
        int count = driver.deviceCount();
        if (ordinal < 0 || ordinal >= count) {
            throw new CudaUnavailableException("GPU " + ordinal + " requested but the driver sees " + count);
        }
        return new CudaDevice(driver, ordinal);
    }

    /** "sm_90" for compute capability 9.0: the NVRTC target. */
    String arch() { return "sm_" + computeMajor + computeMinor; }

    /** Hopper (compute capability 9.0): the warpgroup MMA (wgmma) of sm_90a, which later architectures lack. */
    boolean hasWgmma() { return computeMajor == 9 && computeMinor == 0; }

    MemorySegment stream() { return stream; }

    /** Makes this device's context current on the calling thread (a no-op on the thread that did it last). */
    void bind() {
        if (boundThread != Thread.currentThread()) {
            driver.setCurrent(context);
            boundThread = Thread.currentThread();
        }
    }

    /** The launch parameters, emptied: fill them, then pass them to one {@link Kernel#launch}. */
    LaunchArgs args() { return args.reset(); }

    DeviceMemory allocate(long bytes) {
        if (bytes <= 0) throw new IllegalArgumentException("device allocation of " + bytes + " bytes");
        long pointer;
        try {
            pointer = driver.malloc(bytes);
        } catch (CudaException e) {
            throw new CudaException(e.call(), e.status(), e.statusName(), e.description() + " ("
                    + driver.freeMemory() + " bytes free of " + totalMemory + " on " + name + ")");
        }
        DeviceMemory memory = new DeviceMemory(pointer, bytes);
        live.put(memory, Boolean.TRUE);
        return memory;
    }

    /** Frees {@code memory} after the work queued so far (which may still read it) has finished. */
    void free(DeviceMemory memory) {
        if (memory != null && memory.markFreed()) {
            live.remove(memory);
            synchronize();
            driver.free(memory.pointer);
        }
    }

    void upload(long dst, MemorySegment src, long bytes) {
        driver.copyHostToDevice(dst, src, bytes, stream);
    }

    void download(MemorySegment dst, long src, long bytes) {
        driver.copyDeviceToHost(dst, src, bytes, stream);
    }

    void copy(long dst, long src, long bytes) {
        driver.copyDeviceToDevice(dst, src, bytes, stream);
    }

    void synchronize() {
        driver.synchronize(stream);
    }

    @Override
    public void close() {
        bind();
        synchronize();
        for (DeviceMemory memory : live.keySet()) {
            memory.markFreed();
            driver.free(memory.pointer);
        }
        live.clear();
        driver.destroyStream(stream);
        driver.releasePrimaryContext(device);
        arena.close();
    }
}
