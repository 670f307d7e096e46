package dev.greta.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** The machine and JVM a sweep ran on; CPU model and flags from /proc/cpuinfo (null where it is missing). */
public record HostInfo(String osName, String osVersion, String osArch, String jvmName, String jvmVersion,
                       String jvmVendor, String cpuModel, List<String> cpuFlags, int cpuCount, Long memTotalBytes) {

    public static HostInfo current() {
        List<String> cpuinfo = lines(Path.of("/proc/cpuinfo"));
        String flags = field(cpuinfo, "flags");
        String memKb = field(lines(Path.of("/proc/meminfo")), "MemTotal");
        return new HostInfo(System.getProperty("os.name"), System.getProperty("os.version"),
                System.getProperty("os.arch"), System.getProperty("java.vm.name"),
                System.getProperty("java.runtime.version"), System.getProperty("java.vendor"),
                field(cpuinfo, "model name"), flags == null ? List.of() : Arrays.asList(flags.split("\\s+")),
                Runtime.getRuntime().availableProcessors(),
                memKb == null ? null : PeakRssSampler.parseKilobytes("MemTotal: " + memKb) * 1024);
    }

    /** The value of the first {@code key : value} line with that key. */
    static String field(List<String> lines, String key) {
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals(key)) return line.substring(colon + 1).trim();
        }
        return null;
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            return List.of();
        }
    }
}
