package io.connectors.functional.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.connectors.elasticsearch.local.ElasticsearchEndpoint;
import io.connectors.functional.controlplane.DaemonProcesses.Daemon;
import io.connectors.testkit.elasticsearch.TestElasticsearch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
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
 * One PostgreSQL full sync spread over two daemon processes: 300,000 rows in ten key-range splits; the second daemon
 * claims splits of the first one's job; the first (the job's coordinator) is killed with SIGKILL mid-way; the second
 * queues the silent job again, resumes it, takes over the dead daemon's splits and runs the deletion pass. The index
 * then holds exactly the table's rows, and the job's split records name both daemons.
 */
class SplitDaemonsIT {
    private static final int ROWS = 300_000;
    private static final Duration WAIT = Duration.ofMinutes(5);
    private static final String CONNECTOR = "rows";

    @TempDir
    Path work;

    private String schema;

    private static List<String> psql(String sql) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-v", "ON_ERROR_STOP=1",
                "-At", "-c", sql).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException("psql failed: " + out);
        }
        return out.lines().toList();
    }

    @AfterEach
    void drop() throws Exception {
        if (schema != null) {
            psql("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    @Test
    void twoDaemonsReadOneJobsSplitsAndTheSurvivorFinishesItAfterTheOtherIsKilled() throws Exception {
        schema = "splits_" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 20, 1 << 24));
        psql("CREATE SCHEMA " + schema + "; CREATE TABLE " + schema + ".items (id bigint PRIMARY KEY, body text NOT NULL);"
                + " INSERT INTO " + schema + ".items SELECT i, repeat(md5(i::text), 8) FROM generate_series(1, " + ROWS
                + ") i; ANALYZE " + schema + ".items");
        ElasticsearchEndpoint es = TestElasticsearch.get();
        String prefix = "cp-" + schema.replace('_', '-');
        String index = prefix + "-" + CONNECTOR;
        StateReader state = new StateReader(es, prefix);
        DaemonProcesses processes = DaemonProcesses.create(work, es, "SplitDaemonsIT");
        Map<String, Object> connector = new LinkedHashMap<>();
        connector.put("id", CONNECTOR);
        connector.put("type", "postgresql");
        connector.put("index", index);
        connector.put("configuration", Map.of("host", "127.0.0.1", "port", 5432, "database", "test", "user", "postgres",
                "schemas", List.of(schema), "split_rows", ROWS / 10));
        Path configA = processes.writeConfig("split-a", sections("split-a", prefix, true), List.of(connector));
        Path configB = processes.writeConfig("split-b", sections("split-b", prefix, false), List.of(connector));

        try (Daemon a = processes.startDaemon("split-a", configA); Daemon b = processes.startDaemon("split-b", configB)) {
            a.awaitStarted("split-a");
            b.awaitStarted("split-b");
            String jobId = awaitJob(state, "both daemons read splits, and the coordinator finished one of its own", job ->
                    workers(job).contains("split-b") && splits(job).stream().anyMatch(s ->
                            "split-a".equals(s.path("worker").asText()) && "done".equals(s.path("state").asText())))
                    .path("job_id").asText();
            JsonNode shared = state.job(jobId).orElseThrow();
            assertThat(splits(shared)).hasSizeGreaterThanOrEqualTo(8);
            assertThat(shared.path("worker").asText()).as("the coordinator").isEqualTo("split-a");
            a.kill9();

            JsonNode done = awaitJob(state, "the survivor completes the job", job -> jobId.equals(job.path("job_id").asText())
                    && "completed".equals(job.path("status").asText()));
            assertThat(done.path("worker").asText()).isEqualTo("split-b");
            assertThat(done.path("attempt").asInt()).isEqualTo(2);
            assertThat(StateReader.notes(done)).anyMatch(n -> n.contains("split-a stopped heartbeating"));
            assertThat(workers(done)).as("split records of both daemons").containsExactlyInAnyOrder("split-a", "split-b");
            assertThat(splits(done)).allSatisfy(s -> assertThat(s.path("state").asText()).isEqualTo("done"));
            assertThat(splits(done).stream().mapToLong(s -> s.path("seen").asLong()).sum()).isEqualTo(ROWS);
            assertThat(state.jobsOf(CONNECTOR)).as("no second job").hasSize(1);

            Set<String> expected = new HashSet<>();
            for (int i = 1; i <= ROWS; i++) {
                expected.add(schema + ".items/" + i);
            }
            assertThat(state.ids(index)).isEqualTo(expected);
            b.sigterm();
            b.awaitExit(Duration.ofSeconds(60));
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
