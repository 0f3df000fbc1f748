package io.connectors.functional.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.connectors.elasticsearch.local.ElasticsearchEndpoint;
import io.connectors.functional.IndexVerifier;
import io.connectors.functional.Verification;
import io.connectors.functional.controlplane.DaemonProcesses.Daemon;
import io.connectors.source.postgresql.PgFixture;
import io.connectors.testkit.elasticsearch.TestElasticsearch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One PostgreSQL full sync spread over two daemon processes: 300,000 rows of the ftest fixture (four tables, composite
 * and text keys) in a dozen key-range splits; the second daemon
 * claims splits of the job the other coordinates; the coordinator is killed with SIGKILL mid-way; the survivor
 * queues the silent job again, resumes it, takes over the dead daemon's splits and runs the deletion pass. The index
 * then equals the source (ids and content, {@link IndexVerifier}), and the job's split records name both daemons.
 */
class SplitDaemonsIT {
    private static final int ROWS = 300_000;
    private static final Duration WAIT = Duration.ofMinutes(5);
    private static final String CONNECTOR = "rows";

    @TempDir
    Path work;

    private PgFixture fixture;

    @AfterEach
    void drop() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void twoDaemonsReadOneJobsSplitsAndTheSurvivorFinishesItAfterTheOtherIsKilled() throws Exception {
        fixture = new PgFixture();
        fixture.start(work.resolve("backend"));
        fixture.load(ROWS);
        ElasticsearchEndpoint es = TestElasticsearch.get();
        String prefix = "cp-splits-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 20, 1 << 24));
        String index = prefix + "-" + CONNECTOR;
        StateReader state = new StateReader(es, prefix);
        DaemonProcesses processes = DaemonProcesses.create(work, es, "SplitDaemonsIT");
        Map<String, Object> connector = new LinkedHashMap<>();
        connector.put("id", CONNECTOR);
        connector.put("type", "postgresql");
        connector.put("index", index);
        Map<String, Object> configuration = new LinkedHashMap<>(fixture.connectorConfiguration());
        configuration.put("split_rows", 25_000);
        connector.put("configuration", configuration);
        Path configA = processes.writeConfig("split-a", sections("split-a", prefix, true), List.of(connector));
        Path configB = processes.writeConfig("split-b", sections("split-b", prefix, false), List.of(connector));

        try (Daemon a = processes.startDaemon("split-a", configA); Daemon b = processes.startDaemon("split-b", configB)) {
            a.awaitStarted("split-a");
            b.awaitStarted("split-b");
            // Either daemon may claim the start-up job (both serve the connector): the one that did coordinates it.
            JsonNode shared = awaitJob(state, "both daemons read splits, and the coordinator finished one of its own", job ->
                    workers(job).size() == 2 && splits(job).stream().anyMatch(s ->
                            job.path("worker").asText().equals(s.path("worker").asText())
                                    && "done".equals(s.path("state").asText())));
            String jobId = shared.path("job_id").asText();
            assertThat(splits(shared)).hasSizeGreaterThanOrEqualTo(8);
            String coordinator = shared.path("worker").asText();
            Daemon victim = coordinator.equals("split-a") ? a : b;
            String survivor = victim == a ? "split-b" : "split-a";
            victim.kill9();

            JsonNode done = awaitJob(state, "the survivor completes the job", job -> jobId.equals(job.path("job_id").asText())
                    && "completed".equals(job.path("status").asText()));
            assertThat(done.path("worker").asText()).isEqualTo(survivor);
            assertThat(done.path("attempt").asInt()).isEqualTo(2);
            assertThat(StateReader.notes(done)).anyMatch(n -> n.contains(coordinator + " stopped heartbeating"));
            assertThat(workers(done)).as("split records of both daemons").containsExactlyInAnyOrder("split-a", "split-b");
            assertThat(splits(done)).allSatisfy(s -> assertThat(s.path("state").asText()).isEqualTo("done"));
            assertThat(splits(done).stream().mapToLong(s -> s.path("seen").asLong()).sum()).isEqualTo(ROWS);
            assertThat(state.jobsOf(CONNECTOR)).as("no second job").hasSize(1);

            Verification v = IndexVerifier.verify(es, index, fixture);
            assertThat(v.equal()).as(v.summary() + " " + v.firstDifferences()).isTrue();
            Daemon alive = victim == a ? b : a;
            alive.sigterm();
            alive.awaitExit(Duration.ofSeconds(60));
        }
    }

    private Map<String, Object> sections(String worker, String prefix, boolean syncOnStart) {
        return Map.of(
                "daemon", Map.of("worker_id", worker, "sync_on_start", syncOnStart, "heartbeat_interval", "1s",
                        "heartbeat_timeout", "5s", "poll_interval", "1s", "http", Map.of("enabled", false)),
                "state", Map.of("index_prefix", prefix),
                "sync", Map.of("max_concurrent_splits", 2, "temp_dir", work.resolve("spill-" + worker).toString()));
    }

    private static List<JsonNode> splits(JsonNode job) {
        return StreamSupport.stream(job.path("splits").spliterator(), false).toList();
    }

    private static Set<String> workers(JsonNode job) {
        return splits(job).stream().map(s -> s.path("worker").asText(null)).filter(w -> w != null && !w.isEmpty())
                .collect(Collectors.toSet());
    }

    private interface JobCondition {
        boolean test(JsonNode job);
    }

    private static JsonNode awaitJob(StateReader state, String what, JobCondition condition) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode job : state.jobsOf(CONNECTOR)) {
                if (condition.test(job)) {
                    return job;
                }
            }
            TimeUnit.MILLISECONDS.sleep(250);
        }
        throw new AssertionError("timed out after " + WAIT + " waiting until " + what + "; jobs: " + state.jobsOf(CONNECTOR));
    }
}
