package io.connectors.functional.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.connectors.elasticsearch.local.ElasticsearchEndpoint;
import io.connectors.elasticsearch.local.LocalElasticsearchLauncher;
import io.connectors.functional.DaemonProcess;
import io.connectors.functional.FixtureLoader;
import io.connectors.functional.FunctionalConfig;
import io.connectors.functional.ProgressPoint;
import io.connectors.functional.SyncOutcome;
import io.connectors.testkit.functional.SourceFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Elasticsearch SIGKILLed a third of the way into a full sync of 30,000 files, and started again 10 s later on the
 * same port with the same data. The daemon keeps running throughout, on a 2-second schedule with 5-second heartbeat
 * timeouts. Expected: the interrupted sync ends (its bulk retries run out while the node is down), its job record,
 * which could not be written then, is failed by the heartbeat timeout once the node is back, the daemon survives,
 * and its next scheduled sync leaves the index equal to the source.
 */
final class ElasticsearchKilled implements ChaosScenario {
    static final int DOCUMENTS = 30_000;
    static final Duration DOWN_FOR = Duration.ofSeconds(10);

    @Override
    public String name() {
        return "elasticsearch-killed";
    }

    @Override
    public String fault() {
        return "Elasticsearch SIGKILLed a third into a full sync of " + DOCUMENTS + " files, restarted "
                + DOWN_FOR.toSeconds() + " s later (same port, same data)";
    }

    @Override
    public ChaosResult run(ChaosContext context) throws Exception {
        Path work = context.work(name());
        ChaosResult.Builder result = ChaosResult.builder();
        String index = "chaos-es-killed";
        int port = FaultKit.freePort();
        try (SourceFixture fixture = FixtureLoader.load("directory");
             LocalElasticsearchLauncher es = FaultKit.elasticsearch(context, work).httpPort(port).build()) {
            fixture.start(work.resolve("backend"));
            fixture.load(DOCUMENTS);
            ElasticsearchEndpoint endpoint = es.start().endpoint();
            Path config = FunctionalConfig.write(work.resolve("config.yml"), endpoint, FaultKit.CONNECTOR, "directory",
                    index, fixture.connectorConfiguration(), FaultKit.FAST_HEARTBEATS);
            Instant started = Instant.now();
            try (DaemonProcess daemon = DaemonProcess.start(context.home(), config, work.resolve("daemon.log"),
                    context.daemonJavaOpts(), FunctionalConfig.environment(endpoint))) {
                ProgressPoint at = FaultKit.awaitIndexed(daemon, DOCUMENTS / 3, Duration.ofMinutes(5));
                Instant fault = Instant.now();
                es.kill();
                context.say(name(), "Elasticsearch killed at %,d seen, %,d indexed; down for %d s", at.seen(),
                        at.indexed(), DOWN_FOR.toSeconds());
                TimeUnit.MILLISECONDS.sleep(DOWN_FOR.toMillis());
                Instant restart = Instant.now();
                es.start();
                Instant up = Instant.now();
                context.say(name(), "Elasticsearch back after %s (start took %s)", FaultKit.seconds(Duration.between(fault, up)),
                        FaultKit.seconds(Duration.between(restart, up)));

                SyncOutcome interrupted = daemon.awaitSync(FaultKit.CONNECTOR, started, Duration.ofMinutes(5));
                Instant interruptedAt = interrupted.finished();
                result.check("the interrupted sync ended without completing", !interrupted.completed(),
                        interrupted.status() + " after " + FaultKit.seconds(Duration.between(fault, interruptedAt))
                                + " from the kill: " + FaultKit.abbreviate(String.valueOf(interrupted.error()), 200));
                List<SyncOutcome> after = FaultKit.awaitCompletedSync(daemon, interruptedAt, Duration.ofMinutes(5));
                SyncOutcome next = after.get(after.size() - 1);
                List<String> failedBefore = after.subList(0, after.size() - 1).stream()
                        .map(s -> FaultKit.abbreviate(String.valueOf(s.error()), 100)).distinct().toList();
                result.check("a later sync completed", next.completed(), next.status() + ", counts " + next.counts()
                        + ", started " + FaultKit.seconds(Duration.between(fault, next.started())) + " after the kill, "
                        + (after.size() - 1) + " failed syncs before it " + failedBefore);
                result.check("the next sync failed no document", next.count("failed") == 0, next.counts().toString());
                FaultKit.verify(result, endpoint, index, fixture, "after the next sync");
                Duration recovery = FaultKit.since(fault);
                result.recovery(recovery);
                result.check("the daemon survived", daemon.isAlive(), "pid " + daemon.pid());

                List<JsonNode> jobs = FaultKit.jobs(endpoint);
                JsonNode first = jobs.isEmpty() ? null : jobs.get(0);
                String firstStatus = first == null ? "missing" : first.path("status").asText();
                String firstError = first == null ? "" : first.path("error").asText("");
                result.check("the interrupted job's record is settled (not in_progress)",
                        first != null && !"in_progress".equals(firstStatus) && !"pending".equals(firstStatus),
                        firstStatus + ": " + FaultKit.abbreviate(firstError, 200));
                result.note("job records: " + FaultKit.describeJobs(jobs));
                FaultKit.LogCounts log = FaultKit.countLog(daemon.logFile());
                result.note("daemon log: " + log.lines() + " lines, by level " + log.byLevel() + "; "
                        + log.warningsMentioning("Document failed") + " 'Document failed' lines");
                result.outcome(String.format(java.util.Locale.ROOT,
                        "the sync under way ended %s %s after the kill (%s); its job record was then %s%s; the daemon"
                                + " lived on; %d scheduled syncs failed while the node recovered its shards, the next"
                                + " completed (%d indexed, %d unchanged); the index equal %s after the kill",
                        interrupted.status(), FaultKit.seconds(Duration.between(fault, interruptedAt)),
                        FaultKit.abbreviate(String.valueOf(interrupted.error()), 90), firstStatus,
                        firstError.contains("stopped heartbeating") ? " by the heartbeat timeout" : "",
                        after.size() - 1, next.count("indexed"), next.count("unchanged"), FaultKit.seconds(recovery)));
                daemon.stop();
            }
        }
        return result.build();
    }
}
