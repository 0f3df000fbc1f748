package io.connectors.source.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connectors.spi.ChangeEvent;
import io.connectors.spi.CursorExpiredException;
import io.connectors.spi.SourceContext;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SourceException;
import io.connectors.spi.SourceMetrics;
import io.connectors.spi.SourceResource;
import io.connectors.spi.SyncCursor;
import io.connectors.spi.config.ConfigValidationException;
import io.connectors.spi.config.SourceConfig;
import io.connectors.spi.network.NetworkPolicy;
import io.connectors.spi.rules.SyncRules;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/**
 * Real-time mode against the private cluster ({@code wal_level=logical}): the source as the runtime drives it
 * (currentCursor before the full sync, followChanges from a saved cursor, checkpointSaved after each save), on real
 * replication slots.
 */
class PgRealtimeTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final List<PgDataSource> sources = new ArrayList<>();
    private final List<Disposable> streams = new ArrayList<>();
    private final Map<String, Double> gauges = new ConcurrentHashMap<>();
    private PgBackend db;

    @AfterEach
    void close() {
        streams.forEach(Disposable::dispose);
        sources.forEach(s -> s.close().block(WAIT));
        if (db != null) {
            db.query("SELECT slot_name::text FROM pg_replication_slots WHERE database = $1", row -> row.get(0, String.class),
                    db.database()).forEach(db::dropSlot);
            db.close();
        }
    }

    private PgBackend database(String prefix, String... statements) {
        db = PgBackend.locate(null, "true").create(prefix);
        db.sql(statements);
        return db;
    }

    private PgDataSource source(String id, boolean realtime, Map<String, Object> overrides) {
        Map<String, Object> raw = new LinkedHashMap<>(db.connectorConfiguration());
        raw.put("replication_status_interval", "200ms");
        raw.putAll(overrides);
        SourceMetrics metrics = (name, description, value) -> gauges.put(name, value);
        PgDataSource source = (PgDataSource) new PgDataSourceProvider().create(SourceConfig.from(PgConfig.FIELDS, raw),
                new SourceContext(id, NetworkPolicy.defaults(), false, realtime, metrics));
        sources.add(source);
        return source;
    }

    private List<ChangeEvent> follow(PgDataSource source, SyncCursor from, AtomicReference<Throwable> failure) {
        List<ChangeEvent> events = new CopyOnWriteArrayList<>();
        streams.add(source.followChanges(from, SyncRules.NONE).subscribe(events::add, failure::set));
        return events;
    }

    private static List<ChangeEvent.Checkpoint> checkpoints(List<ChangeEvent> events) {
        return events.stream().filter(ChangeEvent.Checkpoint.class::isInstance).map(ChangeEvent.Checkpoint.class::cast).toList();
    }

    /** The checkpoints at commits: those right after a change (a quiet stream's own checkpoints may come between). */
    private static List<ChangeEvent.Checkpoint> commits(List<ChangeEvent> events) {
        List<ChangeEvent.Checkpoint> out = new ArrayList<>();
        for (int i = 1; i < events.size(); i++) {
            if (events.get(i) instanceof ChangeEvent.Checkpoint c && !(events.get(i - 1) instanceof ChangeEvent.Checkpoint)) {
                out.add(c);
            }
        }
        return out;
    }

    /** The events as text, a quiet stream's checkpoints (before the first change, or after another checkpoint) left out. */
    private static List<String> described(List<ChangeEvent> events) {
        List<String> out = new ArrayList<>();
        for (ChangeEvent e : events) {
            if (e instanceof ChangeEvent.Upsert u) {
                out.add("upsert " + u.document().id());
            } else if (e instanceof ChangeEvent.Delete d) {
                out.add("delete " + d.id());
            } else if (!out.isEmpty() && !out.get(out.size() - 1).equals("checkpoint")) {
                out.add("checkpoint");
            }
        }
        return out;
    }

    private long slotConfirmed(String slot) {
        return PgOutput.lsn(db.query("SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = $1",
                row -> row.get(0, String.class), slot).get(0));
    }

    /** Whether a replication connection streams {@code slot} now. */
    private boolean streaming(String slot) {
        return db.count("SELECT count(*) FROM pg_replication_slots WHERE active AND slot_name = '" + slot + "'") == 1;
    }

    private long currentLsn() {
        return PgOutput.lsn(db.query("SELECT pg_current_wal_lsn()::text", row -> row.get(0, String.class)).get(0));
    }

    private static long lsn(ChangeEvent.Checkpoint checkpoint) {
        return PgOutput.lsn(String.valueOf(checkpoint.cursor().values().get(PgChanges.LSN)));
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(condition.getAsBoolean()).as(what + " within " + WAIT.toSeconds() + " s").isTrue();
    }

    @Test
    void followsEveryKindOfChangeAndTheSlotKeepsWhatWasNotConfirmed() throws Exception {
        database("rtfollow", "CREATE TABLE items (id int PRIMARY KEY, v text, big text)",
                "INSERT INTO items SELECT g, 'v' || g, (SELECT string_agg(md5(random()::text || x || g), '')"
                        + " FROM generate_series(1, 400) x) FROM generate_series(1, 3) g");
        String big = db.query("SELECT big FROM items WHERE id = 1", row -> row.get(0, String.class)).get(0);
        assertThat(db.query("SELECT pg_column_size(big) FROM items WHERE id = 1", row -> row.get(0, Integer.class)).get(0))
                .as("stored out of line").isGreaterThan(2000);
        PgDataSource source = source("rt-follow", true, Map.of());
        source.validateConfig().block(WAIT);
        SyncCursor start = source.currentCursor().block(WAIT);
        String slot = PgReplication.slotName("rt-follow");
        assertThat(db.count("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "'")).isEqualTo(1);
        assertThat(db.query("SELECT tablename::text FROM pg_publication_tables WHERE pubname = $1",
                row -> row.get(0, String.class), slot)).containsExactly("items");

        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<ChangeEvent> events = follow(source, start, failure);
        db.sql("INSERT INTO items VALUES (4, 'v4', 'small')",
                "UPDATE items SET v = 'changed' WHERE id = 1",
                "UPDATE items SET id = 20 WHERE id = 2",
                "DELETE FROM items WHERE id = 3",
                "BEGIN; INSERT INTO items VALUES (5, 'v5', ''); UPDATE items SET v = 'again' WHERE id = 5;"
                        + " INSERT INTO items SELECT g, 'bulk', '' FROM generate_series(100, 1099) g; COMMIT");
        await("five transactions", () -> commits(events).size() >= 5);
        assertThat(failure.get()).isNull();
        String t = "public.items";
        assertThat(described(events).subList(0, 11)).containsExactly(
                "upsert " + PgQueries.id(t, List.of("4")), "checkpoint",
                "upsert " + PgQueries.id(t, List.of("1")), "checkpoint",
                "delete " + PgQueries.id(t, List.of("2")), "upsert " + PgQueries.id(t, List.of("20")), "checkpoint",
                "delete " + PgQueries.id(t, List.of("3")), "checkpoint",
                "upsert " + PgQueries.id(t, List.of("5")), "upsert " + PgQueries.id(t, List.of("5")));
        assertThat(events.stream().filter(ChangeEvent.Upsert.class::isInstance)).hasSize(1 + 1 + 1 + 2 + 1000);

        // An upsert carries the version a full sync lists for the row the transaction wrote: a change the index holds
        // already is recognised unchanged, without reading the row.
        Map<String, String> listed = new java.util.HashMap<>();
        source.getDocs(SyncRules.NONE).toStream().forEach(d -> listed.put(d.id(), d.version().orElseThrow()));
        Map<String, String> streamed = new java.util.HashMap<>();
        events.stream().filter(ChangeEvent.Upsert.class::isInstance).map(e -> ((ChangeEvent.Upsert) e).document())
                .forEach(d -> streamed.put(d.id(), d.version().orElseThrow()));
        for (String key : List.of("1", "4", "20", "5", "100", "1099")) {
            assertThat(streamed.get(PgQueries.id(t, List.of(key)))).as("row " + key)
                    .isEqualTo(listed.get(PgQueries.id(t, List.of(key))));
        }

        // The upserts are built by key, exactly as a full sync builds the row: the TOASTed value the update did not
        // send is there.
        List<SourceDocument> deferred = events.stream().filter(ChangeEvent.Upsert.class::isInstance)
                .map(e -> ((ChangeEvent.Upsert) e).document()).limit(2).toList();
        List<SourceDocument> built = source.fetch(deferred).collectList().block(WAIT);
        assertThat(built).hasSize(2);
        SourceDocument one = built.stream().filter(d -> d.id().endsWith("/1")).findFirst().orElseThrow();
        assertThat(one.fields()).containsEntry("v", "changed").containsEntry("big", big);

        // Nothing saved, nothing confirmed, however long it runs.
        List<ChangeEvent.Checkpoint> cps = commits(events);
        Thread.sleep(600);
        assertThat(slotConfirmed(slot)).isLessThan(lsn(cps.get(0)));
        source.checkpointSaved(cps.get(1).cursor());
        await("the second commit confirmed", () -> slotConfirmed(slot) >= lsn(cps.get(1)));
        assertThat(slotConfirmed(slot)).isLessThan(lsn(cps.get(2)));
        assertThat(gauges).containsKeys("postgresql_slot_retained_wal_bytes", "postgresql_slot_lag_bytes");

        // The daemon dies after the third checkpoint was stored, before the slot was told: the next job resumes from
        // the stored cursor, and gets exactly what came after it again.
        streams.forEach(Disposable::dispose);
        PgDataSource next = source("rt-follow", true, Map.of());
        AtomicReference<Throwable> again = new AtomicReference<>();
        List<ChangeEvent> resumed = follow(next, cps.get(2).cursor(), again);
        await("the changes after the stored cursor again", () -> commits(resumed).size() >= 2);
        assertThat(described(resumed).subList(0, 2)).containsExactly("delete " + PgQueries.id(t, List.of("3")),
                "checkpoint");
        assertThat(again.get()).isNull();
    }

    @Test
    void aLongTransactionArrivesWholeAtItsCommitAfterTheShorterOnesThatCommittedFirst() throws Exception {
        database("rtlong", "CREATE TABLE items (id int PRIMARY KEY, v text)");
        PgDataSource source = source("rt-long", true, Map.of());
        SyncCursor start = source.currentCursor().block(WAIT);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<ChangeEvent> events = follow(source, start, failure);
        Thread longOne = new Thread(() -> db.sql("BEGIN; INSERT INTO items VALUES (1, 'long'); SELECT pg_sleep(1.5);"
                + " INSERT INTO items VALUES (2, 'long'); UPDATE items SET v = 'long, again' WHERE id = 1; COMMIT"));
        longOne.start();
        Thread.sleep(500);
        db.sql("INSERT INTO items VALUES (3, 'short')", "DELETE FROM items WHERE id = 3");
        longOne.join();
        await("three transactions", () -> commits(events).size() >= 3);
        String t = "public.items";
        assertThat(described(events)).containsExactly(
                "upsert " + PgQueries.id(t, List.of("3")), "checkpoint",
                "delete " + PgQueries.id(t, List.of("3")), "checkpoint",
                "upsert " + PgQueries.id(t, List.of("1")), "upsert " + PgQueries.id(t, List.of("2")),
                "upsert " + PgQueries.id(t, List.of("1")), "checkpoint");
        assertThat(checkpoints(events).stream().map(PgRealtimeTest::lsn).toList()).isSorted();
        assertThat(commits(events)).hasSize(3);
        assertThat(failure.get()).isNull();
    }

    @Test
    void aSlotTheServerInvalidatedIsDetectedAndReplacedByTheNextFullSync() throws Exception {
        database("rtlost", "CREATE TABLE items (id int PRIMARY KEY)", "CREATE TABLE filler (x text)");
        PgDataSource source = source("rt-lost", true, Map.of("tables", List.of("items")));
        SyncCursor start = source.currentCursor().block(WAIT);
        String slot = PgReplication.slotName("rt-lost");
        db.sql("ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'", "SELECT pg_reload_conf()");
        try {
            for (int i = 0; i < 6 && !"lost".equals(walStatus(slot)); i++) {
                db.sql("INSERT INTO filler SELECT repeat(md5(g::text), 20) FROM generate_series(1, 5000) g",
                        "SELECT pg_switch_wal()", "CHECKPOINT");
            }
            assertThat(walStatus(slot)).isEqualTo("lost");
            List<SourceResource> resources = source.resources().block(WAIT);
            assertThat(resources.get(0).warnings()).anyMatch(w -> w.contains("invalidated"));
            assertThatThrownBy(() -> source.followChanges(start, SyncRules.NONE).blockFirst(WAIT))
                    .isInstanceOf(CursorExpiredException.class).hasMessageContaining("invalidated");
        } finally {
            db.sql("ALTER SYSTEM RESET max_slot_wal_keep_size", "SELECT pg_reload_conf()");
        }
        PgDataSource next = source("rt-lost", true, Map.of("tables", List.of("items")));
        SyncCursor fresh = next.currentCursor().block(WAIT);
        assertThat(walStatus(slot)).isNotEqualTo("lost");
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<ChangeEvent> events = follow(next, fresh, failure);
        db.sql("INSERT INTO items VALUES (1)");
        await("the change after the new slot", () -> commits(events).size() >= 1);
        assertThat(failure.get()).isNull();
    }

    private String walStatus(String slot) {
        return db.query("SELECT wal_status::text FROM pg_replication_slots WHERE slot_name = $1",
                row -> row.get(0, String.class), slot).get(0);
    }

    @Test
    void aQuietDatabaseStillMovesItsSlotOn() throws Exception {
        database("rtidle", "CREATE TABLE items (id int PRIMARY KEY)", "CREATE TABLE outside (x int)");
        PgDataSource source = source("rt-idle", true, Map.of("tables", List.of("items")));
        SyncCursor start = source.currentCursor().block(WAIT);
        String slot = PgReplication.slotName("rt-idle");
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<ChangeEvent> events = follow(source, start, failure);
        db.sql("INSERT INTO outside SELECT generate_series(1, 5000)");
        long written = currentLsn();
        await("a checkpoint past the unpublished writes", () -> checkpoints(events).stream().anyMatch(c -> lsn(c) >= written));
        assertThat(events).allMatch(ChangeEvent.Checkpoint.class::isInstance);
        ChangeEvent.Checkpoint last = checkpoints(events).get(checkpoints(events).size() - 1);
        source.checkpointSaved(last.cursor());
        await("the slot confirmed past the unpublished writes", () -> slotConfirmed(slot) >= written);
        assertThat(failure.get()).isNull();
    }

    @Test
    void aSchemaChangeATruncateAndADroppedSlotEachAskForAFullSync() throws Exception {
        database("rtexpire", "CREATE TABLE items (id int PRIMARY KEY, v text)", "INSERT INTO items VALUES (1, 'a')");
        PgDataSource source = source("rt-expire", true, Map.of());
        SyncCursor start = source.currentCursor().block(WAIT);

        AtomicReference<Throwable> failure = new AtomicReference<>();
        follow(source, start, failure);
        await("the stream to start", () -> streaming(PgReplication.slotName("rt-expire")));
        db.sql("ALTER TABLE items ADD COLUMN extra int DEFAULT 7", "INSERT INTO items VALUES (2, 'b', 8)");
        await("the stream ended", () -> failure.get() != null);
        assertThat(failure.get()).isInstanceOf(CursorExpiredException.class).hasMessageContaining("columns of table")
                .hasMessageContaining("added extra");

        // A job that started before the change and follows after it finds out before streaming.
        AtomicReference<Throwable> late = new AtomicReference<>();
        PgDataSource before = source("rt-expire", true, Map.of());
        before.validateConfig().block(WAIT);
        db.sql("ALTER TABLE items ADD COLUMN later text");
        follow(before, start, late);
        await("the stream ended", () -> late.get() != null);
        assertThat(late.get()).isInstanceOf(CursorExpiredException.class).hasMessageContaining("changed since the job");

        // A full sync takes a new position (a new source: the runtime creates one per job), and the stream follows.
        PgDataSource afterSchema = source("rt-expire", true, Map.of());
        SyncCursor moved = afterSchema.currentCursor().block(WAIT);
        AtomicReference<Throwable> second = new AtomicReference<>();
        List<ChangeEvent> events = follow(afterSchema, moved, second);
        db.sql("INSERT INTO items VALUES (3, 'c', 9, 'd')");
        await("the insert after the schema change", () -> commits(events).size() >= 1);
        assertThat(second.get()).isNull();
        db.sql("TRUNCATE items");
        await("the stream ended", () -> second.get() != null);
        assertThat(second.get()).isInstanceOf(CursorExpiredException.class).hasMessageContaining("truncated");
        streams.forEach(Disposable::dispose);

        // Dropped by hand: said, and the next full sync creates it again.
        String slot = PgReplication.slotName("rt-expire");
        db.dropSlot(slot);
        PgDataSource afterDrop = source("rt-expire", true, Map.of());
        assertThatThrownBy(() -> afterDrop.followChanges(moved, SyncRules.NONE).blockFirst(WAIT))
                .isInstanceOf(CursorExpiredException.class).hasMessageContaining("no longer exists");
        assertThat(afterDrop.currentCursor().block(WAIT)).isNotNull();
        assertThat(db.count("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "'")).isEqualTo(1);
    }

    @Test
    void aDroppedColumnAndARetypedColumnAlsoAskForAFullSync() throws Exception {
        database("rtcolumns", "CREATE TABLE items (id int PRIMARY KEY, v text, n int)", "INSERT INTO items VALUES (1, 'a', 1)");
        String slot = PgReplication.slotName("rt-columns");
        for (String[] change : new String[][] {
                {"ALTER TABLE items DROP COLUMN v", "INSERT INTO items VALUES (2, 2)", "dropped v"},
                {"ALTER TABLE items ALTER COLUMN n TYPE bigint", "INSERT INTO items VALUES (3, 3)", "n retyped"}}) {
            PgDataSource source = source("rt-columns", true, Map.of());
            SyncCursor start = source.currentCursor().block(WAIT);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            follow(source, start, failure);
            await("the stream to start", () -> streaming(slot));
            db.sql(change[0], change[1]);
            await("the stream ended", () -> failure.get() != null);
            assertThat(failure.get()).isInstanceOf(CursorExpiredException.class).hasMessageContaining(change[2]);
            streams.forEach(Disposable::dispose);
            await("the stream to stop", () -> !streaming(slot));
        }
    }

    @Test
    void statusListsTheSlotAndThePublicationAndTheDropCommandRemovesBoth() {
        database("rtres", "CREATE TABLE items (id int PRIMARY KEY)");
        PgDataSource source = source("rt-res", true, Map.of());
        assertThat(source.resources().block(WAIT)).isEmpty();
        source.currentCursor().block(WAIT);
        List<SourceResource> resources = source.resources().block(WAIT);
        assertThat(resources).extracting(SourceResource::kind).containsExactly("replication_slot", "publication");
        assertThat(resources.get(0).name()).isEqualTo("connectors_rt_res_" + resources.get(0).name().substring(
                "connectors_rt_res_".length()));
        assertThat(resources.get(0).details()).containsKeys("retained_wal_bytes", "lag_bytes", "confirmed_flush_lsn");
        assertThat(resources.get(0).warnings()).isEmpty();

        // The same connector with real time turned off is told that nothing reads its slot.
        PgDataSource off = source("rt-res", false, Map.of("slot_retained_wal_warning", "1b"));
        db.sql("CREATE TABLE filler AS SELECT generate_series(1, 10000) x");
        List<SourceResource> flagged = off.resources().block(WAIT);
        assertThat(flagged.get(0).warnings()).anyMatch(w -> w.contains("not in real-time mode"))
                .anyMatch(w -> w.contains("slot_retained_wal_warning"));

        assertThat(off.dropResources().block(WAIT)).containsExactly("dropped replication slot '" + resources.get(0).name()
                + "'", "dropped publication '" + resources.get(1).name() + "'");
        assertThat(off.resources().block(WAIT)).isEmpty();
        assertThat(off.dropResources().block(WAIT)).isEmpty();
    }

    @Test
    void refusesWhatCannotBeFollowed() {
        database("rtrefuse", "CREATE TABLE keyed (id int PRIMARY KEY)", "CREATE TABLE loose (a int, b int)",
                "CREATE VIEW shown AS SELECT id FROM keyed");
        PgDataSource source = source("rt-refuse", true, Map.of("tables", List.of("keyed", "loose", "shown"),
                "key_columns", List.of("loose: a", "shown: id")));
        assertThatThrownBy(() -> source.validateConfig().block(WAIT)).isInstanceOf(ConfigValidationException.class)
                .hasMessageContaining("table public.loose has no primary key")
                .hasMessageContaining("REPLICA IDENTITY FULL")
                .hasMessageContaining("public.shown is a view");

        db.sql("ALTER TABLE loose REPLICA IDENTITY FULL");
        PgDataSource fixed = source("rt-refuse", true, Map.of("tables", List.of("keyed", "loose"),
                "key_columns", List.of("loose: a")));
        fixed.validateConfig().block(WAIT);

        PgDataSource missing = source("rt-refuse", true, Map.of("tables", List.of("keyed"), "publication", "nope"));
        assertThatThrownBy(() -> missing.currentCursor().block(WAIT)).isInstanceOf(ConfigValidationException.class)
                .hasMessageContaining("publication 'nope' does not exist");

        PgDataSource incremental = source("rt-refuse", true, Map.of("tables", List.of("keyed")));
        assertThatThrownBy(() -> incremental.getDocsIncrementally(PgChanges.cursor(0), SyncRules.NONE).blockFirst(WAIT))
                .isInstanceOf(SourceException.class).hasMessageContaining("runs in real time");
    }

    @Test
    void aServerWithoutLogicalDecodingIsNamedAsTheProblem() {
        db = PgBackend.create("rtwal");
        String level = db.query("SHOW wal_level", row -> row.get(0, String.class)).get(0);
        org.junit.jupiter.api.Assumptions.assumeFalse("logical".equals(level), "the shared server decodes logically");
        db.sql("CREATE TABLE items (id int PRIMARY KEY)");
        PgDataSource source = source("rt-wal", true, Map.of());
        assertThatThrownBy(() -> source.validateConfig().block(WAIT)).hasMessageContaining("wal_level = logical")
                .hasMessageContaining("'" + level + "'");
    }
}
