package dev.greta.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/** The NVIDIA display-driver version ("580.159.04") through NVML, which the CUDA driver API does not report. */
final class Nvml {
    private Nvml() {
    }

    /** The driver version, or a short reason why it is unknown; never fails. */
    static String driverVersion(Path preferredDir) {
        var lib = NativeLibrary.locateOptional("NVML", List.of("libnvidia-ml.so.1"), preferredDir);
        if (lib.isEmpty()) return "unknown (libnvidia-ml.so.1 not found)";
        try (Arena arena = Arena.ofConfined()) {
            MethodHandle init = lib.get().function("nvmlInit_v2", FunctionDescriptor.of(JAVA_INT));
            MethodHandle version = lib.get().function("nvmlSystemGetDriverVersion",
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
            MethodHandle shutdown = lib.get().function("nvmlShutdown", FunctionDescriptor.of(JAVA_INT));
            int rc = (int) init.invokeExact();
            if (rc != 0) return "unknown (nvmlInit_v2 returned " + rc + ")";
            try {
                MemorySegment text = arena.allocate(96);
                rc = (int) version.invokeExact(text, 96);
                return rc == 0 ? text.getString(0) : "unknown (nvmlSystemGetDriverVersion returned " + rc + ")";
            } finally {
                int ignored = (int) shutdown.invokeExact();
            }
        } catch (Throwable t) {
            return "unknown (" + t.getMessage() + ")";
        }
    }
}
