package io.connectors.functional.chaos;

import co.elastic.clients.elasticsearch._types.SortOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.connectors.elasticsearch.local.ElasticsearchEndpoint;
import io.connectors.elasticsearch.local.LocalElasticsearchLauncher;
import io.connectors.functional.DaemonProcess;
import io.connectors.functional.ElasticsearchSession;
import io.connectors.functional.IndexVerifier;
import io.connectors.functional.ProgressPoint;
import io.connectors.functional.SyncOutcome;
import io.connectors.functional.Verification;
import io.connectors.testkit.functional.SourceFixture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the Elasticsearch and daemon fault scenarios share: a node of their own, the moment to strike (from the
 * daemon's progress), the job records, the daemon's metrics and log, and the verification in the report's terms.
 */
final class FaultKit {
    static final String CONNECTOR = "chaos";
    static final String JOBS_ALIAS = "connectors-state-jobs";
    /** Heartbeats as InterruptedJobsIT runs them: a dead worker's job is failed within seconds, not the default 30. */
    static final Map<String, Object> FAST_HEARTBEATS = Map.of("daemon", Map.of("heartbeat_interval", "1s",
            "heartbeat_timeout", "5s", "poll_interval", "1s"));

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern LOG_LINE = Pattern.compile("^\\d{2}:\\d{2}:\\d{2}\\.\\d{3} +([A-Z]+) +\\[.*?\\] (\\S+) +- (.*)$");
    private static final Pattern OPS_ENDPOINT = Pattern.compile("Operations endpoint listening on (http://\\S+?:\\d+)");

    private FaultKit() {
    }

    /** A free port on the loopback interface now; the node binds it later (fine on a machine that is not crowded). */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** A node of the scenario's: the shared unpacked distribution, data under {@code work}, heap 512m. */
    static LocalElasticsearchLauncher.Builder elasticsearch(ChaosContext context, Path work) {
        return LocalElasticsearchLauncher.builder()
                .home(context.home().resolve(".local/chaos-elasticsearch"))
                .dataDir(work.resolve("elasticsearch"))
                .heap("512m");
    }

    /**
     * Waits until the daemon's progress reports at least {@code indexed} documents of the connector indexed.
     *
     * @throws IllegalStateException if the daemon exits or {@code timeout} passes first
     */
    static ProgressPoint awaitIndexed(DaemonProcess daemon, long indexed, Duration timeout) throws InterruptedException {
        if (awaitProgress(daemon, p -> p.indexed() >= indexed, timeout)) {
            List<ProgressPoint> points = daemon.progress(CONNECTOR);
            return points.get(points.size() - 1);
        }
        if (!daemon.isAlive()) {
            throw new IllegalStateException("the daemon exited before " + indexed + " documents were indexed; see "
                    + daemon.logFile());
        }
        throw new IllegalStateException("fewer than " + indexed + " documents indexed after " + timeout + "; see "
                + daemon.logFile());
    }

    /**
     * Waits until the daemon's progress satisfies {@code when} (its last progress point), polling every 100 ms; false
     * when the daemon's sync ended (or {@code timeout} passed) first.
     */
    static boolean awaitProgress(DaemonProcess daemon, Predicate<ProgressPoint> when, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && daemon.isAlive()) {
            List<ProgressPoint> points = daemon.progress(CONNECTOR);
            if (!points.isEmpty() && when.test(points.get(points.size() - 1))) {
                return true;
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        return false;
    }

    /**
     * The syncs of the connector that started at or after {@code after}, up to and including the first that ran to
     * its end, cleanly or with refused documents (the ones before it failed, e.g. while the node was still recovering
     * its shards). Callers check that it {@linkplain SyncOutcome#completed() completed} cleanly.
     *
     * @throws IllegalStateException if none ended so within {@code timeout}, or the daemon exited
     */
    static List<SyncOutcome> awaitCompletedSync(DaemonProcess daemon, Instant after, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<SyncOutcome> syncs = new ArrayList<>();
        Instant from = after;
        while (true) {
            Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
            SyncOutcome sync = daemon.awaitSync(CONNECTOR, from, left);
            syncs.add(sync);
            if (sync.ranToEnd()) {
                return syncs;
            }
            from = sync.started().plusMillis(1);
        }
    }

    /** The connector's job records, oldest first (after a refresh). */
    static List<JsonNode> jobs(ElasticsearchEndpoint es) throws IOException {
        try (ElasticsearchSession session = ElasticsearchSession.open(es)) {
            session.client().indices().refresh(r -> r.index(JOBS_ALIAS));
            List<JsonNode> jobs = new ArrayList<>();
            session.client().search(s -> s.index(JOBS_ALIAS).size(100)
                                    .query(q -> q.term(t -> t.field("connector_id").value(CONNECTOR)))
                                    .sort(o -> o.field(f -> f.field("created_at").order(SortOrder.Asc))),
                            ObjectNode.class)
                    .hits().hits().forEach(h -> jobs.add(h.source()));
            return jobs;
        }
    }

    /** "job-id: status (error)" for each job, for the notes. */
    static String describeJobs(List<JsonNode> jobs) {
        List<String> lines = new ArrayList<>();
        long skipped = jobs.stream().filter(j -> "skipped".equals(j.path("status").asText())).count();
        if (skipped > 0) {
            lines.add(skipped + " scheduled jobs skipped (one was still queued)");
        }
        for (JsonNode j : jobs) {
            if ("skipped".equals(j.path("status").asText())) {
                continue;
            }
            String error = j.path("error").isTextual() ? " (" + abbreviate(j.path("error").asText(), 160) + ")" : "";
            lines.add(j.path("job_id").asText() + ": " + j.path("status").asText() + ", worker "
                    + j.path("worker").asText("none") + ", seen " + j.path("counts").path("seen").asLong() + error);
        }
        return String.join("; ", lines);
    }

    /** Write requests the node's {@code write} thread pool rejected (answered 429) since it started. */
    static long writeRejections(ElasticsearchEndpoint es) throws IOException, InterruptedException {
        JsonNode stats = JSON.readTree(get(es.uri().resolve("/_nodes/stats/thread_pool?filter_path=nodes.*.thread_pool.write")));
        long rejected = 0;
        for (JsonNode node : stats.path("nodes")) {
            rejected += node.path("thread_pool").path("write").path("rejected").asLong();
        }
        return rejected;
    }

    /**
     * The daemon's Prometheus counters whose names start with one of {@code prefixes} (summed over labels), read
     * from its operations endpoint (its address from the log). Empty when the endpoint is not (yet) known.
     */
    static Map<String, Double> metrics(Path daemonLog, List<String> prefixes) throws IOException, InterruptedException {
        Matcher m;
        URI endpoint = null;
        for (String line : Files.readAllLines(daemonLog, StandardCharsets.UTF_8)) {
            m = OPS_ENDPOINT.matcher(line);
            if (m.find()) {
                endpoint = URI.create(m.group(1));
            }
        }
        if (endpoint == null) {
            return Map.of();
        }
        Map<String, Double> sums = new java.util.TreeMap<>();
        for (String line : get(endpoint.resolve("/metrics")).split("\n")) {
            if (line.startsWith("#")) {
                continue;
            }
            for (String prefix : prefixes) {
                if (line.startsWith(prefix)) {
                    String value = line.substring(line.lastIndexOf(' ') + 1);
                    sums.merge(prefix, Double.parseDouble(value), Double::sum);
                }
            }
        }
        return sums;
    }

    /** Lines of a daemon log file, by level, and the WARN/ERROR lines themselves. */
    record LogCounts(long lines, Map<String, Long> byLevel, List<String> warnings) {
        long level(String level) {
            return byLevel.getOrDefault(level, 0L);
        }

        /** WARN and ERROR lines that contain one of {@code words} (case-insensitive). */
        long warningsMentioning(String... words) {
            return warnings.stream().filter(w -> Stream.of(words)
                    .anyMatch(x -> w.toLowerCase(Locale.ROOT).contains(x.toLowerCase(Locale.ROOT)))).count();
        }
    }

    static LogCounts countLog(Path log) throws IOException {
        Map<String, Long> byLevel = new java.util.TreeMap<>();
        List<String> warnings = new ArrayList<>();
        long lines = 0;
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            lines++;
            Matcher m = LOG_LINE.matcher(line);
            if (m.matches()) {
                byLevel.merge(m.group(1), 1L, Long::sum);
                if (m.group(1).equals("WARN") || m.group(1).equals("ERROR")) {
                    warnings.add(line);
                }
            }
        }
        return new LogCounts(lines, byLevel, warnings);
    }

    /** Verifies the index against the source, adding the check and the figures to {@code result}. */
    static Verification verify(ChaosResult.Builder result, ElasticsearchEndpoint es, String index, SourceFixture fixture,
                               String label) throws Exception {
        Verification v = IndexVerifier.verify(es, index, fixture);
        result.check("the index equals the source " + label, v.equal(), v.summary()
                + (v.equal() ? "" : "; first differences: " + v.firstDifferences()));
        result.documentsLost(v.documentsLost());
        return v;
    }

    static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    static Duration since(Instant t) {
        return Duration.between(t, Instant.now());
    }

    /** {@code text} on one line, cut to {@code max} characters; "none" for {@code null}. */
    static String abbreviate(String text, int max) {
        if (text == null) {
            return "none";
        }
        String one = text.replaceAll("\\s+", " ").trim();
        return one.length() <= max ? one : one.substring(0, max) + "...";
    }

    private static String get(URI uri) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + uri + " answered " + response.statusCode() + ": " + abbreviate(response.body(), 300));
        }
        return response.body();
    }
}
