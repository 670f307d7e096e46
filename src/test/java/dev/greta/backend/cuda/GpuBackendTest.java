package dev.greta.backend.cuda;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** Base of the tests that drive one shared bf16 {@link CudaBackend}; each test is skipped, with the reason, without a GPU. */
abstract class GpuBackendTest {
    static CudaBackend cuda;

    @BeforeAll
    static void open() {
        cuda = GpuTests.open(WeightPrecision.BF16);
    }

    @BeforeEach
    void requireGpu() {
        GpuTests.assumeGpu();
    }

    @AfterAll
    static void close() {
        if (cuda != null) cuda.close();
        cuda = null;
    }
}
