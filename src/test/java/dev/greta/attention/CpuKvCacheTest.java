package dev.greta.attention;

import dev.greta.backend.KvType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CpuKvCacheTest {

    @Test
    void bytesNeededCountsKeysAndValuesOfEveryLayerPaddedToKeyBlocks() {
        // TinyLlama at 2048 positions: 22 layers x 4 KV heads x 64 dims, keys and values.
        assertThat(CpuKvCache.bytesNeeded(22, 4, 64, 2048, KvType.F32)).isEqualTo(2L * 22 * 4 * 2048 * 64 * 4);
        assertThat(CpuKvCache.bytesNeeded(22, 4, 64, 2048, KvType.F16)).isEqualTo(2L * 22 * 4 * 2048 * 64 * 2);
        // 100 positions occupy 4 key blocks of 32.
        assertThat(CpuKvCache.bytesNeeded(1, 1, 8, 100, KvType.F32)).isEqualTo(2L * 128 * 8 * 4);
        // Llama-2-7B at 32k positions, F32: 32 GiB, computed without allocating.
        assertThat(CpuKvCache.bytesNeeded(32, 32, 128, 32768, KvType.F32)).isEqualTo(32L << 30);
    }

    @Test
    void refusesImpossibleShapes() {
        assertThatThrownBy(() -> CpuKvCache.bytesNeeded(0, 1, 8, 16, KvType.F32)).hasMessageContaining("layers");
        assertThatThrownBy(() -> CpuKvCache.bytesNeeded(1, 1, 8, -1, KvType.F32)).hasMessageContaining("maxSeq");
        assertThatThrownBy(() -> CpuKvCache.bytesNeeded(1, 1, 8, 16, null)).hasMessageContaining("type");
        assertThatThrownBy(() -> CpuKvCache.bytesNeeded(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE,
                Integer.MAX_VALUE, KvType.F32)).hasMessageContaining("does not fit");
    }

    @ParameterizedTest
    @EnumSource(KvType.class)
    void storedRowsReadBackPerLayerHeadPositionAndDimension(KvType type) {
        int layers = 2;
        int kvHeads = 3;
        int headDim = 5;
        int kvDim = kvHeads * headDim;
        SplittableRandom random = new SplittableRandom(3);
        float[] k = new float[70 * kvDim];
        float[] v = new float[70 * kvDim];
        for (int i = 0; i < k.length; i++) {
            k[i] = (float) random.nextDouble(-4, 4);
            v[i] = (float) random.nextDouble(-4, 4);
        }
        try (CpuKvCache cache = new CpuKvCache(layers, kvHeads, headDim, 70, type)) {
            cache.store(1, k, v, 40, 0);
            cache.store(1, java.util.Arrays.copyOfRange(k, 40 * kvDim, k.length),
                    java.util.Arrays.copyOfRange(v, 40 * kvDim, v.length), 30, 40);
            assertThat(cache.length(1)).isEqualTo(70);
            assertThat(cache.length(0)).isZero();
            for (int pos = 0; pos < 70; pos++) {
                for (int h = 0; h < kvHeads; h++) {
                    for (int d = 0; d < headDim; d++) {
                        int i = pos * kvDim + h * headDim + d;
                        assertThat(cache.key(1, h, pos, d)).isEqualTo(rounded(k[i], type));
                        assertThat(cache.value(1, h, pos, d)).isEqualTo(rounded(v[i], type));
                        assertThat(cache.key(0, h, pos, d)).isZero();
                    }
                }
            }
        }
    }

    private static float rounded(float x, KvType type) {
        return type == KvType.F16 ? Float.float16ToFloat(Float.floatToFloat16(x)) : x;
    }

    @Test
    void storingEarlierRewindsAndGapsAreRefused() {
        float[] row = new float[8];
        try (CpuKvCache cache = new CpuKvCache(1, 2, 4, 10, KvType.F32)) {
            cache.store(0, new float[5 * 8], new float[5 * 8], 5, 0);
            cache.store(0, row, row, 1, 2);
            assertThat(cache.length(0)).isEqualTo(3);
            assertThatThrownBy(() -> cache.store(0, row, row, 1, 4)).hasMessageContaining("holds 3 positions");
            assertThatThrownBy(() -> cache.store(0, new float[8 * 8], new float[8 * 8], 8, 3))
                    .hasMessageContaining("maxSeq 10");
            assertThatThrownBy(() -> cache.store(0, new float[7], row, 1, 3)).hasMessageContaining("k needs 1 x 8");
            assertThatThrownBy(() -> cache.store(2, row, row, 1, 0)).hasMessageContaining("layer 2");
            assertThatThrownBy(() -> cache.key(0, 2, 0, 0)).hasMessageContaining("kvHead 2");
        }
    }

    @Test
    void reportsItsShapeAndBytes() {
        try (CpuKvCache cache = new CpuKvCache(2, 3, 8, 40, KvType.F16)) {
            assertThat(cache.maxSeq()).isEqualTo(40);
            assertThat(cache.type()).isEqualTo(KvType.F16);
            assertThat(cache.bytes()).isEqualTo(CpuKvCache.bytesNeeded(2, 3, 8, 40, KvType.F16));
        }
    }
}
