package io.connectors.functional.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.connectors.elasticsearch.local.ElasticsearchEndpoint;
import io.connectors.functional.controlplane.DaemonProcesses.Daemon;
import io.connectors.testkit.elasticsearch.TestElasticsearch;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two daemon processes share one Elasticsearch and three connectors on a 3-second schedule: every due job is
 * created once and run once, by one of them, and a connector never runs two jobs at once.
 */
class ScheduledJobsIT {
    private static final String EVERY_3_SECONDS = "0/3 * * * * ?";
    private static final long PERIOD_SECONDS = 3;
    private static final Duration OBSERVED = Duration.ofSeconds(60);
    /**
     * Due times this close to the start or the stop are left out: a daemon may not have been up for them, and each
     * connector's first job creates its index, which on a cluster busy with the suite's earlier tests takes longer
     * than a period (seen: 4 s), so the job due after it may still wait when the next one falls due and be skipped.
     */
    private static final Duration START_MARGIN = Duration.ofSeconds(2 * PERIOD_SECONDS);
    private static final Duration END_MARGIN = Duration.ofSeconds(6);
    private static final int FILES_PER_CONNECTOR = 40;
    private static final List<String> CONNECTORS = List.of("alpha", "beta", "gamma");
    private static final List<String> WORKERS = List.of("sched-a", "sched-b");
    private static final DateTimeFormatter DUE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    @TempDir
    Path work;

    @Test
    void twoDaemonsRunEveryDueJobExactlyOnce() throws Exception {
        ElasticsearchEndpoint es = TestElasticsearch.get();
        String prefix = "cp-sched-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 20, 1 << 24));
        DaemonProcesses processes = DaemonProcesses.create(work, es, "ScheduledJobsIT");
        StateReader state = new StateReader(es, prefix);

        Map<String, SourceTree> trees = new LinkedHashMap<>();
        List<Map<String, Object>> connectors = new ArrayList<>();
        for (String id : CONNECTORS) {
            SourceTree tree = SourceTree.generate(work.resolve("data-" + id), FILES_PER_CONNECTOR);
            trees.put(id, tree);
            connectors.add(DaemonProcesses.directoryConnector(id, prefix + "-" + id, tree.root(), EVERY_3_SECONDS));
        }
        List<Path> configs = new ArrayList<>();
        for (String worker : WORKERS) {
            configs.add(processes.writeConfig(worker, Map.of(
                    "daemon", Map.of("worker_id", worker, "sync_on_start", false, "heartbeat_interval", "1s",
                            "http", Map.of("enabled", false)),
                    "state", Map.of("index_prefix", prefix),
                    "sync", Map.of("temp_dir", work.resolve("spill-" + worker).toString())), connectors));
        }

        Instant bothUp;
        Instant stopped;
        try (Daemon a = processes.startDaemon(WORKERS.get(0), configs.get(0));
             Daemon b = processes.startDaemon(WORKERS.get(1), configs.get(1))) {
            Instant aUp = a.awaitStarted(WORKERS.get(0));
            Instant bUp = b.awaitStarted(WORKERS.get(1));
            bothUp = aUp.isAfter(bUp) ? aUp : bUp;
            long end = System.nanoTime() + OBSERVED.toNanos();
            while (System.nanoTime() < end) {
                for (Daemon d : List.of(a, b)) {
                    assertThat(d.isAlive()).as("%s is running; its log ends with:%n%s", d, d.isAlive() ? "" : d.tail(40)).isTrue();
                }
                TimeUnit.MILLISECONDS.sleep(500);
            }
            stopped = Instant.now();
            a.sigterm();
            b.sigterm();
            // The exit code after SIGTERM is the JVM's (143); what matters is that both stop.
            a.awaitExit(Duration.ofSeconds(60));
            b.awaitExit(Duration.ofSeconds(60));
        }

        Instant from = nextTick(bothUp).plus(START_MARGIN);
        Instant to = stopped.minus(END_MARGIN);
        List<Instant> ticks = new ArrayList<>();
        for (Instant t = from; !t.isAfter(to); t = t.plusSeconds(PERIOD_SECONDS)) {
            ticks.add(t);
        }
        assertThat(ticks).as("due times observed").hasSizeGreaterThanOrEqualTo(15);

        Map<String, Integer> byWorker = new TreeMap<>();
        List<Duration> claimDelays = new ArrayList<>();
        List<Duration> durations = new ArrayList<>();
        for (String connector : CONNECTORS) {
            List<JsonNode> jobs = state.jobsOf(connector);
            Map<Instant, List<JsonNode>> inWindow = jobs.stream()
                    .filter(j -> StateReader.instant(j, "scheduled_for") != null)
                    .filter(j -> {
                        Instant due = StateReader.instant(j, "scheduled_for");
                        return !due.isBefore(from) && !due.isAfter(to);
                    })
                    .collect(Collectors.groupingBy(j -> StateReader.instant(j, "scheduled_for"), TreeMap::new, Collectors.toList()));
            assertThat(inWindow.keySet()).as("due times of %s's jobs in [%s, %s]", connector, from, to)
                    .containsExactlyElementsOf(ticks);
            for (Map.Entry<Instant, List<JsonNode>> e : inWindow.entrySet()) {
                assertThat(e.getValue()).as("jobs of %s due at %s", connector, e.getKey()).hasSize(1);
                JsonNode job = e.getValue().get(0);
                assertThat(job.path("job_id").asText()).isEqualTo(connector + "-full-" + DUE.format(e.getKey()));
                assertThat(StateReader.status(job)).as("status of %s", job).isEqualTo("completed");
                assertThat(job.path("attempt").asInt()).as("attempt of %s", job).isEqualTo(1);
                assertThat(job.path("trigger").asText()).isEqualTo("scheduled");
                assertThat(job.path("job_type").asText()).isEqualTo("full");
                assertThat(StateReader.countOf(job, "seen")).as("documents seen by %s", job).isEqualTo(FILES_PER_CONNECTOR);
                assertThat(WORKERS).contains(job.path("worker").asText());
                byWorker.merge(job.path("worker").asText(), 1, Integer::sum);
                claimDelays.add(Duration.between(e.getKey(), StateReader.instant(job, "started_at")));
                durations.add(Duration.between(StateReader.instant(job, "started_at"), StateReader.instant(job, "completed_at")));
            }
            assertNoOverlap(connector, jobs);
            trees.get(connector).assertIndexEquals(state, prefix + "-" + connector);
        }
        assertThat(byWorker.keySet()).as("workers that ran jobs").containsExactlyInAnyOrderElementsOf(WORKERS);

        System.out.printf(Locale.ROOT, "[control-plane] scheduled jobs: %d due times x %d connectors in [%s, %s], each run once;"
                        + " jobs per worker %s; delay from due time to start: mean %d ms, max %d ms; job duration: mean %d ms, max %d ms%n",
                ticks.size(), CONNECTORS.size(), from, to, byWorker, mean(claimDelays), max(claimDelays), mean(durations),
                max(durations));
    }

    /** The first due time strictly after {@code t}. */
    private static Instant nextTick(Instant t) {
        long s = t.getEpochSecond() / PERIOD_SECONDS * PERIOD_SECONDS + PERIOD_SECONDS;
        return Instant.ofEpochSecond(s);
    }

    /** Jobs of one connector that started, in start order: each ended before the next started. */
    private static void assertNoOverlap(String connector, List<JsonNode> jobs) {
        List<JsonNode> started = jobs.stream().filter(j -> StateReader.instant(j, "started_at") != null)
                .sorted(Comparator.comparing(j -> StateReader.instant(j, "started_at")))
                .toList();
        for (int i = 0; i + 1 < started.size(); i++) {
            JsonNode job = started.get(i);
            JsonNode next = started.get(i + 1);
            Instant end = StateReader.instant(job, "completed_at");
            assertThat(end).as("completed_at of %s, which started before %s", job, next.path("job_id").asText()).isNotNull();
            assertThat(end).as("jobs of %s overlap: %s ended after %s started", connector, job.path("job_id").asText(),
                    next.path("job_id").asText()).isBeforeOrEqualTo(StateReader.instant(next, "started_at"));
        }
    }

    private static long mean(List<Duration> ds) {
        return ds.isEmpty() ? 0 : ds.stream().mapToLong(Duration::toMillis).sum() / ds.size();
    }

    private static long max(List<Duration> ds) {
        return ds.stream().mapToLong(Duration::toMillis).max().orElse(0);
    }
}
