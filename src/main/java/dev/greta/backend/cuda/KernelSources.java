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
        return Map.of(COMMON_HEADER, text(COMMON_HEADER));
    }
}
