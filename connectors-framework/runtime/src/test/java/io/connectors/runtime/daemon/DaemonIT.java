package io.connectors.runtime.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.runtime.config.ConfigLoader;
import io.connectors.runtime.config.ConnectorsConfig;
import io.connectors.runtime.es.ElasticsearchClients;
import io.connectors.runtime.es.ElasticsearchHandle;
import io.connectors.runtime.ops.DaemonMetrics;
import io.connectors.runtime.state.ConnectorRecords;
import io.connectors.runtime.state.JobRecords;
import io.connectors.runtime.state.JobStatus;
import io.connectors.runtime.state.JobType;
import io.connectors.runtime.state.StateStore;
import io.connectors.runtime.state.StateStore.Versioned;
import io.connectors.runtime.sync.SyncRunner;
import io.connectors.testkit.elasticsearch.ElasticsearchEndpoint;
import io.connectors.testkit.elasticsearch.TestElasticsearch;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/** The daemon against a real Elasticsearch: scheduling across daemons, cancel, suspend and resume, reaping, rules. */
class DaemonIT {
    private static ElasticsearchEndpoint endpoint;
    private static ElasticsearchHandle es;
    private final List<Running> daemons = new ArrayList<>();
    private String prefix;
    private StateStore store;
    private JobRecords jobs;

    private record Running(Daemon daemon, Disposable subscription) {
    }

    @BeforeAll
    static void connect() {
        endpoint = TestElasticsearch.get();
        ConnectorsConfig c = ConfigLoader.fromMap(Map.of("elasticsearch", esSection()), "test", Map.of(), ScriptedSources.registry());
        es = ElasticsearchClients.create(c.elasticsearch().settingsFor(c.elasticsearch().hosts()));
    }

    @AfterAll
    static void close() {
        es.close();
    }

    @BeforeEach
    void isolate() {
        prefix = "t-" + UUID.randomUUID().toString().substring(0, 8);
        store = new StateStore(es.async(), prefix);
        jobs = new JobRecords(store);
        // As `connectors jobs start` requires: the state indices exist before a job is queued.
        store.ensureIndices().block();
    }

    @AfterEach
    void stopDaemons() {
        daemons.forEach(d -> d.subscription().dispose());
    }

    private static Map<String, Object> esSection() {
        Map<String, Object> m = new HashMap<>();
        m.put("host", endpoint.uri().toString());
        if (endpoint.username() != null) {
            m.put("username", endpoint.username());
            m.put("password", endpoint.password());
        }
        return m;
    }

    private Map<String, Object> connector(String id, Map<String, Object> configuration) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("id", id);
        c.put("type", "scripted");
        c.put("index", prefix + "-" + id);
        c.put("configuration", configuration);
        return c;
    }

    private ConnectorsConfig config(String worker, boolean syncOnStart, int maxConcurrent, List<Map<String, Object>> connectors) {
        return config(worker, syncOnStart, maxConcurrent, connectors, "30d");
    }

    private ConnectorsConfig config(String worker, boolean syncOnStart, int maxConcurrent, List<Map<String, Object>> connectors,
                                    String retention) {
        Map<String, Object> yaml = new LinkedHashMap<>();
        yaml.put("elasticsearch", esSection());
        yaml.put("sync", Map.of("max_concurrent_syncs", maxConcurrent, "progress_interval", "1s"));
        yaml.put("daemon", Map.of("sync_on_start", syncOnStart, "worker_id", worker, "poll_interval", "300ms",
                "heartbeat_interval", "500ms", "heartbeat_timeout", "3s", "shutdown_grace", "10s",
                "http", Map.of("enabled", false)));
        yaml.put("state", Map.of("index_prefix", prefix, "job_retention", retention));
        yaml.put("connectors", connectors);
        return ConfigLoader.fromMap(yaml, "test", Map.of(), ScriptedSources.registry());
    }

    private Daemon start(ConnectorsConfig config) {
        DaemonMetrics metrics = new DaemonMetrics();
        Daemon d = new Daemon(config, new StateStore(es.async(), prefix),
                new SyncRunner(es.async(), config.bulk(), config.sync(), metrics.bulkListener()), metrics);
        daemons.add(new Running(d, d.run().subscribe()));
        return d;
    }

    private Versioned job(String id) {
        return jobs.get(id).block();
    }

    private List<Versioned> allJobs() {
        store.refresh(StateStore.Kind.JOBS).block();
        return jobs.recent(Optional.empty(), Optional.empty(), 1000).block();
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
            }
            Thread.sleep(100);
        }
    }

    private String queue(ConnectorsConfig config, String connectorId) {
        return queue(config, connectorId, JobType.FULL);
    }

    private String queue(ConnectorsConfig config, String connectorId, JobType type) {
        var c = config.connector(connectorId).orElseThrow();
        String id = JobRecords.onDemandId(connectorId, type);
        jobs.create(JobRecords.newJob(id, ConnectorRecords.snapshot(c, c.syncRules()), type, "on_demand",
                JobStatus.PENDING, null, null, Instant.now()), true).block();
        return id;
    }

    private static String status(Versioned job) {
        return job == null ? null : String.valueOf(job.doc().get("status"));
    }

    private long count(String index) {
        es.async().indices().refresh(r -> r.index(index)).join();
        return es.async().count(c -> c.index(index)).join().count();
    }

    @Test
    void everyDueJobRunsExactlyOnceAcrossTwoDaemons() throws InterruptedException {
        List<Map<String, Object>> connectors = new ArrayList<>();
        for (String id : List.of("a", "b", "c")) {
            Map<String, Object> c = connector(id, Map.of("docs", 20));
            c.put("schedule", Map.of("full", "0/2 * * * * ?"));
            connectors.add(c);
        }
        Instant begin = Instant.now();
        start(config("worker-1", false, 2, connectors));
        start(config("worker-2", false, 2, connectors));
        Thread.sleep(16_000);
        Instant end = Instant.now();
        daemons.forEach(d -> d.daemon().suspendRunning().block(Duration.ofSeconds(15)));
        daemons.forEach(d -> d.subscription().dispose());
        daemons.clear();

        List<Versioned> all = allJobs();
        assertThat(all).isNotEmpty();
        Map<String, List<Versioned>> byConnector = all.stream().collect(Collectors.groupingBy(j -> (String) j.doc().get("connector_id")));
        assertThat(byConnector.keySet()).containsExactlyInAnyOrder("a", "b", "c");
        java.util.Set<String> workers = new java.util.HashSet<>();
        for (var e : byConnector.entrySet()) {
            List<Instant> dues = new ArrayList<>();
            List<Instant[]> spans = new ArrayList<>();
            for (Versioned j : e.getValue()) {
                Map<String, Object> d = j.doc();
                Instant due = Instant.parse((String) d.get("scheduled_for"));
                dues.add(due);
                if (due.isAfter(begin.plusSeconds(3)) && due.isBefore(end.minusSeconds(4))) {
                    assertThat(d.get("status")).as("job %s", j.id()).isEqualTo("completed");
                    assertThat(((Number) d.get("attempt")).intValue()).as("attempts of %s", j.id()).isEqualTo(1);
                    workers.add((String) d.get("worker"));
                }
                if (d.get("started_at") != null && d.get("completed_at") != null) {
                    spans.add(new Instant[] {Instant.parse((String) d.get("started_at")), Instant.parse((String) d.get("completed_at"))});
                }
            }
            // No due time missed: every even second from start-up to the end has its job.
            for (Instant t = begin.plusSeconds(3).truncatedTo(java.time.temporal.ChronoUnit.SECONDS); t.isBefore(end.minusSeconds(4));
                    t = t.plusSeconds(1)) {
                if (t.getEpochSecond() % 2 == 0) {
                    assertThat(dues).as("connector %s, due at %s", e.getKey(), t).contains(t);
                }
            }
            assertThat(dues).doesNotHaveDuplicates();
            // Never two jobs of one connector at once.
            spans.sort(java.util.Comparator.comparing(s -> s[0]));
            for (int i = 1; i < spans.size(); i++) {
                assertThat(spans.get(i)[0]).as("connector %s jobs overlap", e.getKey()).isAfterOrEqualTo(spans.get(i - 1)[1]);
            }
            assertThat(count(prefix + "-" + e.getKey())).isEqualTo(20);
        }
        assertThat(workers).as("both daemons took jobs").hasSize(2);
    }

    @Test
    void aCanceledJobStopsWithinSecondsAndClosesItsSource() throws InterruptedException {
        int openBefore = ScriptedSources.OPEN.get();
        ConnectorsConfig config = config("worker-1", false, 2, List.of(connector("slow", Map.of("docs", 50_000, "delay_ms", 1))));
        start(config);
        String id = queue(config, "slow");
        await("the job runs and has heartbeated counts", Duration.ofSeconds(30), () -> {
            Versioned j = job(id);
            return "in_progress".equals(status(j)) && ((Map<?, ?>) j.doc().get("counts")).get("seen") instanceof Number n
                    && n.longValue() > 0;
        });
        long asked = System.nanoTime();
        jobs.requestCancel(id, Instant.now()).block();
        await("the job is canceled", Duration.ofSeconds(10), () -> "canceled".equals(status(job(id))));
        Duration took = Duration.ofNanos(System.nanoTime() - asked);
        assertThat(took).isLessThan(Duration.ofSeconds(5));
        await("the source is closed", Duration.ofSeconds(5), () -> ScriptedSources.OPEN.get() == openBefore);
        Versioned record = new ConnectorRecords(store).get("slow").block();
        assertThat(record.doc().get("active_job")).as("lock released").isNull();
        assertThat(((Map<?, ?>) ((Map<?, ?>) record.doc().get("last_sync")).get("full")).get("status")).isEqualTo("canceled");
    }

    @Test
    void shutdownSuspendsTheJobAndTheNextDaemonResumesIt() throws InterruptedException {
        ConnectorsConfig config = config("worker-1", false, 2, List.of(connector("long", Map.of("docs", 3000, "delay_ms", 2))));
        Daemon first = start(config);
        String id = queue(config, "long");
        await("the job runs", Duration.ofSeconds(30), () -> "in_progress".equals(status(job(id))));
        Thread.sleep(1500);
        first.suspendRunning().block(Duration.ofSeconds(15));
        assertThat(status(job(id))).isEqualTo("suspended");
        daemons.forEach(d -> d.subscription().dispose());
        daemons.clear();

        start(config("worker-2", false, 2, List.of(connector("long", Map.of("docs", 3000, "delay_ms", 2)))));
        await("the job is resumed and completes", Duration.ofSeconds(60), () -> "completed".equals(status(job(id))));
        Versioned done = job(id);
        assertThat(done.doc().get("worker")).isEqualTo("worker-2");
        assertThat(done.doc().get("attempt")).isEqualTo(2);
        assertThat(String.valueOf(done.doc().get("notes"))).contains("resumed by worker-2");
        assertThat(count(prefix + "-long")).isEqualTo(3000);
        assertThat(((Map<?, ?>) done.doc().get("counts")).get("total_in_index")).isEqualTo(3000);
    }

    @Test
    void aJobWhoseWorkerStoppedHeartbeatingIsFailedAndItsConnectorFreed() throws InterruptedException {
        ConnectorsConfig config = config("worker-1", false, 2, List.of(connector("orphan", Map.of("docs", 30))));
        var c = config.connector("orphan").orElseThrow();
        store.ensureIndices().block();
        ConnectorRecords connectors = new ConnectorRecords(store);
        connectors.register(c, SyncRunner.fingerprint(c), Instant.now()).block();
        // A job left running by a worker that died.
        Map<String, Object> ghost = JobRecords.newJob("ghost-job", ConnectorRecords.snapshot(c, c.syncRules()), JobType.FULL,
                "scheduled", JobStatus.IN_PROGRESS, null, Instant.now(), Instant.now());
        ghost.put("worker", "ghost");
        ghost.put("started_at", Instant.now().toString());
        ghost.put("last_heartbeat_at", Instant.now().toString());
        jobs.create(ghost, true).block();
        assertThat(connectors.lock("orphan", "ghost-job", "ghost", jobs, Duration.ofHours(1), Instant.now()).block()).isTrue();

        String next = queue(config, "orphan");
        start(config);
        await("the orphaned job is failed", Duration.ofSeconds(20), () -> "error".equals(status(job("ghost-job"))));
        assertThat(String.valueOf(job("ghost-job").doc().get("error"))).contains("ghost stopped heartbeating");
        await("the queued job then runs", Duration.ofSeconds(30), () -> "completed".equals(status(job(next))));
        assertThat(count(prefix + "-orphan")).isEqualTo(30);
    }

    @Test
    void aScheduledJobOfAnUnchangedSourceIsSkipped() throws InterruptedException {
        ConnectorsConfig config = config("worker-1", true, 2, List.of(connector("same", Map.of("docs", 5, "changed", false))));
        start(config);
        await("the start-up job ends", Duration.ofSeconds(30), () -> allJobs().stream().anyMatch(j -> "skipped".equals(status(j))));
        Versioned skipped = allJobs().get(0);
        assertThat(String.valueOf(skipped.doc().get("notes"))).contains("no change");
        assertThat(es.async().indices().exists(e -> e.index(prefix + "-same")).join().value()).as("no scan, no index").isFalse();
    }

    @Test
    void onlyValidSyncRulesAreUsed() throws InterruptedException {
        Map<String, Object> valid = connector("ruled", Map.of("docs", 40));
        valid.put("sync_rules", Map.of("basic", List.of(Map.of("field", "kind", "policy", "exclude", "rule", "equals", "value", "odd"))));
        Map<String, Object> invalid = connector("broken", Map.of("docs", 40));
        invalid.put("sync_rules", Map.of("basic", List.of(Map.of("field", "kind", "policy", "exclude", "rule", "regex", "value", "(odd"))));
        ConnectorsConfig config = config("worker-1", true, 2, List.of(valid, invalid));
        start(config);
        await("both start-up jobs complete", Duration.ofSeconds(30),
                () -> allJobs().stream().filter(j -> "completed".equals(status(j))).count() == 2);
        assertThat(count(prefix + "-ruled")).isEqualTo(20);
        assertThat(count(prefix + "-broken")).isEqualTo(40);
        ConnectorRecords connectors = new ConnectorRecords(store);
        Map<String, Object> ruled = connectors.get("ruled").block().doc();
        Map<String, Object> broken = connectors.get("broken").block().doc();
        assertThat(ConnectorRecords.draftValidation(ruled).get("state")).isEqualTo("valid");
        assertThat(ConnectorRecords.activeRules(ruled).basic()).hasSize(1);
        assertThat(ConnectorRecords.draftValidation(broken).get("state")).isEqualTo("invalid");
        assertThat(String.valueOf(ConnectorRecords.draftValidation(broken).get("messages"))).contains("regex");
        assertThat(ConnectorRecords.activeRules(broken).basic()).isEmpty();
        assertThat(ruled.get("status")).isEqualTo("connected");
    }

    @Test
    void incrementalJobsResumeFromTheSavedCursorAndFallBackToAFullSyncWhenItExpired() throws InterruptedException {
        ScriptedSources.CHANGES.clear();
        ScriptedSources.EXPIRED_BEFORE.set(0);
        ConnectorsConfig config = config("worker-1", false, 2, List.of(connector("inc", Map.of("docs", 10, "incremental", true))));
        start(config);
        ConnectorRecords connectors = new ConnectorRecords(store);

        // No cursor yet: a full sync, which saves the source's cursor taken before it started.
        String first = queue(config, "inc", JobType.INCREMENTAL);
        await("the first incremental job completes", Duration.ofSeconds(30), () -> "completed".equals(status(job(first))));
        assertThat(String.valueOf(job(first).doc().get("notes"))).contains("no saved cursor yet");
        assertThat(((Map<?, ?>) job(first).doc().get("counts")).get("seen")).as("the source is read once").isEqualTo(10);
        assertThat(ConnectorRecords.cursor(connectors.get("inc").block().doc()).orElseThrow().values()).containsEntry("pos", 0);
        assertThat(count(prefix + "-inc")).isEqualTo(10);

        // Changes since the cursor: one new document, one deleted, one updated.
        ScriptedSources.CHANGES.add(new io.connectors.spi.ChangeEvent.Upsert(
                io.connectors.spi.SourceDocument.builder("doc-100").field("n", 100).version("v1").build()));
        ScriptedSources.CHANGES.add(new io.connectors.spi.ChangeEvent.Delete("doc-0"));
        ScriptedSources.CHANGES.add(new io.connectors.spi.ChangeEvent.Upsert(
                io.connectors.spi.SourceDocument.builder("doc-1").field("n", -1).version("v2").build()));
        String second = queue(config, "inc", JobType.INCREMENTAL);
        await("the second incremental job completes", Duration.ofSeconds(30), () -> "completed".equals(status(job(second))));
        Map<?, ?> counts = (Map<?, ?>) job(second).doc().get("counts");
        assertThat(counts.get("deleted")).isEqualTo(1);
        assertThat(counts.get("indexed")).isEqualTo(1);
        assertThat(counts.get("updated")).isEqualTo(1);
        assertThat(ConnectorRecords.cursor(connectors.get("inc").block().doc()).orElseThrow().values()).containsEntry("pos", 3);
        assertThat(count(prefix + "-inc")).isEqualTo(10);
        assertThat(es.async().exists(e -> e.index(prefix + "-inc").id("doc-0")).join().value()).isFalse();
        assertThat(es.async().exists(e -> e.index(prefix + "-inc").id("doc-100")).join().value()).isTrue();

        // The log lost its history: the saved position is refused, a full sync brings the index back to the source.
        ScriptedSources.CHANGES.add(new io.connectors.spi.ChangeEvent.Delete("doc-5"));
        ScriptedSources.EXPIRED_BEFORE.set(4);
        String third = queue(config, "inc", JobType.INCREMENTAL);
        await("the third incremental job completes", Duration.ofSeconds(30), () -> "completed".equals(status(job(third))));
        assertThat(String.valueOf(job(third).doc().get("notes"))).contains("could not be resumed").contains("full sync instead");
        assertThat(((Map<?, ?>) job(third).doc().get("counts")).get("seen")).as("the source is read once").isEqualTo(10);
        assertThat(count(prefix + "-inc")).isEqualTo(10);
        assertThat(es.async().exists(e -> e.index(prefix + "-inc").id("doc-0")).join().value()).isTrue();
        assertThat(es.async().exists(e -> e.index(prefix + "-inc").id("doc-100")).join().value()).isFalse();
        assertThat(ConnectorRecords.cursor(connectors.get("inc").block().doc()).orElseThrow().values()).containsEntry("pos", 4);
        Map<?, ?> lastSync = (Map<?, ?>) connectors.get("inc").block().doc().get("last_sync");
        assertThat(((Map<?, ?>) lastSync.get("incremental")).get("job_id")).isEqualTo(third);
    }

    @Test
    void jobsThatEndedLongerAgoThanTheRetentionAreDeleted() throws InterruptedException {
        ConnectorsConfig config = config("worker-1", false, 2, List.of(connector("kept", Map.of("docs", 1))), "1h");
        var c = config.connector("kept").orElseThrow();
        Instant now = Instant.now();
        for (String id : List.of("old-completed", "old-error", "recent", "old-but-queued")) {
            boolean old = id.startsWith("old");
            JobStatus st = id.endsWith("error") ? JobStatus.ERROR : id.endsWith("queued") ? JobStatus.SUSPENDED : JobStatus.COMPLETED;
            Map<String, Object> doc = JobRecords.newJob(id, ConnectorRecords.snapshot(c, c.syncRules()), JobType.FULL, "scheduled",
                    st, null, null, old ? now.minus(Duration.ofHours(3)) : now);
            if (st.terminal()) {
                doc.put("completed_at", (old ? now.minus(Duration.ofHours(2)) : now).toString());
            }
            jobs.create(doc, true).block();
        }
        start(config);
        await("the old ended jobs are deleted", Duration.ofSeconds(20),
                () -> allJobs().stream().map(Versioned::id).collect(Collectors.toSet()).equals(java.util.Set.of("recent", "old-but-queued")));
    }
}
