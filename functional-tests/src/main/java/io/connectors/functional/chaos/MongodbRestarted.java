package io.connectors.functional.chaos;

import io.connectors.functional.DaemonProcess;
import io.connectors.functional.FixtureLoader;
import io.connectors.functional.SyncOutcome;
import io.connectors.functional.Verification;
import io.connectors.testkit.functional.RestartableBackend;
import io.connectors.testkit.functional.SourceFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code mongodb-restarted}: the MongoDB server (the ftest fixture's in-process mongo-java-server) stopped mid full
 * sync of 20,000 documents and started again 3 s later on the same port with the same data. The sync completes or
 * fails cleanly; the next sync leaves the index equal to the source.
 */
final class MongodbRestarted implements ChaosScenario {
    static final int DOCUMENTS = 20_000;

    @Override
    public String name() {
        return "mongodb-restarted";
    }

    @Override
    public String fault() {
        return "MongoDB stopped mid full sync of 20,000 documents, restarted 3 s later (same port and data)";
    }

    @Override
    public ChaosResult run(ChaosContext context) throws Exception {
        ChaosResult.Builder result = ChaosResult.builder();
        try (SourceFixture fixture = FixtureLoader.load("mongodb"); SourceChaos chaos = SourceChaos.open(context, name())) {
            fixture.start(chaos.work.resolve("backend"));
            if (!(fixture instanceof RestartableBackend backend) || !backend.restartable()) {
                return result.outcome("not run: the MongoDB in MONGODB_URI is not the harness's to restart")
                        .check("the backend can be restarted by the harness", false, "MONGODB_URI is set").build();
            }
            fixture.load(DOCUMENTS);
            Path config = chaos.config("config", "mongodb", fixture.connectorConfiguration(), Map.of());
            Instant t = Instant.now();
            DaemonProcess daemon = chaos.start(config);
            boolean midSync = FaultKit.awaitProgress(daemon, p -> p.seen() >= 2_000, Duration.ofMinutes(5));
            Instant stopped = Instant.now();
            backend.stopBackend();
            context.say(name(), "MongoDB stopped (mid-sync: %s)", midSync);
            TimeUnit.SECONDS.sleep(3);
            backend.startBackend();
            context.say(name(), "MongoDB started again");
            SyncOutcome first = chaos.await(daemon, t);
            result.check("MongoDB was stopped mid-sync (after 2,000 documents were read)", midSync,
                    "seen at the end " + first.count("seen"));
            result.check("the sync completed, or failed cleanly with an error", first.completed()
                    || ("error".equals(first.status()) && first.error() != null), first.status() + (first.error() == null
                    ? "" : ": " + first.error()));
            SyncOutcome next = chaos.sync(config);
            result.checkEquals("the next sync completes", "completed", next.status());
            Instant done = Instant.now();
            Verification v = chaos.verify(fixture);
            result.check("index equal to the source", v.equal(), v.summary());
            return result.outcome("the sync " + (first.completed() ? "completed across the restart ("
                            + first.count("seen") + " seen)" : "failed cleanly (" + FaultKit.abbreviate(first.error(), 90)
                            + ")") + "; the next one completed (" + next.counts() + ")")
                    .documentsLost(v.documentsLost()).recovery(Duration.between(stopped, done)).build();
        }
    }
}
