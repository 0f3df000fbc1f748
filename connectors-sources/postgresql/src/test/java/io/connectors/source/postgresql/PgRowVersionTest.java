package io.connectors.source.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.spi.ChangeEvent;
import io.connectors.spi.SourceContext;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SourceException;
import io.connectors.spi.SyncCursor;
import io.connectors.spi.config.SourceConfig;
import io.connectors.spi.rules.SyncRules;
import io.connectors.testkit.contract.DeferredDocuments;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Result;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Deferred documents against a real server: what changes a row's version and what does not, and what
 * {@link PgDataSource#fetch} builds from a listing (and leaves out).
 */
class PgRowVersionTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private PgBackend db;
    private final List<PgDataSource> sources = new ArrayList<>();

    @BeforeEach
    void database() {
        db = PgBackend.create("versions");
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
                SourceConfig.from(PgConfig.FIELDS, raw), new SourceContext("pg-versions"));
        sources.add(source);
        return source;
    }

    private static List<SourceDocument> list(PgDataSource source) {
        return source.getDocs(SyncRules.NONE).collectList().block(WAIT);
    }

    /** Id to version of a listing by a new source instance, as the next sync would list them. */
    private Map<String, String> versions() {
        return versions(list(source(Map.of())));
    }

    private static Map<String, String> versions(List<SourceDocument> docs) {
        return docs.stream().collect(Collectors.toMap(SourceDocument::id, d -> d.version().orElseThrow(), (a, b) -> a,
                TreeMap::new));
    }

    private static Map<String, SourceDocument> byId(List<SourceDocument> docs) {
        return docs.stream().collect(Collectors.toMap(SourceDocument::id, d -> d, (a, b) -> a, TreeMap::new));
    }

    @Test
    void anUpdateChangesTheVersionAndAnUntouchedRowKeepsItAcrossListingsAndVacuumFull() {
        db.sql("CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 5) i");
        List<SourceDocument> listed = list(source(Map.of()));
        assertThat(listed).allSatisfy(d -> {
            assertThat(d.isDeferred()).isTrue();
            assertThat(d.version()).hasValueSatisfying(v -> assertThat(v).matches("\\d+@[0-9a-f]{12}"));
        });
        Map<String, String> first = versions(listed);
        assertThat(versions()).as("a second listing").isEqualTo(first);

        // Setting a column to the value it has is an UPDATE all the same: a new row version (the docs say so).
        db.sql("UPDATE t SET v = 'changed' WHERE id = 2", "UPDATE t SET v = v WHERE id = 3");
        Map<String, String> second = versions();
        for (String id : first.keySet()) {
            boolean written = id.equals("public.t/2") || id.equals("public.t/3");
            assertThat(second.get(id).equals(first.get(id))).as("version of %s kept", id).isEqualTo(!written);
        }

        db.sql("VACUUM FULL t", "VACUUM (FREEZE) t", "CLUSTER t USING t_pkey");
        assertThat(versions()).as("after VACUUM FULL, VACUUM FREEZE and CLUSTER").isEqualTo(second);
    }

    @Test
    void addingAColumnChangesEveryVersionOfThatTableOnlyAndItsDocumentsGetTheColumn() {
        db.sql("CREATE TABLE a (id int PRIMARY KEY)", "CREATE TABLE b (id int PRIMARY KEY)",
                "INSERT INTO a SELECT generate_series(1, 4)", "INSERT INTO b SELECT generate_series(1, 4)");
        Map<String, String> before = versions();

        // With a default: no row is rewritten, no xmin moves.
        db.sql("ALTER TABLE a ADD COLUMN extra int DEFAULT 7");
        PgDataSource source = source(Map.of());
        List<SourceDocument> listed = list(source);
        Map<String, String> after = versions(listed);
        assertThat(after.keySet()).isEqualTo(before.keySet());
        after.forEach((id, version) -> {
            String xmin = version.substring(0, version.indexOf('@'));
            assertThat(before.get(id)).as(id).startsWith(xmin + "@");
            assertThat(version.equals(before.get(id))).as("version of %s kept", id).isEqualTo(id.startsWith("public.b/"));
        });
        assertThat(DeferredDocuments.build(source, listed, WAIT)).filteredOn(d -> d.id().startsWith("public.a/"))
                .hasSize(4).allSatisfy(d -> assertThat(d.fields()).containsEntry("extra", 7L));
    }

    @Test
    void fetchLeavesOutADeletedRowAndBuildsAChangedOneWithItsNewVersion() {
        db.sql("CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 5) i");
        PgDataSource source = source(Map.of());
        List<SourceDocument> listed = list(source);
        db.sql("DELETE FROM t WHERE id = 3", "UPDATE t SET v = 'later' WHERE id = 4");

        Map<String, SourceDocument> built = byId(source.fetch(listed).collectList().block(WAIT));
        assertThat(built.keySet()).containsExactly("public.t/1", "public.t/2", "public.t/4", "public.t/5");
        Map<String, String> listedVersions = versions(listed);
        assertThat(built.get("public.t/1").version()).contains(listedVersions.get("public.t/1"));
        assertThat(built.get("public.t/4").version()).contains(versions().get("public.t/4"))
                .isNotEqualTo(Optional.of(listedVersions.get("public.t/4")));
        assertThat(built.get("public.t/4").fields()).containsEntry("v", "later").containsEntry("pg_table", "public.t");
    }

    @Test
    void compositeTextAndOtherKeyTypesAreFetchedByTheirKey() {
        db.sql("CREATE TABLE c (a text, b int, v text, PRIMARY KEY (a, b))",
                "INSERT INTO c VALUES ('a/b,c%d', 1, 'odd'), ('', 2, 'empty'), ('日本', 3, 'unicode'), ('x''y\"z', 4, 'q')",
                "CREATE TABLE p (path text PRIMARY KEY, v int)",
                "INSERT INTO p VALUES ('/100% uptime/backup, restore', 1), ('café', 2), ('𝄞', 3)",
                "CREATE TABLE m (at timestamptz, price numeric(12,2), u uuid, PRIMARY KEY (at, price, u))",
                "INSERT INTO m VALUES ('2024-05-01 10:00:00.123456+02', 1.10, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),"
                        + " ('1999-12-31 23:59:59+00', -0.5, '00000000-0000-0000-0000-000000000000')",
                "CREATE TABLE r (tags text[], n int, PRIMARY KEY (tags))",
                "INSERT INTO r VALUES ('{a,\"b,c\"}', 1), ('{}', 2)");
        PgDataSource source = source(Map.of("fetch_size", 2));
        List<SourceDocument> listed = list(source);
        assertThat(listed).hasSize(11).allMatch(SourceDocument::isDeferred);

        Map<String, SourceDocument> built = byId(source.fetch(listed).collectList().block(WAIT));
        assertThat(versions(new ArrayList<>(built.values()))).isEqualTo(versions(listed));
        assertThat(built.get("public.c/a%2Fb%2Cc%25d,1").fields()).containsEntry("a", "a/b,c%d").containsEntry("v", "odd");
        assertThat(built.get("public.c/,2").fields()).containsEntry("v", "empty");
        assertThat(built.get("public.c/x'y\"z,4").fields()).containsEntry("v", "q");
        assertThat(built.get("public.p/%2F100%25 uptime%2Fbackup%2C restore").fields()).containsEntry("v", 1L);
        assertThat(built.get("public.p/𝄞").fields()).containsEntry("v", 3L);
        assertThat(built.keySet()).contains("public.m/2024-05-01 08:00:00.123456+00,1.10,a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        // A key of an array type: each value is cast back from its text form.
        assertThat(built.get("public.r/{a%2C\"b%2Cc\"}").fields()).containsEntry("tags", List.of("a", "b,c"))
                .containsEntry("n", 1L);
        assertThat(built.get("public.r/{}").fields()).containsEntry("n", 2L);
    }

    @Test
    void oneBatchSpanningTwoTablesAndMoreKeysThanFetchSizeIsBuiltWhole() {
        db.sql("CREATE TABLE a (id int PRIMARY KEY, v text)", "CREATE TABLE b (id bigint PRIMARY KEY, w text)",
                "INSERT INTO a SELECT i, 'a' || i FROM generate_series(1, 10) i",
                "INSERT INTO b SELECT i, 'b' || i FROM generate_series(1, 10) i");
        PgDataSource source = source(Map.of("fetch_size", 3));
        List<SourceDocument> listed = list(source);
        // Interleaved, as batches of the runtime may come.
        List<SourceDocument> batch = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            batch.add(listed.get(i));
            batch.add(listed.get(10 + i));
        }
        List<SourceDocument> built = source.fetch(batch).collectList().block(WAIT);
        assertThat(versions(built)).isEqualTo(versions(listed));
        assertThat(built).hasSize(20).allSatisfy(d -> assertThat(d.fields()).containsEntry("pg_table",
                d.id().substring(0, d.id().indexOf('/'))));
        assertThat(byId(built).get("public.b/7").fields()).containsEntry("id", 7L).containsEntry("w", "b7");
    }

    @Test
    void incrementalUpsertsAreDeferredWithTheVersionsOfTheFullListingAndCheckpointsAsBefore() {
        db.sql("CREATE TABLE t (id int PRIMARY KEY, v text, updated_at timestamptz NOT NULL DEFAULT clock_timestamp())",
                "INSERT INTO t (id, v, updated_at) SELECT i, 'v' || i, now() - interval '10 seconds'"
                        + " FROM generate_series(1, 10) i");
        PgDataSource source = source(Map.of("cursor_column", "updated_at", "cursor_overlap", "1h", "fetch_size", 4));
        SyncCursor at = source.currentCursor().block(WAIT);
        Map<String, String> listed = versions(list(source));
        db.sql("UPDATE t SET v = 'changed', updated_at = clock_timestamp() WHERE id = 5");

        List<ChangeEvent> events = source.getDocsIncrementally(at, SyncRules.NONE).collectList().block(WAIT);
        List<SourceDocument> upserted = events.stream().filter(e -> e instanceof ChangeEvent.Upsert)
                .map(e -> ((ChangeEvent.Upsert) e).document()).toList();
        // The overlap re-reads every row: the unchanged ones with the version the full listing gave them.
        assertThat(upserted).hasSize(10).allMatch(SourceDocument::isDeferred);
        Map<String, String> incremental = versions(upserted);
        listed.forEach((id, version) -> assertThat(incremental.get(id).equals(version)).as(id)
                .isEqualTo(!id.equals("public.t/5")));
        assertThat(incremental).isEqualTo(versions());
        // A checkpoint after each page of 4, and one at the end, holding the last row's position.
        assertThat(events.stream().map(e -> e instanceof ChangeEvent.Checkpoint ? "C" : "U").collect(Collectors.joining()))
                .isEqualTo("UUUUCUUUUCUUCC");
        SyncCursor last = ((ChangeEvent.Checkpoint) events.get(events.size() - 1)).cursor();
        assertThat(last.values().get("positions")).isEqualTo(source.currentCursor().block(WAIT).values().get("positions"));
        assertThat(DeferredDocuments.build(source, upserted, WAIT)).filteredOn(d -> d.id().equals("public.t/5"))
                .singleElement().satisfies(d -> assertThat(d.fields()).containsEntry("v", "changed"));
    }

    @Test
    void viewsKeepBuiltDocumentsWithoutVersionAndMaterializedViewsAreListedWithOne() {
        db.sql("CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 3) i",
                "CREATE VIEW tv AS SELECT id, upper(v) AS v FROM t", "CREATE MATERIALIZED VIEW tm AS SELECT * FROM t");
        Map<String, Object> config = Map.of("tables", List.of("tv", "tm"), "key_columns", List.of("tv: id", "tm: id"));
        List<SourceDocument> docs = list(source(config));
        assertThat(docs).filteredOn(d -> d.id().startsWith("public.tv/")).hasSize(3).allSatisfy(d -> {
            assertThat(d.isDeferred()).isFalse();
            assertThat(d.version()).isEmpty();
            assertThat(d.fields()).containsKey("v");
        });
        assertThat(docs).filteredOn(d -> d.id().startsWith("public.tm/")).hasSize(3).allMatch(SourceDocument::isDeferred);

        Map<String, String> before = versions(docs.stream().filter(SourceDocument::isDeferred).toList());
        db.sql("REFRESH MATERIALIZED VIEW tm");
        Map<String, String> after = versions(list(source(config)).stream().filter(SourceDocument::isDeferred).toList());
        assertThat(after.keySet()).isEqualTo(before.keySet());
        after.forEach((id, version) -> assertThat(version).as(id).isNotEqualTo(before.get(id)));
    }

    @Test
    void aFetchWhoseConnectionIsTerminatedWhileItWaitsIsRetriedAndBuildsEveryRowOnce() {
        db.sql("CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 5) i");
        PgDataSource source = source(Map.of("pool_max_size", 1, "retries", 3));
        List<SourceDocument> listed = list(source);
        // A lock the fetch waits for, so that its query is surely running when its backend is terminated.
        Connection locker = Mono.from(db.connectionFactory("locker").create()).block(WAIT);
        try {
            Flux.from(locker.createStatement("BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE").execute())
                    .flatMap(Result::getRowsUpdated).blockLast(WAIT);
            CompletableFuture<List<SourceDocument>> fetched = source.fetch(listed).collectList().toFuture();
            long terminated = Flux.interval(Duration.ofMillis(20))
                    .map(tick -> db.count("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                            + " WHERE datname = current_database() AND application_name = '" + PgConfig.APPLICATION_NAME
                            + "' AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"))
                    .filter(n -> n > 0).next().block(WAIT);
            assertThat(terminated).isEqualTo(1);
            Flux.from(locker.createStatement("ROLLBACK").execute()).flatMap(Result::getRowsUpdated).blockLast(WAIT);
            assertThat(versions(fetched.join())).isEqualTo(versions(listed));
        } finally {
            Mono.from(locker.close()).block(WAIT);
        }
    }

    @Test
    void aFetchThatCannotReachTheServerFailsClearlyWithoutThePassword() {
        db.sql("CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t SELECT generate_series(1, 3)");
        List<SourceDocument> listed = list(source(Map.of()));
        PgDataSource unreachable = source(Map.of("port", 1, "retries", 1, "connect_timeout", "1s",
                "password", "s3cret-pw"));
        StepVerifier.create(unreachable.fetch(listed))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(SourceException.class)
                        .hasMessageContaining("cannot reach PostgreSQL").hasMessageContaining("reading changed rows of public.t")
                        .hasMessageNotContaining("s3cret-pw"))
                .verify(WAIT);
    }

    @Test
    void aDocumentThisSourceDidNotListIsRefused() {
        PgDataSource source = source(Map.of());
        StepVerifier.create(source.fetch(List.of(SourceDocument.deferred("public.t/1", "1@x", "a path"))))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(SourceException.class)
                        .hasMessageContaining("'public.t/1' was not listed"))
                .verify(WAIT);
    }
}
