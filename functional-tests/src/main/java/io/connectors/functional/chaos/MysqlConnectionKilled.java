package io.connectors.functional.chaos;

import io.asyncer.r2dbc.mysql.MySqlConnectionConfiguration;
import io.asyncer.r2dbc.mysql.MySqlConnectionFactory;
import io.asyncer.r2dbc.mysql.constant.SslMode;
import io.connectors.functional.DaemonProcess;
import io.connectors.functional.FixtureLoader;
import io.connectors.functional.SyncOutcome;
import io.connectors.functional.Verification;
import io.connectors.testkit.functional.SourceFixture;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Result;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code mysql-connection-killed}: the source's connections (every connection of {@code information_schema.PROCESSLIST}
 * in the fixture's database but the scenario's own) killed with {@code KILL CONNECTION} while a full sync of 30,000
 * rows (the ftest fixture, on the MariaDB or MySQL its tests use) reads them, twice. The source retries a query that
 * lost its connection (`retries`): the sync should complete with every row exactly once; if it fails instead, it must
 * fail cleanly and the next sync must repair the index.
 */
final class MysqlConnectionKilled implements ChaosScenario {
    static final int ROWS = 30_000;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Override
    public String name() {
        return "mysql-connection-killed";
    }

    @Override
    public String fault() {
        return "KILL CONNECTION on the source's connections mid full sync of 30,000 rows, twice";
    }

    @Override
    public ChaosResult run(ChaosContext context) throws Exception {
        ChaosResult.Builder result = ChaosResult.builder();
        try (SourceFixture fixture = FixtureLoader.load("mysql"); SourceChaos chaos = SourceChaos.open(context, name())) {
            fixture.start(chaos.work.resolve("backend"));
            fixture.load(ROWS);
            Map<String, Object> configuration = fixture.connectorConfiguration();
            Path config = chaos.config("config", "mysql", configuration, Map.of());
            Instant t = Instant.now();
            DaemonProcess daemon = chaos.start(config);
            int killed = 0;
            Instant firstKill = null;
            for (long at : new long[] {3_000, 15_000}) {
                if (FaultKit.awaitProgress(daemon, p -> p.seen() >= at, Duration.ofMinutes(5))) {
                    int n = kill(configuration);
                    context.say(name(), "killed %d connection(s) at about %,d rows seen", n, at);
                    if (n > 0 && firstKill == null) {
                        firstKill = Instant.now();
                    }
                    killed += n;
                }
            }
            SyncOutcome first = chaos.await(daemon, t);
            result.check("connections were killed mid-sync", killed > 0 && firstKill != null, killed + " killed");
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
                            ? killed + " connections killed; the source retried the lost queries and the sync completed"
                            + " with every row once"
                            : "the sync failed cleanly (" + FaultKit.abbreviate(first.error(), 90) + "); the next one"
                            + " completed")
                    .documentsLost(v.documentsLost())
                    .recovery(firstKill == null ? null : Duration.between(firstKill, done)).build();
        }
    }

    /**
     * Kills every connection in the configuration's database but this one's own (which is in no database), with the
     * MySQL source's driver; how many.
     */
    static int kill(Map<String, Object> configuration) throws Exception {
        MySqlConnectionConfiguration.Builder builder = MySqlConnectionConfiguration.builder()
                .host(String.valueOf(configuration.get("host")))
                .port(((Number) configuration.getOrDefault("port", 3306)).intValue())
                .user(String.valueOf(configuration.get("user")))
                .sslMode(SslMode.DISABLED)
                .connectTimeout(Duration.ofSeconds(10));
        if (configuration.get("password") != null) {
            builder.password(String.valueOf(configuration.get("password")));
        }
        String database = String.valueOf(configuration.get("database")).replace("'", "''");
        MySqlConnectionFactory factory = MySqlConnectionFactory.from(builder.build());
        return Mono.usingWhen(Mono.from(factory.create()),
                        c -> Flux.from(c.createStatement("SELECT ID FROM information_schema.PROCESSLIST WHERE DB = '"
                                        + database + "' AND ID <> CONNECTION_ID()").execute())
                                .concatMap(r -> r.map((row, meta) -> ((Number) row.get(0)).longValue()))
                                // A connection may end on its own between the listing and the KILL: unknown thread.
                                .concatMap(id -> Flux.from(c.createStatement("KILL CONNECTION " + id).execute())
                                        .concatMap(Result::getRowsUpdated).then(Mono.just(1))
                                        .onErrorResume(e -> Mono.just(0)))
                                .reduce(0, Integer::sum),
                        Connection::close)
                .toFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
}
