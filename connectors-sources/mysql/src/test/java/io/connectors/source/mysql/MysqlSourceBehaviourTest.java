package io.connectors.source.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connectors.spi.BaseDataSource;
import io.connectors.spi.ChangeEvent;
import io.connectors.spi.CursorExpiredException;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SourceException;
import io.connectors.spi.SyncCursor;
import io.connectors.spi.config.ConfigValidationException;
import io.connectors.spi.rules.SyncRules;
import io.connectors.testkit.contract.DeferredDocuments;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/** The MySQL source against a real server: keys, pages, incremental syncs, rules, retries, pool. */
class MysqlSourceBehaviourTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private MysqlServer.Database db;
    private TestSources sources;

    @BeforeEach
    void database() {
        sources = new TestSources(MysqlServer.shared().create("behaviour"), "mysql-test", Map.of());
        db = sources.db();
    }

    @AfterEach
    void drop() {
        sources.close();
    }

    private MysqlDataSource source(Map<String, Object> overrides) {
        return sources.open(overrides);
    }

    private List<SourceDocument> readAll(BaseDataSource source, SyncRules rules) {
        return DeferredDocuments.build(source, source.getDocs(rules).collectList().block(WAIT), WAIT);
    }

    private static List<String> ids(List<SourceDocument> docs) {
        return docs.stream().map(SourceDocument::id).toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> positions(SyncCursor cursor) {
        return (Map<String, Object>) cursor.values().get("positions");
    }

    private String id(String table, String... key) {
        return MysqlQueries.id(db.name() + "." + table, List.of(key));
    }

    @Test
    void pagesFollowTheKeyInTheIndexOrderAcrossCompositeTextAndOddKeys() {
        db.sql("CREATE TABLE t (a varchar(20), b int, v text, PRIMARY KEY (a, b))",
                "INSERT INTO t VALUES ('a/b,c%d', 1, 'odd'), ('', 2, 'empty'), ('日本', 3, 'unicode'), ('B', 1, 'x'),"
                        + " ('b2', 1, 'y'), ('A', 7, 'z'), ('😀', 1, 'emoji')");
        StringBuilder more = new StringBuilder("INSERT INTO t VALUES ");
        for (int i = 1; i <= 95; i++) {
            more.append(i > 1 ? ", " : "").append("('k").append(i % 7).append("', ").append(i).append(", 'v").append(i)
                    .append("')");
        }
        db.sql(more.toString());
        List<SourceDocument> docs = readAll(source(Map.of("fetch_size", 10)), SyncRules.NONE);
        assertThat(docs).hasSize(102);
        assertThat(ids(docs)).doesNotHaveDuplicates()
                .contains(id("t", "a/b,c%d", "1"), id("t", "", "2"), id("t", "日本", "3"), id("t", "😀", "1"));
        SourceDocument odd = docs.stream().filter(d -> d.id().equals(id("t", "a/b,c%d", "1"))).findFirst().orElseThrow();
        assertThat(odd.id()).endsWith("/a%2Fb%2Cc%25d,1");
        assertThat(odd.fields()).containsEntry("a", "a/b,c%d").containsEntry("b", 1L).containsEntry("v", "odd")
                .containsEntry(MysqlTypes.TABLE_FIELD, db.name() + ".t");
    }

    @Test
    void everyKeyTypeIsPagedExactly() {
        db.sql("CREATE TABLE u (id bigint unsigned PRIMARY KEY, v int)",
                "INSERT INTO u VALUES (18446744073709551615, 1), (0, 2), (9223372036854775808, 3), (1, 4), (2, 5)",
                "CREATE TABLE bin (id varbinary(8) PRIMARY KEY, v int)",
                "INSERT INTO bin VALUES (0x00, 1), (0x0001, 2), (0xff, 3), (0x41, 4), (0x61, 5)",
                "CREATE TABLE d (day date, at datetime(6), PRIMARY KEY (day, at))",
                "INSERT INTO d VALUES ('2024-01-01', '2024-01-01 00:00:00.000001'), ('2024-01-01', '2024-01-01 00:00:00'),"
                        + " ('1999-12-31', '2030-01-01 10:00:00.5'), ('2024-01-02', '1970-01-01 00:00:00')",
                "CREATE TABLE e (mood enum('sad','ok','happy') PRIMARY KEY, v int)",
                "INSERT INTO e VALUES ('happy', 1), ('sad', 2), ('ok', 3)",
                "CREATE TABLE dec_key (id decimal(10,2) PRIMARY KEY)",
                "INSERT INTO dec_key VALUES (-1.5), (0), (2.25), (10), (-100)");
        List<SourceDocument> docs = readAll(source(Map.of("fetch_size", 1)), SyncRules.NONE);
        assertThat(ids(docs)).doesNotHaveDuplicates().hasSize(22)
                .contains(id("u", "18446744073709551615"), id("u", "9223372036854775808"), id("bin", "00"),
                        id("bin", "0001"), id("bin", "ff"), id("d", "2024-01-01", "2024-01-01 00:00:00.000001"),
                        id("d", "1999-12-31", "2030-01-01 10:00:00.500000"), id("e", "happy"), id("dec_key", "-1.50"),
                        id("dec_key", "10.00"));
        assertThat(docs.stream().filter(d -> d.id().equals(id("u", "18446744073709551615"))).findFirst().orElseThrow()
                .fields().get("id")).isEqualTo(new java.math.BigInteger("18446744073709551615"));
    }

    @Test
    void aUniqueIndexOfNotNullColumnsIsTheKeyOfATableWithoutPrimaryKeyAndATableWithNeitherIsSkipped() {
        db.sql("CREATE TABLE uk (code varchar(10) NOT NULL, v int, UNIQUE KEY (code))",
                "INSERT INTO uk VALUES ('x', 1), ('y', 2)",
                "CREATE TABLE heap (a int, b int)", "INSERT INTO heap VALUES (1, 1)",
                "CREATE TABLE nullable_uk (a int NULL, UNIQUE KEY (a))", "INSERT INTO nullable_uk VALUES (1)");
        MysqlDataSource all = source(Map.of());
        List<SourceDocument> docs = readAll(all, SyncRules.NONE);
        assertThat(ids(docs)).containsExactlyInAnyOrder(id("uk", "x"), id("uk", "y"));
        // config check shows what the sync only logs.
        assertThat(all.configWarnings().block(WAIT)).hasSize(2)
                .anySatisfy(w -> assertThat(w).startsWith("skipped: table " + db.name() + ".heap has no primary key"))
                .anySatisfy(w -> assertThat(w).contains(db.name() + ".nullable_uk"));
        assertThat(source(Map.of("tables", List.of("uk"))).configWarnings().block(WAIT)).isEmpty();

        assertThatThrownBy(() -> source(Map.of("tables", List.of("heap"))).validateConfig().block(WAIT))
                .isInstanceOf(ConfigValidationException.class).hasMessageContaining("has no primary key")
                .hasMessageContaining("key_columns");
    }

    @Test
    void configuredKeyColumnsAreCheckedForUniquenessAsTheyAreRead() {
        db.sql("CREATE TABLE heap (a int, b int, c text)",
                "INSERT INTO heap VALUES (1, 1, 'x'), (1, 2, 'y'), (2, 1, 'z'), (NULL, 5, 'null key')",
                "CREATE VIEW shown AS SELECT a, b, c FROM heap WHERE a IS NOT NULL");
        List<SourceDocument> docs = readAll(source(Map.of("tables", List.of("heap", "shown"), "key_columns",
                List.of("heap: a, b", "shown: a, b"), "fetch_size", 1)), SyncRules.NONE);
        assertThat(ids(docs)).containsExactlyInAnyOrder(id("heap", "1", "1"), id("heap", "1", "2"), id("heap", "2", "1"),
                id("shown", "1", "1"), id("shown", "1", "2"), id("shown", "2", "1"));

        MysqlDataSource duplicated = source(Map.of("tables", List.of("heap"), "key_columns", List.of("heap: a")));
        assertThatThrownBy(() -> readAll(duplicated, SyncRules.NONE)).isInstanceOf(SourceException.class)
                .hasMessageContaining("more than one row with the key '1'");
    }

    @Test
    void missingTablesAndKeyColumnsAreNamed() {
        db.sql("CREATE TABLE t (id int PRIMARY KEY)");
        assertThatThrownBy(() -> source(Map.of("tables", List.of("t", "nope"), "key_columns", List.of("t: x",
                "other: y"))).validateConfig().block(WAIT))
                .isInstanceOfSatisfying(ConfigValidationException.class, e -> assertThat(e.getMessage())
                        .contains("table 'nope' does not exist", "has no column 'x'", "names table 'other'"));
        assertThatThrownBy(() -> source(Map.of("cursor_column", "updated_at")).validateConfig().block(WAIT))
                .hasMessageContaining("has no column 'updated_at'");
        assertThatThrownBy(() -> source(Map.of("database", "no_such_db_here")).validateConfig().block(WAIT))
                .isInstanceOf(ConfigValidationException.class).hasMessageContaining("no_such_db_here");
    }

    @Test
    void aLostConnectionIsRetriedFromTheLastRowRead() {
        StringBuilder rows = new StringBuilder("INSERT INTO t VALUES ");
        for (int i = 1; i <= 300; i++) {
            rows.append(i > 1 ? ", " : "").append('(').append(i).append(", 'v").append(i).append("')");
        }
        db.sql("CREATE TABLE t (id int PRIMARY KEY, v text)", rows.toString());
        MysqlDataSource source = source(Map.of("fetch_size", 10, "pool_max_size", 1));
        AtomicInteger seen = new AtomicInteger();
        AtomicInteger killed = new AtomicInteger();
        List<SourceDocument> docs = source.getDocs(SyncRules.NONE)
                // The kill blocks: off the connection's event loop.
                .publishOn(reactor.core.scheduler.Schedulers.boundedElastic(), 1)
                .doOnNext(d -> {
                    if (seen.incrementAndGet() % 100 == 50) {
                        for (Long pid : db.query("SELECT ID FROM information_schema.PROCESSLIST WHERE DB = '" + db.name()
                                + "' AND ID <> CONNECTION_ID()", row -> ((Number) row.get(0)).longValue())) {
                            db.sql("KILL " + pid);
                            killed.incrementAndGet();
                        }
                    }
                })
                .collectList().block(WAIT);
        assertThat(killed).as("connections killed mid-read").hasValueGreaterThanOrEqualTo(2);
        assertThat(ids(docs)).doesNotHaveDuplicates().hasSize(300);
    }

    @Test
    void incrementalSyncsReadRowsPastTheCursorWithTheOverlapAndCheckpointEachPage() {
        db.sql("CREATE TABLE t (id int PRIMARY KEY, v text, updated_at datetime(6))",
                "INSERT INTO t VALUES (1, 'a', '2024-01-01 10:00:00'), (2, 'b', '2024-01-01 11:00:00'),"
                        + " (3, 'c', NULL)");
        MysqlDataSource source = source(Map.of("cursor_column", "updated_at", "cursor_overlap", "10m", "fetch_size", 1));
        SyncCursor cursor = source.currentCursor().block(WAIT);
        assertThat(cursor.values()).containsEntry("column", "updated_at");
        assertThat(positions(cursor)).containsEntry(db.name() + ".t",
                "2024-01-01 11:00:00.000000");

        db.sql("UPDATE t SET v = 'b2', updated_at = '2024-01-01 11:05:00' WHERE id = 2",
                "INSERT INTO t VALUES (4, 'd', '2024-01-01 12:00:00'), (5, 'e', '2024-01-01 10:55:00')");
        List<ChangeEvent> events = source.getDocsIncrementally(cursor, SyncRules.NONE).collectList().block(WAIT);
        List<String> upserted = events.stream().filter(e -> e instanceof ChangeEvent.Upsert)
                .map(e -> ((ChangeEvent.Upsert) e).document().id()).toList();
        // From 10:50 on (the overlap): 5 at 10:55, then 2 and 4; not 1 (10:00) nor 3 (NULL).
        assertThat(upserted).containsExactly(id("t", "5"), id("t", "2"), id("t", "4"));
        ChangeEvent last = events.get(events.size() - 1);
        assertThat(last).isInstanceOf(ChangeEvent.Checkpoint.class);
        assertThat(positions(((ChangeEvent.Checkpoint) last).cursor()))
                .containsEntry(db.name() + ".t", "2024-01-01 12:00:00.000000");
        assertThat(events.stream().filter(e -> e instanceof ChangeEvent.Checkpoint).count()).isGreaterThanOrEqualTo(3);

        MysqlDataSource other = source(Map.of("cursor_column", "id"));
        assertThatThrownBy(() -> other.getDocsIncrementally(cursor, SyncRules.NONE).collectList().block(WAIT))
                .isInstanceOf(CursorExpiredException.class);
    }

    @Test
    void aRowRereadByTheOverlapKeepsItsVersionSoItIsNotWrittenAgain() {
        db.sql("CREATE TABLE t (id int PRIMARY KEY, v json, b blob, f double, updated_at timestamp(3))",
                "INSERT INTO t VALUES (1, '{\"a\": [1, 2.5]}', 0x00ff, 1.5, '2024-01-01 10:00:00')");
        MysqlDataSource source = source(Map.of());
        String before = source.getDocs(SyncRules.NONE).blockFirst(WAIT).version().orElseThrow();
        assertThat(source.getDocs(SyncRules.NONE).blockFirst(WAIT).version()).contains(before);
        db.sql("UPDATE t SET b = 0x00fe WHERE id = 1");
        String after = source.getDocs(SyncRules.NONE).blockFirst(WAIT).version().orElseThrow();
        assertThat(after).isNotEqualTo(before);
        db.sql("UPDATE t SET v = NULL WHERE id = 1");
        assertThat(source.getDocs(SyncRules.NONE).blockFirst(WAIT).version().orElseThrow()).isNotEqualTo(after);
    }

    @Test
    void advancedRulesReadTheirQueriesAndRefuseWhatIsNotARead() {
        db.sql("CREATE TABLE orders (id int PRIMARY KEY, total decimal(10,2), customer int)",
                "CREATE TABLE customers (id int PRIMARY KEY, name varchar(40))",
                "INSERT INTO customers VALUES (1, 'Ann'), (2, 'Bob')",
                "INSERT INTO orders VALUES (10, 5.50, 1), (11, 7.25, 2), (12, 1.00, 1)");
        Map<String, Object> rules = Map.of("queries", List.of(
                Map.of("table", "order_view", "query", "SELECT o.id, o.total, c.name FROM orders o JOIN customers c"
                        + " ON c.id = o.customer;", "key", List.of("id")),
                Map.of("table", "customers", "query", "SELECT * FROM customers WHERE id > 1")));
        MysqlDataSource source = source(Map.of("fetch_size", 1));
        assertThat(source.validateAdvancedRules(rules).block(WAIT)).isEmpty();
        List<SourceDocument> docs = readAll(source, new SyncRules(List.of(), rules));
        assertThat(ids(docs)).containsExactlyInAnyOrder("order_view/10", "order_view/11", "order_view/12",
                "customers/2");
        assertThat(docs.get(0).fields()).containsEntry("total", new java.math.BigDecimal("5.50"))
                .containsEntry("name", "Ann").containsEntry(MysqlTypes.TABLE_FIELD, "order_view");
        assertThat(source.mappingProperties(new SyncRules(List.of(), rules)).block(WAIT)).containsKey("total");

        Map<String, Object> bad = Map.of("queries", List.of(
                Map.of("table", "a", "query", "DELETE FROM orders", "key", List.of("id")),
                Map.of("table", "b", "query", "SELECT 1 AS id; DROP TABLE orders", "key", List.of("id")),
                Map.of("table", "c", "query", "SELECT * FROM orders FOR UPDATE", "key", List.of("id")),
                Map.of("table", "d", "query", "SELECT /*!50000 1 */ AS id", "key", List.of("id")),
                Map.of("table", "e", "query", "SELECT id FROM orders WHERE id = ?", "key", List.of("id"))));
        assertThat(source.validateAdvancedRules(bad).block(WAIT)).hasSize(5)
                .anySatisfy(p -> assertThat(p).startsWith("queries[0].query").contains("found 'DELETE'"))
                .anySatisfy(p -> assertThat(p).startsWith("queries[1].query").contains("more than one statement"))
                .anySatisfy(p -> assertThat(p).startsWith("queries[2].query").contains("FOR UPDATE"))
                .anySatisfy(p -> assertThat(p).startsWith("queries[3].query").contains("executable comment"))
                .anySatisfy(p -> assertThat(p).startsWith("queries[4].query").contains("parameter"));

        Map<String, Object> unknown = Map.of("queries", List.of(
                Map.of("table", "x", "query", "SELECT id, id AS ID FROM orders", "key", List.of("id")),
                Map.of("table", "y", "query", "SELECT total FROM orders", "key", List.of("id")),
                Map.of("table", "z", "query", "SELECT * FROM nowhere", "key", List.of("id")),
                Map.of("table", "view_without_key", "query", "SELECT 1 AS id")));
        assertThat(source.validateAdvancedRules(unknown).block(WAIT))
                .anySatisfy(p -> assertThat(p).startsWith("queries[1].key").contains("'id' is not an output column"))
                .anySatisfy(p -> assertThat(p).startsWith("queries[2].query").contains("refused"))
                .anySatisfy(p -> assertThat(p).startsWith("queries[3].key").contains("is required"));
    }

    @Test
    void theSourcesSessionsAreReadOnly() {
        db.sql("CREATE TABLE t (id int PRIMARY KEY)", "CREATE TABLE log (n int)",
                "CREATE FUNCTION writes() RETURNS int MODIFIES SQL DATA BEGIN INSERT INTO log VALUES (1); RETURN 1; END");
        Map<String, Object> rules = Map.of("queries", List.of(Map.of("table", "w", "query",
                "SELECT writes() AS id", "key", List.of("id"))));
        MysqlDataSource source = source(Map.of());
        assertThatThrownBy(() -> readAll(source, new SyncRules(List.of(), rules))).isInstanceOf(SourceException.class)
                .hasMessageContaining("READ ONLY");
        assertThat(db.count("SELECT count(*) FROM log")).isZero();
    }

    @Test
    void thePoolIsClosedOnceNoReadIsInProgressAndCloseIsFinal() {
        db.sql("CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (1), (2), (3)");
        MysqlDataSource source = source(Map.of("fetch_size", 1));
        Flux<SourceDocument> docs = source.getDocs(SyncRules.NONE);
        assertThat(docs.take(1).collectList().block(WAIT)).hasSize(1);
        assertThat(source.currentPool()).isEmpty();
        source.ping().block(WAIT);
        source.close().block(WAIT);
        assertThatThrownBy(() -> source.getDocs(SyncRules.NONE).collectList().block(WAIT))
                .hasMessageContaining("was closed");
    }

    @Test
    void aWrongPasswordIsNamedOnThePasswordFieldWithoutTheSecret() {
        MysqlDataSource source = source(Map.of("user", "nobody_here", "password", "s3cret-pw"));
        assertThatThrownBy(() -> source.ping().block(WAIT)).isInstanceOf(ConfigValidationException.class)
                .hasMessageContaining("nobody_here").hasMessageNotContaining("s3cret-pw");
    }
}
