package io.connectors.functional.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.connectors.functional.DaemonProcess;
import io.connectors.functional.FixtureLoader;
import io.connectors.functional.RealtimeWait;
import io.connectors.functional.Verification;
import io.connectors.testkit.functional.RealtimeBackend;
import io.connectors.testkit.functional.SourceFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code postgresql-slot-lost}: the replication slot of a {@code realtime: true} PostgreSQL connector is lost twice,
 * with changes made while it is gone: first dropped by hand while the daemon follows it (its stream terminated with
 * {@code pg_terminate_backend}, then {@code pg_drop_replication_slot}); then, with the daemon stopped, invalidated by
 * the server ({@code max_slot_wal_keep_size} of 1 MB and more WAL than that, a checkpoint removing it). Expected each
 * time: the next real-time job finds out, runs a full sync (its record's notes say why), creates the slot again and
 * follows; the index equals the table, deletions made while the slot was gone included.
 */
final class PostgresqlSlotLost implements ChaosScenario {
    static final int ROWS = 2_000;
    static final String TABLE = PgTables.SCHEMA + ".items";
    static final String SLOT = PostgresqlRealtimeKilled.SLOT;
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    @Override
    public String name() {
        return "postgresql-slot-lost";
    }

    @Override
    public String fault() {
        return "the replication slot of a realtime: true PostgreSQL connector dropped by hand while it is followed, then"
                + " invalidated by the server (max_slot_wal_keep_size) while the daemon is stopped; rows inserted,"
                + " updated and deleted while it is gone";
    }

    @Override
    public ChaosResult run(ChaosContext context) throws Exception {
        ChaosResult.Builder result = ChaosResult.builder();
        try (SourceFixture fixture = FixtureLoader.load("postgresql"); SourceChaos chaos = SourceChaos.open(context, name())) {
            if (!(fixture instanceof RealtimeBackend backend)) {
                return RealtimeTable.notRun(result, fixture);
            }
            Instant t = Instant.now();
            RealtimeTable rt = RealtimeTable.start(backend, fixture, chaos, TABLE, ROWS,
                    Map.of("replication_status_interval", "1s"));
            PgTables.Psql psql = rt.psql();
            Path config = rt.config();

            DaemonProcess first = chaos.start(config);
            RealtimeWait.following(first, t, TIMEOUT);
            changes(psql, 1);
            Verification before = rt.verifyUntilEqual(chaos, TIMEOUT, Duration.ofSeconds(1));
            result.check("the index follows the table before the slot is lost", before.equal(), before.summary());

            // 1. Dropped by hand while followed: its sender terminated, then dropped before the next job takes it.
            Instant dropped = Instant.now();
            boolean gone = dropWhileFollowed(psql);
            result.check("the slot was dropped by hand while followed", gone, gone ? "dropped" : "still there after "
                    + TIMEOUT.toSeconds() + " s");
            changes(psql, 2);
            Verification afterDrop = rt.verifyUntilEqual(chaos, TIMEOUT, Duration.ofSeconds(1));
            Duration back = FaultKit.since(dropped);
            result.check("after the drop, the index equals the table (changes made while the slot was gone included)",
                    afterDrop.equal(), afterDrop.summary());
            result.documentsLost(afterDrop.documentsLost());
            result.check("a job noted that the slot no longer existed and ran a full sync",
                    noted(FaultKit.jobs(chaos.es), "no longer exists"), "the index equal again "
                            + FaultKit.seconds(back) + " after the drop");
            first.stop();

            // 2. Invalidated by the server while no daemon runs.
            psql.sql("ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'");
            psql.sql("SELECT pg_reload_conf()");
            changes(psql, 3);
            String status = "";
            for (int i = 0; i < 8 && !"lost".equals(status); i++) {
                psql.sql("CREATE TABLE IF NOT EXISTS " + PgTables.SCHEMA + ".filler (x text)");
                psql.sql("INSERT INTO " + PgTables.SCHEMA + ".filler SELECT repeat(md5(g::text), 20)"
                        + " FROM generate_series(1, 5000) g");
                psql.sql("SELECT pg_switch_wal()");
                psql.sql("CHECKPOINT");
                List<String> rows = psql.sql("SELECT wal_status FROM pg_replication_slots WHERE slot_name = '" + SLOT + "'");
                status = rows.isEmpty() ? "missing" : rows.get(0);
            }
            result.check("the server invalidated the slot (wal_status lost)", "lost".equals(status), "wal_status " + status);
            psql.sql("ALTER SYSTEM RESET max_slot_wal_keep_size");
            psql.sql("SELECT pg_reload_conf()");
            Instant restarted = Instant.now();
            DaemonProcess second = chaos.start(config);
            Duration again = RealtimeWait.following(second, restarted, TIMEOUT);
            Verification afterLoss = rt.verifyUntilEqual(chaos, TIMEOUT, Duration.ofSeconds(1));
            result.check("after the invalidation, the index equals the table", afterLoss.equal(), afterLoss.summary());
            result.documentsLost(afterDrop.documentsLost() + afterLoss.documentsLost());
            List<JsonNode> jobs = FaultKit.jobs(chaos.es);
            result.check("a job noted that the server invalidated the slot and ran a full sync",
                    noted(jobs, "invalidated"), "following again " + FaultKit.seconds(again) + " after the restart");
            List<String> slot = psql.sql("SELECT wal_status FROM pg_replication_slots WHERE slot_name = '" + SLOT + "'");
            result.check("the slot exists again and is usable", slot.size() == 1 && !"lost".equals(slot.get(0)),
                    slot.isEmpty() ? "no slot" : "wal_status " + slot.get(0));
            result.recovery(FaultKit.since(restarted));
            result.note("job records: " + FaultKit.describeJobs(jobs));
            return result.outcome("the slot dropped by hand, then invalidated by the server: each time a full sync, noted"
                    + " in the job record, and the index " + (afterLoss.equal() ? "equal to" : "NOT equal to")
                    + " the table").build();
        }
    }

    /** Inserts, updates and deletes a few rows (round {@code n}: distinct keys above the loaded ones). */
    private static void changes(PgTables.Psql psql, int n) throws Exception {
        long base = 1_000_000L * n;
        psql.sql("INSERT INTO " + TABLE + " (key, seq, body) SELECT " + base + " + g, " + base + " + g, 'round " + n
                + "' FROM generate_series(1, 50) g");
        psql.sql("UPDATE " + TABLE + " SET body = 'updated in round " + n + "' WHERE key % 97 = " + n);
        psql.sql("DELETE FROM " + TABLE + " WHERE key % 89 = " + n);
    }

    /**
     * Terminates the slot's sender and drops the slot, again until it is gone: the next real-time job may take it
     * back between the two.
     */
    private static boolean dropWhileFollowed(PgTables.Psql psql) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            List<String> left = psql.sql("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots"
                    + " WHERE slot_name = '" + SLOT + "' AND active_pid IS NOT NULL; SELECT count(*) FROM"
                    + " pg_replication_slots WHERE slot_name = '" + SLOT + "' AND NOT active");
            if (!left.isEmpty() && "1".equals(left.get(left.size() - 1))) {
                try {
                    psql.sql("SELECT pg_drop_replication_slot('" + SLOT + "')");
                    return true;
                } catch (IllegalStateException e) {
                    // Taken again by the next job in the meantime: terminate it again.
                }
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
        return false;
    }

    /** Whether a real-time job's notes say the cursor could not be resumed for {@code reason}. */
    private static boolean noted(List<JsonNode> jobs, String reason) {
        for (JsonNode job : jobs) {
            for (JsonNode note : job.path("notes")) {
                if (note.asText().contains("could not be resumed") && note.asText().contains(reason)) {
                    return true;
                }
            }
        }
        return false;
    }
}
