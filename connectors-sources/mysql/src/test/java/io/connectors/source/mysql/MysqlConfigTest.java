package io.connectors.source.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connectors.spi.config.ConfigValidationException;
import io.connectors.spi.config.FieldError;
import io.connectors.spi.config.SourceConfig;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The configuration's declarations: defaults, checks and masking. Extend it with every field you add. */
class MysqlConfigTest {

    private static MysqlConfig parse(Map<String, Object> raw) {
        return MysqlConfig.from(SourceConfig.from(MysqlConfig.FIELDS, raw));
    }

    @Test
    void defaultsApplyWhenOnlyTheRequiredFieldsAreGiven() {
        MysqlConfig config = parse(Map.of("host", "db.example.com", "port", 1234));

        assertThat(config.host()).isEqualTo("db.example.com");
        assertThat(config.port()).isEqualTo(1234);
        assertThat(config.username()).isEmpty();
        assertThat(config.password()).isEmpty();
        assertThat(config.maxConcurrentRequests()).isEqualTo(4);
        assertThat(config.requestsPerSecond()).isZero();
    }

    @Test
    void everyFieldIsRead() {
        MysqlConfig config = parse(Map.of("host", "10.0.0.7", "port", "5000", "username", "reader",
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
        MysqlConfig config = parse(Map.of("host", "db", "port", 1, "password", "s3cret"));
        SourceConfig raw = SourceConfig.from(MysqlConfig.FIELDS, Map.of("host", "db", "port", 1, "password", "s3cret"));

        assertThat(config.toString()).doesNotContain("s3cret").contains(SourceConfig.MASK);
        assertThat(raw.toString()).doesNotContain("s3cret");
        assertThat(raw.masked()).containsEntry("password", SourceConfig.MASK);
    }
}
