package io.connectors.source.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connectors.spi.ChangeEvent;
import io.connectors.spi.CursorExpiredException;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SourceException;
import io.connectors.spi.SyncCursor;
import io.connectors.spi.rules.SyncRules;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/**
 * Real-time mode against the private MariaDB with the binlog on: the cursor a full sync takes, the changes after it
 * as upserts built by key and deletes, checkpoints at commits, resuming, and what ends the stream for a full sync.
 */
class MysqlRealtimeTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private MysqlServer.Database db;
    private TestSources sources;
    private final List<Disposable> streams = new ArrayList<>();

    @BeforeEach
    void database() {
        db = MysqlServer.binlog().create("realtime");
        sources = new TestSources(db, "rt-" + db.name(), Map.of("tables", List.of("items"),
                "binlog_idle_interval", "200ms"));
        db.sql("CREATE TABLE items (id int PRIMARY KEY, title varchar(40), price decimal(8,2))",
                "CREATE TABLE other (id int PRIMARY KEY)",
                "INSERT INTO items VALUES (1, 'one', 1.00), (2, 'two', 2.00), (3, 'three', 3.00)");
    }

    @AfterEach
    void drop() {
        streams.forEach(Disposable::dispose);
        sources.close();
    }

    private MysqlDataSource source(boolean realtime, Map<String, Object> overrides) {
        return sources.open(overrides, realtime);
    }

    /** The stream's events, as they come, into a queue. */
    private BlockingQueue<ChangeEvent> follow(MysqlDataSource source, SyncCursor from) {
        BlockingQueue<ChangeEvent> events = new LinkedBlockingQueue<>();
        streams.add(source.followChanges(from, SyncRules.NONE).subscribe(events::add, e -> events.add(
                new ChangeEvent.Delete("ERROR: " + e))));
        return events;
    }

    /** Events until a checkpoint, which is included. */
    private static List<ChangeEvent> untilCheckpoint(BlockingQueue<ChangeEvent> events) throws InterruptedException {
        List<ChangeEvent> out = new ArrayList<>();
        while (true) {
            ChangeEvent e = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(e).as("an event within " + WAIT + " (so far " + out + ")").isNotNull();
            if (e instanceof ChangeEvent.Delete d && d.id().startsWith("ERROR: ")) {
                throw new AssertionError(d.id());
            }
            out.add(e);
            if (e instanceof ChangeEvent.Checkpoint) {
                return out;
            }
        }
    }

    private String id(String key) {
        return MysqlQueries.id(db.name() + ".items", List.of(key));
    }

    private static List<String> describe(List<ChangeEvent> events) {
        return events.stream().map(e -> e instanceof ChangeEvent.Upsert u ? "upsert " + u.document().id()
                : e instanceof ChangeEvent.Delete d ? "delete " + d.id() : "checkpoint").toList();
    }

    @Test
    void changesAfterTheFullSyncsCursorAreUpsertsBuiltByKeyDeletesAndCheckpoints() throws Exception {
        MysqlDataSource source = source(true, Map.of());
        source.validateConfig().block(WAIT);
        SyncCursor cursor = source.currentCursor().block(WAIT);
        assertThat(String.valueOf(cursor.values().get(MysqlDataSource.BINLOG))).matches(".+:\\d+");
        assertThat(source.getDocs(SyncRules.NONE).collectList().block(WAIT)).hasSize(3);

        BlockingQueue<ChangeEvent> events = follow(source, cursor);
        db.sql("INSERT INTO items VALUES (4, 'four', 4.00)");
        List<ChangeEvent> insert = untilCheckpoint(events);
        while (insert.size() == 1) {
            // An idle checkpoint before the insert was read.
            insert = untilCheckpoint(events);
        }
        assertThat(describe(insert)).containsExactly("upsert " + id("4"), "checkpoint");
        SourceDocument built = source.fetch(List.of(((ChangeEvent.Upsert) insert.get(0)).document())).blockFirst(WAIT);
        assertThat(built.fields()).containsEntry("title", "four").containsEntry("price", new java.math.BigDecimal("4.00"));
        assertThat(built.version()).isEqualTo(source.getDocs(SyncRules.NONE).filter(d -> d.id().equals(id("4")))
                .blockFirst(WAIT).version());

        db.sql("START TRANSACTION", "UPDATE items SET title = 'uno' WHERE id = 1", "UPDATE items SET id = 20 WHERE id = 2",
                "DELETE FROM items WHERE id = 3", "INSERT INTO other VALUES (1)", "COMMIT");
        List<ChangeEvent> transaction = untilCheckpoint(events);
        while (transaction.size() == 1) {
            transaction = untilCheckpoint(events);
        }
        assertThat(describe(transaction)).containsExactly("upsert " + id("1"), "delete " + id("2"), "upsert " + id("20"),
                "delete " + id("3"), "checkpoint");

        // Resuming from the first commit's checkpoint delivers the transaction again, and nothing before it.
        SyncCursor afterInsert = ((ChangeEvent.Checkpoint) insert.get(insert.size() - 1)).cursor();
        BlockingQueue<ChangeEvent> resumed = follow(source(true, Map.of()), afterInsert);
        List<ChangeEvent> again = untilCheckpoint(resumed);
        while (again.size() == 1) {
            again = untilCheckpoint(resumed);
        }
        assertThat(describe(again)).isEqualTo(describe(transaction));
    }

    @Test
    void aQuietStreamStillMovesItsCheckpointWhileOtherTablesAreWritten() throws Exception {
        MysqlDataSource source = source(true, Map.of());
        SyncCursor cursor = source.currentCursor().block(WAIT);
        BlockingQueue<ChangeEvent> events = follow(source, cursor);
        db.sql("INSERT INTO other VALUES (5)");
        long deadline = System.nanoTime() + WAIT.toNanos();
        String moved = null;
        while (moved == null && System.nanoTime() < deadline) {
            ChangeEvent e = events.poll(1, TimeUnit.SECONDS);
            if (e instanceof ChangeEvent.Checkpoint c && !c.cursor().equals(cursor)) {
                moved = String.valueOf(c.cursor().values().get(MysqlDataSource.BINLOG));
            }
            assertThat(e).isNotInstanceOf(ChangeEvent.Upsert.class);
        }
        assertThat(moved).as("a checkpoint past the starting position").isNotNull()
                .isNotEqualTo(cursor.values().get(MysqlDataSource.BINLOG));
    }

    @Test
    void aTruncatedTableOrAPurgedPositionAsksForAFullSync() throws Exception {
        MysqlDataSource source = source(true, Map.of());
        SyncCursor cursor = source.currentCursor().block(WAIT);
        db.sql("TRUNCATE TABLE items");
        assertThatThrownBy(() -> source.followChanges(cursor, SyncRules.NONE).blockLast(WAIT))
                .isInstanceOf(CursorExpiredException.class).hasMessageContaining("items");

        assertThatThrownBy(() -> source.followChanges(new SyncCursor(Map.of(MysqlDataSource.BINLOG,
                "no-such-binlog.000001:4")), SyncRules.NONE).blockLast(WAIT))
                .isInstanceOf(CursorExpiredException.class).hasMessageContaining("purged");
        assertThatThrownBy(() -> source.followChanges(new SyncCursor(Map.of("column", "updated_at")), SyncRules.NONE)
                .blockLast(WAIT)).isInstanceOf(CursorExpiredException.class).hasMessageContaining("not a binlog position");
    }

    @Test
    void viewsQueriesAndIncrementalSyncsAreRefusedInRealTime() {
        db.sql("CREATE VIEW cheap AS SELECT id, title FROM items WHERE price < 3");
        MysqlDataSource views = source(true, Map.of("tables", List.of("items", "cheap"), "key_columns",
                List.of("cheap: id")));
        assertThatThrownBy(() -> views.validateConfig().block(WAIT)).isInstanceOf(SourceException.class)
                .hasMessageContaining("not views").hasMessageContaining(db.name() + ".cheap");
        assertThatThrownBy(() -> views.currentCursor().block(WAIT)).hasMessageContaining("not views");
        MysqlDataSource source = source(true, Map.of());
        assertThatThrownBy(() -> source.getDocsIncrementally(new SyncCursor(Map.of()), SyncRules.NONE).blockLast(WAIT))
                .hasMessageContaining("runs in real time");
    }

    @Test
    void aServerWithoutTheBinlogIsToldWhatToChange() {
        try (TestSources plain = new TestSources(MysqlServer.shared().create("nobinlog"), "rt-plain", Map.of())) {
            Boolean binlogOn = plain.db().query("SELECT @@global.log_bin", row -> row.get(0, Long.class) == 1L).get(0);
            org.junit.jupiter.api.Assumptions.assumeFalse(binlogOn, "the shared server writes a binlog");
            plain.db().sql("CREATE TABLE items (id int PRIMARY KEY)");
            MysqlDataSource source = plain.open(Map.of(), true);
            assertThatThrownBy(() -> source.validateConfig().block(WAIT)).hasMessageContaining("log_bin is off");
            assertThatThrownBy(() -> source.currentCursor().block(WAIT)).hasMessageContaining("log_bin is off");
            assertThat(source.binlogPosition().block(WAIT)).isEmpty();
        }
    }

    @Test
    void theChangeWatchSaysChangedOnlyWhenTheBinlogMoved() throws Exception {
        MysqlDataSource source = source(false, Map.of("watch_interval", "200ms"));
        BlockingQueue<Object> signals = new LinkedBlockingQueue<>();
        streams.add(source.watchChanges().subscribe(signals::add));
        assertThat(signals.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(
                io.connectors.spi.ChangeWatchingSource.Signal.WATCHING);
        assertThat(signals.poll(1, TimeUnit.SECONDS)).as("nothing while nothing is written").isNull();
        db.sql("UPDATE items SET title = 'x' WHERE id = 1");
        assertThat(signals.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(
                io.connectors.spi.ChangeWatchingSource.Signal.CHANGED);
    }
}
