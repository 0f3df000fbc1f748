package io.connectors.source.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connectors.spi.config.ConfigField;
import io.connectors.spi.config.ConfigValidationException;
import io.connectors.spi.config.SourceConfig;
import io.r2dbc.h2.H2ConnectionFactory;
import io.r2dbc.pool.ConnectionPool;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The pool's fields, their values and the pool they make, against an in-process H2 database. */
class PoolSettingsTest {
    private static final List<ConfigField> FIELDS = PoolSettings.fields(3, 20, "(after fail-overs).", "KILL, network");

    private static PoolSettings parse(Object... keysAndValues) {
        Map<String, Object> raw = new HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            raw.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return PoolSettings.from(SourceConfig.from(FIELDS, raw));
    }

    @Test
    void defaultsAreABoundedRecycledPoolWithAsManyQueriesAsConnections() {
        PoolSettings settings = parse();
        assertThat(settings.initialSize()).isEqualTo(1);
        assertThat(settings.maxSize()).isEqualTo(4);
        assertThat(settings.maxIdleTime()).isEqualTo(Duration.ofMinutes(10));
        assertThat(settings.maxLifeTime()).isEqualTo(Duration.ofMinutes(30));
        assertThat(settings.validationQuery()).isEqualTo("SELECT 1");
        assertThat(settings.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.maxConcurrentQueries()).isEqualTo(4);
        assertThat(settings.queriesPerSecond()).isZero();
        assertThat(settings.retries()).isEqualTo(5);
    }

    @Test
    void everyFieldIsReadAndOrderedFromTheGivenPosition() {
        PoolSettings settings = parse("pool_initial_size", 2, "pool_max_size", 8, "pool_max_idle_time", "1m",
                "pool_max_life_time", "5m", "pool_validation_query", "VALUES 1", "connect_timeout", "3s",
                "max_concurrent_queries", 2, "queries_per_second", 50, "retries", 0);
        assertThat(settings).isEqualTo(new PoolSettings(2, 8, Duration.ofMinutes(1), Duration.ofMinutes(5), "VALUES 1",
                Duration.ofSeconds(3), 2, 50, 0));
        assertThat(FIELDS).extracting(ConfigField::order).containsExactly(3, 4, 5, 6, 7, 8, 9, 10, 20);
        assertThat(FIELDS.get(3).description()).endsWith("so connections are recycled (after fail-overs).");
        assertThat(FIELDS.get(8).description()).contains("(KILL, network)");
    }

    @Test
    void moreInitialConnectionsThanTheMostIsRefusedNamingTheField() {
        assertThatThrownBy(() -> parse("pool_initial_size", 5, "pool_max_size", 2))
                .isInstanceOf(ConfigValidationException.class)
                .hasMessageContaining("pool_initial_size")
                .hasMessageContaining("is 5, more than `pool_max_size` (2)");
        assertThatThrownBy(() -> parse("pool_max_size", 0))
                .isInstanceOf(ConfigValidationException.class)
                .hasMessageContaining("pool_max_size");
    }

    @Test
    void idleConnectionsAreCheckedAtHalfTheShorterTimeWithinBounds() {
        assertThat(parse("pool_max_idle_time", "10m", "pool_max_life_time", "30m").evictionInterval())
                .isEqualTo(Duration.ofMinutes(1));
        assertThat(parse("pool_max_idle_time", "1s").evictionInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(parse("pool_max_life_time", "40s").evictionInterval()).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void thePoolIsBoundedAndValidatesWhatItHandsOut() {
        PoolSettings settings = parse("pool_initial_size", 0, "pool_max_size", 2, "pool_validation_query", "VALUES 1");
        ConnectionPool pool = settings.pool("test", H2ConnectionFactory.inMemory("pool-settings"));
        try {
            List<Integer> values = Flux.range(0, 6)
                    .flatMap(i -> Mono.usingWhen(pool.create(),
                            c -> Mono.from(c.createStatement("VALUES " + i).execute())
                                    .flatMap(r -> Mono.from(r.map((row, meta) -> row.get(0, Integer.class)))),
                            c -> c.close()))
                    .collectList().block(Duration.ofSeconds(30));
            assertThat(values).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5);
            assertThat(pool.getMetrics().orElseThrow().getMaxAllocatedSize()).isEqualTo(2);
            assertThat(pool.getMetrics().orElseThrow().allocatedSize()).isLessThanOrEqualTo(2);
        } finally {
            pool.dispose();
        }
    }
}
