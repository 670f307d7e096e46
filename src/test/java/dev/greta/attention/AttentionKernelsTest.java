package dev.greta.attention;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AttentionKernelsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "naive | naive",
            "flash | flash:q=64,kv=128",
            "flash:q=16 | flash:q=16,kv=128",
            "flash:kv=128,q=8 | flash:q=8,kv=128",
            "' flash : q = 32 , kv = 64 ' | flash:q=32,kv=64",
            "flash:q=1,kv=4096 | flash:q=1,kv=4096"})
    void resolvesNamesWithEveryParameter(String spec, String resolved) {
        assertThat(AttentionKernels.resolve(spec, false).name()).isEqualTo(resolved);
        assertThat(AttentionKernels.resolve(spec, true).name()).isEqualTo(resolved);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "flashy", "FLASH", "naive:q=4", "flash:x=1", "flash:q=0", "flash:q=4097",
            "flash:kv=48", "flash:kv=0", "flash:q=abc", "flash:q", "flash:q=", "flash:", "flash:q=8,q=16",
            "flash:q=8,,kv=32"})
    void refusesBadSpecsListingTheValidOnes(String spec) {
        assertThatThrownBy(() -> AttentionKernels.resolve(spec, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("valid kernels: naive")
                .hasMessageContaining("flash[:q=ROWS,kv=KEYS]");
    }

    @Test
    void refusesNullSpec() {
        assertThatThrownBy(() -> AttentionKernels.resolve(null, false)).hasMessageContaining("valid kernels");
    }

    @Test
    void namesListsEveryKernel() {
        assertThat(AttentionKernels.names()).containsExactly("naive", "flash");
        for (String name : AttentionKernels.names()) {
            assertThat(AttentionKernels.resolve(name, true).name()).startsWith(name);
        }
    }
}
