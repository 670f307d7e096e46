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
    void tensorCoreTilesHoldAMultipleOf16QueryVectorsNear64() {
        // group size -> query rows: MHA 64, GQA 4 (Llama-3) 16, GQA 8 (TinyLlama) 8, GQA 3 (SmolLM2) 16 = 48 vectors
        assertThat(FlashAttention.mmaDefaultRows(1)).isEqualTo(64);
        assertThat(FlashAttention.mmaDefaultRows(4)).isEqualTo(16);
        assertThat(FlashAttention.mmaDefaultRows(8)).isEqualTo(8);
        assertThat(FlashAttention.mmaDefaultRows(3)).isEqualTo(16);
        assertThat(FlashAttention.mmaDefaultRows(5)).isEqualTo(16);
        assertThat(FlashAttention.mmaDefaultRows(32)).isEqualTo(2);
        for (int group = 1; group <= 64; group++) {
            assertThat(FlashAttention.mmaDefaultRows(group) * group % 16).as("group %d", group).isZero();
        }
    }
}
