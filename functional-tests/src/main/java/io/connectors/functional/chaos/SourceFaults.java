package io.connectors.functional.chaos;

import java.util.List;

/**
 * Faults of the sources and of their data: lost connections, rejected, oversized and awkward documents, daemons killed
 * mid-sync and while following a PostgreSQL replication slot.
 */
final class SourceFaults {
    private SourceFaults() {
    }

    static List<ChaosScenario> all() {
        return List.of(new PostgresqlConnectionKilled(), new MysqlConnectionKilled(), new MongodbRestarted(),
                new RejectedDocument(), new OversizedDocument(), new VanishingFile(), new InvalidUtf8File(), new AwkwardIds(),
                new DaemonKilledResume(true), new DaemonKilledResume(false), new PostgresqlRealtimeKilled(), new PostgresqlSlotLost());
    }
}
