package io.connectors.functional.chaos;

import io.connectors.functional.DaemonProcess;
import io.connectors.functional.FixtureLoader;
import io.connectors.functional.SyncOutcome;
import io.connectors.functional.Verification;
import io.connectors.testkit.functional.SourceFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code postgresql-connection-killed}: the source's sessions ({@code application_name = connectors}) terminated with
 * {@code pg_terminate_backend} while a full sync of 30,000 rows (the ftest fixture) reads them. The source retries
 * the page from the last row read: the sync should complete with every row exactly once; if it fails instead, it
 * must fail cleanly and the next sync must repair the index.
 */
final class PostgresqlConnectionKilled implements ChaosScenario {
    static final int ROWS = 30_000;

    @Override
    public String name() {
        return "postgresql-connection-killed";
    }

    @Override
    public String fault() {
        return "pg_terminate_backend on the source's sessions mid full sync of 30,000 rows, twice";
    }

    @Override
    public ChaosResult run(ChaosContext context) throws Exception {
        ChaosResult.Builder result = ChaosResult.builder();
        try (SourceFixture fixture = FixtureLoader.load("postgresql"); SourceChaos chaos = SourceChaos.open(context, name())) {
            fixture.start(chaos.work.resolve("backend"));
            fixture.load(ROWS);
            Map<String, Object> configuration = fixture.connectorConfiguration();
            String database = String.valueOf(configuration.get("database"));
            Path config = chaos.config("config", "postgresql", configuration, Map.of());
            Instant t = Instant.now();
            DaemonProcess daemon = chaos.start(config);
            int killed = 0;
            Instant firstKill = null;
            for (long at : new long[] {3_000, 15_000}) {
                if (FaultKit.awaitProgress(daemon, p -> p.seen() >= at, Duration.ofMinutes(5))) {
                    int n = terminate(database);
                    context.say(name(), "terminated %d session(s) at about %,d rows seen", n, at);
                    if (n > 0 && firstKill == null) {
                        firstKill = Instant.now();
                    }
                    killed += n;
                }
            }
            SyncOutcome first = chaos.await(daemon, t);
            result.check("sessions were terminated mid-sync", killed > 0 && firstKill != null, killed + " terminated");
            result.check("the sync completed, or failed cleanly with an error", first.completed()
                    || ("error".equals(first.status()) && first.error() != null), first.status() + (first.error() == null
                    ? "" : ": " + first.error()));
            SyncOutcome last = first;
            if (!first.completed()) {
                last = chaos.sync(config);
                result.checkEquals("the next sync completes", "completed", last.status());
            } else {
                result.checkEquals("every row read exactly once", List.of((long) ROWS, (long) ROWS, 0L),
                        List.of(first.count("seen"), first.count("indexed"), first.count("failed")));
            }
            Instant done = Instant.now();
            Verification v = chaos.verify(fixture);
            result.check("index equal to the source", v.equal(), v.summary());
            List<String> retries = chaos.logLines("etr");
            retries.stream().limit(3).forEach(l -> result.note("daemon log: " + l.replaceAll("^\\S+ ", "")));
            return result.outcome(first.completed()
                            ? killed + " sessions terminated; the source retried from the last row and the sync completed"
                            + " with every row once"
                            : "the sync failed cleanly (" + FaultKit.abbreviate(first.error(), 90) + "); the next one"
                            + " completed")
                    .documentsLost(v.documentsLost())
                    .recovery(firstKill == null ? null : Duration.between(firstKill, done)).build();
        }
    }

    static int terminate(String database) throws Exception {
        List<String> out = PgTables.sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                + " WHERE application_name = 'connectors' AND datname = '" + database.replace("'", "''") + "'");
        return out.isEmpty() ? 0 : Integer.parseInt(out.get(0).trim());
    }
}
