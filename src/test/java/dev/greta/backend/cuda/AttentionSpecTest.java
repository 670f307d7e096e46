package dev.greta.backend.cuda;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AttentionSpecTest {

    @Test
    void parsesKindAndParameters() {
        AttentionSpec spec = AttentionSpec.parse("flash:q=16, kv=64,seg=auto");
        assertThat(spec.kind()).isEqualTo("flash");
        assertThat(spec.params()).isEqualTo(Map.of("q", "16", "kv", "64", "seg", "auto"));
        assertThat(spec.intParam("q", 1, 1, 256)).isEqualTo(16);
        assertThat(spec.intParam("missing", 7, 1, 256)).isEqualTo(7);
        assertThat(AttentionSpec.parse("naive").params()).isEmpty();
    }

    @Test
    void rejectsMalformedSpecsWithTheReason() {
        assertThatThrownBy(() -> AttentionSpec.parse("tiled")).hasMessageContaining("unknown attention kernel 'tiled'");
        assertThatThrownBy(() -> AttentionSpec.parse("flash:q")).hasMessageContaining("'q' in 'flash:q' is not key=value");
        assertThatThrownBy(() -> AttentionSpec.parse("flash:q=1,q=2")).hasMessageContaining("'q' given twice");
        assertThatThrownBy(() -> AttentionSpec.parse(" ")).hasMessageContaining("empty attention spec");
        assertThatThrownBy(() -> AttentionSpec.parse("flash:q=x").intParam("q", 1, 1, 256))
                .hasMessageContaining("q=x must be an integer in [1, 256]");
        assertThatThrownBy(() -> AttentionSpec.parse("flash:tile=3").requireOnly(Set.of("q", "kv")))
                .hasMessageContaining("flash has no parameter 'tile' (it takes kv, q)");
    }

    @Test
    void flashThreadCountIsAMultipleOfHeadDimKeysAndWarps() {
        assertThat(FlashAttention.threadsFor(64, 128, 32)).isEqualTo(512);
        assertThat(FlashAttention.threadsFor(4, 128, 32)).isEqualTo(128);
        assertThat(FlashAttention.threadsFor(64, 8, 32)).isEqualTo(128);
        assertThat(FlashAttention.threadsFor(64, 96, 64)).isEqualTo(384);
        assertThatThrownBy(() -> FlashAttention.threadsFor(64, 100, 128)).hasMessageContaining("over the limit of 1024");
    }

    @Test
    void wgmmaTilesHoldWholeWarpgroups() {
        // where one warpgroup of 64 vectors would do: two for head dim 64 (TinyLlama, GQA 8: 16 rows), three for
        // 128 (MHA: 192 rows, GQA 4: 48)
        assertThat(FlashAttention.wgmmaDefaultRows(8, 64)).isEqualTo(16);
        assertThat(FlashAttention.wgmmaDefaultRows(1, 64)).isEqualTo(128);
        assertThat(FlashAttention.wgmmaDefaultRows(1, 128)).isEqualTo(192);
        assertThat(FlashAttention.wgmmaDefaultRows(4, 128)).isEqualTo(48);
        // GQA 3 (SmolLM2): 64 rows = 192 vectors, three warpgroups; GQA 128: one row of two warpgroups
        assertThat(FlashAttention.wgmmaDefaultRows(3, 64)).isEqualTo(64);
        assertThat(FlashAttention.wgmmaDefaultRows(128, 128)).isEqualTo(1);
        for (int group = 1; group <= 64; group++) {
            for (int headDim : new int[] {64, 128}) {
                assertThat(FlashAttention.wgmmaDefaultRows(group, headDim) * group % 64).as("group %d", group).isZero();
            }
        }
    }

    @Test
    void wgmmaRegisterNeedsFollowTheTile() {
        // two warpgroups of head dim 64, 64-key tiles: S 32 + O 32 + P 16 + Q 16 registers
        assertThat(FlashAttention.wgmmaRegisters(128, 64, 64)).isEqualTo(96);
        // three of head dim 128, 128-key tiles, Q in shared memory: S 64 + O 64 + P 32 = 160, under 65536 / 384
        assertThat(FlashAttention.wgmmaRegisters(192, 128, 128)).isEqualTo(160).isLessThanOrEqualTo(65536 / 384);
        // GQA 5 (Qwen2.5-14B-like) makes 320-vector tiles: 640 threads leave 102 registers, too few for head dim 128
        assertThat(FlashAttention.wgmmaRegisters(5 * FlashAttention.wgmmaDefaultRows(5, 128), 128, 128))
                .isGreaterThan(65536 / 640);
    }

    @Test
    void tensorCoreTilesHoldFourWarpsOfQueryVectors() {
        // one m-tile per warp: ~64 vectors; MHA 64 rows, GQA 4 (Llama-3) 16, GQA 3 (SmolLM2) 16 = 48 vectors
        assertThat(FlashAttention.mmaDefaultRows(1, 1)).isEqualTo(64);
        assertThat(FlashAttention.mmaDefaultRows(4, 1)).isEqualTo(16);
        assertThat(FlashAttention.mmaDefaultRows(3, 1)).isEqualTo(16);
        assertThat(FlashAttention.mmaDefaultRows(5, 1)).isEqualTo(16);
        assertThat(FlashAttention.mmaDefaultRows(32, 1)).isEqualTo(2);
        // two m-tiles per warp: ~128 vectors; GQA 8 (TinyLlama) 16 rows, MHA 128
        assertThat(FlashAttention.mmaDefaultRows(8, 2)).isEqualTo(16);
        assertThat(FlashAttention.mmaDefaultRows(1, 2)).isEqualTo(128);
        assertThat(FlashAttention.mmaDefaultRows(3, 2)).isEqualTo(32);
        for (int group = 1; group <= 64; group++) {
            for (int warpTiles = 1; warpTiles <= 2; warpTiles++) {
                assertThat(FlashAttention.mmaDefaultRows(group, warpTiles) * group % (16 * warpTiles))
                        .as("group %d, mt %d", group, warpTiles).isZero();
            }
        }
    }
}
