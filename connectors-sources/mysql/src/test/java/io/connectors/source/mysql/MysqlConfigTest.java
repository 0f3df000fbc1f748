package io.connectors.source.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connectors.spi.config.ConfigValidationException;
import io.connectors.spi.config.FieldError;
import io.connectors.spi.config.SourceConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configuration's declarations: defaults, checks and masking. */
class MysqlConfigTest {

    private static final Map<String, Object> REQUIRED = Map.of("host", "db.example.com", "database", "shop",
            "user", "reader");

    private static MysqlConfig parse(Map<String, Object> raw) {
        return MysqlConfig.from(SourceConfig.from(MysqlConfig.FIELDS, raw));
    }

    private static Map<String, Object> with(Object... keysAndValues) {
        Map<String, Object> raw = new HashMap<>(REQUIRED);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            raw.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return raw;
    }

    @Test
    void defaultsApplyWhenOnlyTheRequiredFieldsAreGiven() {
        MysqlConfig config = parse(REQUIRED);

        assertThat(config.host()).isEqualTo("db.example.com");
        assertThat(config.port()).isEqualTo(3306);
        assertThat(config.database()).isEqualTo("shop");
        assertThat(config.password()).isEmpty();
        assertThat(config.sslMode()).isEqualTo("preferred");
        assertThat(config.tables()).isEmpty();
        assertThat(config.fetchSize()).isEqualTo(1000);
        assertThat(config.pool().maxConcurrentQueries()).isEqualTo(config.pool().maxSize()).isEqualTo(4);
        assertThat(config.cursorColumn()).isEmpty();
        assertThat(config.cursorOverlap()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.watchChanges()).isTrue();
        assertThat(config.serverId()).isZero();
    }

    @Test
    void everyFieldIsRead(@TempDir Path dir) throws IOException {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "x");
        MysqlConfig config = parse(with("port", "3307", "password", "s3cret", "ssl_mode", "verify_identity",
                "ssl_ca", ca.toString(), "tables", List.of("orders", "other.items"),
                "key_columns", List.of("audit: at, seq"), "fetch_size", 50, "pool_initial_size", 2, "pool_max_size", 6,
                "max_concurrent_queries", 3, "queries_per_second", 9, "cursor_column", " updated_at ",
                "cursor_overlap", "5s", "retries", 2, "watch_changes", false, "server_id", 77,
                "binlog_idle_interval", "3s"));

        assertThat(config.port()).isEqualTo(3307);
        assertThat(config.password()).isEqualTo(Optional.of("s3cret"));
        assertThat(config.sslCa()).contains(ca);
        assertThat(config.tables()).containsExactly("orders", "other.items");
        assertThat(config.keyColumns()).containsEntry("audit", List.of("at", "seq"));
        assertThat(config.fetchSize()).isEqualTo(50);
        assertThat(config.pool().maxConcurrentQueries()).isEqualTo(3);
        assertThat(config.pool().queriesPerSecond()).isEqualTo(9);
        assertThat(config.cursorColumn()).contains("updated_at");
        assertThat(config.cursorOverlap()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.pool().retries()).isEqualTo(2);
        assertThat(config.watchChanges()).isFalse();
        assertThat(config.serverId("any")).isEqualTo(77);
        assertThat(config.binlogIdleInterval()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.where()).isEqualTo("MySQL at db.example.com:3307, database 'shop'");
    }

    @Test
    void aDerivedServerIdIsStableAndClearOfSmallIds() {
        MysqlConfig config = parse(REQUIRED);
        long id = config.serverId("orders-sync");
        assertThat(id).isEqualTo(config.serverId("orders-sync")).isBetween(1L << 30, (1L << 31) - 1)
                .isNotEqualTo(config.serverId("orders-sync-2"));
    }

    @Test
    void everyBadFieldIsNamedAtOnce() {
        assertThatThrownBy(() -> parse(Map.of("host", "", "port", 0, "queries_per_second", -1, "ssl_mode", "maybe",
                "key_columns", List.of("nocolon"), "tables", List.of("a", "A"))))
                .isInstanceOfSatisfying(ConfigValidationException.class, e -> assertThat(e.errors())
                        .extracting(FieldError::field)
                        .contains("host", "port", "queries_per_second", "ssl_mode", "key_columns", "tables", "database",
                                "user"));
    }

    @Test
    void keyColumnEntriesAreChecked() {
        assertThatThrownBy(() -> parse(with("key_columns", List.of("a: x, x"))))
                .hasMessageContaining("names column 'x' twice");
        assertThatThrownBy(() -> parse(with("key_columns", List.of("a: x,", "b: y"))))
                .hasMessageContaining("empty column name");
        assertThatThrownBy(() -> parse(with("key_columns", List.of("a: x", "a: y"))))
                .hasMessageContaining("names table 'a' twice");
        assertThatThrownBy(() -> parse(with("ssl_ca", "/no/such/file.pem")))
                .hasMessageContaining("is not a readable file");
        assertThatThrownBy(() -> parse(with("pool_initial_size", 5, "pool_max_size", 2)))
                .hasMessageContaining("more than `pool_max_size`");
    }

    @Test
    void idleConnectionsAreCheckedAtHalfTheShorterLifetimeWithinBounds() {
        assertThat(parse(with("pool_max_idle_time", "10m", "pool_max_life_time", "30m")).pool().evictionInterval())
                .isEqualTo(Duration.ofMinutes(1));
        assertThat(parse(with("pool_max_idle_time", "1s")).pool().evictionInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(parse(with("pool_max_life_time", "40s")).pool().evictionInterval()).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void thePasswordIsNeverShown() {
        MysqlConfig config = parse(with("password", "s3cret"));
        SourceConfig raw = SourceConfig.from(MysqlConfig.FIELDS, with("password", "s3cret"));

        assertThat(config.toString()).doesNotContain("s3cret").contains("********");
        assertThat(raw.toString()).doesNotContain("s3cret");
        assertThat(raw.masked()).containsEntry("password", SourceConfig.MASK);
    }
}
