package io.connectors.source.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.source.postgresql.PgOutput.Commit;
import io.connectors.source.postgresql.PgOutput.Insert;
import io.connectors.source.postgresql.PgOutput.Message;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import io.r2dbc.postgresql.api.PostgresqlReplicationConnection;
import io.r2dbc.postgresql.replication.LogSequenceNumber;
import io.r2dbc.postgresql.replication.ReplicationRequest;
import io.r2dbc.postgresql.replication.ReplicationSlot;
import io.r2dbc.postgresql.replication.ReplicationSlotRequest;
import io.r2dbc.postgresql.replication.ReplicationStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/**
 * What r2dbc-postgresql's replication API does against a real server, the ground the real-time mode stands on: a slot
 * created on a replication connection, pgoutput messages streamed from it, and the slot's confirmed position moving
 * only when the client says what it has flushed.
 */
class PgReplicationProbeTest {

    @Test
    void aSlotStreamsPgoutputAndConfirmsOnlyWhatTheClientFlushed() throws Exception {
        try (PgBackend backend = PgBackend.locate(null, "true").create("pgrepl")) {
            PostgresqlConnectionFactory factory = backend.server().connectionFactory(backend.database(), "replication-probe");
            String slotName = "probe_" + backend.database();
            backend.sql("CREATE TABLE t (id int PRIMARY KEY, v text)", "CREATE PUBLICATION p FOR TABLE t");
            PostgresqlReplicationConnection replication = factory.replication().block(Duration.ofSeconds(30));
            ReplicationStream stream = null;
            Disposable reading = null;
            try {
                ReplicationSlot slot = replication.createSlot(ReplicationSlotRequest.logical().slotName(slotName)
                        .outputPlugin("pgoutput").build()).block(Duration.ofSeconds(30));
                assertThat(slot.getSnapshotName()).isNotBlank();
                stream = replication.startReplication(ReplicationRequest.logical().slotName(slotName)
                        .startPosition(slot.getConsistentPoint()).statusInterval(Duration.ofMillis(200))
                        .slotOption("proto_version", 1).slotOption("publication_names", "p").build())
                        .block(Duration.ofSeconds(30));
                List<Message> received = new CopyOnWriteArrayList<>();
                reading = stream.map(buffer -> PgOutput.decode(buffer.nioBuffer())).subscribe(received::add);

                backend.sql("INSERT INTO t VALUES (1, 'a')", "INSERT INTO t VALUES (2, 'b')");
                long deadline = System.nanoTime() + 20_000_000_000L;
                while (received.stream().filter(Commit.class::isInstance).count() < 2 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(received.stream().filter(Insert.class::isInstance)).hasSize(2);
                Commit first = received.stream().filter(Commit.class::isInstance).map(Commit.class::cast).findFirst()
                        .orElseThrow();
                // Nothing confirmed yet: the slot still holds the consistent point.
                Thread.sleep(600);
                assertThat(confirmed(backend, slotName)).isLessThan(first.endLsn());
                stream.setFlushedLSN(LogSequenceNumber.valueOf(first.endLsn()));
                stream.setAppliedLSN(LogSequenceNumber.valueOf(first.endLsn()));
                deadline = System.nanoTime() + 10_000_000_000L;
                while (confirmed(backend, slotName) < first.endLsn() && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertThat(confirmed(backend, slotName)).isEqualTo(first.endLsn());

                // Idle: with everything acknowledged, the position the server's keepalives reported (past the last
                // commit) may be confirmed too, so a quiet database on a busy cluster retains no WAL.
                backend.sql("CREATE TABLE other (x int)", "INSERT INTO other SELECT generate_series(1, 1000)");
                deadline = System.nanoTime() + 10_000_000_000L;
                Commit last = received.stream().filter(Commit.class::isInstance).map(Commit.class::cast)
                        .reduce((a, b) -> b).orElseThrow();
                while (stream.getLastReceiveLSN().asLong() <= last.endLsn() && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                long idle = stream.getLastReceiveLSN().asLong();
                assertThat(idle).isGreaterThan(last.endLsn());
                stream.setFlushedLSN(LogSequenceNumber.valueOf(idle));
                stream.setAppliedLSN(LogSequenceNumber.valueOf(idle));
                deadline = System.nanoTime() + 10_000_000_000L;
                while (confirmed(backend, slotName) < idle && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertThat(confirmed(backend, slotName)).isGreaterThanOrEqualTo(idle);
            } finally {
                // The stream is closed while still read; its orderly end does not always come back, so it gets a
                // moment, then the connection is closed (what PgReplication.Session does too).
                if (stream != null) {
                    stream.close().timeout(PgReplication.CLOSE_WAIT).onErrorResume(e -> reactor.core.publisher.Mono.empty())
                            .block(Duration.ofSeconds(10));
                }
                if (reading != null) {
                    reading.dispose();
                }
                replication.close().block(Duration.ofSeconds(10));
                backend.dropSlot(slotName);
            }
        }
    }

    private static long confirmed(PgBackend backend, String slot) {
        return PgOutput.lsn(backend.query("SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = $1",
                row -> row.get(0, String.class), slot).get(0));
    }
}
