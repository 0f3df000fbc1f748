package io.connectors.source.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.connectors.spi.BaseDataSource;
import io.connectors.spi.ChangeEvent;
import io.connectors.spi.ChangeWatchingSource.Signal;
import io.connectors.spi.CursorExpiredException;
import io.connectors.spi.SchemaDiscoverySource.SourceSchema;
import io.connectors.spi.SourceContext;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SourceException;
import io.connectors.spi.SyncCursor;
import io.connectors.spi.config.ConfigValidationException;
import io.connectors.spi.config.SourceConfig;
import io.connectors.spi.rules.SyncRules;
import io.connectors.testkit.contract.DeferredDocuments;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** The PostgreSQL source against a real server: keys, pages, resumption, incremental syncs, rules, pool, watch. */
class PgSourceBehaviourTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private PgBackend db;
    private final List<PgDataSource> sources = new ArrayList<>();

    @BeforeEach
    void database() {
        db = PgBackend.create("behaviour");
    }

    @AfterEach
    void drop() {
        sources.forEach(s -> s.close().block(WAIT));
        db.close();
    }

    private PgDataSource source(Map<String, Object> overrides) {
        Map<String, Object> raw = new LinkedHashMap<>(db.connectorConfiguration());
        raw.putAll(overrides);
        PgDataSource source = (PgDataSource) new PgDataSourceProvider().create(
                SourceConfig.from(PgConfig.FIELDS, raw), new SourceContext("pg-test"));
        sources.add(source);
        return source;
    }

    private static List<SourceDocument> readAll(BaseDataSource source, SyncRules rules) {
        return source.getDocs(rules).collectList().block(WAIT);
    }

    private static List<String> ids(List<SourceDocument> docs) {
        return docs.stream().map(SourceDocument::id).toList();
    }

    @Test
    void theConfigurationNeverShowsThePassword() {
        PgConfig config = PgConfig.from(SourceConfig.from(PgConfig.FIELDS, Map.of("host", "db", "database", "d",
                "user", "u", "password", "s3cret-pw")));
        assertThat(config.toString()).contains("db:5432", "'u'").doesNotContain("s3cret-pw");
        assertThat(PgErrors.scrub("auth failed for s3cret-pw\nsecond line", config)).isEqualTo("auth failed for ********");
    }

    @Test
    void pagesFollowTheKeyInTheKeysOwnOrderAcrossCompositeKeysAndOddValues() {
        db.sql("CREATE TABLE t (a text, b int, v text, PRIMARY KEY (a, b))",
                "INSERT INTO t SELECT 'k' || (i % 7), i, 'v' || i FROM generate_series(1, 95) i",
                "INSERT INTO t VALUES ('a/b,c%d', 1, 'odd'), ('', 2, 'empty'), ('日本', 3, 'unicode')");
        PgDataSource source = source(Map.of("fetch_size", 10));
        List<SourceDocument> docs = DeferredDocuments.build(source, readAll(source, SyncRules.NONE), WAIT);

        assertThat(docs).hasSize(98);
        assertThat(ids(docs)).doesNotHaveDuplicates()
                .contains("public.t/a%2Fb%2Cc%25d,1", "public.t/,2", "public.t/日本,3", "public.t/k0,7");
        SourceDocument odd = docs.stream().filter(d -> d.id().equals("public.t/a%2Fb%2Cc%25d,1")).findFirst().orElseThrow();
        assertThat(odd.fields()).containsEntry("a", "a/b,c%d").containsEntry("b", 1L).containsEntry("v", "odd")
                .containsEntry("pg_table", "public.t");
    }

    @Test
    void tablesWithoutKeyAreSkippedUnlessKeyColumnsAreConfiguredAndNullKeysAreNotRead() {
        db.sql("CREATE TABLE keyed (id bigint PRIMARY KEY)", "INSERT INTO keyed VALUES (1), (2)",
                "CREATE TABLE log (at int, seq int, msg text)",
                "INSERT INTO log VALUES (1, 1, 'a'), (1, 2, 'b'), (NULL, 3, 'no key')");
        assertThat(ids(readAll(source(Map.of()), SyncRules.NONE))).containsExactly("public.keyed/1", "public.keyed/2");
        assertThat(ids(readAll(source(Map.of("key_columns", List.of("log: at, seq"))), SyncRules.NONE)))
                .containsExactly("public.keyed/1", "public.keyed/2", "public.log/1,1", "public.log/1,2");
    }

    @Test
    void fieldsTwoTablesTypeDifferentlyGetOneMappingThatHoldsBoth() {
        db.sql("CREATE EXTENSION IF NOT EXISTS hstore",
                "CREATE TABLE a (id int PRIMARY KEY, x int, d date, j json, h hstore, n numeric, s smallint, same text)",
                "CREATE TABLE b (id text PRIMARY KEY, x text, d boolean, j text, h int, n bigint, s bigint, same text)");

        Map<String, Object> mapping = source(Map.of()).mappingProperties(SyncRules.NONE).block(WAIT);

        Map<String, Object> text = Map.of("type", "text", "fields", Map.of("keyword", Map.of("type", "keyword",
                "ignore_above", 256)));
        assertThat(mapping).containsEntry("id", text).containsEntry("x", text)
                .containsEntry("d", Map.of("type", "keyword", "ignore_above", 8191))
                .containsEntry("j", Map.of("type", "object", "enabled", false))
                .containsEntry("h", Map.of("type", "object", "enabled", false))
                .containsEntry("n", Map.of("type", "double", "ignore_malformed", true))
                .containsEntry("s", Map.of("type", "long"))
                .containsEntry("same", text)
                .containsEntry("pg_table", Map.of("type", "keyword"));
    }

    @Test
    void aConnectorWhoseEveryTableWouldBeSkippedFailsValidationNamingTheTablesAndTheFix() {
        db.sql("CREATE TABLE log (at int, msg text)", "CREATE TABLE events (id int, msg text)");

        Throwable error = catchThrowable(() -> source(Map.of()).validateConfig().block(WAIT));

        assertThat(error).isInstanceOf(ConfigValidationException.class).hasMessageContaining("key_columns")
                .hasMessageContaining("no table can be synced").hasMessageContaining("public.log has no primary key")
                .hasMessageContaining("public.events");
        PgDataSource one = source(Map.of("key_columns", List.of("log: at")));
        assertThat(one.validateConfig().blockOptional(WAIT))
                .as("one table is enough; the other is skipped with a warning").isEmpty();
        assertThat(one.configWarnings().block(WAIT)).singleElement().asString()
                .startsWith("skipped: ").contains("public.events has no primary key");
    }

    @Test
    void duplicateKeysInKeyColumnsFailTheReadNamingTheTableAndAKeyWithinAPageAndAcrossPages() {
        db.sql("CREATE TABLE items (id int PRIMARY KEY, grp int, code text)",
                "INSERT INTO items SELECT i, i / 10, 'c' || i FROM generate_series(1, 50) i",
                "CREATE VIEW by_code AS SELECT code, grp FROM items",
                "CREATE VIEW by_group AS SELECT grp, code FROM items",
                "CREATE TABLE pairs (a int, b int)",
                "INSERT INTO pairs SELECT i, i FROM generate_series(1, 9) i",
                "INSERT INTO pairs VALUES (5, 5)");

        assertThat(ids(DeferredDocuments.build(source(Map.of("tables", List.of("by_code"), "key_columns",
                List.of("by_code: code"), "fetch_size", 7)), readAll(source(Map.of("tables", List.of("by_code"),
                "key_columns", List.of("by_code: code"), "fetch_size", 7)), SyncRules.NONE), WAIT)))
                .as("unique key columns on a view: every row, once, across pages").hasSize(50).doesNotHaveDuplicates();
        assertThat(ids(readAll(source(Map.of("tables", List.of("by_code"), "key_columns", List.of("by_code: code"),
                "fetch_size", 1)), SyncRules.NONE))).as("pages of one row still move on").hasSize(50).doesNotHaveDuplicates();
        for (int fetchSize : new int[] {100, 5, 4}) {
            Throwable within = catchThrowable(() -> readAll(source(Map.of("tables", List.of("by_group"), "key_columns",
                    List.of("by_group: grp"), "fetch_size", fetchSize)), SyncRules.NONE));
            assertThat(within).as("fetch_size " + fetchSize).isInstanceOf(SourceException.class)
                    .hasMessageContaining("table public.by_group has more than one row with the key '0'")
                    .hasMessageContaining("[grp]").hasMessageContaining("key_columns");
        }
        // The duplicated (5, 5) is the 5th and 6th row: with fetch_size 5 they straddle the page boundary.
        Throwable across = catchThrowable(() -> readAll(source(Map.of("tables", List.of("pairs"), "key_columns",
                List.of("pairs: a, b"), "fetch_size", 5)), SyncRules.NONE));
        assertThat(across).isInstanceOf(SourceException.class)
                .hasMessageContaining("table public.pairs has more than one row with the key [5, 5]");
    }

    @Test
    void validationNamesMissingTablesKeyColumnsCursorColumnAndDatabase() {
        db.sql("CREATE SCHEMA shop", "CREATE TABLE shop.orders (id int PRIMARY KEY, updated_at timestamptz)",
                "CREATE TABLE items (id int PRIMARY KEY)");
        assertThat(source(Map.of("schemas", List.of("shop"))).validateConfig().blockOptional(WAIT)).isEmpty();
        assertThat(fields(source(Map.of("tables", List.of("orders", "public.nope", "shop.orders"),
                "schemas", List.of("shop", "public"))))).containsExactly("tables", "tables");
        assertThat(fields(source(Map.of("key_columns", List.of("items: nope", "ghost: id"))))).containsExactly(
                "key_columns", "key_columns");
        assertThat(fields(source(Map.of("cursor_column", "updated_at")))).containsExactly("cursor_column");
        assertThat(fields(source(Map.of("database", "no_such_db_x")))).containsExactly("database");
        assertThat(fields(source(Map.of("schemas", List.of("empty_schema"))))).containsExactly("schemas");
    }

    @Test
    void pingSaysAMissingDatabaseIsTheDatabaseFieldNotALostConnection() {
        assertThatThrownBy(() -> source(Map.of("database", "no_such_db_y")).ping().block(WAIT))
                .isInstanceOfSatisfying(ConfigValidationException.class, e -> assertThat(e.errors())
                        .extracting(f -> f.field()).containsExactly("database"))
                .hasMessageContaining("database 'no_such_db_y' does not exist")
                .hasMessageNotContaining("lost the connection");
    }

    private static List<String> fields(BaseDataSource source) {
        try {
            source.validateConfig().block(WAIT);
            return List.of();
        } catch (ConfigValidationException e) {
            return e.errors().stream().map(f -> f.field()).toList();
        }
    }

    @Test
    void aConnectionTerminatedBetweenPagesIsReplacedAndTheReadGoesOnFromTheLastKey() {
        db.sql("CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 200) i");
        PgDataSource source = source(Map.of("fetch_size", 10, "pool_max_size", 1));
        List<String> seen = new CopyOnWriteArrayList<>();
        StepVerifier.create(source.getDocs(SyncRules.NONE).map(SourceDocument::id), 0)
                .thenRequest(15)
                .expectNextCount(15)
                .then(() -> assertThat(db.terminateBackends(PgConfig.APPLICATION_NAME)).isPositive())
                .thenRequest(Long.MAX_VALUE)
                .recordWith(() -> seen)
                .thenConsumeWhile(id -> true)
                .expectComplete()
                .verify(WAIT);
        assertThat(seen).hasSize(185).doesNotHaveDuplicates();
    }

    @Test
    void aQueryWhoseConnectionIsTerminatedWhileRunningIsRetriedFromTheLastRowRead() throws Exception {
        db.sql("CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 60) i",
                "CREATE FUNCTION slow(t text) RETURNS text LANGUAGE sql VOLATILE AS $$ SELECT pg_sleep(0.02); SELECT t $$",
                "CREATE VIEW slow_t AS SELECT id, slow(v) AS v FROM t");
        PgDataSource source = source(Map.of("tables", List.of("slow_t"), "key_columns", List.of("slow_t: id"),
                "fetch_size", 10, "pool_max_size", 2));
        AtomicInteger killed = new AtomicInteger();
        Thread killer = new Thread(() -> {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (killed.get() < 2 && System.nanoTime() < deadline) {
                killed.addAndGet((int) db.count("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                        + " WHERE datname = current_database() AND application_name = '" + PgConfig.APPLICATION_NAME
                        + "' AND state = 'active' AND query LIKE '%to_json%' AND pid <> pg_backend_pid()"));
                Thread.onSpinWait();
            }
        });
        killer.start();
        List<SourceDocument> docs = readAll(source, SyncRules.NONE);
        killer.join();
        assertThat(killed.get()).as("queries terminated while running").isGreaterThanOrEqualTo(2);
        assertThat(ids(docs)).hasSize(60).doesNotHaveDuplicates();
    }

    @Test
    void losingTheConnectionMoreOftenThanRetriesAllowFailsClearly() {
        PgDataSource source = source(Map.of("port", 1, "retries", 1, "connect_timeout", "1s"));
        assertThatThrownBy(() -> readAll(source, SyncRules.NONE))
                .hasMessageContaining("cannot reach PostgreSQL").hasMessageContaining("127.0.0.1:1");
    }

    @Test
    void incrementalSyncsReadInsertsAndUpdatesAfterTheSavedPositionAndCheckpointEachPage() {
        db.sql("CREATE TABLE t (id int PRIMARY KEY, v text, updated_at timestamptz NOT NULL DEFAULT clock_timestamp())",
                "CREATE TABLE n (id int PRIMARY KEY, version bigint NOT NULL)",
                "INSERT INTO t (id, v, updated_at) SELECT i, 'v' || i, now() - interval '1 hour' FROM generate_series(1, 30) i",
                "INSERT INTO n SELECT i, i FROM generate_series(1, 5) i");
        PgDataSource source = source(Map.of("cursor_column", "updated_at", "fetch_size", 4, "cursor_overlap", "0s",
                "tables", List.of("t")));
        SyncCursor before = source.currentCursor().block(WAIT);
        assertThat(before.values()).containsEntry("column", "updated_at");
        assertThat(readAll(source, SyncRules.NONE)).hasSize(30);

        db.sql("UPDATE t SET v = 'changed', updated_at = clock_timestamp() WHERE id IN (3, 17)",
                "INSERT INTO t (id, v) SELECT i, 'new' FROM generate_series(31, 40) i");
        List<ChangeEvent> events = source.getDocsIncrementally(before, SyncRules.NONE).collectList().block(WAIT);
        List<String> upserted = events.stream().filter(e -> e instanceof ChangeEvent.Upsert)
                .map(e -> ((ChangeEvent.Upsert) e).document().id()).toList();
        assertThat(upserted).hasSize(12).contains("public.t/3", "public.t/17", "public.t/31", "public.t/40");
        assertThat(events.get(events.size() - 1)).isInstanceOf(ChangeEvent.Checkpoint.class);
        assertThat(events.stream().filter(e -> e instanceof ChangeEvent.Checkpoint).count()).isGreaterThanOrEqualTo(3);

        // From the last checkpoint, nothing is new.
        SyncCursor last = ((ChangeEvent.Checkpoint) events.get(events.size() - 1)).cursor();
        assertThat(source.getDocsIncrementally(last, SyncRules.NONE).filter(e -> e instanceof ChangeEvent.Upsert)
                .collectList().block(WAIT)).isEmpty();
        // A numeric cursor column, without overlap.
        PgDataSource numeric = source(Map.of("cursor_column", "version", "tables", List.of("n")));
        SyncCursor at = numeric.currentCursor().block(WAIT);
        db.sql("UPDATE n SET version = 10 WHERE id = 2");
        assertThat(numeric.getDocsIncrementally(at, SyncRules.NONE).filter(e -> e instanceof ChangeEvent.Upsert)
                .map(e -> ((ChangeEvent.Upsert) e).document().id()).collectList().block(WAIT)).containsExactly("public.n/2");
        // A cursor of another column cannot be resumed.
        StepVerifier.create(source(Map.of("cursor_column", "v", "tables", List.of("t")))
                        .getDocsIncrementally(before, SyncRules.NONE))
                .expectError(CursorExpiredException.class).verify(WAIT);
    }

    @Test
    void withoutACursorColumnAFullSyncTakesNoCursorAndIncrementalSyncsSayWhatIsMissing() {
        db.sql("CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t SELECT i FROM generate_series(1, 3) i");
        PgDataSource source = source(Map.of("tables", List.of("t")));

        // The runtime takes the cursor before every full sync of an incremental source: empty, not an error.
        StepVerifier.create(source.currentCursor()).expectComplete().verify(WAIT);
        assertThat(readAll(source, SyncRules.NONE)).hasSize(3);
        StepVerifier.create(source.getDocsIncrementally(new SyncCursor(Map.of("column", "updated_at")), SyncRules.NONE))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(SourceException.class)
                        .hasMessageContaining("need `cursor_column`"))
                .verify(WAIT);
    }

    @Test
    void theOverlapReReadsRowsCommittedLateWithAnEarlierTime() {
        db.sql("CREATE TABLE t (id int PRIMARY KEY, updated_at timestamptz NOT NULL)",
                "INSERT INTO t VALUES (1, now() - interval '10 seconds')");
        PgDataSource source = source(Map.of("cursor_column", "updated_at", "cursor_overlap", "1m"));
        SyncCursor at = source.currentCursor().block(WAIT);
        // A long transaction's row: committed after the position was taken, with a time before it.
        db.sql("INSERT INTO t VALUES (2, now() - interval '20 seconds')");
        assertThat(source.getDocsIncrementally(at, SyncRules.NONE).filter(e -> e instanceof ChangeEvent.Upsert)
                .map(e -> ((ChangeEvent.Upsert) e).document().id()).collectList().block(WAIT))
                .contains("public.t/2");
    }

    @Test
    void pooledConnectionsOlderThanTheirLifeTimeAreReplaced() throws Exception {
        db.sql("CREATE TABLE t (id int PRIMARY KEY)");
        PgDataSource source = source(Map.of("pool_max_life_time", "1s", "pool_initial_size", 1, "pool_max_size", 1));
        source.ping().block(WAIT);
        List<Integer> first = db.backendPids(PgConfig.APPLICATION_NAME);
        assertThat(first).hasSize(1);
        Thread.sleep(2_500);
        source.ping().block(WAIT);
        List<Integer> second = db.backendPids(PgConfig.APPLICATION_NAME);
        assertThat(second).hasSize(1).doesNotContainAnyElementsOf(first);
    }

    @Test
    void theWatchSaysWatchingThenChangedAfterAWriteAndNothingWhenIdle() {
        db.sql("CREATE TABLE t (id int PRIMARY KEY)");
        PgDataSource source = source(Map.of("watch_interval", "1s"));
        StepVerifier.create(source.watchChanges())
                .expectNext(Signal.WATCHING)
                .expectNoEvent(Duration.ofMillis(2_500))
                .then(() -> db.sql("INSERT INTO t VALUES (1)"))
                .expectNext(Signal.CHANGED)
                .thenCancel()
                .verify(WAIT);
        // TRUNCATE changes no write counter, only the table's storage.
        StepVerifier.create(source.watchChanges())
                .expectNext(Signal.WATCHING)
                .then(() -> db.sql("TRUNCATE t"))
                .expectNext(Signal.CHANGED)
                .thenCancel()
                .verify(WAIT);
    }

    @Test
    void aWatchTurnedOffNeverSaysWatchingSoNoSyncIsSkipped() {
        PgDataSource source = source(Map.of("watch_interval", "1s", "watch_changes", false));
        StepVerifier.create(source.watchChanges()).expectSubscription().expectNoEvent(Duration.ofMillis(1_500))
                .thenCancel().verify(WAIT);
    }

    @Test
    void schemaDiscoveryAndMappingDescribeTheTables() {
        db.sql("CREATE TABLE t (id int PRIMARY KEY, price numeric(10,2), at timestamptz)",
                "INSERT INTO t SELECT i, i, now() FROM generate_series(1, 50) i", "ANALYZE t");
        PgDataSource source = source(Map.of());
        SourceSchema schema = source.discoverSchema().block(WAIT);
        assertThat(schema.collections()).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("public.t");
            assertThat(c.fields()).containsEntry("id", "integer").containsEntry("price", "numeric(10,2)");
            assertThat(c.estimatedSize()).isEqualTo(50);
        });
        Map<String, Object> mapping = source.mappingProperties(SyncRules.NONE).block(WAIT);
        assertThat(mapping).containsKeys("id", "price", "at", "pg_table");
    }

    @Test
    void advancedRulesQueriesArePagedByTheirKeyAndInvalidOnesAreRefused() {
        db.sql("CREATE TABLE c (id int PRIMARY KEY, name text)", "CREATE TABLE o (id int PRIMARY KEY, c_id int, total int)",
                "INSERT INTO c SELECT i, 'c' || i FROM generate_series(1, 5) i",
                "INSERT INTO o SELECT i, 1 + i % 5, i * 10 FROM generate_series(1, 25) i");
        PgDataSource source = source(Map.of("fetch_size", 4));
        SyncRules rules = new SyncRules(List.of(), Map.of("queries", List.of(
                Map.of("table", "big_orders", "query", "SELECT o.id, o.total, c.name FROM o JOIN c ON c.id = o.c_id"
                        + " WHERE o.total > 100", "key", List.of("id")),
                Map.of("table", "c", "query", "SELECT * FROM c WHERE id <= 2"))));
        List<SourceDocument> docs = readAll(source, rules);
        assertThat(ids(docs)).hasSize(17).contains("big_orders/11", "big_orders/25", "c/1", "c/2");
        assertThat(docs.get(0).fields()).containsKeys("id", "total", "name").containsEntry("pg_table", "big_orders");
        assertThat(source.validateAdvancedRules(rules.advanced()).block(WAIT)).isEmpty();
        assertThat(source.validateAdvancedRules(Map.of("queries", List.of(Map.of("table", "x", "query",
                "DELETE FROM o"))))).satisfies(m -> assertThat(m.block(WAIT)).isNotEmpty());
        assertThatThrownBy(() -> readAll(source, new SyncRules(List.of(), Map.of("queries", List.of(
                Map.of("table", "x", "query", "SELECT * FROM nope", "key", List.of("id")))))))
                .hasMessageContaining("nope");
    }

    @Test
    void closeReleasesEveryConnectionAndLaterUseFailsClearly() {
        db.sql("CREATE TABLE t (id int PRIMARY KEY)");
        PgDataSource source = source(Map.of("pool_initial_size", 2, "pool_max_size", 2));
        source.ping().block(WAIT);
        assertThat(db.backendPids(PgConfig.APPLICATION_NAME)).isNotEmpty();
        source.close().block(WAIT);
        Flux.interval(Duration.ofMillis(50)).filter(t -> db.backendPids(PgConfig.APPLICATION_NAME).isEmpty()).next()
                .block(Duration.ofSeconds(10));
        assertThatThrownBy(() -> source.ping().block(WAIT)).hasMessageContaining("closed");
    }
}
