package io.connectors.source.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connectors.spi.ChangeEvent;
import io.connectors.spi.CursorExpiredException;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SourceException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The change events of real pgoutput messages (private cluster, read with pg_logical_slot_peek_binary_changes). */
class PgChangesTest {
    private static final PgTarget T = new PgTarget("t", "\"public\".\"t\"", List.of("id"), List.of("integer"), List.of(),
            Optional.of("\"public\".\"t\""), -1, true, true);

    @Test
    void aRelationThatDiffersFromTheColumnsTheDocumentsWereBuiltWithEndsTheStream() {
        List<PgOutput.Column> built = List.of(new PgOutput.Column("id", 23, -1, true), new PgOutput.Column("v", 25, -1, false),
                new PgOutput.Column("n", 1700, 786438, false));
        assertThat(PgChanges.difference(built, built)).isEmpty();
        assertThat(PgChanges.difference(built, List.of(built.get(0), built.get(1)))).isEqualTo("dropped n");
        assertThat(PgChanges.difference(built, List.of(built.get(0), new PgOutput.Column("v", 20, -1, false), built.get(2),
                new PgOutput.Column("w", 25, -1, false)))).isEqualTo("v retyped, added w");
        assertThat(PgChanges.difference(built, List.of(built.get(0), built.get(1), new PgOutput.Column("n", 1700, 655366,
                false)))).as("numeric(12,2) to numeric(10,2)").isEqualTo("n retyped");

        PgChanges changes = new PgChanges(List.of(T), Map.of("\"public\".\"t\"", built));
        assertThat(changes.of(new PgOutput.Relation(16384, "public", "t", 'd', built))).isEmpty();
        assertThatThrownBy(() -> changes.of(new PgOutput.Relation(16384, "public", "t", 'd', List.of(built.get(0),
                built.get(1))))).isInstanceOf(CursorExpiredException.class).hasMessageContaining("columns of table t changed")
                .hasMessageContaining("dropped n");
        assertThat(changes.of(new PgOutput.Relation(16385, "public", "elsewhere", 'd', List.of()))).as("not synced").isEmpty();
    }

    @Test
    void insertsUpdatesKeyChangesAndDeletesOfSyncedTablesBecomeEventsAndCommitsCheckpoints() {
        try (PgBackend backend = PgBackend.locate(null, "true").create("pgchanges")) {
            String slot = "changes_" + backend.database();
            backend.sql("CREATE TABLE t (id int PRIMARY KEY, v text)", "CREATE TABLE other (id int PRIMARY KEY)",
                    "CREATE PUBLICATION p FOR TABLE t, other");
            backend.query("SELECT lsn FROM pg_create_logical_replication_slot('" + slot + "', 'pgoutput')",
                    row -> row.get(0, String.class));
            try {
                backend.sql("INSERT INTO t VALUES (1, 'a')", "UPDATE t SET v = 'b' WHERE id = 1",
                        "UPDATE t SET id = 2 WHERE id = 1", "DELETE FROM t WHERE id = 2", "INSERT INTO other VALUES (7)");
                List<PgOutput.Message> messages = awaitMessages(backend, slot, 5);
                PgChanges changes = new PgChanges(List.of(T), Map.of());
                List<ChangeEvent> events = new ArrayList<>();
                messages.forEach(m -> events.addAll(changes.of(m)));

                List<String> described = events.stream().map(PgChangesTest::describe).toList();
                assertThat(described.stream().filter(d -> !d.startsWith("checkpoint"))).containsExactly(
                        "upsert t/1", "upsert t/1", "delete t/1", "upsert t/2", "delete t/2");
                // One checkpoint per transaction, the other table's included, each at the position after its commit.
                List<PgOutput.Commit> commits = messages.stream().filter(PgOutput.Commit.class::isInstance)
                        .map(PgOutput.Commit.class::cast).toList();
                assertThat(events.stream().filter(ChangeEvent.Checkpoint.class::isInstance)
                        .map(e -> ((ChangeEvent.Checkpoint) e).cursor().values().get(PgChanges.LSN)))
                        .containsExactlyElementsOf(commits.stream().map(c -> PgOutput.lsn(c.endLsn())).toList());
                List<SourceDocument> upserts = events.stream().filter(ChangeEvent.Upsert.class::isInstance)
                        .map(e -> ((ChangeEvent.Upsert) e).document()).toList();
                assertThat(upserts).allSatisfy(d -> {
                    assertThat(d.isDeferred()).isTrue();
                    assertThat(d.state()).isInstanceOf(PgQueries.Listed.class);
                });
                assertThat(upserts.stream().map(d -> d.version().orElseThrow()).distinct()).hasSize(3);

                backend.sql("TRUNCATE t");
                List<PgOutput.Message> more = awaitMessages(backend, slot, 6);
                assertThatThrownBy(() -> more.subList(messages.size(), more.size()).forEach(changes::of))
                        .isInstanceOf(CursorExpiredException.class).hasMessageContaining("table t was truncated");
            } finally {
                backend.dropSlot(slot);
            }
        }
    }

    @Test
    void aTableWithoutItsKeyColumnCannotBeFollowed() {
        PgChanges changes = new PgChanges(List.of(T), Map.of());
        assertThatThrownBy(() -> changes.of(new PgOutput.Relation(1, "public", "t", 'd',
                List.of(new PgOutput.Column("other", 23, -1, true)))))
                .isInstanceOf(SourceException.class).hasMessageContaining("key column 'id'");
        assertThat(changes.of(new PgOutput.Relation(2, "public", "unsynced", 'd', List.of()))).isEmpty();
        assertThat(changes.of(new PgOutput.Insert(2, List.of(new PgOutput.Text("1"))))).isEmpty();
    }

    private static List<PgOutput.Message> awaitMessages(PgBackend backend, String slot, int commits) {
        // Decoding reads only flushed WAL; the private cluster flushes within the WAL writer's delay.
        List<PgOutput.Message> messages = List.of();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (messages.stream().filter(PgOutput.Commit.class::isInstance).count() < commits
                && System.nanoTime() < deadline) {
            messages = backend.query("SELECT data FROM pg_logical_slot_peek_binary_changes('" + slot
                    + "', NULL, NULL, 'proto_version', '1', 'publication_names', 'p')",
                    row -> PgOutput.decode(row.get(0, ByteBuffer.class)));
        }
        return messages;
    }

    private static String describe(ChangeEvent e) {
        if (e instanceof ChangeEvent.Upsert u) {
            return "upsert " + u.document().id();
        }
        if (e instanceof ChangeEvent.Delete d) {
            return "delete " + d.id();
        }
        return "checkpoint";
    }
}
