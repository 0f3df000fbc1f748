package io.connectors.functional.bench;

import io.connectors.elasticsearch.local.ElasticsearchEndpoint;
import io.connectors.functional.ChangeLoad;
import io.connectors.functional.DaemonProcess;
import io.connectors.functional.ElasticsearchSession;
import io.connectors.functional.FunctionalConfig;
import io.connectors.functional.IndexSeqProbe;
import io.connectors.functional.RealtimeWait;
import io.connectors.runtime.sync.SyncRunner;
import io.connectors.testkit.functional.SourceFixture;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code make bench NAME=postgresql SIZE=realtime} (or {@code NAME=mysql}): how long a change committed in the database
 * takes to become searchable through a connector with {@code realtime: true}. On the fixture's private server
 * (PostgreSQL with {@code wal_level=logical}, MariaDB writing a row-based binlog), a table of {@link BenchOptions#documents()} rows is synced in full by the connector's first real-time job; once it
 * follows the changes (the replication slot, the binlog), a {@link ChangeLoad} commits {@value #RATE} inserts and updates a second for
 * {@link #LOAD}, each with the next sequence number, and records when each was committed. Meanwhile the bench asks the
 * index for the highest sequence number searchable every {@link #POLL} (a {@code max} aggregation, never a refresh: the
 * index refreshes as a user's would). A change's latency is from its commit to the end of the first search that showed
 * it or a later one; changes are applied in commit order, so a searchable number says every change before it is. The
 * poll interval and the search's own time are part of the figure, so it is never flattered.
 */
final class RealtimeLatency {
    private static final Logger LOG = LoggerFactory.getLogger(RealtimeLatency.class);
    static final int RATE = 500;
    static final Duration LOAD = Duration.ofSeconds(60);
    static final Duration POLL = Duration.ofMillis(25);
    static final double P50_TARGET = 0.5;
    static final double P99_TARGET = 2.0;
    static final String TABLE = "bench_rt.changes";
    /** Upper bounds of the histogram's buckets, in milliseconds; the last bucket is everything above. */
    static final long[] BUCKETS_MS = {100, 250, 500, 750, 1_000, 1_500, 2_000, 3_000, 5_000};
    private static final Duration FOLLOW_TIMEOUT = Duration.ofMinutes(10);
    /** How long after the load stops its last changes may take to show. */
    private static final Duration DRAIN = Duration.ofSeconds(60);

    /** What the phase takes from the rest of the bench. */
    interface Bench {
        /** Starts a daemon on a configuration, as the rest of the bench does (GC log, CPU watch). */
        DaemonProcess startDaemon(Path config, String name) throws IOException;

        /** Waits for a quiet machine before a measurement, and records the wait. */
        void quiet(String what) throws InterruptedException;

        /** Adds where the CPU went between {@code from} and {@code to} to the report. */
        void cpu(String window, Instant from, Instant to);
    }

    /**
     * The latencies measured, in nanoseconds, by sequence number, and how many changes never showed.
     *
     * @param latencies one per change seen, in commit order
     */
    record Latencies(long[] latencies, long unseen) {
        /** The nearest-rank percentile {@code p} (0 to 100) in seconds. */
        double percentile(double p) {
            long[] sorted = latencies.clone();
            Arrays.sort(sorted);
            int rank = (int) Math.ceil(p / 100 * sorted.length);
            return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e9;
        }

        double max() {
            return Arrays.stream(latencies).max().orElse(0) / 1e9;
        }

        /** Changes per bucket of {@link #BUCKETS_MS}, plus one for everything above the last bound. */
        long[] histogram() {
            long[] counts = new long[BUCKETS_MS.length + 1];
            for (long l : latencies) {
                int b = 0;
                while (b < BUCKETS_MS.length && l > TimeUnit.MILLISECONDS.toNanos(BUCKETS_MS[b])) {
                    b++;
                }
                counts[b]++;
            }
            return counts;
        }
    }

    private final BenchOptions options;
    private final ElasticsearchEndpoint endpoint;
    private final BenchReport report;
    private final Bench bench;
    private final String connectorId;
    private final String index;

    RealtimeLatency(BenchOptions options, ElasticsearchEndpoint endpoint, BenchReport report, Bench bench,
                    String connectorId, String index) {
        this.options = options;
        this.endpoint = endpoint;
        this.report = report;
        this.bench = bench;
        this.connectorId = connectorId;
        this.index = index;
    }

    /** Runs the phase on the fixture's real-time backend (started) and adds its figures to the report. */
    void measure(SourceFixture fixture) throws Exception {
        Map<String, Object> backend = fixture.connectorConfiguration();
        String type = fixture.type();
        ChangeLoad.Database connections = ChangeLoad.Database.of(type, backend);
        int rows = options.documents();
        connections.createTable(TABLE, rows);
        Map<String, Object> configuration = new LinkedHashMap<>();
        for (String key : List.of("host", "port", "database", "user", "password")) {
            if (backend.get(key) != null) {
                configuration.put(key, backend.get(key));
            }
        }
        String schema = TABLE.substring(0, TABLE.indexOf('.'));
        configuration.put("tables", List.of(TABLE.substring(TABLE.indexOf('.') + 1)));
        if (type.equals("mysql")) {
            // A MySQL schema is a database: the table's is the connector's.
            configuration.put("database", schema);
            configuration.put("ssl_mode", "disabled");
        } else {
            configuration.put("schemas", List.of(schema));
            configuration.put("ssl_mode", "disable");
        }
        String server = type.equals("mysql") ? "a private MariaDB writing a row-based binlog"
                : "a private cluster (wal_level=logical)";
        Path config = FunctionalConfig.writeRealtime(options.workDir().resolve("config-realtime.yml"), endpoint,
                connectorId, type, index, configuration, Map.of());
        try (ElasticsearchSession session = ElasticsearchSession.open(endpoint)) {
            session.deleteIndex(index);
        }

        Instant t = Instant.now();
        DaemonProcess daemon = bench.startDaemon(config, "realtime");
        try (IndexSeqProbe probe = new IndexSeqProbe(endpoint, index)) {
            Duration follow = RealtimeWait.following(daemon, t, FOLLOW_TIMEOUT);
            LOG.info("The real-time job follows the changes {} after its start (full sync of {} rows first)", follow,
                    rows);
            report.condition("real-time phase", String.format(Locale.ROOT, "table %s of %,d rows on %s, synced in"
                    + " full by the first real-time job (following %.1f s after the daemon started); then %d inserts"
                    + " and updates a second (half each) for %d s, one transaction each; the highest sequence number"
                    + " searchable polled every %d ms with a max aggregation, no forced refresh", TABLE, rows, server,
                    follow.toMillis() / 1000.0, RATE, LOAD.toSeconds(), POLL.toMillis()));

            bench.quiet("real-time load");
            Polls polls = new Polls();
            Instant loadStarted = Instant.now();
            ChangeLoad load = ChangeLoad.start(connections, TABLE, rows, RATE, ChangeLoad.Mix.UPSERTS, 0x5EED,
                    (int) (RATE * LOAD.toSeconds() * 2));
            try {
                long end = System.nanoTime() + LOAD.toNanos();
                polls.until(probe, () -> System.nanoTime() >= end || !load.running());
            } finally {
                load.close();
            }
            load.stop();
            bench.cpu("Real-time load (" + LOAD.toSeconds() + " s)", loadStarted, Instant.now());
            long last = load.lastSeq();
            long drainEnd = System.nanoTime() + DRAIN.toNanos();
            polls.until(probe, () -> polls.highest() >= last || System.nanoTime() >= drainEnd);
            report.condition("index refresh interval", probe.refreshInterval());
            report.condition("bulk flush interval", "bulk.flush_interval default (1s); a real-time job's partial batch"
                    + " waits at most " + SyncRunner.REALTIME_MAX_FLUSH_INTERVAL.toMillis() + " ms (SyncRunner)");
            Latencies latencies = polls.latencies(load);
            figures(load, latencies, polls);
        } finally {
            daemon.stop();
        }
    }

    private void figures(ChangeLoad load, Latencies l, Polls polls) {
        report.figure(Figure.info("realtime_change_rate", "Real-time phase: changes committed a second",
                load.achievedRate(), String.format(Locale.ROOT, "%.0f/s of %d/s asked (%s)", load.achievedRate(), RATE,
                        load.describe())));
        if (l.latencies().length == 0) {
            report.figure(Figure.absent("realtime_latency_p50", "Change to searchable, p50", "no change was seen",
                    Figure.Goal.AT_MOST, P50_TARGET, "not measured"));
            report.figure(Figure.absent("realtime_latency_p99", "Change to searchable, p99", "no change was seen",
                    Figure.Goal.AT_MOST, P99_TARGET, "not measured"));
            report.note("No change of the real-time phase became searchable within " + DRAIN.toSeconds() + " s of the"
                    + " load's end; see the daemon's log.");
            return;
        }
        double p50 = l.percentile(50);
        double p90 = l.percentile(90);
        double p99 = l.percentile(99);
        double max = l.max();
        report.figure(Figure.target("realtime_latency_p50", "Change to searchable, p50 (s)", p50, seconds(p50),
                Figure.Goal.AT_MOST, P50_TARGET));
        report.figure(Figure.info("realtime_latency_p90", "Change to searchable, p90 (s)", p90, seconds(p90)));
        report.figure(Figure.target("realtime_latency_p99", "Change to searchable, p99 (s)", p99, seconds(p99),
                Figure.Goal.AT_MOST, P99_TARGET));
        report.figure(Figure.info("realtime_latency_max", "Change to searchable, max (s)", max, seconds(max)));
        report.figure(Figure.target("realtime_unseen", "Changes not searchable " + DRAIN.toSeconds()
                + " s after the load stopped", l.unseen(), String.format(Locale.ROOT, "%,d of %,d", l.unseen(),
                load.changes()), Figure.Goal.AT_MOST, 0));

        long[] histogram = l.histogram();
        List<List<String>> rows = new ArrayList<>();
        long cumulative = 0;
        List<Map<String, Object>> json = new ArrayList<>();
        for (int b = 0; b < histogram.length; b++) {
            cumulative += histogram[b];
            String range = b == 0 ? "≤ " + BUCKETS_MS[0] + " ms" : b < BUCKETS_MS.length
                    ? BUCKETS_MS[b - 1] + "–" + BUCKETS_MS[b] + " ms" : "> " + BUCKETS_MS[BUCKETS_MS.length - 1] + " ms";
            rows.add(List.of(range, String.format(Locale.ROOT, "%,d", histogram[b]),
                    String.format(Locale.ROOT, "%.1f%%", 100.0 * histogram[b] / l.latencies().length),
                    String.format(Locale.ROOT, "%.1f%%", 100.0 * cumulative / l.latencies().length)));
            json.add(Map.of("range", range, "changes", histogram[b]));
        }
        report.section(new BenchReport.Section(String.format(Locale.ROOT, "Real-time: change to searchable (%,d"
                + " changes, %,d searches, one every %d ms; median search %.1f ms)", l.latencies().length, polls.count(),
                POLL.toMillis(), polls.medianSearchMillis()), List.of("Latency", "Changes", "Share", "Cumulative"), rows));
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("changes", load.changes());
        details.put("rate", load.achievedRate());
        details.put("p50_s", p50);
        details.put("p90_s", p90);
        details.put("p99_s", p99);
        details.put("max_s", max);
        details.put("unseen", l.unseen());
        details.put("searches", polls.count());
        details.put("histogram", json);
        report.detail("realtime", details);
        LOG.info("Real-time latency: p50 {} s, p90 {} s, p99 {} s, max {} s over {} changes ({} unseen)",
                seconds(p50), seconds(p90), seconds(p99), seconds(max), l.latencies().length, l.unseen());
    }

    private static String seconds(double s) {
        return String.format(Locale.ROOT, "%.3f s", s);
    }

    /** The searches: when each ended and the highest sequence number it saw. */
    private static final class Polls {
        private long[] ended = new long[4096];
        private long[] highest = new long[4096];
        private long[] took = new long[4096];
        private int count;
        private long max = -1;

        interface Stop {
            boolean now();
        }

        /** Searches every {@link #POLL} (at once when a search took longer) until {@code stop} says so. */
        void until(IndexSeqProbe probe, Stop stop) throws IOException {
            long next = System.nanoTime();
            while (!stop.now()) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                long start = System.nanoTime();
                long seen = probe.highest();
                add(System.nanoTime(), seen, System.nanoTime() - start);
                next = Math.max(next + POLL.toNanos(), start);
            }
        }

        private void add(long at, long seen, long searchNanos) {
            if (count == ended.length) {
                ended = Arrays.copyOf(ended, count * 2);
                highest = Arrays.copyOf(highest, count * 2);
                took = Arrays.copyOf(took, count * 2);
            }
            max = Math.max(max, seen);
            ended[count] = at;
            highest[count] = max;
            took[count] = searchNanos;
            count++;
        }

        long highest() {
            return max;
        }

        int count() {
            return count;
        }

        double medianSearchMillis() {
            long[] sorted = Arrays.copyOf(took, count);
            Arrays.sort(sorted);
            return count == 0 ? 0 : sorted[count / 2] / 1e6;
        }

        /** For each change of {@code load}, from its commit to the end of the first search that showed it. */
        Latencies latencies(ChangeLoad load) {
            long[] out = new long[(int) load.changes()];
            int n = 0;
            int i = 0;
            long unseen = 0;
            for (long seq = load.firstSeq(); seq <= load.lastSeq(); seq++) {
                while (i < count && highest[i] < seq) {
                    i++;
                }
                if (i == count) {
                    unseen++;
                    continue;
                }
                out[n++] = Math.max(0, ended[i] - load.commitNanos(seq));
            }
            return new Latencies(Arrays.copyOf(out, n), unseen);
        }
    }
}
