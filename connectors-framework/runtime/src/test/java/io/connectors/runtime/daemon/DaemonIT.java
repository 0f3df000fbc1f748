package io.connectors.runtime.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connectors.elasticsearch.local.ElasticsearchEndpoint;
import io.connectors.runtime.ScriptedSources;
import io.connectors.runtime.config.ConfigLoader;
import io.connectors.runtime.config.ConnectorsConfig;
import io.connectors.runtime.es.ElasticsearchClients;
import io.connectors.runtime.es.ElasticsearchHandle;
import io.connectors.runtime.ops.DaemonMetrics;
import io.connectors.runtime.state.ConnectorRecord;
import io.connectors.runtime.state.ConnectorRecords;
import io.connectors.runtime.state.JobRecord;
import io.connectors.runtime.state.JobRecords;
import io.connectors.runtime.state.JobStatus;
import io.connectors.runtime.state.JobType;
import io.connectors.runtime.state.StateStore.Versioned;
import io.connectors.runtime.state.StateStore;
import io.connectors.runtime.sync.SyncRunner;
import io.connectors.runtime.sync.TargetIndex;
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
        yaml.put("sync", Map.of("max_concurrent_syncs", maxConcurrent, "progress_interval", "1s",
                "max_concurrent_splits", 2, "reconcile_batch_size", 50));
        yaml.put("daemon", Map.of("sync_on_start", syncOnStart, "worker_id", worker, "poll_interval", "300ms",
                "heartbeat_interval", "500ms", "heartbeat_timeout", "3s", "shutdown_grace", "10s",
                "http", Map.of("enabled", false), "realtime_restart_delay", "2s"));
        yaml.put("state", Map.of("index_prefix", prefix, "job_retention", retention));
        yaml.put("connectors", connectors);
        return ConfigLoader.fromMap(yaml, "test", Map.of(), ScriptedSources.registry());
    }

    private Daemon start(ConnectorsConfig config) {
        return start(config, new DaemonMetrics());
    }

    private Daemon start(ConnectorsConfig config, DaemonMetrics metrics) {
        Daemon d = new Daemon(config, new StateStore(es.async(), prefix),
                new SyncRunner(es.async(), config.bulk(), config.sync(), metrics.bulkListener()), metrics);
        daemons.add(new Running(d, d.run().subscribe()));
        return d;
    }

    /** A job as stored: these tests read the JSON documents themselves, so they also check the stored format. */
    private Versioned<Map<String, Object>> job(String id) {
        return store.get(StateStore.Kind.JOBS, id).block();
    }

    private List<Versioned<Map<String, Object>>> allJobs() {
        store.refresh(StateStore.Kind.JOBS).block();
        return jobs.recent(Optional.empty(), Optional.empty(), 1000).block().stream()
                .map(v -> store.get(StateStore.Kind.JOBS, v.id()).block())
                .filter(java.util.Objects::nonNull) // deleted between the search and the read
                .toList();
    }

    private Map<String, Object> connectorJson(String id) {
        return store.get(StateStore.Kind.CONNECTORS, id).block().doc();
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
        jobs.create(JobRecords.newJob(id, ConnectorRecords.snapshot(c, c.syncRules()), type, JobRecord.Trigger.ON_DEMAND,
                JobStatus.PENDING, null, null, Instant.now()), true).block();
        return id;
    }

    private static String status(Versioned<Map<String, Object>> job) {
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

        List<Versioned<Map<String, Object>>> all = allJobs();
        assertThat(all).isNotEmpty();
        Map<String, List<Versioned<Map<String, Object>>>> byConnector = all.stream().collect(Collectors.groupingBy(j -> (String) j.doc().get("connector_id")));
        assertThat(byConnector.keySet()).containsExactlyInAnyOrder("a", "b", "c");
        java.util.Set<String> workers = new java.util.HashSet<>();
        for (var e : byConnector.entrySet()) {
            List<Instant> dues = new ArrayList<>();
            List<Instant[]> spans = new ArrayList<>();
            for (Versioned<Map<String, Object>> j : e.getValue()) {
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
            Versioned<Map<String, Object>> j = job(id);
            return "in_progress".equals(status(j)) && ((Map<?, ?>) j.doc().get("counts")).get("seen") instanceof Number n
                    && n.longValue() > 0;
        });
        long asked = System.nanoTime();
        jobs.requestCancel(id, Instant.now()).block();
        await("the job is canceled", Duration.ofSeconds(10), () -> "canceled".equals(status(job(id))));
        Duration took = Duration.ofNanos(System.nanoTime() - asked);
        assertThat(took).isLessThan(Duration.ofSeconds(5));
        await("the source is closed", Duration.ofSeconds(5), () -> ScriptedSources.OPEN.get() == openBefore);
        // The job record, the source and the connector's lock are released one after the other: wait for the last.
        await("the lock is released", Duration.ofSeconds(5),
                () -> new ConnectorRecords(store).get("slow").block().doc().activeJob() == null);
        Map<String, Object> record = connectorJson("slow");
        assertThat(((Map<?, ?>) ((Map<?, ?>) record.get("last_sync")).get("full")).get("status")).isEqualTo("canceled");
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
        Versioned<Map<String, Object>> done = job(id);
        assertThat(done.doc().get("worker")).isEqualTo("worker-2");
        assertThat(done.doc().get("attempt")).isEqualTo(2);
        assertThat(String.valueOf(done.doc().get("notes"))).contains("resumed by worker-2");
        assertThat(count(prefix + "-long")).isEqualTo(3000);
        assertThat(((Map<?, ?>) done.doc().get("counts")).get("total_in_index")).isEqualTo(3000);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> splits(Versioned<Map<String, Object>> job) {
        return (List<Map<String, Object>>) job.doc().getOrDefault("splits", List.of());
    }

    private static long counted(Versioned<Map<String, Object>> job, String name) {
        Object v = ((Map<?, ?>) job.doc().get("counts")).get(name);
        return v == null ? 0 : ((Number) v).longValue();
    }

    @Test
    void twoDaemonsShareTheSplitsOfOneJob() throws InterruptedException {
        Map<String, Object> source = Map.of("docs", 4000, "delay_ms", 2, "splits", 10);
        ConnectorsConfig config = config("worker-1", false, 2, List.of(connector("shared", source)));
        start(config);
        start(config("worker-2", false, 2, List.of(connector("shared", source))));
        String id = queue(config, "shared");
        await("the job completes", Duration.ofSeconds(90), () -> "completed".equals(status(job(id))));
        Versioned<Map<String, Object>> done = job(id);
        List<Map<String, Object>> splits = splits(done);
        assertThat(splits).hasSize(10).allSatisfy(s -> assertThat(s).containsEntry("state", "done"));
        assertThat(splits.stream().map(s -> s.get("worker")).distinct()).as("both daemons read splits")
                .containsExactlyInAnyOrder("worker-1", "worker-2");
        assertThat(splits.stream().mapToLong(s -> ((Number) s.get("seen")).longValue()).sum()).isEqualTo(4000);
        assertThat(done.doc()).containsEntry("open_splits", 0);
        assertThat(count(prefix + "-shared")).isEqualTo(4000);
        // The ids the splits saved for the deletion pass are deleted once the job's end is recorded.
        io.connectors.runtime.state.SplitIds ids = new io.connectors.runtime.state.SplitIds(store);
        await("the split ids are deleted", Duration.ofSeconds(20), () -> ids.read(id).collectList().block().isEmpty());
    }

    @Test
    void aSuspendedSplitJobResumesFromItsPositionsAndReadsNothingTwice() throws InterruptedException {
        Map<String, Object> source = Map.of("docs", 3000, "delay_ms", 2, "splits", 6);
        ConnectorsConfig config = config("worker-1", false, 2, List.of(connector("split-long", source)));
        Daemon first = start(config);
        String id = queue(config, "split-long");
        await("the job runs", Duration.ofSeconds(30), () -> "in_progress".equals(status(job(id))));
        Thread.sleep(2000);
        first.suspendRunning().block(Duration.ofSeconds(15));
        Versioned<Map<String, Object>> suspended = job(id);
        assertThat(status(suspended)).isEqualTo("suspended");
        long covered = splits(suspended).stream().mapToLong(s -> ((Number) s.get("seen")).longValue()).sum();
        assertThat(covered).as("positions saved by the suspension").isBetween(1L, 2999L);
        assertThat(splits(suspended)).noneMatch(s -> "running".equals(s.get("state")));
        daemons.forEach(d -> d.subscription().dispose());
        daemons.clear();

        start(config("worker-2", false, 2, List.of(connector("split-long", source))));
        await("the job is resumed and completes", Duration.ofSeconds(60), () -> "completed".equals(status(job(id))));
        Versioned<Map<String, Object>> done = job(id);
        assertThat(done.doc().get("worker")).isEqualTo("worker-2");
        // Done splits and saved positions together: what the first attempt read, none of it read again.
        assertThat(counted(done, "skipped_by_resume")).isEqualTo(covered);
        assertThat(counted(done, "seen")).as("the resumed attempt read only the rest").isEqualTo(3000 - covered);
        assertThat(count(prefix + "-split-long")).isEqualTo(3000);
    }

    @Test
    void aDeadCoordinatorsSplitJobIsQueuedAgainAndItsSplitsTakenOver() throws InterruptedException {
        Map<String, Object> source = Map.of("docs", 3000, "delay_ms", 2, "splits", 6);
        ConnectorsConfig config = config("worker-1", false, 2, List.of(connector("split-dead", source)));
        start(config);
        String id = queue(config, "split-dead");
        await("positions are saved", Duration.ofSeconds(30), () -> job(id) != null
                && splits(job(id)).stream().anyMatch(s -> s.get("position") != null));
        // Killed: no suspension, no release; its job and splits are left to their heartbeats.
        daemons.forEach(d -> d.subscription().dispose());
        daemons.clear();
        Versioned<Map<String, Object>> left = job(id);
        long covered = splits(left).stream().mapToLong(s -> ((Number) s.get("seen")).longValue()).sum();

        start(config("worker-2", false, 2, List.of(connector("split-dead", source))));
        await("the job is resumed and completes", Duration.ofSeconds(90), () -> "completed".equals(status(job(id))));
        Versioned<Map<String, Object>> done = job(id);
        assertThat(String.valueOf(done.doc().get("notes"))).contains("worker-1 stopped heartbeating")
                .contains("resumed by worker-2");
        java.util.Set<Object> unfinished = splits(left).stream().filter(s -> !"done".equals(s.get("state")))
                .map(s -> s.get("id")).collect(java.util.stream.Collectors.toSet());
        assertThat(unfinished).isNotEmpty();
        assertThat(splits(done)).allSatisfy(s -> assertThat(s).containsEntry("state", "done"));
        assertThat(splits(done)).filteredOn(s -> unfinished.contains(s.get("id")))
                .allSatisfy(s -> assertThat(s).as("taken over").containsEntry("worker", "worker-2"));
        assertThat(counted(done, "skipped_by_resume")).isGreaterThanOrEqualTo(covered);
        assertThat(count(prefix + "-split-dead")).isEqualTo(3000);
    }

    @Test
    void aJobRecordThisVersionCannotReadIsLeftAloneAndTheOthersRun() throws InterruptedException {
        ConnectorsConfig config = config("worker-1", false, 2, List.of(connector("odd", Map.of("docs", 20))));
        store.ensureIndices().block();
        // Written by a newer daemon: queued, but of a job type this version does not know.
        Map<String, Object> odd = new java.util.LinkedHashMap<>(JobRecords.newJob("odd-job", Map.of("id", "odd"),
                JobType.FULL, JobRecord.Trigger.ON_DEMAND, JobStatus.PENDING, null, null,
                Instant.now().minusSeconds(60)).toJson());
        odd.put("job_type", "reindex");
        store.create(StateStore.Kind.JOBS, "odd-job", odd, true).block();

        String next = queue(config, "odd");
        start(config);
        await("the readable job runs", Duration.ofSeconds(30), () -> "completed".equals(status(job(next))));
        assertThat(count(prefix + "-odd")).isEqualTo(20);
        assertThat(job("odd-job").doc()).as("left as it was").containsEntry("status", "pending")
                .containsEntry("job_type", "reindex");
    }

    @Test
    void aJobWhoseWorkerStoppedHeartbeatingIsFailedAndItsConnectorFreed() throws InterruptedException {
        ConnectorsConfig config = config("worker-1", false, 2, List.of(connector("orphan", Map.of("docs", 30))));
        var c = config.connector("orphan").orElseThrow();
        store.ensureIndices().block();
        ConnectorRecords connectors = new ConnectorRecords(store);
        connectors.register(c, SyncRunner.fingerprint(c), Instant.now()).block();
        // A job left running by a worker that died.
        JobRecord ghost = JobRecords.newJob("ghost-job", ConnectorRecords.snapshot(c, c.syncRules()), JobType.FULL,
                JobRecord.Trigger.SCHEDULED, JobStatus.IN_PROGRESS, null, Instant.now(), Instant.now()).with(b -> {
                    b.worker = "ghost";
                    b.startedAt = Instant.now();
                    b.lastHeartbeatAt = Instant.now();
                });
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
        DaemonMetrics metrics = new DaemonMetrics();
        start(config, metrics);
        await("the skip is counted on the connector", Duration.ofSeconds(30), () -> skippedTicks("same") != null);
        await("the skip is counted", Duration.ofSeconds(10),
                () -> metrics.scrape().contains("connectors_skipped_ticks_total{connector=\"same\",reason=\"unchanged\"} 1.0"));
        assertThat(skippedTicks("same")).containsEntry("count", 1).containsKey("last_at");
        assertThat(String.valueOf(skippedTicks("same").get("last_reason"))).contains("no change");
        await("no job record is kept of it", Duration.ofSeconds(10), () -> allJobs().isEmpty());
        assertThat(connectorJson("same").get("last_sync")).as("no sync ran: none is the last").isNull();
        assertThat(es.async().indices().exists(e -> e.index(prefix + "-same")).join().value()).as("no scan, no index").isFalse();
    }

    @Test
    void metricsSayWhenEachConnectorLastSucceededHowLongItTookAndHowManyDocumentsItsIndexHolds() throws InterruptedException {
        ConnectorsConfig config = config("worker-1", false, 2, List.of(connector("metered", Map.of("docs", 25))));
        DaemonMetrics metrics = new DaemonMetrics();
        long before = Instant.now().getEpochSecond();
        start(config, metrics);
        String id = queue(config, "metered");
        await("the job completes", Duration.ofSeconds(30), () -> "completed".equals(status(job(id))));
        await("its metrics are set", Duration.ofSeconds(10),
                () -> metrics.scrape().contains("connectors_index_documents{connector=\"metered\"}"));

        String text = metrics.scrape();
        assertThat(text).contains("connectors_index_documents{connector=\"metered\"} 25.0");
        assertThat(text).contains("# TYPE connectors_last_success_timestamp_seconds gauge");
        java.util.regex.Matcher last = java.util.regex.Pattern
                .compile("connectors_last_success_timestamp_seconds\\{connector=\"metered\",job_type=\"full\"} ([0-9.E]+)")
                .matcher(text);
        assertThat(last.find()).as(text).isTrue();
        assertThat((long) Double.parseDouble(last.group(1))).isBetween(before, Instant.now().getEpochSecond());
        assertThat(text).contains("connectors_sync_duration_seconds_count{connector=\"metered\",job_type=\"full\",status=\"completed\"} 1");
        assertThat(text).contains("connectors_sync_duration_seconds_sum{connector=\"metered\",job_type=\"full\",status=\"completed\"}");
    }

    private io.connectors.runtime.daemon.ConnectorControl control() {
        return new io.connectors.runtime.daemon.ConnectorControl(new ConnectorRecords(store), java.time.Clock.systemUTC());
    }

    @Test
    void aPausedConnectorStartsNothingOnAnyDaemonItsRunningJobIsSuspendedAndResumeContinuesIt() throws InterruptedException {
        List<Map<String, Object>> connectors = List.of(connector("paused", Map.of("docs", 600, "delay_ms", 10, "splits", 4)));
        start(config("worker-1", false, 1, connectors));
        start(config("worker-2", false, 1, connectors));
        String id = queue(config("worker-1", false, 1, connectors), "paused");
        await("the job runs", Duration.ofSeconds(30), () -> "in_progress".equals(status(job(id))) && seen(job(id)) > 50);

        var paused = control().apply("paused", io.connectors.runtime.daemon.ConnectorControl.Action.PAUSE, "ops@test",
                "index maintenance").block();
        assertThat(paused.message()).contains("paused").contains(id);
        await("the running job is suspended", Duration.ofSeconds(15), () -> "suspended".equals(status(job(id))));
        long before = count(prefix + "-paused");
        Thread.sleep(2_000); // several poll intervals of both daemons
        assertThat(status(job(id))).as("neither daemon takes a paused connector's job").isEqualTo("suspended");
        assertThat(count(prefix + "-paused")).isEqualTo(before);
        @SuppressWarnings("unchecked")
        Map<String, Object> recorded = (Map<String, Object>) connectorJson("paused").get("control");
        assertThat(recorded).containsEntry("paused", true).containsEntry("paused_by", "ops@test")
                .containsEntry("reason", "index maintenance");

        control().apply("paused", io.connectors.runtime.daemon.ConnectorControl.Action.RESUME, "ops@test", null).block();
        await("the job resumes and completes", Duration.ofSeconds(60), () -> "completed".equals(status(job(id))));
        assertThat(count(prefix + "-paused")).isEqualTo(600);
        assertThat(((Number) job(id).doc().get("attempt")).intValue()).isEqualTo(2);
        assertThat(counted(job(id), "skipped_by_resume")).as("the splits' positions were kept").isPositive();
    }

    @Test
    void scheduledTicksOfAPausedConnectorAreCountedNotRun() throws InterruptedException {
        Map<String, Object> c = connector("ticking", Map.of("docs", 5));
        c.put("schedule", Map.of("full", "* * * * * ?"));
        start(config("worker-1", false, 2, List.of(c)));
        await("a scheduled job completes", Duration.ofSeconds(20),
                () -> scheduled("ticking").stream().anyMatch(j -> "completed".equals(status(j))));
        control().apply("ticking", io.connectors.runtime.daemon.ConnectorControl.Action.PAUSE, "ops@test", null).block();
        Thread.sleep(1_500); // the job of a tick already under way ends
        int jobsWhenPaused = scheduled("ticking").size();
        await("ticks are counted as skipped", Duration.ofSeconds(10), () -> skippedTicks("ticking") != null
                && ((Number) skippedTicks("ticking").get("count")).intValue() >= 2);
        assertThat(skippedTicks("ticking")).containsEntry("last_reason", "the connector is paused");
        assertThat(scheduled("ticking")).as("no job created while paused").hasSize(jobsWhenPaused);

        control().apply("ticking", io.connectors.runtime.daemon.ConnectorControl.Action.RESUME, "ops@test", null).block();
        await("jobs are scheduled again", Duration.ofSeconds(10), () -> scheduled("ticking").size() > jobsWhenPaused);
    }

    @Test
    void aRestartSuspendsTheRunningJobAndTakesItUpAgainAtOnceWithANewSource() throws InterruptedException {
        ConnectorsConfig config = config("worker-1", false, 1, List.of(connector("restarted", Map.of("docs", 600,
                "delay_ms", 10, "splits", 4))));
        start(config);
        String id = queue(config, "restarted");
        await("the job runs", Duration.ofSeconds(30), () -> "in_progress".equals(status(job(id))) && seen(job(id)) > 50);
        var restart = control().apply("restarted", io.connectors.runtime.daemon.ConnectorControl.Action.RESTART, "ops@test",
                null).block();
        assertThat(restart.message()).contains(id).contains("new source");
        await("the job is taken up again", Duration.ofSeconds(20),
                () -> ((Number) job(id).doc().get("attempt")).intValue() == 2);
        await("and completes", Duration.ofSeconds(60), () -> "completed".equals(status(job(id))));
        assertThat(count(prefix + "-restarted")).isEqualTo(600);
        assertThat(counted(job(id), "skipped_by_resume")).isPositive();

        control().apply("restarted", io.connectors.runtime.daemon.ConnectorControl.Action.PAUSE, "ops@test", null).block();
        assertThatThrownBy(() -> control().apply("restarted", io.connectors.runtime.daemon.ConnectorControl.Action.RESTART,
                "ops@test", null).block()).isInstanceOf(io.connectors.runtime.daemon.ConnectorControl.RefusedException.class)
                .hasMessageContaining("is paused").hasMessageContaining("connectors resume restarted");
        assertThatThrownBy(() -> control().apply("nope", io.connectors.runtime.daemon.ConnectorControl.Action.PAUSE,
                "ops@test", null).block()).isInstanceOf(io.connectors.runtime.daemon.ConnectorControl.UnknownConnectorException.class)
                .hasMessageContaining("no connector 'nope'").hasMessageContaining("restarted");
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
        ConnectorRecord ruled = connectors.get("ruled").block().doc();
        ConnectorRecord broken = connectors.get("broken").block().doc();
        assertThat(ConnectorRecords.draftValidation(ruled).get("state")).isEqualTo("valid");
        assertThat(ConnectorRecords.activeRules(ruled).basic()).hasSize(1);
        assertThat(ConnectorRecords.draftValidation(broken).get("state")).isEqualTo("invalid");
        assertThat(String.valueOf(ConnectorRecords.draftValidation(broken).get("messages"))).contains("regex");
        assertThat(ConnectorRecords.activeRules(broken).basic()).isEmpty();
        assertThat(ruled.status()).isEqualTo("connected");
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
        Map<?, ?> lastSync = (Map<?, ?>) connectorJson("inc").get("last_sync");
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
            JobRecord doc = JobRecords.newJob(id, ConnectorRecords.snapshot(c, c.syncRules()), JobType.FULL,
                    JobRecord.Trigger.SCHEDULED, st, null, null, old ? now.minus(Duration.ofHours(3)) : now);
            if (st.terminal()) {
                doc = doc.with(b -> b.completedAt = old ? now.minus(Duration.ofHours(2)) : now);
            }
            jobs.create(doc, true).block();
        }
        start(config);
        await("the old ended jobs are deleted", Duration.ofSeconds(20),
                () -> allJobs().stream().map(Versioned<Map<String, Object>>::id).collect(Collectors.toSet()).equals(java.util.Set.of("recent", "old-but-queued")));
    }

    // ---------------------------------------------------------------- change watches

    private Map<String, Object> watched(String id) {
        Map<String, Object> c = connector(id, Map.of("docs", 10, "watch", true, "changed", true));
        c.put("schedule", Map.of("full", "0/2 * * * * ?"));
        return c;
    }

    /** The connector's scheduled jobs, by due time. */
    private List<Versioned<Map<String, Object>>> scheduled(String connectorId) {
        return allJobs().stream()
                .filter(j -> connectorId.equals(j.doc().get("connector_id")) && j.doc().get("scheduled_for") != null)
                .sorted(java.util.Comparator.comparing(j -> Instant.parse((String) j.doc().get("scheduled_for"))))
                .toList();
    }

    private static Instant due(Versioned<Map<String, Object>> job) {
        return Instant.parse((String) job.doc().get("scheduled_for"));
    }

    /** The connector record's count of scheduled ticks that ran nothing; null when none did. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> skippedTicks(String connectorId) {
        store.refresh(StateStore.Kind.CONNECTORS).block();
        Versioned<Map<String, Object>> c = store.get(StateStore.Kind.CONNECTORS, connectorId).block();
        return c == null ? null : (Map<String, Object>) c.doc().get("skipped_ticks");
    }

    /**
     * A completed job due after {@code after}, then a later tick skipped by the watcher that names it (counted on the
     * connector record, no job record kept); emits the first.
     */
    private Optional<Versioned<Map<String, Object>>> completedThenSkippedByTheWatcher(String connectorId, Instant after) {
        Map<String, Object> ticks = skippedTicks(connectorId);
        if (ticks == null) {
            return Optional.empty();
        }
        String reason = String.valueOf(ticks.get("last_reason"));
        return scheduled(connectorId).stream()
                .filter(j -> due(j).isAfter(after) && "completed".equals(status(j)))
                .filter(j -> reason.contains("the change watcher saw no change since the last completed sync (job " + j.id() + ")"))
                .findFirst();
    }

    @Test
    void theChangeWatcherSkipsScheduledSyncsWhileNothingChangesAndRunsThemAfterAChange() throws InterruptedException {
        ScriptedSources.WatchScript script = ScriptedSources.watch("watched");
        start(config("worker-1", false, 2, List.of(watched("watched"))));
        await("the watch is subscribed", Duration.ofSeconds(20), () -> script.subscriptions.get() == 1);
        // changed() says true: only the watcher can skip.
        await("a completed sync, then one skipped by the watcher", Duration.ofSeconds(30),
                () -> completedThenSkippedByTheWatcher("watched", Instant.EPOCH).isPresent());
        assertThat(allJobs()).as("no job record is kept of a skipped tick").noneMatch(j -> "skipped".equals(status(j)));

        script.changed();
        Instant changed = Instant.now();
        await("the next sync runs, and the one after is skipped again", Duration.ofSeconds(30),
                () -> completedThenSkippedByTheWatcher("watched", changed).isPresent());
        Versioned<Map<String, Object>> first = scheduled("watched").stream().filter(j -> due(j).isAfter(changed)).findFirst().orElseThrow();
        await("the first sync due after the change ends", Duration.ofSeconds(10), () -> JobStatus.of(status(job(first.id()))).terminal());
        assertThat(status(job(first.id()))).isEqualTo("completed");
        assertThat(script.subscriptions.get()).isEqualTo(1);
    }

    @Test
    void aLostWatchIsForgottenSoTheNextScheduledSyncRuns() throws InterruptedException {
        ScriptedSources.WatchScript script = ScriptedSources.watch("flaky");
        start(config("worker-1", false, 2, List.of(watched("flaky"))));
        await("a sync skipped by the watcher", Duration.ofSeconds(30),
                () -> completedThenSkippedByTheWatcher("flaky", Instant.EPOCH).isPresent());

        script.fail("connection reset");
        Instant failed = Instant.now();
        await("the watch is subscribed again after a back-off", Duration.ofSeconds(10), () -> script.subscriptions.get() == 2);
        await("a sync due after the failure ends", Duration.ofSeconds(20), () -> scheduled("flaky").stream()
                .anyMatch(j -> due(j).isAfter(failed) && JobStatus.of(status(j)).terminal()));
        Versioned<Map<String, Object>> first = scheduled("flaky").stream().filter(j -> due(j).isAfter(failed)).findFirst().orElseThrow();
        assertThat(status(first)).as("the first sync due after the watch was lost reads the source").isEqualTo("completed");
        await("then syncs are skipped again", Duration.ofSeconds(30),
                () -> completedThenSkippedByTheWatcher("flaky", failed).isPresent());
    }

    @Test
    void aSyncWithRefusedDocumentsEndsCompletedWithErrorsAndIsNoCleanSyncForTheWatcher() throws Exception {
        ScriptedSources.WatchScript script = ScriptedSources.watch("refused");
        // The index maps `kind` as a number: Elasticsearch refuses every document ("even", "odd").
        Map<String, Object> properties = new LinkedHashMap<>(TargetIndex.bookkeepingProperties());
        properties.put("kind", Map.of("type", "long"));
        String mappings = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(Map.of("mappings",
                Map.of("dynamic", true, "properties", properties)));
        es.async().indices().create(c -> c.index(prefix + "-refused").withJson(new java.io.StringReader(mappings))).join();
        start(config("worker-1", false, 2, List.of(watched("refused"))));
        await("the watch is subscribed", Duration.ofSeconds(20), () -> script.subscriptions.get() == 1);

        await("three scheduled syncs completed with errors", Duration.ofSeconds(30), () -> scheduled("refused").stream()
                .filter(j -> "completed_with_errors".equals(status(j))).count() >= 3);
        List<Versioned<Map<String, Object>>> jobs = scheduled("refused");
        assertThat(jobs).as("no sync is skipped by the watcher: none left the index equal to the source")
                .noneMatch(j -> String.valueOf(j.doc().get("notes")).contains("change watcher"))
                .noneMatch(j -> "completed".equals(status(j)));
        Versioned<Map<String, Object>> first = jobs.stream().filter(j -> "completed_with_errors".equals(status(j))).findFirst().orElseThrow();
        assertThat(((Map<?, ?>) first.doc().get("counts")).get("failed")).isEqualTo(10);
        assertThat(first.doc().get("error")).isNull();
        assertThat((List<?>) first.doc().get("failed_documents")).hasSize(10);

        Map<String, Object> connector = connectorJson("refused");
        assertThat(connector.get("status")).as("the backend is fine").isEqualTo("connected");
        assertThat(((Map<?, ?>) ((Map<?, ?>) connector.get("last_sync")).get("full")).get("status"))
                .isEqualTo("completed_with_errors");
    }

    // ---------------------------------------------------------------- real time

    private Map<String, Object> live(String id, int docs) {
        Map<String, Object> c = connector(id, Map.of("docs", docs, "realtime", true));
        c.put("realtime", true);
        return c;
    }

    private List<Versioned<Map<String, Object>>> realtimeJobs(String connectorId) {
        return allJobs().stream().filter(j -> connectorId.equals(j.doc().get("connector_id"))
                && "realtime".equals(j.doc().get("job_type"))).toList();
    }

    private Optional<Versioned<Map<String, Object>>> running(String connectorId) {
        return realtimeJobs(connectorId).stream().filter(j -> "in_progress".equals(status(j))).findFirst();
    }

    private int cursorPos(String connectorId) {
        Versioned<ConnectorRecord> c = new ConnectorRecords(store).get(connectorId).block();
        return c == null ? -1 : ConnectorRecords.cursor(c.doc()).map(x -> ((Number) x.values().get("pos")).intValue()).orElse(-1);
    }

    /** Visible to search (near real time, no explicit refresh). */
    private boolean searchable(String index, String id) {
        return es.async().count(c -> c.index(index).query(q -> q.ids(i -> i.values(id)))).join().count() > 0;
    }

    /** Written (a real-time get). */
    private boolean stored(String index, String id) {
        return es.async().exists(e -> e.index(index).id(id)).join().value();
    }

    private static long seen(Versioned<Map<String, Object>> job) {
        Object counts = job == null ? null : job.doc().get("counts");
        Object n = counts instanceof Map<?, ?> m ? m.get("seen") : null;
        return n instanceof Number x ? x.longValue() : 0;
    }

    private static io.connectors.spi.ChangeEvent upsert(String id, Object n) {
        return new io.connectors.spi.ChangeEvent.Upsert(io.connectors.spi.SourceDocument.builder(id).field("n", n).version("v" + n).build());
    }

    private void resetChangeLog() {
        ScriptedSources.CHANGES.clear();
        ScriptedSources.EXPIRED_BEFORE.set(0);
    }

    @Test
    void aRealtimeJobKeepsTheIndexWithinSecondsOfTheSourceAndSavesTheCursorAfterTheWrites() throws InterruptedException {
        resetChangeLog();
        String index = prefix + "-live";
        // sync_on_start: a real-time connector gets no start-up full sync; its real-time job runs one.
        start(config("worker-1", true, 2, List.of(live("live", 5))));
        await("the real-time job runs its first full sync", Duration.ofSeconds(30),
                () -> running("live").isPresent() && cursorPos("live") == 0);
        Versioned<Map<String, Object>> job = running("live").orElseThrow();
        assertThat(job.id()).matches("live-realtime-\\d{8}T\\d{6}Z");
        assertThat(job.doc().get("trigger")).isEqualTo("realtime");
        assertThat(count(index)).isEqualTo(5);

        for (int i = 0; i < 3; i++) {
            String id = "doc-10" + i;
            long start = System.nanoTime();
            ScriptedSources.CHANGES.add(upsert(id, 100 + i));
            int pos = ScriptedSources.CHANGES.size();
            await(id + " searchable", Duration.ofSeconds(10), () -> searchable(index, id));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).as("%s visible in search", id).isLessThan(Duration.ofMillis(2500));
            await("the cursor moves past " + id, Duration.ofSeconds(10), () -> cursorPos("live") == pos);
        }
        // Every cursor save follows the acknowledgement of the writes before it.
        for (int i = 0; i < 5; i++) {
            String id = "late-" + i;
            ScriptedSources.CHANGES.add(upsert(id, i));
            int pos = ScriptedSources.CHANGES.size();
            await("the cursor moves past " + id, Duration.ofSeconds(10), () -> cursorPos("live") >= pos);
            assertThat(stored(index, id)).as("%s written before the cursor covering it was saved", id).isTrue();
        }
        ScriptedSources.CHANGES.add(new io.connectors.spi.ChangeEvent.Delete("doc-0"));
        await("the deletion is visible", Duration.ofSeconds(5), () -> !searchable(index, "doc-0"));

        assertThat(realtimeJobs("live")).hasSize(1);
        assertThat(allJobs()).as("no start-up full sync").allMatch(j -> "realtime".equals(j.doc().get("job_type")));
        await("the job heartbeats its counts", Duration.ofSeconds(5), () -> seen(job(job.id())) == 5 + 3 + 5);
        assertThat(status(job(job.id()))).isEqualTo("in_progress");
    }

    @Test
    void aFailedWriteEndsTheRealtimeJobAndTheNextOneStartsAfterTheDelayFromTheLastSafeCursor() throws InterruptedException {
        resetChangeLog();
        String index = prefix + "-rtfail";
        start(config("worker-1", false, 2, List.of(live("rtfail", 3))));
        await("the real-time job follows", Duration.ofSeconds(30), () -> running("rtfail").isPresent() && cursorPos("rtfail") == 0);
        String first = running("rtfail").orElseThrow().id();
        ScriptedSources.CHANGES.add(upsert("doc-100", 100));
        await("the first change is applied", Duration.ofSeconds(10), () -> cursorPos("rtfail") == 1);

        // n is mapped as a number: Elasticsearch refuses this one.
        ScriptedSources.CHANGES.add(upsert("doc-bad", "not a number"));
        await("the job fails", Duration.ofSeconds(10), () -> "error".equals(status(job(first))));
        Versioned<Map<String, Object>> failed = job(first);
        assertThat(String.valueOf(failed.doc().get("error"))).contains("1 change was not applied").contains("real-time job");
        assertThat(cursorPos("rtfail")).as("the cursor stays before the refused change").isEqualTo(1);

        ScriptedSources.CHANGES.set(1, upsert("doc-bad", 7));
        await("the next real-time job runs", Duration.ofSeconds(15),
                () -> running("rtfail").filter(j -> !j.id().equals(first)).isPresent());
        Versioned<Map<String, Object>> second = running("rtfail").orElseThrow();
        Instant ended = Instant.parse((String) failed.doc().get("completed_at"));
        Instant created = Instant.parse((String) second.doc().get("created_at"));
        assertThat(Duration.between(ended, created)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(String.valueOf(second.doc().get("reason"))).contains("restarted after job " + first);
        await("the corrected change is applied", Duration.ofSeconds(10), () -> cursorPos("rtfail") == 2 && stored(index, "doc-bad"));
        await("the job heartbeats its counts", Duration.ofSeconds(5), () -> seen(job(second.id())) == 1);
        assertThat(seen(job(second.id()))).as("followed from the saved cursor, no full sync").isEqualTo(1);
        assertThat(realtimeJobs("rtfail")).hasSize(2);
    }

    @Test
    void anExpiredCursorFallsBackToAFullSyncAndTheJobFollowsOn() throws InterruptedException {
        resetChangeLog();
        String index = prefix + "-rtexp";
        start(config("worker-1", false, 2, List.of(live("rtexp", 4))));
        await("the real-time job follows", Duration.ofSeconds(30), () -> running("rtexp").isPresent() && cursorPos("rtexp") == 0);
        String id = running("rtexp").orElseThrow().id();
        ScriptedSources.CHANGES.add(upsert("doc-100", 100));
        await("the change is applied", Duration.ofSeconds(10), () -> cursorPos("rtexp") == 1 && stored(index, "doc-100"));

        // The log loses its history past the follower's position: a full sync brings the index back to the source.
        ScriptedSources.EXPIRED_BEFORE.set(2);
        await("the full sync saved the cursor taken before it", Duration.ofSeconds(20), () -> cursorPos("rtexp") == 2);
        await("the index is the source's listing again", Duration.ofSeconds(10), () -> !stored(index, "doc-100"));
        ScriptedSources.CHANGES.add(upsert("lost", 0));
        ScriptedSources.CHANGES.add(upsert("doc-200", 200));
        await("the job follows on from the new cursor", Duration.ofSeconds(10), () -> cursorPos("rtexp") == 3 && stored(index, "doc-200"));
        assertThat(stored(index, "lost")).isFalse();
        assertThat(status(job(id))).isEqualTo("in_progress");
        assertThat(realtimeJobs("rtexp")).hasSize(1);
        assertThat(count(index)).isEqualTo(5);
    }

    @Test
    void aSuspendedRealtimeJobIsResumedByTheNextDaemonFromTheSavedCursor() throws InterruptedException {
        resetChangeLog();
        String index = prefix + "-rtsus";
        Daemon first = start(config("worker-1", false, 2, List.of(live("rtsus", 3))));
        await("the real-time job follows", Duration.ofSeconds(30), () -> running("rtsus").isPresent() && cursorPos("rtsus") == 0);
        String id = running("rtsus").orElseThrow().id();
        ScriptedSources.CHANGES.add(upsert("doc-100", 100));
        await("the change is applied", Duration.ofSeconds(10), () -> cursorPos("rtsus") == 1);

        first.suspendRunning().block(Duration.ofSeconds(15));
        assertThat(status(job(id))).isEqualTo("suspended");
        daemons.forEach(d -> d.subscription().dispose());
        daemons.clear();
        ScriptedSources.CHANGES.add(upsert("doc-101", 101));

        start(config("worker-2", false, 2, List.of(live("rtsus", 3))));
        await("the job is resumed and applies what changed meanwhile", Duration.ofSeconds(30),
                () -> cursorPos("rtsus") == 2 && stored(index, "doc-101"));
        Versioned<Map<String, Object>> resumed = job(id);
        assertThat(status(resumed)).isEqualTo("in_progress");
        assertThat(resumed.doc().get("worker")).isEqualTo("worker-2");
        assertThat(resumed.doc().get("attempt")).isEqualTo(2);
        assertThat(String.valueOf(resumed.doc().get("notes"))).contains("resumed by worker-2");
        await("the job heartbeats its counts", Duration.ofSeconds(5), () -> seen(job(id)) == 1);
        assertThat(realtimeJobs("rtsus")).hasSize(1);
        assertThat(count(index)).isEqualTo(5);
    }

    @Test
    void aDaemonRefusesToStartWithARealtimeConnectorWhoseSourceCannotFollowChanges() {
        Map<String, Object> c = connector("plain", Map.of("docs", 1));
        c.put("realtime", true);
        ConnectorsConfig config = config("worker-1", false, 2, List.of(c));
        Daemon d = new Daemon(config, new StateStore(es.async(), prefix),
                new SyncRunner(es.async(), config.bulk(), config.sync()), new DaemonMetrics());
        Throwable e = org.assertj.core.api.Assertions.catchThrowable(() -> d.run().blockFirst(Duration.ofSeconds(10)));
        assertThat(e).isInstanceOf(io.connectors.runtime.config.ConfigException.class)
                .hasMessageContaining("connector plain").hasMessageContaining("source type 'scripted'");
    }
}
