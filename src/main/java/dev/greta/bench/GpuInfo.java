package dev.greta.bench;

import java.util.List;
import java.util.Map;

/** The GPU of a CUDA sweep, as the engine reported it in {@code backend_properties}. */
public record GpuInfo(String name, Map<String, Object> properties) {
    private static final List<String> NAME_KEYS = List.of("gpu", "gpu_name", "device_name", "device", "name");

    /** Null for the CPU backend or when no run reported its properties. */
    static GpuInfo fromBackend(String backend, Map<String, Object> properties) {
        if (!"cuda".equals(backend) || properties == null) return null;
        for (String key : NAME_KEYS) {
            if (properties.get(key) instanceof String s) return new GpuInfo(s, properties);
        }
        return new GpuInfo(null, properties);
    }
}
