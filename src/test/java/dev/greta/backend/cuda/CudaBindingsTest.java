package dev.greta.backend.cuda;

import dev.greta.backend.Attention;
import dev.greta.backend.Backend;
import dev.greta.backend.Buffer;
import dev.greta.backend.KvCache;
import dev.greta.backend.KvType;
import dev.greta.backend.OpTiming;
import dev.greta.backend.Weights;
import dev.greta.model.ModelShape;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.greta.backend.cuda.GpuTests.upload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The FFM layer as seen through the backend: properties, error reporting, NVRTC logs, event timings, determinism. */
class CudaBindingsTest extends GpuBackendTest {

    @Test
    void propertiesDescribeTheDeviceAndLibraries() {
        Map<String, String> p = cuda.properties();
        assertThat(cuda.name()).isEqualTo("cuda");
        assertThat(p).containsKeys("gpu", "driver_version", "cuda_driver_api", "cuda_runtime", "nvrtc", "cublas",
                "weights", "gemm", "libraries");
        assertThat(p.get("compute_capability")).matches("\\d+\\.\\d");
        assertThat(p.get("kernel_arch")).isEqualTo("sm_" + p.get("compute_capability").replace(".", ""));
        assertThat(p.get("nvrtc")).matches("\\d+\\.\\d+");
        assertThat(p.get("cublas")).matches("\\d+\\.\\d+\\.\\d+");
    }

    @Test
    void failedDriverCallNamesTheCallAndTheCudaError() {
        assertThatThrownBy(() -> cuda.buffer(1 << 30, 1 << 20))  // 4 PiB
                .isInstanceOf(CudaException.class)
                .hasMessageContaining("cuMemAlloc_v2(4503599627370496 bytes) failed: CUDA_ERROR_OUT_OF_MEMORY (2)")
                .hasMessageContaining("bytes free of");
    }

    @Test
    void nvrtcCompileErrorCarriesTheCompilerLog() {
        Nvrtc nvrtc = new Nvrtc(CudaLibraries.locate(CudaLibraries.dirFromEnvironment()).nvrtc());
        assertThatThrownBy(() -> nvrtc.compile("broken.cu", "extern \"C\" __global__ void k() { undeclared_name = 1; }",
                Map.of(), List.of("-arch=" + cuda.properties().get("kernel_arch"))))
                .isInstanceOfSatisfying(NvrtcCompileException.class, e -> {
                    assertThat(e.getMessage()).contains("nvrtcCompileProgram(broken.cu) failed: NVRTC_ERROR_COMPILATION");
                    assertThat(e.log()).contains("undeclared_name").contains("error");
                });
    }

    @Test
    void profilingCountsDeviceTimePerOp() {
        ModelShape shape = new ModelShape(1, 256, 512, 4, 2, 64, 32, 64, 1e-5f);
        Random random = new Random(2);
        try (Arena arena = Arena.ofConfined(); KvCache cache = cuda.kvCache(shape, 64, KvType.F16)) {
            Weights w = cuda.matrix(GgmlReference.f32(Reference.gaussian(random, 256 * 256, 0.1f), 256, 256, arena));
            Buffer x = upload(cuda, 8, 256, Reference.gaussian(random, 8 * 256, 1)), y = cuda.buffer(8, 256);
            cuda.resetTimings();
            cuda.setProfiling(true);
            cuda.matmul(w, x, 8, y);
            cuda.matmul(w, x, 8, y);
            cuda.storeKv(cache, 0, y, y, 8, 0);
            Attention flash = cuda.attention("flash", shape, true);
            cuda.attend(flash, cache, 0, x, 8, 0, y);
            cuda.setProfiling(false);
            cuda.add(x, y, 8);
            Map<String, OpTiming> t = cuda.timings();
            assertThat(t.get("matmul.gemm").calls()).isEqualTo(2);
            assertThat(t.get("matmul.toBf16").calls()).as("the second matmul reuses the bf16 input").isEqualTo(1);
            assertThat(t.get("storeKv").calls()).isEqualTo(1);
            assertThat(t.get("attend." + flash.name()).calls()).isEqualTo(1);
            assertThat(t).doesNotContainKey("add");
            cuda.resetTimings();
            assertThat(cuda.timings()).isEmpty();
        }
    }

    @Test
    void deviceClockAndOpProfileThroughTheBackendInterface() {
        Backend backend = cuda;
        Random random = new Random(3);
        Buffer x = upload(cuda, 64, 4096, Reference.gaussian(random, 64 * 4096, 1)), y = cuda.buffer(64, 4096);
        backend.profileOps(true);
        backend.startDeviceClock();
        for (int i = 0; i < 50; i++) backend.add(x, y, 64);
        double seconds = backend.deviceSeconds().orElseThrow();
        Map<String, OpTiming> profile = backend.opProfile();
        backend.profileOps(false);
        assertThat(profile.get("add").calls()).isEqualTo(50);
        // the clock spans the 50 adds: at least their summed device time, and far below a second
        assertThat(seconds).isGreaterThanOrEqualTo(profile.get("add").totalMillis() / 1000 * 0.99).isLessThan(1.0);
        backend.add(x, y, 64);
        assertThat(backend.opProfile()).isEmpty();
    }

    @Test
    void matmulIsBitIdenticalAcrossRuns() {
        Random random = new Random(8);
        try (Arena arena = Arena.ofConfined()) {
            Weights w = cuda.matrix(GgmlReference.f32(Reference.gaussian(random, 1024 * 2048, 0.05f), 1024, 2048, arena));
            Buffer x = upload(cuda, 96, 2048, Reference.gaussian(random, 96 * 2048, 1));
            Buffer a = cuda.buffer(96, 1024), b = cuda.buffer(96, 1024);
            cuda.matmul(w, x, 96, a);
            cuda.matmul(w, x, 96, b);
            for (int r = 0; r < 96; r += 19) assertThat(cuda.readRow(b, r)).containsExactly(cuda.readRow(a, r));
        }
    }
}
