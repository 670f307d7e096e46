package dev.greta;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;
class SmokeTest { @Test void vectorApiPresent() { assertThat(jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length()).isGreaterThan(0);} }
