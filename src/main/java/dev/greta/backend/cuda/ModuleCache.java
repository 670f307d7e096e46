package dev.greta.backend.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Compiles kernel sources with NVRTC for one architecture and keeps the cubins on disk, keyed by a SHA-256 of
 * the source, its headers, the options (architecture and defines) and the NVRTC version, so a changed source,
 * GPU or compiler never reuses a stale binary. A cache directory that cannot be written only costs a recompile.
 */
final class ModuleCache {
    private static final System.Logger LOG = System.getLogger(ModuleCache.class.getName());
    private final Nvrtc nvrtc;
    private final String nvrtcVersion;
    private final String arch;
    private final Path dir;
    private int compiled;
    private int fromDisk;
    private double compileMillis;

    /** @param dir the cache directory, or null to always compile */
    ModuleCache(Nvrtc nvrtc, String arch, Path dir) {
        this.nvrtc = nvrtc;
        this.nvrtcVersion = nvrtc.version();
        this.arch = arch;
        this.dir = dir;
    }

    /** The cubin of resource {@code file} compiled with {@code defines} (e.g. "-DHEAD_DIM=128"). */
    byte[] cubin(String file, List<String> defines) {
        String source = KernelSources.text(file);
        Map<String, String> headers = new TreeMap<>(KernelSources.headers());
        String target = arch + (KernelSources.archSpecific(file) ? "a" : "");
        List<String> options = new ArrayList<>(List.of("-arch=" + target, "-std=c++17"));
        options.addAll(defines);
        String key = key(file, source, headers, options);
        Path cached = dir == null ? null : dir.resolve(file.replace(".cu", "") + "-" + key + ".cubin");
        if (cached != null && Files.isRegularFile(cached)) {
            try {
                byte[] bytes = Files.readAllBytes(cached);
                fromDisk++;
                return bytes;
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot read cached kernel " + cached + ": " + e.getMessage());
            }
        }
        long t0 = System.nanoTime();
        byte[] cubin = nvrtc.compile(file, source, headers, options);
        compileMillis += (System.nanoTime() - t0) / 1e6;
        compiled++;
        if (cached != null) store(cached, cubin);
        return cubin;
    }

    /** "N compiled in X ms, M from disk": recorded beside benchmark numbers. */
    String summary() {
        return String.format(java.util.Locale.ROOT, "%d compiled (%.0f ms), %d from %s", compiled, compileMillis, fromDisk,
                dir == null ? "no cache" : dir);
    }

    private String key(String file, String source, Map<String, String> headers, List<String> options) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            List<String> parts = new ArrayList<>(List.of("nvrtc " + nvrtcVersion, file, source));
            headers.forEach((name, text) -> {
                parts.add(name);
                parts.add(text);
            });
            parts.addAll(options);
            for (String part : parts) {
                sha.update(part.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private static void store(Path target, byte[] cubin) {
        try {
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
            Files.write(tmp, cubin);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot cache kernel at " + target + ": " + e.getMessage());
        }
    }
}
