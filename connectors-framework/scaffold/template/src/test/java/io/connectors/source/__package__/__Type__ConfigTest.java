package io.connectors.source.__package__;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connectors.spi.config.ConfigValidationException;
import io.connectors.spi.config.FieldError;
import io.connectors.spi.config.SourceConfig;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The configuration's declarations: defaults, checks and masking. Extend it with every field you add. */
class __Type__ConfigTest {

    private static __Type__Config parse(Map<String, Object> raw) {
        return __Type__Config.from(SourceConfig.from(__Type__Config.FIELDS, raw));
    }

    @Test
    void defaultsApplyWhenOnlyTheRequiredFieldsAreGiven() {
        __Type__Config config = parse(Map.of("host", "db.example.com", "port", 1234));

        assertThat(config.host()).isEqualTo("db.example.com");
        assertThat(config.port()).isEqualTo(1234);
        assertThat(config.username()).isEmpty();
        assertThat(config.password()).isEmpty();
        assertThat(config.maxConcurrentRequests()).isEqualTo(4);
        assertThat(config.requestsPerSecond()).isZero();
    }

    @Test
    void everyFieldIsRead() {
        __Type__Config config = parse(Map.of("host", "10.0.0.7", "port", "5000", "username", "reader",
                "password", "s3cret", "max_concurrent_requests", 8, "requests_per_second", 50));

        assertThat(config.username()).isEqualTo(Optional.of("reader"));
        assertThat(config.password()).isEqualTo(Optional.of("s3cret"));
        assertThat(config.maxConcurrentRequests()).isEqualTo(8);
        assertThat(config.requestsPerSecond()).isEqualTo(50);
    }

    @Test
    void everyBadFieldIsNamedAtOnce() {
        assertThatThrownBy(() -> parse(Map.of("host", "", "port", 0, "requests_per_second", -1)))
                .isInstanceOfSatisfying(ConfigValidationException.class, e -> assertThat(e.errors())
                        .extracting(FieldError::field)
                        .containsExactlyInAnyOrder("host", "port", "requests_per_second"));
    }

    @Test
    void thePasswordIsNeverShown() {
        __Type__Config config = parse(Map.of("host", "db", "port", 1, "password", "s3cret"));
        SourceConfig raw = SourceConfig.from(__Type__Config.FIELDS, Map.of("host", "db", "port", 1, "password", "s3cret"));

        assertThat(config.toString()).doesNotContain("s3cret").contains(SourceConfig.MASK);
        assertThat(raw.toString()).doesNotContain("s3cret");
        assertThat(raw.masked()).containsEntry("password", SourceConfig.MASK);
    }
}
