package dev.greta.backend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The CUDA C sources shipped as resources beside this class (dev/greta/backend/cuda/*.cu). */
final class KernelSources {
    static final String COMMON_HEADER = "greta_common.cuh";
    static final String DEQUANT = "dequant.cu";
    static final String ELEMENTWISE = "elementwise.cu";
    static final String ATTENTION = "attention.cu";
    static final String FLASH = "flash.cu";
    static final String FLASH_MMA = "flash_mma.cu";
    static final String FLASH_WGMMA = "flash_wgmma.cu";
    static final String FLASH_TC_HEADER = "flash_tc.cuh";

    private KernelSources() {
    }

    static String text(String file) {
        try (InputStream in = KernelSources.class.getResourceAsStream(file)) {
            if (in == null) throw new IllegalStateException("kernel source " + file + " is missing from the classpath");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kernel source " + file, e);
        }
    }

    /** The headers every source may include, by include name. */
    static Map<String, String> headers() {
        return Map.of(COMMON_HEADER, text(COMMON_HEADER), FLASH_TC_HEADER, text(FLASH_TC_HEADER));
    }

    /**
     * Whether {@code file} uses instructions of one architecture only (wgmma: sm_90a), so that it must be compiled
     * for the "a" variant of the device's architecture, which runs on that architecture alone.
     */
    static boolean archSpecific(String file) {
        return file.equals(FLASH_WGMMA);
    }
}
