package dev.greta.bench;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AttnSpecTest {
    @Test
    void parsesNameAndParameters() {
        assertThat(AttnSpec.parse("flash:q=64,kv=32")).isEqualTo(new AttnSpec("flash", Map.of("q", "64", "kv", "32")));
        assertThat(AttnSpec.parse("naive")).isEqualTo(new AttnSpec("naive", Map.of()));
    }

    @Test
    void resolvedVariantMustHaveTheNameAndEveryRequestedParameter() {
        AttnSpec resolved = AttnSpec.parse("flash:q=64,kv=32");
        assertThat(AttnSpec.parse("flash").isSatisfiedBy(resolved)).isTrue();
        assertThat(AttnSpec.parse("flash:kv=32").isSatisfiedBy(resolved)).isTrue();
        assertThat(AttnSpec.parse("flash:kv=64").isSatisfiedBy(resolved)).isFalse();
        assertThat(AttnSpec.parse("flash:tile=8").isSatisfiedBy(resolved)).isFalse();
        assertThat(AttnSpec.parse("naive").isSatisfiedBy(resolved)).isFalse();
        assertThat(AttnSpec.parse("fla").isSatisfiedBy(resolved)).as("a prefix of the name is another variant").isFalse();
        assertThat(AttnSpec.parse("flash:q=064").isSatisfiedBy(resolved)).as("the same number written otherwise").isTrue();
        assertThat(AttnSpec.parse("flash:q=65").isSatisfiedBy(resolved)).isFalse();
    }

    @Test
    void malformedSpecsNameTheProblem() {
        assertThatThrownBy(() -> AttnSpec.parse("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> AttnSpec.parse("flash:q")).hasMessageContaining("parameter 'q' is not key=value");
        assertThatThrownBy(() -> AttnSpec.parse("fl ash")).hasMessageContaining("bad name 'fl ash'");
    }

    @Test
    void fileSafeNamesKeepOnlyPortableCharacters() {
        assertThat(AttnSpec.fileSafe("flash:q=64,kv=32")).isEqualTo("flash_q-64_kv-32");
        assertThat(new RunKey(4096, "flash:q=64", 2).fileStem()).isEqualTo("4096_flash_q-64_2");
    }
}
