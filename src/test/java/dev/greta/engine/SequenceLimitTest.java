package dev.greta.engine;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SequenceLimitTest {

    @Test
    void defaultsToTheModelsContextLength() {
        SequenceLimit limit = SequenceLimit.resolve(null, null, 2048);
        assertThat(limit.value()).isEqualTo(2048);
        assertThat(limit.source()).isEqualTo("llama.context_length");
    }

    @Test
    void flagWinsOverEnvironmentWhichWinsOverModel() {
        assertThat(SequenceLimit.resolve(4096, "8192", 2048).value()).isEqualTo(4096);
        assertThat(SequenceLimit.resolve(null, "8192", 2048).value()).isEqualTo(8192);
        assertThat(SequenceLimit.resolve(null, "8192", 2048).exceedsTrainedContext()).isTrue();
    }

    @Test
    void badEnvironmentValueIsAClearError() {
        assertThatThrownBy(() -> SequenceLimit.resolve(null, "lots", 2048))
                .hasMessageContaining("GRETA_MAX_SEQ_LEN").hasMessageContaining("lots").hasMessageContaining("whole number");
        assertThatThrownBy(() -> SequenceLimit.resolve(null, "99999999999", 2048))
                .hasMessageContaining("99999999999").hasMessageContaining("out of range")
                .hasMessageContaining(String.valueOf(Integer.MAX_VALUE));
    }

    @Test
    void aRequestBeyondAnyPossibleLimitDoesNotAdviseAnImpossibleOne() {
        SequenceLimit limit = SequenceLimit.resolve(Integer.MAX_VALUE, null, 2048);
        assertThatThrownBy(() -> limit.check(10, Integer.MAX_VALUE))
                .isInstanceOf(SequenceTooLongException.class)
                .hasMessageContaining("largest supported sequence length " + Integer.MAX_VALUE)
                .hasMessageNotContaining("--ctx");
    }

    @Test
    void overLimitNamesBothNumbersAndHowToRaiseIt() {
        SequenceLimit limit = SequenceLimit.resolve(null, null, 2048);
        limit.check(2000, 48);
        assertThatThrownBy(() -> limit.check(4096, 1))
                .isInstanceOf(SequenceTooLongException.class)
                .hasMessageContaining("4096").hasMessageContaining("2048")
                .hasMessageContaining("--ctx 4097").hasMessageContaining("GRETA_MAX_SEQ_LEN=4097");
    }
}
