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
 * A database source's server-side connections ended by the server while a full sync of {@value #ROWS} rows (the
 * source's ftest fixture) reads them, twice: at about 3,000 and 15,000 rows seen. The source retries a query that lost
 * its connection from the last row read: the sync should complete with every row exactly once; if it fails instead,
 * it must fail cleanly and the next sync must repair the index. Each source says how its connections are ended
 * ({@link #end}) and what they are called.
 */
abstract class ConnectionsKilled implements ChaosScenario {
    static final int ROWS = 30_000;

    private final String type;
    private final String noun;
    private final String verb;

    /**
     * @param type the source type, whose fixture is loaded
     * @param noun what the server calls a connection ({@code session}, {@code connection})
     * @param verb what ending one is called ({@code terminated}, {@code killed})
     */
    ConnectionsKilled(String type, String noun, String verb) {
        this.type = type;
        this.noun = noun;
        this.verb = verb;
    }

    /** Ends the source's connections to the fixture's database; how many were ended. */
    abstract int end(Map<String, Object> configuration) throws Exception;

    @Override
    public ChaosResult run(ChaosContext context) throws Exception {
        ChaosResult.Builder result = ChaosResult.builder();
        try (SourceFixture fixture = FixtureLoader.load(type); SourceChaos chaos = SourceChaos.open(context, name())) {
            fixture.start(chaos.work.resolve("backend"));
            fixture.load(ROWS);
            Map<String, Object> configuration = fixture.connectorConfiguration();
            Path config = chaos.config("config", type, configuration, Map.of());
            Instant t = Instant.now();
            DaemonProcess daemon = chaos.start(config);
            int ended = 0;
            Instant firstEnd = null;
            for (long at : new long[] {3_000, 15_000}) {
                if (FaultKit.awaitProgress(daemon, p -> p.seen() >= at, Duration.ofMinutes(5))) {
                    int n = end(configuration);
                    context.say(name(), "%s %d %s(s) at about %,d rows seen", verb, n, noun, at);
                    if (n > 0 && firstEnd == null) {
                        firstEnd = Instant.now();
                    }
                    ended += n;
                }
            }
            SyncOutcome first = chaos.await(daemon, t);
            result.check(noun + "s were " + verb + " mid-sync", ended > 0 && firstEnd != null, ended + " " + verb);
            result.check("the sync completed, or failed cleanly with an error", first.completed()
                    || ("error".equals(first.status()) && first.error() != null), first.status() + (first.error() == null
                    ? "" : ": " + first.error()));
            if (!first.completed()) {
                result.checkEquals("the next sync completes", "completed", chaos.sync(config).status());
            } else {
                result.checkEquals("every row read exactly once", List.of((long) ROWS, (long) ROWS, 0L),
                        List.of(first.count("seen"), first.count("indexed"), first.count("failed")));
            }
            Instant done = Instant.now();
            Verification v = chaos.verify(fixture);
            result.check("index equal to the source", v.equal(), v.summary());
            chaos.logLines("etr").stream().limit(3)
                    .forEach(l -> result.note("daemon log: " + l.replaceAll("^\\S+ ", "")));
            return result.outcome(first.completed()
                            ? ended + " " + noun + "s " + verb + "; the source retried from the last row read and the"
                            + " sync completed with every row once"
                            : "the sync failed cleanly (" + FaultKit.abbreviate(first.error(), 90) + "); the next one"
                            + " completed")
                    .documentsLost(v.documentsLost())
                    .recovery(firstEnd == null ? null : Duration.between(firstEnd, done)).build();
        }
    }
}
