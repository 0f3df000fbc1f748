package io.connectors.functional.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.connectors.elasticsearch.local.ElasticsearchEndpoint;
import io.connectors.elasticsearch.local.LocalElasticsearchLauncher;
import io.connectors.functional.DaemonProcess;
import io.connectors.functional.FixtureLoader;
import io.connectors.functional.FunctionalConfig;
import io.connectors.functional.SyncOutcome;
import io.connectors.testkit.functional.SourceFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Elasticsearch answering 429 for the whole run: its {@code write} thread pool cut to one thread and a queue of one,
 * while the daemon sends up to 8 {@code _bulk} requests of 250 operations at once. Expected: the rejected items are
 * re-sent with backoff, beyond {@code bulk.max_retries} while {@code bulk.max_throttled_time} lasts, so the first sync
 * rides the overload out with no document failed; the log stays short (a few WARN lines, not one per document or
 * retry); and the index equals the source.
 *
 * <p>The daemon runs with {@code BulkSink} at DEBUG (its own logback file, otherwise the runtime's layout) so that
 * each re-send's retry number and delay can be checked against the backoff bounds.
 */
final class ElasticsearchOverloaded implements ChaosScenario {
    static final int DOCUMENTS = 20_000;
    static final int CONCURRENT_REQUESTS = 8;
    static final int MAX_RETRIES = 5;
    static final Duration INITIAL_BACKOFF = Duration.ofMillis(200);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /**
     * WARN lines the bulk sink may log per sync and still count as aggregated: 5 examples, "more follow" and a
     * summary, for failed requests and for failed documents each.
     */
    static final int MAX_SINK_WARNINGS_PER_SYNC = 14;
    private static final Pattern RESEND = Pattern.compile(
            "Re-sending (\\d+) of (\\d+) operations of batch (\\d+) in (\\d+) ms \\(retry (\\d+)/(\\d+)\\)");

    @Override
    public String name() {
        return "elasticsearch-overloaded";
    }

    @Override
    public String fault() {
        return "Elasticsearch answering 429 throughout (write pool of 1 thread, queue of 1) under " + CONCURRENT_REQUESTS
                + " concurrent _bulk requests, " + DOCUMENTS + " files";
    }

    @Override
    public ChaosResult run(ChaosContext context) throws Exception {
        Path work = context.work(name());
        ChaosResult.Builder result = ChaosResult.builder();
        String index = "chaos-es-overloaded";
        try (SourceFixture fixture = FixtureLoader.load("directory");
             LocalElasticsearchLauncher es = FaultKit.elasticsearch(context, work)
                     .setting("thread_pool.write.size", "1")
                     .setting("thread_pool.write.queue_size", "1")
                     .build()) {
            fixture.start(work.resolve("backend"));
            fixture.load(DOCUMENTS);
            ElasticsearchEndpoint endpoint = es.start().endpoint();
            Map<String, Object> extra = new java.util.LinkedHashMap<>();
            extra.put("bulk", Map.of("max_concurrent_requests", CONCURRENT_REQUESTS, "max_actions", 250,
                    "max_retries", MAX_RETRIES, "initial_backoff", INITIAL_BACKOFF.toMillis() + "ms",
                    "max_backoff", MAX_BACKOFF.toSeconds() + "s"));
            Path config = FunctionalConfig.write(work.resolve("config.yml"), endpoint, FaultKit.CONNECTOR, "directory",
                    index, fixture.connectorConfiguration(), extra);
            String logback = "-Dlogback.configurationFile=" + writeLogback(work);
            long rejectedBefore = FaultKit.writeRejections(endpoint);
            Instant started = Instant.now();
            try (DaemonProcess daemon = DaemonProcess.start(context.home(), config, work.resolve("daemon.log"),
                    context.daemonJavaOpts(), logback, FunctionalConfig.environment(endpoint))) {
                SyncOutcome first = daemon.awaitSync(FaultKit.CONNECTOR, started, Duration.ofMinutes(15));
                context.say(name(), "first sync %s in %s: %s", first.status(), FaultKit.seconds(first.duration()),
                        first.counts());
                List<SyncOutcome> later = FaultKit.awaitCompletedSync(daemon, first.finished(), Duration.ofMinutes(15));
                SyncOutcome next = later.get(later.size() - 1);
                // 429s are re-sent for up to bulk.max_throttled_time (10 minutes by default): none fails.
                result.check("the first sync rode the overload out: completed, no document failed",
                        first.completed() && first.count("failed") == 0,
                        first.status() + " in " + FaultKit.seconds(first.duration()) + ", counts " + first.counts()
                                + (first.error() == null ? "" : ", error " + FaultKit.abbreviate(first.error(), 200)));
                result.check("the next sync completed", next.completed(), next.status() + ", counts " + next.counts()
                        + (later.size() > 1 ? ", after " + (later.size() - 1) + " failed syncs" : ""));
                FaultKit.verify(result, endpoint, index, fixture, "after the next sync");
                result.recovery(FaultKit.since(started));

                long rejected = FaultKit.writeRejections(endpoint) - rejectedBefore;
                Map<String, Double> metrics = FaultKit.metrics(daemon.logFile(),
                        List.of("connectors_bulk_throttled", "connectors_bulk_retries"));
                double throttled = metrics.getOrDefault("connectors_bulk_throttled", -1.0);
                double retried = metrics.getOrDefault("connectors_bulk_retries", -1.0);
                result.check("Elasticsearch really rejected writes (429)", rejected > 0 && throttled > 0,
                        String.format(Locale.ROOT, "%,d write tasks rejected by the node; %,.0f operations answered 429"
                                + " and %,.0f re-sent, by the daemon's metrics", rejected, throttled, retried));

                Retries retries = retries(daemon.logFile());
                result.note("highest retry " + retries.maxRetry() + " (bulk.max_retries " + MAX_RETRIES + "; 429s go on"
                        + " within bulk.max_throttled_time), " + retries.resends() + " re-sends of "
                        + retries.operations() + " operations");
                result.check("every re-send waited within its backoff bound", retries.outOfBounds() == 0,
                        retries.outOfBounds() + " outside; longest wait per retry (ms) " + retries.longestByRetry()
                                + ", mean " + retries.meanByRetry());
                result.check("re-sends happened (the 429s were retried, not failed)", retries.resends() > 0,
                        retries.resends() + " re-sends");

                FaultKit.LogCounts log = FaultKit.countLog(daemon.logFile());
                long warnings = log.level("WARN") + log.level("ERROR");
                long sink = log.warningsMentioning("sink.BulkSink");
                long syncs = countLines(daemon.logFile(), " sync started into index ");
                long perDocument = log.warningsMentioning("Document failed: ") - syncs * (LOGGED_EXAMPLES + 1);
                result.check("the bulk sink's log is aggregated: a handful of WARN lines per sync, not one per"
                                + " document or request", sink <= MAX_SINK_WARNINGS_PER_SYNC * syncs && perDocument <= 0,
                        sink + " WARN lines from the bulk sink over " + syncs + " syncs (at most "
                                + MAX_SINK_WARNINGS_PER_SYNC + " each); for " + first.count("failed") + " + later failed"
                                + " documents and " + retries.resends() + " re-sends");
                long scheduling = log.warningsMentioning("queueing its", "Looking for");
                result.note(String.format(Locale.ROOT, "daemon log: %d lines, by level %s; %d WARN/ERROR in all, %d"
                                + " from the bulk sink, %d from the daemon's scheduling and polling (one per rejected"
                                + " state write: not aggregated), %d about rejections (429)", log.lines(),
                        log.byLevel(), warnings, sink, scheduling, log.warningsMentioning("rejected", "429")));
                log.warnings().stream().filter(w -> w.contains("sink.BulkSink")).limit(8)
                        .forEach(w -> result.note("log: " + FaultKit.abbreviate(w, 220)));
                List<JsonNode> jobs = FaultKit.jobs(endpoint);
                result.note("job records: " + FaultKit.describeJobs(jobs));
                result.outcome(String.format(Locale.ROOT, "%,d write tasks rejected (%,.0f operations answered 429);"
                                + " the first sync %s in %s (%d failed, %d re-sends, highest retry %d/%d); the next %s;"
                                + " %d WARN/ERROR log lines (%d from the bulk sink); index equal",
                        rejected, throttled, first.status(), FaultKit.seconds(first.duration()), first.count("failed"),
                        retries.resends(), retries.maxRetry(), MAX_RETRIES, next.status(), warnings, sink));
                daemon.stop();
            }
        }
        return result.build();
    }

    /** What {@code BulkSink.LOGGED_EXAMPLES} is (package-private there): failures logged one by one per write. */
    private static final int LOGGED_EXAMPLES = 5;

    private static long countLines(Path log, String text) throws IOException {
        return Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(l -> l.contains(text)).count();
    }

    /** The re-sends the DEBUG lines of {@code BulkSink} report. */
    record Retries(long resends, long operations, int maxRetry, long outOfBounds, Map<Integer, Long> longestByRetry,
                   Map<Integer, Long> meanByRetry) {
    }

    static Retries retries(Path log) throws IOException {
        long resends = 0;
        long operations = 0;
        int maxRetry = 0;
        long outOfBounds = 0;
        Map<Integer, Long> longest = new java.util.TreeMap<>();
        Map<Integer, long[]> sums = new java.util.TreeMap<>();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            Matcher m = RESEND.matcher(line);
            if (!m.find()) {
                continue;
            }
            resends++;
            operations += Long.parseLong(m.group(1));
            long delay = Long.parseLong(m.group(4));
            int retry = Integer.parseInt(m.group(5));
            maxRetry = Math.max(maxRetry, retry);
            if (delay > bound(retry).toMillis()) {
                outOfBounds++;
            }
            longest.merge(retry, delay, Math::max);
            long[] sum = sums.computeIfAbsent(retry, r -> new long[2]);
            sum[0] += delay;
            sum[1]++;
        }
        Map<Integer, Long> mean = new java.util.TreeMap<>();
        sums.forEach((r, s) -> mean.put(r, s[0] / s[1]));
        return new Retries(resends, operations, maxRetry, outOfBounds, longest, mean);
    }

    /** The backoff bound before retry {@code n}: {@code min(max_backoff, initial_backoff * 2^(n-1))}. */
    static Duration bound(int retry) {
        Duration b = INITIAL_BACKOFF.multipliedBy(1L << Math.min(30, retry - 1));
        return b.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : b;
    }

    /** The runtime's text layout on standard error, with the bulk sink's re-sends at DEBUG. */
    private static Path writeLogback(Path work) throws IOException {
        return Files.writeString(work.resolve("logback-chaos.xml"), """
                <configuration>
                  <appender name="text" class="ch.qos.logback.core.ConsoleAppender">
                    <target>System.err</target>
                    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{20} - %msg%n</pattern></encoder>
                  </appender>
                  <logger name="io.netty" level="WARN"/>
                  <logger name="reactor.netty" level="WARN"/>
                  <logger name="org.apache.tika" level="WARN"/>
                  <logger name="io.connectors.runtime.sink.BulkSink" level="DEBUG"/>
                  <root level="INFO"><appender-ref ref="text"/></root>
                </configuration>
                """).toAbsolutePath();
    }
}
