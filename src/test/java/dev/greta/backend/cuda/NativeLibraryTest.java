package dev.greta.backend.cuda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NativeLibraryTest {

    @Test
    void missingLibraryNamesEveryPlaceTried(@TempDir Path dir) {
        assertThatThrownBy(() -> NativeLibrary.locate("the test library", List.of("libgreta-absent.so.1"), dir))
                .isInstanceOf(CudaUnavailableException.class)
                .hasMessageContaining("cannot load the test library")
                .hasMessageContaining(dir.resolve("libgreta-absent.so.1").toString())
                .hasMessageContaining("libgreta-absent.so.1 on the loader path")
                .hasMessageContaining("/usr/local/cuda/lib64/libgreta-absent.so.1")
                .hasMessageContaining("GRETA_CUDA_LIB_DIR");
        assertThat(NativeLibrary.locateOptional("x", List.of("libgreta-absent.so.1"), dir)).isEmpty();
    }

    @Test
    void loadsFromThePreferredDirectoryFirst() {
        // libc is on every Linux machine: loaded by soname it reports the loader path.
        NativeLibrary libc = NativeLibrary.locate("libc", List.of("libc.so.6"), null);
        assertThat(libc.location()).isEqualTo("libc.so.6 (loader path)");
        assertThat(libc.directory()).isNull();
        assertThat(libc.symbols().find("strlen")).isPresent();
    }
}
