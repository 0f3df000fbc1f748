package io.connectors.functional.chaos;

import io.connectors.functional.ChangeLoad;
import io.connectors.functional.FunctionalConfig;
import io.connectors.functional.IndexVerifier;
import io.connectors.functional.Verification;
import io.connectors.testkit.functional.RealtimeBackend;
import io.connectors.testkit.functional.SourceFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the real-time PostgreSQL scenarios run on: the fixture's private cluster ({@code wal_level=logical}, which the
 * shared server does not have), one table of {@link ChangeLoad}'s shape in schema {@value PgTables#SCHEMA} with its
 * rows loaded, and the configuration of a {@code realtime: true} connector on it, with fast heartbeats and the next
 * real-time job 1 s after the last ended (not 10).
 *
 * @param psql        {@code psql} on the private cluster
 * @param tables      the table as the ground truth of {@code IndexVerifier}
 * @param connections connections to the private cluster, for a {@link ChangeLoad}
 * @param config      the daemon's configuration file
 */
record RealtimeTable(PgTables.Psql psql, PgTables tables, ChangeLoad.Database connections, Path config) {

    /** The result of a scenario whose fixture cannot start a server a real-time connector can follow. */
    static ChaosResult notRun(ChaosResult.Builder result, SourceFixture fixture) {
        return result.outcome("not run: the PostgreSQL fixture cannot start a server with wal_level=logical")
                .check("the fixture starts a backend a real-time connector can follow", false,
                        fixture.getClass().getName() + " is not a RealtimeBackend").build();
    }

    /**
     * Starts {@code backend}'s private cluster, creates {@code table} ({@code schema.name}) with {@code rows} rows and
     * writes the connector's configuration: the table's, without a cursor column (the real-time cursor is the slot's
     * position), with {@code configuration} added.
     */
    static RealtimeTable start(RealtimeBackend backend, SourceFixture fixture, SourceChaos chaos, String table, int rows,
                               Map<String, Object> configuration) throws Exception {
        backend.startForRealtime(chaos.work.resolve("backend"));
        Map<String, Object> pg = fixture.connectorConfiguration();
        PgTables.Psql psql = PgTables.Psql.of(pg);
        PgTables tables = new PgTables(List.of(table.substring(table.indexOf('.') + 1)), psql);
        tables.reset();
        ChangeLoad.Database connections = ChangeLoad.Database.postgresql(pg);
        connections.createTable(table, rows);
        Map<String, Object> connector = new LinkedHashMap<>(tables.connectorConfiguration());
        connector.remove("cursor_column");
        connector.putAll(configuration);
        // Heartbeats as FaultKit.FAST_HEARTBEATS, and the next real-time job 1 s after the last ended (not 10).
        Map<String, Object> daemon = Map.of("daemon", Map.of("heartbeat_interval", "1s", "heartbeat_timeout", "5s",
                "poll_interval", "1s", "realtime_restart_delay", "1s"));
        Path config = FunctionalConfig.writeRealtime(chaos.work.resolve("config.yml"), chaos.es, FaultKit.CONNECTOR,
                "postgresql", chaos.index, connector, daemon);
        return new RealtimeTable(psql, tables, connections, config);
    }

    /**
     * Verifies the index against the table every {@code every} until they are equal or {@code timeout} passed; the
     * last verification, said with its first differences.
     */
    Verification verifyUntilEqual(SourceChaos chaos, Duration timeout, Duration every) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Verification v = IndexVerifier.verify(chaos.es, chaos.index, tables);
        while (!v.equal() && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(every.toMillis());
            v = IndexVerifier.verify(chaos.es, chaos.index, tables);
        }
        chaos.context.say(chaos.scenario, "verify: %s", v.summary());
        v.firstDifferences().stream().limit(5).forEach(d -> chaos.context.say(chaos.scenario, "  %s", d));
        return v;
    }
}
