package io.connectors.source.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connectors.source.postgresql.PgOutput.Begin;
import io.connectors.source.postgresql.PgOutput.Commit;
import io.connectors.source.postgresql.PgOutput.Delete;
import io.connectors.source.postgresql.PgOutput.Insert;
import io.connectors.source.postgresql.PgOutput.Message;
import io.connectors.source.postgresql.PgOutput.Relation;
import io.connectors.source.postgresql.PgOutput.Text;
import io.connectors.source.postgresql.PgOutput.Truncate;
import io.connectors.source.postgresql.PgOutput.Update;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The pgoutput decoder on the bytes a real server writes: a private cluster with {@code wal_level=logical}, a
 * publication and a slot, read with {@code pg_logical_slot_peek_binary_changes} (the same messages a replication
 * connection streams, without the connection).
 */
class PgOutputTest {

    @Test
    void decodesWhatARealServerWritesForEveryKindOfChange() {
        try (PgBackend backend = PgBackend.locate(null, "true").create("pgout")) {
            String slot = "slot_" + backend.database();
            backend.sql("CREATE TABLE t (id int PRIMARY KEY, name text, big text)",
                    "CREATE PUBLICATION p FOR TABLE t");
            backend.query("SELECT lsn FROM pg_create_logical_replication_slot('" + slot + "', 'pgoutput')",
                    row -> row.get(0, String.class));
            try {
                Instant before = Instant.now().minusSeconds(60);
                // A value stored out of line (TOASTed): 12,800 characters of hex that compress to more than 2 KB.
                backend.sql("INSERT INTO t VALUES (1, 'one', (SELECT string_agg(md5(i::text), '') FROM"
                                + " generate_series(1, 400) i))",
                        "UPDATE t SET name = 'uno' WHERE id = 1",
                        "UPDATE t SET id = 2 WHERE id = 1",
                        "DELETE FROM t WHERE id = 2",
                        "TRUNCATE t",
                        "ALTER TABLE t ADD COLUMN extra int",
                        "INSERT INTO t VALUES (3, 'three', 'b', 7)");
                // Decoding reads only WAL already flushed, and the private cluster commits without waiting for the
                // flush (synchronous_commit off): the last transactions show up within the WAL writer's delay.
                List<Message> messages = List.of();
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (System.nanoTime() < deadline
                        && messages.stream().noneMatch(m -> m instanceof Insert i && i.row().size() == 4)) {
                    messages = backend.query("SELECT data FROM pg_logical_slot_peek_binary_changes('" + slot
                            + "', NULL, NULL, 'proto_version', '1', 'publication_names', 'p')",
                            row -> PgOutput.decode(row.get(0, ByteBuffer.class)));
                }

                List<Message> changes = messages.stream().filter(m -> !(m instanceof Begin) && !(m instanceof Commit)
                        && !(m instanceof PgOutput.Other)).toList();
                // A truncate is preceded by its table's relation, sent again.
                assertThat(changes).hasSize(9);
                Relation relation = (Relation) changes.get(0);
                assertThat(relation.schema()).isEqualTo("public");
                assertThat(relation.table()).isEqualTo("t");
                assertThat(relation.replicaIdentity()).isEqualTo('d');
                assertThat(relation.columns()).extracting(PgOutput.Column::name).containsExactly("id", "name", "big");
                assertThat(relation.columns()).extracting(PgOutput.Column::key).containsExactly(true, false, false);
                assertThat(relation.columns().get(0).typeOid()).isEqualTo(23); // int4

                Insert insert = (Insert) changes.get(1);
                assertThat(insert.oid()).isEqualTo(relation.oid());
                assertThat(insert.row().get(0)).isEqualTo(new Text("1"));
                assertThat(((Text) insert.row().get(2)).text()).hasSize(12_800);

                Update rename = (Update) changes.get(2);
                assertThat(rename.oldKey()).isEmpty();
                assertThat(rename.row()).containsExactly(new Text("1"), new Text("uno"), PgOutput.UNCHANGED);

                Update rekey = (Update) changes.get(3);
                assertThat(rekey.oldKey()).containsExactly(new Text("1"), PgOutput.NULL, PgOutput.NULL);
                assertThat(rekey.row().get(0)).isEqualTo(new Text("2"));

                Delete delete = (Delete) changes.get(4);
                assertThat(delete.fullRow()).isFalse();
                assertThat(delete.key()).containsExactly(new Text("2"), PgOutput.NULL, PgOutput.NULL);

                assertThat(changes.get(5)).isEqualTo(relation);
                Truncate truncate = (Truncate) changes.get(6);
                assertThat(truncate.oids()).containsExactly(relation.oid());

                Relation widened = (Relation) changes.get(7);
                assertThat(widened.oid()).isEqualTo(relation.oid());
                assertThat(widened.columns()).extracting(PgOutput.Column::name).containsExactly("id", "name", "big", "extra");
                assertThat(((Insert) changes.get(8)).row()).containsExactly(new Text("3"), new Text("three"), new Text("b"),
                        new Text("7"));

                List<Begin> begins = messages.stream().filter(Begin.class::isInstance).map(Begin.class::cast).toList();
                List<Commit> commits = messages.stream().filter(Commit.class::isInstance).map(Commit.class::cast).toList();
                // One transaction per statement but the ALTER, which publishes nothing.
                assertThat(begins).hasSize(6);
                assertThat(commits).hasSize(6);
                assertThat(commits).allSatisfy(c -> assertThat(c.committedAt()).isAfter(before)
                        .isBefore(Instant.now().plusSeconds(60)));
                assertThat(commits).extracting(Commit::endLsn).isSorted();
                for (int i = 0; i < begins.size(); i++) {
                    assertThat(begins.get(i).finalLsn()).isEqualTo(commits.get(i).commitLsn());
                }
            } finally {
                backend.dropSlot(slot);
            }
        }
    }

    @Test
    void bytesThatDoNotFollowTheProtocolAreRefusedNamingTheMessage() {
        assertThatThrownBy(() -> PgOutput.decode(ByteBuffer.wrap(new byte[] {'I', 0, 0, 0, 1, 'N', 0})))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'I'").hasMessageContaining("cut short");
        assertThatThrownBy(() -> PgOutput.decode(ByteBuffer.wrap(new byte[] {'I', 0, 0, 0, 1, 'N', 0, 1, 'b'})))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kind 'b'");
        assertThat(PgOutput.decode(ByteBuffer.wrap(new byte[] {'Y', 0}))).isEqualTo(new PgOutput.Other('Y'));
    }

    @Test
    void lsnsReadAndWriteInTheServersTextForm() {
        assertThat(PgOutput.lsn("16/B374D848")).isEqualTo(0x16_B374_D848L);
        assertThat(PgOutput.lsn(0x16_B374_D848L)).isEqualTo("16/B374D848");
        assertThat(PgOutput.lsn(PgOutput.lsn("0/0"))).isEqualTo("0/0");
        assertThatThrownBy(() -> PgOutput.lsn("nope")).hasMessageContaining("not an LSN");
    }
}
