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
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The daemon killed with {@code kill -9} a third of the way into a full sync of 30,000 files (no shutdown hook, no
 * suspend), then a new daemon started on the same configuration (5-second heartbeat timeout). Expected: the new
 * daemon finds the killed worker's job silent and, the directory source dividing its walk into subtree splits, queues
 * it again rather than failing it, resumes it from its splits' saved positions (queueing no start-up sync of its own),
 * and completes it: the index equals the source; no job stays in_progress.
 */
final class DaemonKilled implements ChaosScenario {
    static final int DOCUMENTS = 30_000;

    @Override
    public String name() {
        return "daemon-killed";
    }

    @Override
    public String fault() {
        return "the daemon kill -9ed a third into a full sync of " + DOCUMENTS + " files, then started again";
    }

    @Override
    public ChaosResult run(ChaosContext context) throws Exception {
        Path work = context.work(name());
        ChaosResult.Builder result = ChaosResult.builder();
        String index = "chaos-daemon-killed";
        try (SourceFixture fixture = FixtureLoader.load("directory");
             LocalElasticsearchLauncher es = FaultKit.elasticsearch(context, work).build()) {
            fixture.start(work.resolve("backend"));
            fixture.load(DOCUMENTS);
            ElasticsearchEndpoint endpoint = es.start().endpoint();
            // No schedule: each daemon queues one full sync at start-up.
            Path config = FunctionalConfig.write(work.resolve("config.yml"), endpoint, FaultKit.CONNECTOR, "directory",
                    index, fixture.connectorConfiguration(), FaultKit.FAST_HEARTBEATS, null);

            Instant fault;
            ProgressPoint at;
            long victimPid;
            try (DaemonProcess victim = DaemonProcess.start(context.home(), config, work.resolve("daemon-1.log"),
                    context.daemonJavaOpts(), FunctionalConfig.environment(endpoint))) {
                at = FaultKit.awaitIndexed(victim, DOCUMENTS / 3, Duration.ofMinutes(5));
                victimPid = victim.pid();
                ProcessHandle handle = ProcessHandle.of(victimPid).orElseThrow();
                fault = Instant.now();
                handle.destroyForcibly();
                handle.onExit().get(30, TimeUnit.SECONDS);
                context.say(name(), "daemon (pid %d) killed at %,d seen, %,d indexed", victimPid, at.seen(), at.indexed());
            }
            JsonNode killedJob = FaultKit.jobs(endpoint).get(0);
            result.check("the killed daemon's job was left in_progress (nothing recorded its end)",
                    "in_progress".equals(killedJob.path("status").asText()), killedJob.path("status").asText());

            try (DaemonProcess daemon = DaemonProcess.start(context.home(), config, work.resolve("daemon-2.log"),
                    context.daemonJavaOpts(), FunctionalConfig.environment(endpoint))) {
                List<SyncOutcome> syncs = FaultKit.awaitCompletedSync(daemon, fault, Duration.ofMinutes(5));
                SyncOutcome next = syncs.get(syncs.size() - 1);
                result.check("the restarted daemon's sync completed", next.completed(), next.status() + ", counts "
                        + next.counts() + ", started " + FaultKit.seconds(Duration.between(fault, next.started()))
                        + " after the kill" + (syncs.size() > 1 ? ", after " + (syncs.size() - 1) + " failed syncs" : ""));
                result.checkEquals("the resumed sync read the files its positions did not cover, and only those",
                        (long) DOCUMENTS, next.count("seen") + next.count("skipped_by_resume"));
                result.check("the sync failed no document", next.count("failed") == 0, next.counts().toString());
                FaultKit.verify(result, endpoint, index, fixture, "after the restarted daemon's sync");
                Duration recovery = FaultKit.since(fault);
                result.recovery(recovery);

                List<JsonNode> jobs = FaultKit.jobs(endpoint);
                String killedId = killedJob.path("job_id").asText();
                Optional<JsonNode> settled = jobs.stream().filter(j -> killedId.equals(j.path("job_id").asText())).findFirst();
                String status = settled.map(j -> j.path("status").asText()).orElse("missing");
                String error = settled.map(j -> j.path("error").asText("")).orElse("");
                String notes = settled.map(j -> j.path("notes").toString()).orElse("");
                result.check("the killed job was queued again for its silence and resumed to completion",
                        "completed".equals(status) && notes.contains("stopped heartbeating") && notes.contains("resumed by"),
                        status + ": " + FaultKit.abbreviate(notes + " " + error, 300));
                result.checkEquals("no other job was queued", 1, jobs.size());
                List<String> running = jobs.stream().filter(j -> "in_progress".equals(j.path("status").asText()))
                        .map(j -> j.path("job_id").asText()).toList();
                result.check("no job is left in_progress", running.isEmpty(), "in_progress: " + running);
                result.note("job records: " + FaultKit.describeJobs(jobs));
                FaultKit.LogCounts log = FaultKit.countLog(daemon.logFile());
                result.note("restarted daemon's log: " + log.lines() + " lines, by level " + log.byLevel());
                result.outcome(String.format(Locale.ROOT, "killed at %,d of %,d indexed; the restarted daemon queued"
                                + " the silent job again and resumed it %s after the kill (%,d files not read again, %,d"
                                + " read, %,d indexed, %,d unchanged); it completed; index equal %s after the kill",
                        at.indexed(), DOCUMENTS, FaultKit.seconds(Duration.between(fault, next.started())),
                        next.count("skipped_by_resume"), next.count("seen"), next.count("indexed"), next.count("unchanged"),
                        FaultKit.seconds(recovery)));
                daemon.stop();
            }
        }
        return result.build();
    }
}
