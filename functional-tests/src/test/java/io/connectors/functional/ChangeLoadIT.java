package io.connectors.functional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connectors.source.postgresql.PgFixture;
import io.r2dbc.spi.Connection;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The change load the real-time chaos scenario and bench run, against the PostgreSQL the tests use. */
class ChangeLoadIT {
    private static final String TABLE = "load_it.items";

    private PgFixture fixture;
    private ChangeLoad.Database connections;

    @BeforeEach
    void database(@TempDir Path dir) {
        fixture = new PgFixture();
        fixture.start(dir);
        connections = ChangeLoad.Database.postgresql(fixture.connectorConfiguration());
    }

    @AfterEach
    void drop() {
        fixture.close();
    }

    @Test
    void theTableHoldsExactlyWhatTheLoadSaysItCommitted() throws Exception {
        connections.createTable(TABLE, 500);
        ChangeLoad load = ChangeLoad.start(connections, TABLE, 500, 400, ChangeLoad.Mix.ALL, 7, 100_000);
        TimeUnit.MILLISECONDS.sleep(1_500);
        load.stop();

        assertThat(load.changes()).isGreaterThan(50);
        assertThat(load.count(ChangeLoad.Kind.INSERT) + load.count(ChangeLoad.Kind.UPDATE)
                + load.count(ChangeLoad.Kind.KEY_CHANGE) + load.count(ChangeLoad.Kind.DELETE)).isEqualTo(load.changes());
        assertThat(load.count(ChangeLoad.Kind.DELETE)).isPositive();
        List<Long> table = query("SELECT count(*), max(seq), count(*) FILTER (WHERE key > 500), count(*) FILTER (WHERE"
                + " body NOT LIKE 'change ' || seq || ':%' AND seq > 500) FROM " + TABLE);
        assertThat(table.get(0)).as("rows").isEqualTo(500 + load.count(ChangeLoad.Kind.INSERT)
                - load.count(ChangeLoad.Kind.DELETE));
        assertThat(table.get(1)).as("newest seq").isEqualTo(load.lastUpsertSeq());
        assertThat(table.get(2)).as("rows under new keys").isPositive().isLessThanOrEqualTo(
                load.count(ChangeLoad.Kind.INSERT) + load.count(ChangeLoad.Kind.KEY_CHANGE));
        assertThat(table.get(3)).as("changed rows whose body does not hold their seq").isZero();
        for (long seq = load.firstSeq() + 1; seq <= load.lastSeq(); seq++) {
            assertThat(load.commitNanos(seq)).isGreaterThanOrEqualTo(load.commitNanos(seq - 1));
        }
    }

    @Test
    void aStatementThatChangesNoRowFailsTheLoad() throws Exception {
        connections.createTable(TABLE, 100);
        ChangeLoad load = ChangeLoad.start(connections, TABLE, 100, 200, ChangeLoad.Mix.ALL, 7, 100_000);
        // Rows vanish behind the writer's back: its next update or delete of one of them changes nothing.
        query("DELETE FROM " + TABLE + " RETURNING 0");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (load.running() && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
        }

        assertThatThrownBy(load::stop).hasMessageContaining("changed 0 rows, not 1");
    }

    private List<Long> query(String sql) throws Exception {
        return Mono.usingWhen(Mono.from(connections.factory().create()),
                        (Connection c) -> Flux.from(c.createStatement(sql).execute())
                                .concatMap(r -> r.map((row, meta) -> {
                                    Long[] values = new Long[meta.getColumnMetadatas().size()];
                                    for (int i = 0; i < values.length; i++) {
                                        values[i] = ((Number) row.get(i)).longValue();
                                    }
                                    return List.of(values);
                                }))
                                .next().defaultIfEmpty(List.of()),
                        Connection::close)
                .toFuture().get(30, TimeUnit.SECONDS);
    }
}
