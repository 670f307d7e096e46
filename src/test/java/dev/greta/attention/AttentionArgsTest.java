package dev.greta.attention;

import dev.greta.backend.KvType;
import dev.greta.backend.cpu.Parallel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every kernel refuses arguments that do not fit together, before computing anything. */
class AttentionArgsTest {

    private static final AttentionShape SHAPE = new AttentionShape(4, 2, 8);
    private static Parallel pool;
    private static CpuKvCache cache;

    @BeforeAll
    static void setUp() {
        pool = new Parallel(1);
        cache = new CpuKvCache(2, 2, 8, 64, KvType.F32);
        cache.store(0, new float[10 * 16], new float[10 * 16], 10, 0);
    }

    @AfterAll
    static void tearDown() {
        cache.close();
        pool.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"naive", "flash"})
    void refusesMismatchedArguments(String spec) {
        AttentionKernel kernel = AttentionKernels.resolve(spec, true);
        float[] q = new float[3 * 32];
        float[] out = new float[3 * 32];
        assertThatThrownBy(() -> kernel.attend(q, 3, 8, cache, 0, out, SHAPE, pool))
                .hasMessageContaining("holds only 10 positions");
        assertThatThrownBy(() -> kernel.attend(q, 3, 0, cache, 1, out, SHAPE, pool))
                .hasMessageContaining("holds only 0 positions");
        assertThatThrownBy(() -> kernel.attend(q, 3, 0, cache, 2, out, SHAPE, pool)).hasMessageContaining("layer 2");
        assertThatThrownBy(() -> kernel.attend(q, 3, 0, cache, 0, q, SHAPE, pool)).hasMessageContaining("distinct");
        assertThatThrownBy(() -> kernel.attend(new float[95], 3, 0, cache, 0, out, SHAPE, pool))
                .hasMessageContaining("need 3 x 32");
        assertThatThrownBy(() -> kernel.attend(q, 3, 0, cache, 0, out, new AttentionShape(4, 4, 8), pool))
                .hasMessageContaining("cache has 2 KV heads of 8 dims");
        assertThatThrownBy(() -> kernel.attend(q, -1, 0, cache, 0, out, SHAPE, pool)).hasMessageContaining(">= 0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"naive", "flash"})
    void zeroRowsWriteNothing(String spec) {
        float[] out = {Float.NaN};
        AttentionKernels.resolve(spec, true).attend(new float[1], 0, 10, cache, 0, out, SHAPE, pool);
        assertThat(out[0]).isNaN();
    }

    @org.junit.jupiter.api.Test
    void shapeRefusesHeadsThatDoNotGroup() {
        assertThatThrownBy(() -> new AttentionShape(6, 4, 8)).hasMessageContaining("not a multiple");
        assertThatThrownBy(() -> new AttentionShape(0, 1, 8)).hasMessageContaining(">= 1");
        assertThat(new AttentionShape(32, 4, 64).groupSize()).isEqualTo(8);
        assertThat(new AttentionShape(9, 3, 64).scale()).isEqualTo(0.125f);
    }
}
