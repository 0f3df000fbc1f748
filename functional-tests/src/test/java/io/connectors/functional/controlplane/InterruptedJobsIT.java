package io.connectors.functional.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.connectors.elasticsearch.local.ElasticsearchEndpoint;
import io.connectors.functional.controlplane.DaemonProcesses.CliResult;
import io.connectors.functional.controlplane.DaemonProcesses.Daemon;
import io.connectors.functional.controlplane.DaemonProcesses.FdSnapshot;
import io.connectors.testkit.elasticsearch.TestElasticsearch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running sync interrupted three ways, each by real processes against one Elasticsearch: its worker killed with
 * SIGKILL (another daemon queues the split full sync again after the heartbeat timeout, resumes it from its splits'
 * positions and completes it; the next run applies later deletions and additions), a cancel
 * from the command line (stopped within seconds, its connections and file handles released), and a SIGTERM (the job
 * is suspended, and the next daemon resumes and completes it).
 */
class InterruptedJobsIT {
    /**
     * Files of 1.5-4.5 KB: a full sync of 50,000 lasts 10-17 s on two shared cores (about 3,000-4,000 files/s,
     * Elasticsearch's indexing setting the pace), time enough to interrupt it a few seconds in.
     */
    private static final int FILES = 50_000;
    private static final int KILL_FILES = 40_000;
    private static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
    private static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration POLL_INTERVAL = Duration.ofSeconds(1);
    private static final String CONNECTOR = "files";
    /** Descriptors a daemon may hold above its idle baseline once a job ended (its pool's idle connections come and go). */
    private static final int FD_TOLERANCE = 2;

    @TempDir
    static Path work;

    private static ElasticsearchEndpoint es;
    private static DaemonProcesses processes;
    /** Read by the cancel and SIGTERM tests, never changed. */
    private static SourceTree shared;

    @BeforeAll
    static void setUp() throws IOException {
        es = TestElasticsearch.get();
        processes = DaemonProcesses.create(work, es, "InterruptedJobsIT");
        long start = System.nanoTime();
        shared = SourceTree.generate(work.resolve("data-shared"), FILES);
        System.out.printf(Locale.ROOT, "[control-plane] generated %,d files in %d ms%n", FILES, millisSince(start));
    }

    // ---------------------------------------------------------------- kill -9

    @Test
    void killedWorkersJobIsResumedByAnotherDaemonAndTheNextRunRepairsTheIndex() throws Exception {
        String prefix = prefix("cp-kill");
        String index = prefix + "-" + CONNECTOR;
        StateReader state = new StateReader(es, prefix);
        SourceTree tree = SourceTree.generate(work.resolve("data-kill"), KILL_FILES);
        List<Map<String, Object>> connectors = List.of(DaemonProcesses.directoryConnector(CONNECTOR, index, tree.root(), null));
        Map<String, Path> configs = new LinkedHashMap<>();
        for (String worker : List.of("kill-a", "kill-b")) {
            configs.put(worker, processes.writeConfig(worker, sections(worker, prefix, false), connectors));
        }

        // Both daemons run before the job is queued, so the one that does not get it is already watching when the
        // other is killed: the time to "error" is the heartbeat timeout's, not a JVM start's.
        try (Daemon a = processes.startDaemon("kill-a", configs.get("kill-a"));
             Daemon b = processes.startDaemon("kill-b", configs.get("kill-b"))) {
            a.awaitStarted("kill-a");
            b.awaitStarted("kill-b");
            CliResult start = processes.cli(configs.get("kill-a"), Duration.ofMinutes(2), "jobs", "start", CONNECTOR);
            assertThat(start.exit()).as("jobs start: %s", start.err()).isZero();
            String jobId = start.firstLine();
            // Some documents indexed, so that the files deleted below are in the index before the repair run.
            JsonNode running = awaitRunning(state, jobId, 1000);
            Daemon victim = running.path("worker").asText().equals(a.name()) ? a : b;
            Daemon survivor = victim == a ? b : a;
            assertThat(victim.name()).isEqualTo(running.path("worker").asText());

            long killed = System.nanoTime();
            victim.kill9();
            // The directory source divides its walk into splits: the silent job is queued again, not failed, and the
            // survivor resumes it from its splits' positions and completes it.
            JsonNode resumed = state.awaitJob(jobId, "resumed and completed", j -> "completed".equals(StateReader.status(j)),
                    Duration.ofSeconds(120), 200);
            Duration killToDone = Duration.ofNanos(System.nanoTime() - killed);
            assertThat(resumed.path("worker").asText()).isEqualTo(survivor.name());
            assertThat(resumed.path("attempt").asInt()).isEqualTo(2);
            assertThat(StateReader.notes(resumed)).anyMatch(n -> n.contains("worker " + victim.name() + " stopped heartbeating")
                    && n.contains("queued to resume"));
            assertThat(StateReader.countOf(resumed, "skipped_by_resume")).as("what the killed daemon's saved positions"
                    + " covered is not read again: %s", resumed.path("counts")).isPositive();
            awaitConnectorFree(state);
            tree.assertIndexEquals(state, index);

            // Before the repair run: delete files that are in the index, add files that are not.
            Set<String> partial = state.ids(index);
            List<String> deleted = SourceTree.sample(partial, 5);
            for (String id : deleted) {
                tree.delete(id);
            }
            for (int i = 0; i < 5; i++) {
                tree.add("added/new-" + i + ".md", SourceTree.text(KILL_FILES + i, 0));
            }

            CliResult repair = processes.cli(configs.get(survivor.name()), Duration.ofMinutes(4), "jobs", "start", CONNECTOR,
                    "--wait", "--timeout", "PT3M");
            assertThat(repair.exit()).as("jobs start --wait: %s%n%s", repair.out(), repair.err()).isZero();
            JsonNode next = state.job(repair.firstLine()).orElseThrow();
            assertThat(StateReader.status(next)).isEqualTo("completed");
            assertThat(next.path("worker").asText()).isEqualTo(survivor.name());
            assertThat(next.path("attempt").asInt()).isEqualTo(1);
            assertThat(next.path("trigger").asText()).isEqualTo("on_demand");
            assertThat(StateReader.countOf(next, "seen")).isEqualTo(KILL_FILES);
            assertThat(StateReader.countOf(next, "deleted")).as("counts of %s", next).isEqualTo(deleted.size());
            tree.assertIndexEquals(state, index);

            System.out.printf(Locale.ROOT, "[control-plane] kill -9: job %s of %s killed at %,d seen / %,d indexed;"
                            + " SIGKILL to the resumed job's completion by %s %d ms (heartbeat timeout %ds; %s); next run"
                            + " (jobs start --wait) %d ms: %s%n",
                    jobId, victim.name(), StateReader.countOf(running, "seen"), StateReader.countOf(running, "indexed"),
                    survivor.name(), killToDone.toMillis(), HEARTBEAT_TIMEOUT.toSeconds(), resumed.path("counts"),
                    repair.took().toMillis(), next.path("counts"));
            survivor.sigterm();
            survivor.awaitExit(Duration.ofSeconds(60));
        }
    }

    // ---------------------------------------------------------------- cancel

    @Test
    void cancelStopsARunningSyncWithinSecondsAndReleasesItsConnectionsAndFiles() throws Exception {
        String prefix = prefix("cp-cancel");
        String index = prefix + "-" + CONNECTOR;
        StateReader state = new StateReader(es, prefix);
        Path spill = Files.createDirectories(work.resolve("spill-cancel"));
        Map<String, Object> sections = sections("cancel-c", prefix, false);
        // Idle pooled connections close after 2 s, so what stays open afterwards is held, not pooled; spilling every
        // 5,000 ids gives the sync temporary files to leave open or behind.
        sections.put("elasticsearch", Map.of("pool", Map.of("max_idle_time", "2s")));
        sections.put("sync", Map.of("temp_dir", spill.toString(), "workers", 3));
        Path config = processes.writeConfig("cancel-c", sections,
                List.of(DaemonProcesses.directoryConnector(CONNECTOR, index, shared.root(), null)));
        // An index that exists already: the sync looks up stored versions and collects every id for the deletion
        // pass (spilled to disk every 5,000), as re-syncs do; a first sync into a new index skips both.
        state.createIndex(index);

        try (Daemon d = processes.startDaemon("cancel-c", config)) {
            d.awaitStarted("cancel-c");
            TimeUnit.SECONDS.sleep(3); // start-up's connections become idle and close
            List<FdSnapshot> before = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                before.add(d.fds());
                TimeUnit.MILLISECONDS.sleep(500);
            }
            int baseSockets = before.stream().mapToInt(FdSnapshot::sockets).max().orElseThrow();
            int baseFds = before.stream().mapToInt(FdSnapshot::withoutJars).max().orElseThrow();

            CliResult start = processes.cli(config, Duration.ofMinutes(2), "jobs", "start", CONNECTOR);
            assertThat(start.exit()).as("jobs start: %s", start.err()).isZero();
            String jobId = start.firstLine();
            JsonNode running = awaitRunning(state, jobId, 1);
            FdSnapshot during = d.fds();
            long spilled = countFiles(spill);

            Instant cancelSent = Instant.now();
            CliResult cancel = processes.cli(config, Duration.ofMinutes(2), "jobs", "cancel", jobId);
            long returned = System.nanoTime();
            long spilledLater = countFiles(spill);
            assertThat(cancel.exit()).as("jobs cancel: %s%n%s", cancel.out(), cancel.err()).isZero();
            assertThat(cancel.out()).contains(jobId + ": canceling");
            JsonNode canceled = state.awaitJob(jobId, "stopped", j -> !Set.of("in_progress", "canceling")
                    .contains(StateReader.status(j)), Duration.ofSeconds(60), 100);
            Duration cancelToCanceled = Duration.ofNanos(System.nanoTime() - returned);

            assertThat(StateReader.status(canceled)).as("job after cancel: %s", canceled).isEqualTo("canceled");
            assertThat(cancelToCanceled).as("time from the cancel command's return to status canceled")
                    .isLessThan(Duration.ofSeconds(5));
            Instant requested = StateReader.instant(canceled, "cancel_requested_at");
            assertThat(requested).isNotNull();
            // The daemon's own latency, from the request the command wrote to the job's end (its clock, this machine).
            Duration requestToCanceled = Duration.between(requested, StateReader.instant(canceled, "completed_at"));
            assertThat(requestToCanceled).as("cancel_requested_at to completed_at").isLessThan(Duration.ofSeconds(5));
            assertThat(StateReader.countOf(canceled, "seen")).as("documents seen before the cancel").isLessThan(FILES);
            awaitConnectorFree(state);

            long releaseStart = System.nanoTime();
            FdSnapshot after = d.fds();
            int sourceFdsWhenCanceled = after.under(shared.root(), spill).size();
            while (!(after.sockets() <= baseSockets + FD_TOLERANCE && after.withoutJars() <= baseFds + FD_TOLERANCE
                    && after.under(shared.root(), spill).isEmpty()) && millisSince(releaseStart) < 10_000) {
                TimeUnit.MILLISECONDS.sleep(250);
                after = d.fds();
            }
            long released = millisSince(releaseStart);
            assertThat(after.under(shared.root(), spill)).as("descriptors of source files or spilled ids left open").isEmpty();
            assertThat(after.sockets()).as("sockets after the cancel (idle baseline %d): %s", baseSockets, after.targets())
                    .isLessThanOrEqualTo(baseSockets + FD_TOLERANCE);
            assertThat(after.withoutJars()).as("descriptors but jars after the cancel (idle baseline %d): %s", baseFds, after.targets())
                    .isLessThanOrEqualTo(baseFds + FD_TOLERANCE);
            assertThat(countFiles(spill)).as("spilled id files left in %s", spill).isZero();
            assertThat(d.isAlive()).as("the daemon still runs").isTrue();

            System.out.printf(Locale.ROOT, "[control-plane] cancel: job %s canceled at %,d seen (%,d when the cancel was sent);"
                            + " jobs start took %d ms (idle daemon), jobs cancel %d ms (during the sync; request written after %d ms);"
                            + " cancel request to canceled %d ms (job record), cancel command's return to canceled %d ms;"
                            + " descriptors idle %s (max sockets %d, max without jars %d), during the sync %s (spill files: %d, then %d),"
                            + " %d descriptors of source or spill files open when the job was seen canceled;"
                            + " back to %s %d ms after the cancel%n",
                    jobId, StateReader.countOf(canceled, "seen"), StateReader.countOf(running, "seen"), start.took().toMillis(),
                    cancel.took().toMillis(), Duration.between(cancelSent, requested).toMillis(), requestToCanceled.toMillis(),
                    cancelToCanceled.toMillis(), before.get(before.size() - 1), baseSockets, baseFds, during, spilled, spilledLater, sourceFdsWhenCanceled, after,
                    cancelToCanceled.toMillis() + released);
            // A cancel must stop the source's walk, not turn the rest of the tree into "unreadable" files: every file
            // here is readable, so a file reported unreadable is one the walk tried after it was interrupted.
            assertThat(d.log().lines().filter(l -> l.contains("ClosedByInterruptException") || l.contains(" unreadable"))
                    .limit(8).toList())
                    .as("files of %s reported unreadable after the cancel (the walk went on)", shared.root())
                    .isEmpty();
            d.sigterm();
            d.awaitExit(Duration.ofSeconds(60));
        }
    }

    // ---------------------------------------------------------------- SIGTERM

    @Test
    void sigtermSuspendsTheRunningJobAndTheNextDaemonResumesIt() throws Exception {
        String prefix = prefix("cp-term");
        String index = prefix + "-" + CONNECTOR;
        StateReader state = new StateReader(es, prefix);
        List<Map<String, Object>> connectors = List.of(DaemonProcesses.directoryConnector(CONNECTOR, index, shared.root(), null));
        Path config1 = processes.writeConfig("term-1", sections("term-1", prefix, true), connectors);
        Path config2 = processes.writeConfig("term-2", sections("term-2", prefix, true), connectors);

        String jobId;
        JsonNode running;
        Duration termToSuspended;
        Duration termToExit;
        try (Daemon first = processes.startDaemon("term-1", config1)) {
            first.awaitStarted("term-1");
            jobId = state.awaitJobOf(CONNECTOR, "claimed by term-1", j -> "in_progress".equals(StateReader.status(j)),
                    Duration.ofSeconds(60)).path("job_id").asText();
            running = awaitRunning(state, jobId, 1);
            long term = System.nanoTime();
            first.sigterm();
            JsonNode suspended = state.awaitJob(jobId, "stopped", j -> !"in_progress".equals(StateReader.status(j)),
                    Duration.ofSeconds(40), 100);
            termToSuspended = Duration.ofNanos(System.nanoTime() - term);
            first.awaitExit(Duration.ofSeconds(45));
            termToExit = Duration.ofNanos(System.nanoTime() - term);

            assertThat(StateReader.status(suspended)).as("job after SIGTERM: %s", suspended).isEqualTo("suspended");
            assertThat(suspended.path("worker").asText()).isEqualTo("term-1");
            assertThat(suspended.path("attempt").asInt()).isEqualTo(1);
            assertThat(StateReader.instant(suspended, "completed_at")).isNull();
            assertThat(StateReader.countOf(suspended, "seen")).as("documents seen before SIGTERM").isLessThan(FILES);
            awaitConnectorFree(state);
        }

        long secondStart = System.nanoTime();
        try (Daemon second = processes.startDaemon("term-2", config2)) {
            JsonNode done = state.awaitJob(jobId, "ended", j -> Set.of("completed", "error", "canceled", "skipped")
                    .contains(StateReader.status(j)), Duration.ofMinutes(3), 250);
            Duration startToCompleted = Duration.ofNanos(System.nanoTime() - secondStart);

            assertThat(StateReader.status(done)).as("resumed job: %s", done).isEqualTo("completed");
            assertThat(done.path("worker").asText()).isEqualTo("term-2");
            assertThat(done.path("attempt").asInt()).isEqualTo(2);
            List<String> notes = StateReader.notes(done);
            assertThat(notes).anyMatch(n -> n.startsWith("resumed by term-2"));
            List<JsonNode> jobs = state.jobsOf(CONNECTOR);
            assertThat(jobs).as("jobs of the connector (the suspended one counts as queued at start-up)").hasSize(1);
            shared.assertIndexEquals(state, index);

            Instant resumedAt = resumedAt(notes);
            long resumeToCompleted = resumedAt == null ? -1
                    : Duration.between(resumedAt, StateReader.instant(done, "completed_at")).toMillis();
            System.out.printf(Locale.ROOT, "[control-plane] SIGTERM: job %s suspended at %,d seen;"
                            + " SIGTERM to suspended %d ms, to process exit %d ms;"
                            + " resumed (attempt 2) and completed by the next daemon %d ms after its process started,"
                            + " %d ms after the resume; counts %s%n",
                    jobId, StateReader.countOf(running, "seen"), termToSuspended.toMillis(), termToExit.toMillis(),
                    startToCompleted.toMillis(), resumeToCompleted, done.path("counts"));
            second.sigterm();
            second.awaitExit(Duration.ofSeconds(60));
        }
    }

    // ---------------------------------------------------------------- helpers

    private static String prefix(String name) {
        return name + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 20, 1 << 24));
    }

    /** The configuration's sections: fast heartbeats, no operations endpoint, the state under {@code prefix}. */
    private static Map<String, Object> sections(String worker, String prefix, boolean syncOnStart) {
        Map<String, Object> daemon = new LinkedHashMap<>();
        daemon.put("worker_id", worker);
        daemon.put("sync_on_start", syncOnStart);
        daemon.put("poll_interval", POLL_INTERVAL.toMillis() + "ms");
        daemon.put("heartbeat_interval", HEARTBEAT_INTERVAL.toMillis() + "ms");
        daemon.put("heartbeat_timeout", HEARTBEAT_TIMEOUT.toMillis() + "ms");
        daemon.put("http", Map.of("enabled", false));
        Map<String, Object> sections = new LinkedHashMap<>();
        sections.put("daemon", daemon);
        sections.put("state", Map.of("index_prefix", prefix));
        sections.put("sync", Map.of("temp_dir", work.resolve("spill-" + worker).toString()));
        return sections;
    }

    /**
     * Waits until the job runs and its heartbeat reported at least {@code indexed} documents indexed (and some seen);
     * fails if it ended first, which means the sync is too short to interrupt.
     */
    private static JsonNode awaitRunning(StateReader state, String jobId, long indexed) throws IOException, InterruptedException {
        JsonNode job = state.awaitJob(jobId, "running with documents indexed",
                j -> !Set.of("pending", "in_progress").contains(StateReader.status(j))
                        || StateReader.countOf(j, "seen") > 0 && StateReader.countOf(j, "indexed") >= indexed,
                Duration.ofSeconds(90), 100);
        assertThat(StateReader.status(job)).as("job %s ended before it could be interrupted (sync too short?): %s", jobId, job)
                .isEqualTo("in_progress");
        return job;
    }

    /** The connector's lock ({@code active_job}) is released soon after its job ended. */
    private static void awaitConnectorFree(StateReader state) throws IOException, InterruptedException {
        long start = System.nanoTime();
        JsonNode connector = null;
        while (millisSince(start) < 5_000) {
            connector = state.connector(CONNECTOR).orElse(null);
            if (connector != null && (connector.path("active_job").isNull() || connector.path("active_job").isMissingNode())) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new AssertionError("connector " + CONNECTOR + " still locked 5 s after its job ended: " + connector);
    }

    private static Instant resumedAt(List<String> notes) {
        Pattern p = Pattern.compile("resumed by \\S+ at (\\S+)");
        for (String n : notes) {
            Matcher m = p.matcher(n);
            if (m.find()) {
                return Instant.parse(m.group(1));
            }
        }
        return null;
    }

    private static long countFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        }
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }
}
