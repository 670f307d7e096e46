package dev.greta.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Tracks a running process's peak resident set from {@code /proc/<pid>/status} (VmHWM, the kernel's own
 * high-water mark). Sampled while the process runs, so the figure can miss growth in its last moments.
 */
final class PeakRssSampler {
    private final Path statusFile;
    private long peakBytes = -1;

    PeakRssSampler(long pid) {
        this.statusFile = Path.of("/proc", Long.toString(pid), "status");
    }

    void sample() {
        try {
            for (String line : Files.readAllLines(statusFile)) {
                if (line.startsWith("VmHWM:")) {
                    peakBytes = Math.max(peakBytes, parseKilobytes(line) * 1024);
                    return;
                }
            }
        } catch (NoSuchFileException e) {
            // the process has exited between polls; keep the last sample
        } catch (IOException e) {
            // /proc is missing (not Linux) or unreadable: no figure rather than a wrong one
        }
    }

    /** Null when no sample could be read. */
    Long peakBytes() { return peakBytes < 0 ? null : peakBytes; }

    static long parseKilobytes(String vmLine) {
        String[] parts = vmLine.trim().split("\\s+");
        if (parts.length != 3 || !parts[2].equals("kB")) {
            throw new IllegalArgumentException("unexpected /proc status line: '" + vmLine + "'");
        }
        return Long.parseLong(parts[1]);
    }
}
