package io.connectors.source.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.source.postgresql.PgOutput.Commit;
import io.connectors.source.postgresql.PgOutput.Insert;
import io.connectors.source.postgresql.PgOutput.Message;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/** A replication session on the private cluster: what it confirms, and when. */
class PgReplicationTest {

    @Test
    void namesAreValidSlotNamesAndDistinct() {
        assertThat(PgReplication.slotName("orders")).isEqualTo("connectors_orders");
        assertThat(PgReplication.slotName("Orders-EU.2")).matches("connectors_orders_eu_2_[0-9a-f]{8}");
        assertThat(PgReplication.slotName("orders-eu")).isNotEqualTo(PgReplication.slotName("orders_eu"));
        assertThat(PgReplication.slotName("x".repeat(100))).hasSize(PgReplication.MAX_NAME).matches("[a-z0-9_]+");
        assertThat(PgReplication.slotName("x".repeat(100))).isNotEqualTo(PgReplication.slotName("x".repeat(101)));
    }

    @Test
    void confirmsOnlyWhatWasStoredAndReportsHowFarAQuietStreamMoved() throws Exception {
        try (PgBackend backend = PgBackend.locate(null, "true").create("pgsession")) {
            PostgresqlConnectionFactory factory = backend.server().connectionFactory(backend.database(), "replication-test");
            String slot = PgReplication.slotName("session-" + backend.database());
            backend.sql("CREATE TABLE t (id int PRIMARY KEY, v text)", "CREATE TABLE outside (x int)",
                    "CREATE PUBLICATION p FOR TABLE t");
            long start = PgOutput.lsn(backend.query("SELECT lsn::text FROM pg_create_logical_replication_slot('" + slot
                    + "', 'pgoutput')", row -> row.get(0, String.class)).get(0));
            PgReplication.Session session = PgReplication.open(factory, slot, "p", start, Duration.ofMillis(200))
                    .block(Duration.ofSeconds(30));
            List<Message> received = new CopyOnWriteArrayList<>();
            List<Long> idle = new CopyOnWriteArrayList<>();
            Disposable reading = session.follow(List::of, lsn -> {
                idle.add(lsn);
                return new PgOutput.Other('I');
            }).filter(m -> !(m instanceof PgOutput.Other)).subscribe(received::add);
            try {
                backend.sql("INSERT INTO t VALUES (1, 'a')", "INSERT INTO t VALUES (2, 'b')");
                await(() -> received.stream().filter(Commit.class::isInstance).count() == 2);
                assertThat(received.stream().filter(Insert.class::isInstance)).hasSize(2);
                List<Commit> commits = received.stream().filter(Commit.class::isInstance).map(Commit.class::cast).toList();

                // Read but not stored: nothing is confirmed, however long the session idles.
                Thread.sleep(1000);
                assertThat(confirmed(backend, slot)).isLessThan(commits.get(0).endLsn());

                session.confirm(commits.get(0).endLsn());
                await(() -> confirmed(backend, slot) >= commits.get(0).endLsn());
                assertThat(confirmed(backend, slot)).isLessThan(commits.get(1).endLsn());

                // WAL the publication does not carry: the quiet stream reports the server's position past it, after
                // every commit it delivered; confirmed when stored, as any position.
                backend.sql("INSERT INTO outside SELECT generate_series(1, 1000)");
                long current = PgOutput.lsn(backend.query("SELECT pg_current_wal_lsn()::text",
                        row -> row.get(0, String.class)).get(0));
                await(() -> !idle.isEmpty() && idle.get(idle.size() - 1) >= current);
                assertThat(idle).allMatch(lsn -> lsn > commits.get(1).endLsn()).isSorted();
                session.confirm(idle.get(idle.size() - 1));
                await(() -> confirmed(backend, slot) >= current);
                assertThat(session.confirmed()).isGreaterThanOrEqualTo(current);
            } finally {
                session.close().block(Duration.ofSeconds(10));
                reading.dispose();
                backend.dropSlot(slot);
            }
        }
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(condition.getAsBoolean()).as("within 20 s").isTrue();
    }

    private static long confirmed(PgBackend backend, String slot) {
        return PgOutput.lsn(backend.query("SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = $1",
                row -> row.get(0, String.class), slot).get(0));
    }
}
