package io.connectors.functional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connectors.source.mysql.MysqlTestServer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The change load of the real-time bench, on MySQL: the binlog server the MySQL source's real-time tests use. */
class MysqlChangeLoadIT {
    private MysqlTestServer.Db db;
    private ChangeLoad.Database connections;
    private String table;

    @BeforeEach
    void database() {
        db = MysqlTestServer.binlogDatabase("load_it");
        connections = ChangeLoad.Database.of("mysql", db.config());
        table = db.name() + ".items";
    }

    @AfterEach
    void drop() {
        db.close();
    }

    @Test
    void theTableHoldsExactlyWhatTheLoadSaysItCommitted() throws Exception {
        connections.createTable(table, 2_500);
        assertThat(count("SELECT count(*) FROM " + table + " WHERE body LIKE CONCAT('row ', seq, ' seq ', seq, ': %')"))
                .as("initial rows, each body holding its seq").isEqualTo(2_500);

        ChangeLoad load = ChangeLoad.start(connections, table, 2_500, 400, ChangeLoad.Mix.ALL, 7, 100_000);
        TimeUnit.MILLISECONDS.sleep(1_500);
        load.stop();

        assertThat(load.changes()).isGreaterThan(50);
        assertThat(load.count(ChangeLoad.Kind.DELETE)).isPositive();
        assertThat(load.count(ChangeLoad.Kind.KEY_CHANGE)).isPositive();
        assertThat(count("SELECT count(*) FROM " + table)).as("rows")
                .isEqualTo(2_500 + load.count(ChangeLoad.Kind.INSERT) - load.count(ChangeLoad.Kind.DELETE));
        assertThat(count("SELECT max(seq) FROM " + table)).as("newest seq").isEqualTo(load.lastUpsertSeq());
        assertThat(count("SELECT count(*) FROM " + table + " WHERE seq > 2500 AND body NOT LIKE CONCAT('change ', seq,"
                + " ':%')")).as("changed rows whose body does not hold their seq").isZero();
        assertThat(load.describe()).contains("changes at");
    }

    @Test
    void aStatementThatChangesNoRowFailsTheLoad() throws Exception {
        connections.createTable(table, 100);
        ChangeLoad load = ChangeLoad.start(connections, table, 100, 200, ChangeLoad.Mix.ALL, 7, 100_000);
        db.sql("DELETE FROM " + table);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (load.running() && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
        }

        assertThatThrownBy(load::stop).hasMessageContaining("changed 0 rows, not 1");
    }

    @Test
    void onlyTheSqlSourcesHaveALoad() {
        assertThatThrownBy(() -> ChangeLoad.Database.of("mongodb", db.config()))
                .hasMessageContaining("no change load writes to a mongodb source's backend");
    }

    private long count(String sql) {
        List<Long> values = db.query(sql, row -> ((Number) row.get(0)).longValue());
        return values.get(0);
    }
}
