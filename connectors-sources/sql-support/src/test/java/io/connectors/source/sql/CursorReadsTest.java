package io.connectors.source.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connectors.spi.ChangeEvent;
import io.connectors.spi.CursorExpiredException;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SourceException;
import io.connectors.spi.SyncCursor;
import io.r2dbc.h2.H2ConnectionFactory;
import io.r2dbc.h2.H2ConnectionOption;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Incremental reads by a cursor column over real tables of an in-process H2 database. */
class CursorReadsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Connection connection;

    /** A changed row: its table's key, and its cursor value. */
    record Change(String id, String seq) {
    }

    @BeforeEach
    void tables() {
        connection = Mono.from(H2ConnectionFactory.inMemory("cursor-" + UUID.randomUUID(), "sa", "",
                Map.of(H2ConnectionOption.DB_CLOSE_DELAY, "-1")).create()).block(TIMEOUT);
        run("CREATE TABLE a (id INT PRIMARY KEY, seq INT)");
        run("CREATE TABLE b (id INT PRIMARY KEY, seq INT)");
        run("CREATE TABLE c (id INT PRIMARY KEY)");
        for (int i = 1; i <= 9; i++) {
            run("INSERT INTO a VALUES (" + i + ", " + (10 * i) + ")");
        }
    }

    @AfterEach
    void close() {
        Mono.from(connection.close()).block(TIMEOUT);
    }

    private void run(String sql) {
        Flux.from(connection.createStatement(sql).execute()).flatMap(r -> r.getRowsUpdated()).blockLast(TIMEOUT);
    }

    private Mono<Optional<String>> max(String table) {
        return Flux.from(connection.createStatement("SELECT CAST(MAX(seq) AS VARCHAR) FROM " + table).execute())
                .flatMap(r -> r.map((row, meta) -> Optional.ofNullable(row.get(0, String.class)))).next();
    }

    /** Rows of {@code table} whose seq passed {@code from}, by (seq, id), after {@code after}. */
    private Mono<List<Change>> changed(String table, String from, Change after, int limit) {
        String where = after != null ? " WHERE (seq > ? OR seq = ? AND id > ?)" : from != null ? " WHERE seq > ?" : "";
        Statement statement = connection.createStatement("SELECT id, seq FROM " + table + where
                + " ORDER BY seq, id LIMIT " + limit);
        if (after != null) {
            statement.bind(0, Integer.valueOf(after.seq())).bind(1, Integer.valueOf(after.seq()))
                    .bind(2, Integer.valueOf(after.id()));
        } else if (from != null) {
            statement.bind(0, Integer.valueOf(from));
        }
        return Flux.from(statement.execute())
                .flatMap(r -> r.map((row, meta) -> new Change(String.valueOf(row.get("id")), String.valueOf(row.get("seq")))))
                .collectList();
    }

    private Flux<ChangeEvent> changes(SyncCursor cursor, List<String> tables, int fetchSize) {
        return CursorReads.changes(cursor, "seq", Mono.just(tables), t -> t, t -> !t.equals("c"),
                (t, from, positions) -> CursorReads.pages(t, "seq", (after, limit) -> changed(t, from, after, limit),
                        Change::seq, row -> SourceDocument.builder(t + ":" + row.id()).build(), positions, fetchSize));
    }

    @Test
    void theCursorOfAFullSyncIsTheLargestValueOfEachTable() {
        SyncCursor cursor = CursorReads.current("seq", Mono.just(List.of("a", "b")), t -> t, this::max).block(TIMEOUT);
        Map<String, Object> positions = new LinkedHashMap<>();
        positions.put("a", "90");
        positions.put("b", null);
        assertThat(cursor).isEqualTo(CursorReads.cursor("seq", positions));
        assertThat(cursor.values()).containsEntry("column", "seq");
    }

    @Test
    void theRowsChangedSinceTheCursorComeInPagesEachFollowedByACheckpoint() {
        SyncCursor cursor = CursorReads.current("seq", Mono.just(List.of("a", "b")), t -> t, this::max).block(TIMEOUT);
        run("UPDATE a SET seq = 100 + id WHERE id IN (2, 5, 7)");
        run("INSERT INTO b VALUES (1, 5), (2, 6)");

        List<ChangeEvent> events = changes(cursor, List.of("a", "b"), 2).collectList().block(TIMEOUT);
        List<String> ids = new ArrayList<>();
        List<Object> checkpoints = new ArrayList<>();
        for (ChangeEvent e : events) {
            if (e instanceof ChangeEvent.Upsert u) {
                ids.add(u.document().id());
            } else if (e instanceof ChangeEvent.Checkpoint c) {
                checkpoints.add(((Map<?, ?>) c.cursor().values().get("positions")).get("a") + "/"
                        + ((Map<?, ?>) c.cursor().values().get("positions")).get("b"));
            }
        }
        assertThat(ids).containsExactly("a:2", "a:5", "a:7", "b:1", "b:2");
        // After each page of a, of b, and at the end.
        assertThat(checkpoints).containsExactly("105/null", "107/null", "107/6", "107/6");

        SyncCursor next = ((ChangeEvent.Checkpoint) events.get(events.size() - 1)).cursor();
        assertThat(changes(next, List.of("a", "b"), 2).filter(e -> e instanceof ChangeEvent.Upsert).count()
                .block(TIMEOUT)).isZero();
    }

    @Test
    void aMissingCursorAnotherColumnsCursorAndATableWithoutTheColumnAreRefused() {
        assertThatThrownBy(() -> changes(null, List.of("a"), 5).blockLast(TIMEOUT))
                .isInstanceOf(SourceException.class).hasMessageContaining("run a full sync first");
        assertThatThrownBy(() -> changes(CursorReads.cursor("updated_at", Map.of()), List.of("a"), 5).blockLast(TIMEOUT))
                .isInstanceOf(CursorExpiredException.class)
                .hasMessageContaining("follows column 'updated_at', the configuration now 'seq'");
        assertThatThrownBy(() -> changes(CursorReads.cursor("seq", Map.of()), List.of("a", "c"), 5).blockLast(TIMEOUT))
                .isInstanceOf(SourceException.class)
                .hasMessageContaining("c has no column 'seq' (cursor_column): it cannot be synced incrementally");
    }

    @Test
    void theErrorsSayWhatIsMissing() {
        assertThat(CursorReads.noCursorColumn("c1")).hasMessageContaining("incremental syncs of connector c1 need"
                + " `cursor_column`");
        assertThat(CursorReads.realtimeOnly("c1")).hasMessageContaining("connector c1 runs in real time");
    }
}
