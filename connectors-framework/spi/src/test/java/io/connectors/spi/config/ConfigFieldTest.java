package io.connectors.spi.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConfigFieldTest {
    @Test
    void durationValidatorsNameTheBadValue() {
        assertThat(ConfigField.positiveDuration().apply(Duration.ofSeconds(1))).isNull();
        assertThat(ConfigField.positiveDuration().apply(Duration.ZERO)).isEqualTo("must be positive, got PT0S");
        assertThat(ConfigField.positiveDuration().apply(Duration.ofSeconds(-5))).isEqualTo("must be positive, got PT-5S");
        assertThat(ConfigField.notNegativeDuration().apply(Duration.ZERO)).isNull();
        assertThat(ConfigField.notNegativeDuration().apply(Duration.ofSeconds(-5)))
                .isEqualTo("must not be negative, got PT-5S");
    }
}
