package dev.greta.backend.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Refuses an allocation that cannot fit, before it is attempted, with the numbers in the message. */
final class MemoryBudget {
    private MemoryBudget() {}

    static void requireFits(long bytes, String what) {
        long available = availableBytes();
        if (bytes > available) {
            throw new InsufficientMemoryException(String.format(
                    "%s needs %.2f GiB but only %.2f GiB is available; lower --ctx, use --kv-type f16, or free memory",
                    what, bytes / GIB, available / GIB));
        }
    }

    /** Physical memory the kernel reports as available (MemAvailable), or the JVM's free heap when unknown. */
    static long availableBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException ignored) {
            // not Linux: fall through to the JVM's view
        }
        Runtime rt = Runtime.getRuntime();
        return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    }

    private static final double GIB = 1024.0 * 1024 * 1024;
}
