package io.connectors.functional;

import io.connectors.elasticsearch.local.ElasticsearchEndpoint;
import io.connectors.elasticsearch.local.FileTrees;
import io.connectors.elasticsearch.local.LocalElasticsearchLauncher;
import io.connectors.testkit.elasticsearch.TestElasticsearch;
import io.connectors.spi.BaseDataSource;
import io.connectors.spi.DataSourceProvider;
import io.connectors.spi.SourceContext;
import io.connectors.spi.SplittableSource;
import io.connectors.spi.config.SourceConfig;
import io.connectors.testkit.functional.SourceFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code make ftest NAME=<source> [SIZE=small|medium|large]}: one source end to end, through the daemon as users
 * run it, with exact verification.
 *
 * <ol>
 *   <li>Start Elasticsearch ({@code ES_URL} if set, else a local node) and the source's backend (its fixture);
 *       load N documents.</li>
 *   <li>Start the daemon on a config for this connector; it runs a full sync at start-up. Wait for it; stop the
 *       daemon; verify that the index equals the source.</li>
 *   <li>Mutate the source (1% each of adds, updates and deletes, at least 100 each), start the daemon again, wait
 *       for the full sync it starts (after the mutation, by construction), verify again, and check the sync's counts:
 *       adds indexed, updates updated, deletes deleted, the rest unchanged.</li>
 * </ol>
 *
 * <p>Each sync gets its own daemon process: no scheduled sync can start while the source is being mutated and see
 * half of the change, so the counts of the sync after it are exact, and each sync's memory peaks are its own.
 *
 * <p>Exit code 0 when every verification and check passed, 1 otherwise, 2 on a usage error. The report goes to
 * {@code functional-tests/target/ftest-<source>.json} and {@code .md}, and is printed at the end.
 *
 * <p>Environment: {@code ES_URL} ({@code ES_USERNAME}, {@code ES_PASSWORD}) to use a running cluster;
 * {@code FTEST_ES_HEAP} the local node's heap (default 512m small, 1g medium, 2g large);
 * {@code FTEST_DAEMON_JAVA_OPTS} the daemon's JVM options (default: the launcher's own);
 * {@code FTEST_KEEP_WORK=true} keeps the generated data after a successful run.
 */
public final class FtestMain {
    static final String DEFAULT_DAEMON_JAVA_OPTS = DaemonProcess.LAUNCHER_JAVA_OPTS;
    static final Map<String, Integer> SIZES = Map.of("small", 12_000, "medium", 100_000, "large", 1_000_000);
    static final String CONNECTOR_ID = "ftest";
    static final String ZOO_CONNECTOR_ID = "ftest-zoo";
    private static final String USAGE = "usage: FtestMain <source type> [small|medium|large|<number of documents>]"
            + " (make ftest NAME=<source> [SIZE=small|medium|large]); small is 12,000 documents, medium 100,000,"
            + " large 1,000,000";

    private final String type;
    private final String size;
    private final int documents;
    private final Path home;
    private final Path out;
    private final Path work;
    private final FtestReport report = new FtestReport();

    private FtestMain(String type, String size, int documents, Path home) {
        this.type = type;
        this.size = size;
        this.documents = documents;
        this.home = home;
        this.out = home.resolve("functional-tests/target");
        this.work = out.resolve("ftest-" + type + "-work");
    }

    public static void main(String[] args) {
        int code;
        try {
            code = fromArguments(args).run();
        } catch (UsageException e) {
            System.err.println("ftest: " + e.getMessage());
            code = 2;
        } catch (Exception e) {
            System.err.println("ftest: the run could not complete: " + e);
            e.printStackTrace();
            code = 1;
        }
        System.exit(code);
    }

    static FtestMain fromArguments(String... args) {
        if (args.length < 1 || args.length > 2 || args[0].isBlank()) {
            throw new UsageException(USAGE);
        }
        String size = args.length > 1 && !args[1].isBlank() ? args[1].trim().toLowerCase(Locale.ROOT) : "small";
        Integer documents = SIZES.get(size);
        if (documents == null) {
            try {
                documents = Integer.parseInt(size.replace("_", ""));
            } catch (NumberFormatException e) {
                throw new UsageException("unknown size '" + size + "'; " + USAGE);
            }
            if (documents < 1) {
                throw new UsageException("the number of documents must be positive; " + USAGE);
            }
        }
        Path home = Path.of(System.getProperty("connectors.home", ".")).toAbsolutePath().normalize();
        return new FtestMain(args[0].trim(), size, documents, home);
    }

    int run() throws Exception {
        SourceFixture fixture;
        try {
            fixture = FixtureLoader.load(type);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        Files.createDirectories(out);
        FileTrees.delete(work);
        Files.createDirectories(work);
        String index = "ftest-" + type.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]", "-");
        int changes = Math.max(100, documents / 100);
        report.run.put("source", type);
        report.run.put("size", size);
        report.run.put("documents", documents);
        report.run.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC).toString());
        report.run.put("machine", Runtime.getRuntime().availableProcessors() + " cores, Java "
                + System.getProperty("java.version"));
        String daemonJavaOpts = env("FTEST_DAEMON_JAVA_OPTS", DEFAULT_DAEMON_JAVA_OPTS);
        report.run.put("daemon_java_opts", DaemonProcess.describeJavaOpts(daemonJavaOpts));
        report.run.put("index", index);
        say("%s, %,d documents (%s); report in %s", type, documents, size, out);

        LocalElasticsearchLauncher launcher = null;
        DaemonProcess daemon = null;
        try (fixture) {
            Instant t = Instant.now();
            ElasticsearchEndpoint es;
            if (System.getenv("ES_URL") != null && !System.getenv("ES_URL").isBlank()) {
                es = TestElasticsearch.get();
            } else {
                launcher = LocalElasticsearchLauncher.builder()
                        .home(home.resolve(".local/ftest-elasticsearch"))
                        .heap(env("FTEST_ES_HEAP", documents > 500_000 ? "2g" : documents > 50_000 ? "1g" : "512m"))
                        .build()
                        .start();
                es = launcher.endpoint();
            }
            try (ElasticsearchSession session = ElasticsearchSession.open(es)) {
                report.run.put("elasticsearch", session.version() + " at " + es.uri());
                session.deleteIndex(index);
            }
            step("start Elasticsearch", t, es.uri().toString());

            t = Instant.now();
            fixture.start(work.resolve("backend"));
            step("start the " + type + " backend", t, null);

            t = Instant.now();
            // Binary documents (PDF, Office, e-mail...) too, where the source has them: their extracted text is checked.
            fixture.mixBinaryDocuments(true);
            fixture.load(documents);
            step("load", t, String.format(Locale.ROOT, "%,d documents", documents));

            // No schedule: each daemon runs exactly one full sync, at start-up.
            Path config = FunctionalConfig.write(out.resolve("ftest-" + type + "-config.yml"), es, CONNECTOR_ID, type,
                    index, fixture.connectorConfiguration(), Map.of(), null);
            Duration timeout = Duration.ofMinutes(10).plusMillis(6L * documents);

            t = Instant.now();
            daemon = DaemonProcess.start(home, config, out.resolve("ftest-" + type + "-daemon-1.log"), daemonJavaOpts,
                    FunctionalConfig.environment(es));
            SyncOutcome first = awaitSync(daemon, t, timeout);
            step("full sync (daemon 1)", t, "from daemon start to sync end");
            daemon.stop();
            recordSync("full sync", daemon, first);
            daemon = null;
            checkCounts("full sync", first, Map.of("seen", (long) documents, "indexed", (long) documents,
                    "updated", 0L, "unchanged", 0L, "deleted", 0L, "dropped", 0L, "failed", 0L));

            if (first.counts().containsKey("not_extracted")) {
                report.check("full sync: documents whose content could not be extracted", 0L, first.count("not_extracted"));
            }
            verify("after the full sync", es, index, fixture);

            t = Instant.now();
            SourceFixture.Mutation mutation = fixture.mutate(changes, changes, changes);
            Instant mutated = Instant.now();
            step("mutate", t, String.format(Locale.ROOT, "%d added, %d updated, %d deleted", mutation.added().size(),
                    mutation.updated().size(), mutation.deleted().size()));
            report.run.put("mutation", Map.of("added", mutation.added().size(), "updated", mutation.updated().size(),
                    "deleted", mutation.deleted().size()));

            t = Instant.now();
            daemon = DaemonProcess.start(home, config, out.resolve("ftest-" + type + "-daemon-2.log"), daemonJavaOpts,
                    FunctionalConfig.environment(es));
            SyncOutcome second = awaitSync(daemon, mutated, timeout);
            step("full sync after the mutation (daemon 2)", t, "from daemon start to sync end");
            daemon.stop();
            recordSync("full sync after the mutation", daemon, second);
            daemon = null;
            long added = mutation.added().size();
            long updated = mutation.updated().size();
            long deleted = mutation.deleted().size();
            checkCounts("full sync after the mutation", second, Map.of("seen", documents + added - deleted,
                    "indexed", added, "updated", updated, "unchanged", documents - updated - deleted,
                    "deleted", deleted, "dropped", 0L, "failed", 0L));

            verify("after the mutation", es, index, fixture);

            incrementalStep(fixture, es, index, timeout, daemonJavaOpts);
            resumeStep(fixture, es, index, timeout, daemonJavaOpts);

            typeZoo(fixture, es, index + "-zoo", daemonJavaOpts);
        } catch (Exception e) {
            report.fail("the run stopped: " + e.getMessage());
            System.err.println("ftest: the run stopped: " + e);
            e.printStackTrace();
        } finally {
            if (daemon != null) {
                daemon.stop();
            }
            if (launcher != null) {
                launcher.stop();
            }
        }

        if (report.passed() && !"true".equalsIgnoreCase(System.getenv("FTEST_KEEP_WORK"))) {
            FileTrees.delete(work);
        } else {
            report.notes.add("The generated data is kept in " + work + " (deleted by the next run).");
        }
        Path json = out.resolve("ftest-" + type + ".json");
        Path md = out.resolve("ftest-" + type + ".md");
        report.writeJson(json);
        String markdown = report.markdown();
        Files.writeString(md, markdown);
        System.out.println();
        System.out.println(markdown);
        say("%s; report: %s and %s", report.passed() ? "PASSED" : "FAILED", md, json);
        return report.passed() ? 0 : 1;
    }

    /** Whether the fixture's source divides a full read into splits: a source of its type is a SplittableSource. */
    private static boolean splittable(SourceFixture fixture) {
        for (DataSourceProvider provider : ServiceLoader.load(DataSourceProvider.class)) {
            if (provider.type().equals(fixture.type())) {
                BaseDataSource source = provider.create(SourceConfig.from(provider.configFields(),
                        fixture.connectorConfiguration()), new SourceContext("ftest-capabilities"));
                try {
                    return source instanceof SplittableSource;
                } finally {
                    source.close().block(Duration.ofSeconds(30));
                }
            }
        }
        throw new IllegalStateException("no source of type " + fixture.type() + " on the class path");
    }

    /**
     * The incremental step, for a source with incremental syncs: another mutation (deletions only if its incremental
     * syncs see them), then a daemon that runs only incremental syncs, from the cursor the last full sync saved. Its
     * sync must be incremental (not a fall-back to a full one: it reads a small part of the source), count exactly the
     * mutation's additions, updates and deletions, and leave the index equal to the source.
     */
    private void incrementalStep(SourceFixture fixture, ElasticsearchEndpoint es, String index, Duration timeout,
                                 String daemonJavaOpts) throws Exception {
        if (!fixture.supportsIncremental()) {
            report.step("incremental sync", Duration.ZERO, "not supported by this source (no IncrementalSource)");
            report.notes.add("The incremental step was not run: source type " + type + " has no incremental syncs.");
            say("incremental sync: not supported by this source");
            return;
        }
        int changes = Math.max(100, documents / 100);
        int deletes = fixture.incrementalSeesDeletions() ? changes : 0;
        Instant t = Instant.now();
        SourceFixture.Mutation mutation = fixture.mutate(changes, changes, deletes);
        step("mutate for the incremental sync", t, String.format(Locale.ROOT, "%d added, %d updated, %d deleted%s",
                mutation.added().size(), mutation.updated().size(), mutation.deleted().size(),
                deletes == 0 ? " (none deleted: this source's incremental syncs do not see deletions)" : ""));
        Path config = FunctionalConfig.writeWithSchedules(out.resolve("ftest-" + type + "-config-incremental.yml"), es,
                CONNECTOR_ID, type, index, fixture.connectorConfiguration(), Map.of("daemon", Map.of("sync_on_start", false)),
                Map.of("incremental", FunctionalConfig.FREQUENT_SCHEDULE));
        t = Instant.now();
        DaemonProcess daemon = DaemonProcess.start(home, config, out.resolve("ftest-" + type + "-daemon-incremental.log"),
                daemonJavaOpts, FunctionalConfig.environment(es));
        SyncOutcome outcome;
        try {
            outcome = daemon.awaitSync(CONNECTOR_ID, "incremental", t, timeout);
            step("incremental sync (daemon 3)", t, "from daemon start to sync end");
        } finally {
            daemon.stop();
        }
        recordSync("incremental sync", daemon, outcome);
        report.check("incremental sync: status", "completed", outcome.status()
                + (outcome.error() == null ? "" : " (" + outcome.error() + ")"));
        report.check("incremental sync: indexed", (long) mutation.added().size(), outcome.count("indexed"));
        report.check("incremental sync: updated", (long) mutation.updated().size(), outcome.count("updated"));
        report.check("incremental sync: deleted", (long) mutation.deleted().size(), outcome.count("deleted"));
        report.check("incremental sync: failed", 0L, outcome.count("failed"));
        report.check("incremental sync: read only what changed (no fall-back to a full sync), documents read",
                "fewer than " + documents / 2, outcome.count("seen") < documents / 2 ? "fewer than " + documents / 2
                        : String.valueOf(outcome.count("seen")));
        verify("after the incremental sync", es, index, fixture);
    }

    /**
     * The resume step: a full sync into a new index stopped (SIGTERM) about a third of the way, then a new daemon. The
     * new daemon must resume the same job: for a source that divides its read into splits, read nothing twice (what
     * it read plus what it skipped is exactly the source), and leave the index equal to the source.
     */
    private void resumeStep(SourceFixture fixture, ElasticsearchEndpoint es, String index, Duration timeout,
                            String daemonJavaOpts) throws Exception {
        String resumeIndex = index + "-resume";
        try (ElasticsearchSession session = ElasticsearchSession.open(es)) {
            session.deleteIndex(resumeIndex);
        }
        // Slowed enough (one request of 100 documents in flight, progress every 200 ms) to be stopped mid-way.
        Map<String, Object> slow = Map.of("bulk", Map.of("max_actions", 100, "max_concurrent_requests", 1),
                "sync", Map.of("progress_interval", "200ms"));
        // Several splits even for the small load, so that a stopped sync leaves positions to resume from.
        Map<String, Object> connectorConfiguration = new java.util.LinkedHashMap<>(fixture.connectorConfiguration());
        connectorConfiguration.putAll(fixture.splittingConfiguration());
        Path config = FunctionalConfig.write(out.resolve("ftest-" + type + "-config-resume.yml"), es, CONNECTOR_ID + "-resume",
                type, resumeIndex, connectorConfiguration, slow, null);
        Instant t = Instant.now();
        DaemonProcess first = DaemonProcess.start(home, config, out.resolve("ftest-" + type + "-daemon-resume-1.log"),
                daemonJavaOpts, FunctionalConfig.environment(es));
        boolean stoppedMidway;
        try {
            stoppedMidway = awaitSeen(first, CONNECTOR_ID + "-resume", documents / 3, timeout);
        } finally {
            first.stop();
        }
        Instant stopped = Instant.now();
        step("full sync stopped mid-way (SIGTERM)", t, stoppedMidway ? "stopped at about a third" : "ended before");
        report.check("resume: the full sync was stopped before its end", "stopped mid-way",
                stoppedMidway ? "stopped mid-way" : "it ended before a third was read");
        DaemonProcess second = DaemonProcess.start(home, config, out.resolve("ftest-" + type + "-daemon-resume-2.log"),
                daemonJavaOpts, FunctionalConfig.environment(es));
        SyncOutcome resumed;
        try {
            resumed = second.awaitSync(CONNECTOR_ID + "-resume", "full", stopped, timeout);
            step("resumed full sync (a new daemon)", stopped, resumed.counts().toString());
        } finally {
            second.stop();
        }
        report.check("resume: status", "completed", resumed.status() + (resumed.error() == null ? "" : " (" + resumed.error() + ")"));
        // A source without splits saves no positions: its resumed job reads everything again, by design.
        boolean splits = splittable(fixture);
        if (!splits) {
            report.notes.add("Source type " + type + " does not divide its full read into splits (no SplittableSource):"
                    + " the resumed job read every document again, which the resume step then expects.");
        }
        String expected = splits ? "some documents not read again" : "every document read again (no splits)";
        report.check("resume: the new daemon resumed from the first one's positions", expected,
                resumed.count("skipped_by_resume") > 0 ? "some documents not read again"
                        : splits ? "every document read again" : "every document read again (no splits)");
        Instant v0 = Instant.now();
        Verification v = IndexVerifier.verify(es, resumeIndex, fixture);
        report.step("verify after the resumed full sync", Duration.between(v0, Instant.now()), v.summary());
        report.verification("after the resumed full sync", Duration.between(v0, Instant.now()), v);
        report.check("resume: read plus skipped is exactly the source (nothing read twice)", v.expected(),
                resumed.count("seen") + resumed.count("skipped_by_resume"));
        say("resume: %s; %s", resumed.counts(), v.summary());
    }

    /** Waits until the daemon's progress shows {@code seen} documents of the connector; false if its sync ended first. */
    private static boolean awaitSeen(DaemonProcess daemon, String connectorId, long seen, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && daemon.isAlive()) {
            List<ProgressPoint> points = daemon.progress(connectorId);
            if (!points.isEmpty() && points.get(points.size() - 1).seen() >= seen) {
                return true;
            }
            if (daemon.hasSyncEnded(connectorId)) {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        return false;
    }

    /**
     * The type-zoo step: every kind of value the source produces, in tables or collections whose fields clash in
     * type, synced by the daemon into a new index: every document stored, nothing left unindexed beyond what the
     * fixture documents, and a second sync writes nothing.
     */
    private void typeZoo(SourceFixture fixture, ElasticsearchEndpoint es, String zooIndex, String daemonJavaOpts)
            throws Exception {
        Instant t = Instant.now();
        SourceFixture.TypeZoo zoo = fixture.loadTypeZoo();
        step("load the type zoo", t, zoo.documents() + " documents: " + zoo.description());
        try (ElasticsearchSession session = ElasticsearchSession.open(es)) {
            session.deleteIndex(zooIndex);
        }
        Path config = FunctionalConfig.write(out.resolve("ftest-" + type + "-zoo-config.yml"), es, ZOO_CONNECTOR_ID, type,
                zooIndex, zoo.configuration(), Map.of(), null);
        Duration timeout = Duration.ofMinutes(5);
        for (int round = 1; round <= 2; round++) {
            t = Instant.now();
            String label = round == 1 ? "type zoo: full sync" : "type zoo: re-sync";
            DaemonProcess daemon = DaemonProcess.start(home, config, out.resolve("ftest-" + type + "-zoo-" + round + ".log"),
                    daemonJavaOpts, FunctionalConfig.environment(es));
            SyncOutcome outcome;
            try {
                outcome = awaitSync(daemon, ZOO_CONNECTOR_ID, t, timeout);
            } finally {
                daemon.stop();
            }
            step(label, t, outcome.counts().toString());
            long n = zoo.documents();
            checkCounts(label, outcome, round == 1
                    ? Map.of("seen", n, "indexed", n, "updated", 0L, "unchanged", 0L, "deleted", 0L, "dropped", 0L, "failed", 0L)
                    : Map.of("seen", n, "indexed", 0L, "updated", 0L, "unchanged", n, "deleted", 0L, "dropped", 0L, "failed", 0L));
        }
        try (ElasticsearchSession session = ElasticsearchSession.open(es)) {
            var client = session.client();
            client.indices().refresh(r -> r.index(zooIndex));
            report.check("type zoo: documents in the index", zoo.documents(), client.count(c -> c.index(zooIndex)).count());
            var ignored = client.search(s -> s.index(zooIndex).size(10_000).query(q -> q.exists(e -> e.field("_ignored")))
                    .source(src -> src.fetch(false)), Void.class);
            java.util.TreeMap<String, Integer> fields = new java.util.TreeMap<>();
            ignored.hits().hits().forEach(h -> h.ignored().forEach(f -> fields.merge(f, 1, Integer::sum)));
            java.util.TreeMap<String, Integer> unexpected = new java.util.TreeMap<>(fields);
            // A long text's keyword subfield (ignore_above) is listed too, while the text itself is indexed.
            unexpected.keySet().removeIf(f -> f.endsWith(".keyword"));
            unexpected.keySet().removeIf(f -> zoo.ignorableFields().stream().anyMatch(p -> p.endsWith("*")
                    ? f.startsWith(p.substring(0, p.length() - 1)) : f.equals(p)));
            report.check("type zoo: values stored but not indexed only in the fields the fixture documents",
                    "none beyond " + new java.util.TreeSet<>(zoo.ignorableFields()),
                    unexpected.isEmpty() ? "none beyond " + new java.util.TreeSet<>(zoo.ignorableFields()) : "also " + unexpected);
            if (!fields.isEmpty()) {
                report.notes.add("Type zoo: values kept in _source but not indexed (field: documents): " + fields + ".");
            }
        }
    }

    private SyncOutcome awaitSync(DaemonProcess daemon, Instant startedNotBefore, Duration timeout) throws InterruptedException {
        return awaitSync(daemon, CONNECTOR_ID, startedNotBefore, timeout);
    }

    private SyncOutcome awaitSync(DaemonProcess daemon, String connectorId, Instant startedNotBefore, Duration timeout)
            throws InterruptedException {
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "ftest-progress");
            thread.setDaemon(true);
            return thread;
        });
        ticker.scheduleAtFixedRate(() -> {
            List<ProgressPoint> points = daemon.progress(connectorId);
            if (!points.isEmpty()) {
                ProgressPoint last = points.get(points.size() - 1);
                say("  ... %,d seen, %,d indexed", last.seen(), last.indexed());
            }
        }, 15, 15, TimeUnit.SECONDS);
        try {
            return daemon.awaitSync(connectorId, startedNotBefore, timeout);
        } finally {
            ticker.shutdownNow();
        }
    }

    private void recordSync(String label, DaemonProcess daemon, SyncOutcome outcome) {
        MemoryPeak memory = daemon.memoryPeak();
        report.sync(label, outcome, memory, daemon.heapSamplingProblem(), daemon.progress(CONNECTOR_ID));
        say("%s: %s in %.1f s, %s, %,.0f docs/s, peak RSS %d MiB, peak heap %d MiB", label, outcome.status(),
                outcome.duration().toMillis() / 1000.0, outcome.counts(), outcome.docsPerSecond(),
                memory.rssBytes() >> 20, memory.heapBytes() >> 20);
    }

    private void checkCounts(String label, SyncOutcome outcome, Map<String, Long> expected) {
        report.check(label + ": status", "completed", outcome.status()
                + (outcome.error() == null ? "" : " (" + outcome.error() + ")"));
        for (String count : List.of("seen", "indexed", "updated", "unchanged", "deleted", "dropped", "failed")) {
            report.check(label + ": " + count, expected.get(count), outcome.count(count));
        }
    }

    private void verify(String label, ElasticsearchEndpoint es, String index, SourceFixture fixture) throws Exception {
        Instant t = Instant.now();
        Verification v = IndexVerifier.verify(es, index, fixture);
        Duration took = Duration.between(t, Instant.now());
        report.step("verify " + label, took, v.summary());
        report.verification(label, took, v);
        say("verify %s: %s (%.1f s)", label, v.summary(), took.toMillis() / 1000.0);
        if (!v.equal()) {
            v.firstDifferences().forEach(d -> say("  %s", d));
        }
    }

    private void step(String name, Instant started, String detail) {
        Duration took = Duration.between(started, Instant.now());
        report.step(name, took, detail);
        say("%s: %.1f s%s", name, took.toMillis() / 1000.0, detail == null ? "" : " (" + detail + ")");
    }

    private static void say(String format, Object... args) {
        System.out.println("ftest: " + String.format(Locale.ROOT, format, args));
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value.trim();
    }


    /** A bad command line: the message says how to call it. */
    static final class UsageException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
