package dev.greta.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class HostAndGpuInfoTest {
    @Test
    void cpuinfoFieldsAreReadByKey() {
        List<String> cpuinfo = List.of("processor\t: 0", "model name\t: AMD EPYC 9R14 96-Core Processor",
                "flags\t\t: fpu avx512f avx512_bf16", "processor\t: 1");
        assertThat(HostInfo.field(cpuinfo, "model name")).isEqualTo("AMD EPYC 9R14 96-Core Processor");
        assertThat(HostInfo.field(cpuinfo, "flags")).isEqualTo("fpu avx512f avx512_bf16");
        assertThat(HostInfo.field(cpuinfo, "microcode")).isNull();
    }

    @Test
    void thisHostIsDescribed() {
        HostInfo h = HostInfo.current();
        assertThat(h.cpuCount()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(h.jvmVersion()).isEqualTo(System.getProperty("java.runtime.version"));
    }

    @Test
    void gpuNameComesFromTheCudaBackendsProperties() {
        Map<String, Object> props = Map.of("device_name", "NVIDIA H100 80GB HBM3", "cc", "9.0");
        assertThat(GpuInfo.fromBackend("cuda", props)).isEqualTo(new GpuInfo("NVIDIA H100 80GB HBM3", props));
        assertThat(GpuInfo.fromBackend("cpu", props)).isNull();
        assertThat(GpuInfo.fromBackend("cuda", Map.of("cc", "9.0")).name()).isNull();
    }
}
