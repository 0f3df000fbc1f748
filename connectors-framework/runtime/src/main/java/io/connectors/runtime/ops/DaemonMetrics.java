package io.connectors.runtime.ops;

import io.connectors.runtime.sink.BulkSink;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's metrics, in a Prometheus registry scraped at {@code /metrics} (see {@code docs/OPERATIONS.md} for
 * every meter). Tags are bounded: connector ids, job types and statuses, outcomes; never job or document ids.
 *
 * <p>Thread-safe: the bulk listener and job handles are called from the sinks' and the scheduler's threads.
 */
public final class DaemonMetrics implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DaemonMetrics.class);

    /** The outcomes counted in {@code connectors.documents}, as named in the job's counts. */
    static final List<String> OUTCOMES = List.of("indexed", "updated", "unchanged", "deleted", "dropped", "failed");
    /** Distinct statuses tracked by {@code connectors.jobs}; the state index has a handful. */
    static final int MAX_STATUSES = 32;
    /**
     * Distinct names of {@code connectors.source.*} gauges, all sources together: a source documents a handful, so
     * more means a name built from data (a table, a slot), whose series would grow without end.
     */
    static final int MAX_SOURCE_GAUGE_NAMES = 64;
    /** Longest name of a source gauge, without its prefix. */
    static final int MAX_SOURCE_GAUGE_NAME_LENGTH = 100;
    private static final java.util.regex.Pattern SOURCE_GAUGE_NAME = java.util.regex.Pattern.compile("[a-z][a-z0-9_]*");
    /**
     * Endings the Prometheus client reserves for counters, histograms and info metrics and strips from other names:
     * the series would not be called what the source's documentation says.
     */
    private static final List<String> RESERVED_SUFFIXES = List.of("_total", "_created", "_bucket", "_info");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final ConcurrentMap<String, AtomicLong> jobsByStatus = new ConcurrentHashMap<>();
    private final AtomicBoolean tooManyStatusesLogged = new AtomicBoolean();
    /** Epoch seconds of each connector's last successful job, by "connector job_type". */
    private final ConcurrentMap<List<String>, AtomicLong> lastSuccess = new ConcurrentHashMap<>();
    /** Documents in each connector's index, as last counted. */
    private final ConcurrentMap<String, AtomicLong> indexDocuments = new ConcurrentHashMap<>();
    /** The gauges sources report, by connector id, then name; names are counted across connectors. */
    private final ConcurrentMap<String, SourceGauges> sourceGauges = new ConcurrentHashMap<>();
    private final java.util.Set<String> sourceGaugeNames = ConcurrentHashMap.newKeySet();
    /** Names refused so far, each warned about once (bounded like the names accepted). */
    private final java.util.Set<String> refusedSourceGaugeNames = ConcurrentHashMap.newKeySet();
    private final java.time.Clock clock;
    private final BulkSink.Listener bulkListener;

    public DaemonMetrics() {
        this(java.time.Clock.systemUTC());
    }

    /** @param clock the time of {@code connectors_last_success_timestamp_seconds} */
    public DaemonMetrics(java.time.Clock clock) {
        this.clock = clock;
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);

        Gauge.builder("connectors.jobs.running", running, AtomicInteger::get)
                .description("Sync jobs running in this daemon")
                .register(registry);
        Gauge.builder("connectors.bulk.queue.bytes", queuedBytes, AtomicLong::get)
                .description("Bytes of operations accepted by bulk sinks and not yet resolved")
                .baseUnit(BaseUnits.BYTES)
                .register(registry);
        bulkListener = new BulkMetrics(bulkLatency("success"), bulkLatency("error"),
                Counter.builder("connectors.bulk.retries")
                        .description("Bulk operations re-sent after a retryable failure (429, 5xx, no response)")
                        .register(registry),
                Counter.builder("connectors.bulk.throttled")
                        .description("Bulk operations answered 429 Too Many Requests, item by item or as a whole request")
                        .register(registry),
                queuedBytes);
    }

    private Timer bulkLatency(String outcome) {
        return Timer.builder("connectors.bulk.latency")
                .description("Duration of _bulk round trips; outcome=error when the request failed as a whole")
                .tag("outcome", outcome)
                .publishPercentileHistogram(false)
                .register(registry);
    }

    /** The registry, to add meters; {@link #scrape()} renders all of them. */
    public MeterRegistry registry() {
        return registry;
    }

    /** Every meter in the Prometheus text format (version 0.0.4). */
    public String scrape() {
        return registry.scrape();
    }

    /** The listener to give every {@link BulkSink}: request latencies, retries, 429s and bytes in flight. */
    public BulkSink.Listener bulkListener() {
        return bulkListener;
    }

    /**
     * A job began: counts it in {@code connectors.jobs.running} until {@link JobMetrics#finished}.
     *
     * @param connectorId the connector's id, the {@code connector} tag
     * @param jobType     e.g. {@code full}, {@code incremental}, {@code access_control}: the {@code type} tag of
     *                    {@code connectors.jobs.finished}
     */
    public JobMetrics jobStarted(String connectorId, String jobType) {
        Objects.requireNonNull(connectorId, "connectorId");
        Objects.requireNonNull(jobType, "jobType");
        Job job = new Job(connectorId, jobType);
        running.incrementAndGet();
        return job;
    }

    /**
     * Counts a job that ended, in {@code connectors.jobs.finished}. {@link JobMetrics#finished} calls it for the
     * jobs this daemon runs; the daemon calls it directly for a job it marks failed on another worker's behalf.
     */
    public void jobEnded(String connectorId, String jobType, String status) {
        Counter.builder("connectors.jobs.finished")
                .description("Sync jobs ended, by connector, job type and final status")
                .tag("connector", connectorId)
                .tag("type", jobType)
                .tag("status", status == null ? "unknown" : status)
                .register(registry)
                .increment();
    }

    /**
     * A job that ran ended: its duration goes to {@code connectors.sync.duration{connector,job_type,status}}, and a
     * successful one ({@code completed}, {@code completed_with_errors}) sets
     * {@code connectors.last_success.timestamp.seconds{connector,job_type}} to now.
     */
    void jobRan(String connectorId, String jobType, String status, Duration duration) {
        Timer.builder("connectors.sync.duration")
                .description("Duration of sync jobs that ran, by connector, job type and final status")
                .tag("connector", connectorId)
                .tag("job_type", jobType)
                .tag("status", status)
                .register(registry)
                .record(duration);
        if ("completed".equals(status) || "completed_with_errors".equals(status)) {
            lastSuccess.computeIfAbsent(List.of(connectorId, jobType), k -> {
                AtomicLong created = new AtomicLong();
                Gauge.builder("connectors.last_success.timestamp.seconds", created, AtomicLong::get)
                        .description("When the connector's last successful job of this type ended, in seconds since the epoch")
                        .tag("connector", connectorId)
                        .tag("job_type", jobType)
                        .register(registry);
                return created;
            }).set(clock.instant().getEpochSecond());
        }
    }

    /**
     * Sets {@code connectors.index.documents{connector}}: the documents in the connector's index, as counted at the
     * end of its last job (a count below 0, unknown, is ignored).
     */
    public void indexDocuments(String connectorId, long count) {
        Objects.requireNonNull(connectorId, "connectorId");
        if (count < 0) {
            return;
        }
        indexDocuments.computeIfAbsent(connectorId, id -> {
            AtomicLong created = new AtomicLong();
            Gauge.builder("connectors.index.documents", created, AtomicLong::get)
                    .description("Documents in the connector's index, counted at the end of its last job")
                    .tag("connector", id)
                    .register(registry);
            return created;
        }).set(count);
    }

    /**
     * What content extraction reports: {@code connectors.extraction.documents{outcome}} (bodies extracted or not, by
     * outcome: extracted, truncated, too_large, encrypted, zip_bomb, timeout, out_of_memory, crashed, parse_error,
     * unreadable), {@code connectors.extraction.bytes} (bytes of bodies read) and {@code connectors.extraction.duration}.
     */
    public io.connectors.runtime.sync.ContentExtractor.Listener extractionListener() {
        return (outcome, bytes, nanos) -> {
            Counter.builder("connectors.extraction.documents")
                    .description("Document bodies given to content extraction, by outcome")
                    .tag("outcome", outcome.label())
                    .register(registry)
                    .increment();
            Counter.builder("connectors.extraction.bytes")
                    .description("Bytes of document bodies given to content extraction")
                    .baseUnit("bytes")
                    .register(registry)
                    .increment(bytes);
            Timer.builder("connectors.extraction.duration")
                    .description("Time to extract one document body, reading it included")
                    .register(registry)
                    .record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        };
    }

    /**
     * Counts a scheduled tick that created or ran no job, in {@code connectors.skipped_ticks{connector,reason}}.
     *
     * @param reason {@code unchanged} (the change check said nothing changed) or {@code queued} (a job of the
     *               connector was still waiting)
     */
    public void skippedTick(String connectorId, String reason) {
        Counter.builder("connectors.skipped_ticks")
                .description("Scheduled syncs skipped, by connector and reason (unchanged, queued)")
                .tag("connector", connectorId)
                .tag("reason", reason)
                .register(registry)
                .increment();
    }

    /**
     * Registers {@code connectors.change_watch.established{connector}}: 1 while the connector's change watch is
     * established (a scheduled sync of an unchanged source is skipped without reading it), 0 otherwise. Registering
     * a connector again keeps the first supplier.
     *
     * @param established read at each scrape; must be cheap and thread-safe
     */
    public void changeWatchEstablished(String connectorId, java.util.function.BooleanSupplier established) {
        Objects.requireNonNull(connectorId, "connectorId");
        Objects.requireNonNull(established, "established");
        Gauge.builder("connectors.change_watch.established", established, s -> s.getAsBoolean() ? 1 : 0)
                .description("1 while the connector's change watch is established, else 0")
                .tag("connector", connectorId)
                .strongReference(true)
                .register(registry);
    }

    /**
     * Sets {@code connectors.jobs}: the jobs in the state index per status. A status reported before and missing
     * now reads 0.
     *
     * @param counts jobs per status, e.g. {@code {pending=1, in_progress=2, completed=340}}
     */
    public void jobCountsByStatus(Map<String, Long> counts) {
        Objects.requireNonNull(counts, "counts");
        for (Map.Entry<String, AtomicLong> e : jobsByStatus.entrySet()) {
            if (!counts.containsKey(e.getKey())) {
                e.getValue().set(0);
            }
        }
        counts.forEach((status, count) -> {
            if (status == null) {
                return;
            }
            AtomicLong value = jobsByStatus.get(status);
            if (value == null) {
                value = statusGauge(status);
            }
            if (value != null) {
                value.set(count == null ? 0 : count);
            }
        });
    }

    private synchronized AtomicLong statusGauge(String status) {
        AtomicLong value = jobsByStatus.get(status);
        if (value != null) {
            return value;
        }
        if (jobsByStatus.size() >= MAX_STATUSES) {
            if (tooManyStatusesLogged.compareAndSet(false, true)) {
                log.warn("More than {} job statuses in the state index; connectors_jobs ignores status [{}] and any "
                        + "further new one", MAX_STATUSES, status);
            }
            return null;
        }
        AtomicLong created = new AtomicLong();
        Gauge.builder("connectors.jobs", created, AtomicLong::get)
                .description("Sync jobs in the state index, by status")
                .tag("status", status)
                .register(registry);
        jobsByStatus.put(status, created);
        return created;
    }

    /**
     * Where the sources of connector {@code connectorId} report measurements of their backend
     * ({@link io.connectors.spi.SourceContext#metrics()}): each name becomes the gauge
     * {@code connectors.source.<name>{connector}} (Prometheus {@code connectors_source_<name>}), registered the first
     * time it is reported and holding the last value reported ({@code NaN} included) until the daemon stops. A name
     * that is not {@code [a-z][a-z0-9_]*} of at most {@value #MAX_SOURCE_GAUGE_NAME_LENGTH} characters, ends in a
     * suffix Prometheus reserves ({@code _total}, {@code _created}, {@code _bucket}, {@code _info}) or is new once {@value #MAX_SOURCE_GAUGE_NAMES} names are known
     * is ignored, with one warning per name: a source's mistake never fails the source.
     *
     * <p>The same instance for every call with one connector id. Reporting a known gauge is a map lookup and a
     * volatile write.
     */
    public io.connectors.spi.SourceMetrics sourceMetrics(String connectorId) {
        Objects.requireNonNull(connectorId, "connectorId");
        return sourceGauges.computeIfAbsent(connectorId, SourceGauges::new);
    }

    /** Why a gauge name is refused, or null when it is fine. */
    private static String invalidSourceGaugeName(String name) {
        if (name == null || name.length() > MAX_SOURCE_GAUGE_NAME_LENGTH || !SOURCE_GAUGE_NAME.matcher(name).matches()) {
            return "a name is lower-case letters, digits and '_', starting with a letter, at most "
                    + MAX_SOURCE_GAUGE_NAME_LENGTH + " characters";
        }
        for (String suffix : RESERVED_SUFFIXES) {
            if (name.endsWith(suffix)) {
                return "names ending in " + suffix + " are reserved by Prometheus for other metric types";
            }
        }
        return null;
    }

    /** Logs a refused name the first time it is seen. */
    private void refuseSourceGauge(String connectorId, String name, String why) {
        // Bounded as the names accepted are: a source inventing names cannot grow this set without end either.
        if (refusedSourceGaugeNames.size() < MAX_SOURCE_GAUGE_NAMES && refusedSourceGaugeNames.add(String.valueOf(name))) {
            log.warn("Connector {}: its source reported the measurement [{}], which is not exported: {}", connectorId,
                    name == null ? null : name.length() > MAX_SOURCE_GAUGE_NAME_LENGTH
                            ? name.substring(0, MAX_SOURCE_GAUGE_NAME_LENGTH) + "..." : name, why);
        }
    }

    /** Takes a new name into the bounded set; false (warned once) when the set is full. */
    private synchronized boolean admitSourceGaugeName(String connectorId, String name) {
        if (sourceGaugeNames.contains(name)) {
            return true;
        }
        if (sourceGaugeNames.size() >= MAX_SOURCE_GAUGE_NAMES) {
            refuseSourceGauge(connectorId, name, "the sources already reported " + MAX_SOURCE_GAUGE_NAMES
                    + " distinct names, the most the daemon exports");
            return false;
        }
        sourceGaugeNames.add(name);
        return true;
    }

    /** The gauges of one connector's sources: every source instance of the connector reports into the same ones. */
    private final class SourceGauges implements io.connectors.spi.SourceMetrics {
        private final String connectorId;
        private final ConcurrentMap<String, SourceGauge> byName = new ConcurrentHashMap<>();

        SourceGauges(String connectorId) {
            this.connectorId = connectorId;
        }

        @Override
        public void gauge(String name, String description, double value) {
            SourceGauge gauge = name == null ? null : byName.get(name);
            if (gauge == null) {
                gauge = register(name, description);
                if (gauge == null) {
                    return;
                }
            }
            gauge.value = value;
        }

        private SourceGauge register(String name, String description) {
            String invalid = invalidSourceGaugeName(name);
            if (invalid != null) {
                refuseSourceGauge(connectorId, name, invalid);
                return null;
            }
            if (!admitSourceGaugeName(connectorId, name)) {
                return null;
            }
            return byName.computeIfAbsent(name, n -> {
                SourceGauge created = new SourceGauge();
                Gauge.builder("connectors.source." + n, created, g -> g.value)
                        .description(description == null || description.isBlank()
                                ? "Measured by the connector's source (see the source's documentation)" : description)
                        .tag("connector", connectorId)
                        .strongReference(true)
                        .register(registry);
                return created;
            });
        }
    }

    /** The last value a source reported for one gauge. */
    private static final class SourceGauge {
        volatile double value = Double.NaN;
    }

    /** Unbinds the JVM garbage collection listeners and closes the registry. */
    @Override
    public void close() {
        gc.close();
        registry.close();
    }

    /** Turns a job's cumulative counts into counter increments. */
    private final class Job implements JobMetrics {
        private final String connectorId;
        private final String jobType;
        private final Map<String, Counter> documents = new LinkedHashMap<>();
        private final Counter bytes;
        private final Map<String, Long> last = new LinkedHashMap<>();
        private final AtomicBoolean finished = new AtomicBoolean();
        private final long startedNanos = System.nanoTime();

        Job(String connectorId, String jobType) {
            this.connectorId = connectorId;
            this.jobType = jobType;
            for (String outcome : OUTCOMES) {
                documents.put(outcome, Counter.builder("connectors.documents")
                        .description("Documents processed by syncs, by outcome; rate() gives documents per second")
                        .tag("connector", connectorId)
                        .tag("outcome", outcome)
                        .register(registry));
            }
            bytes = Counter.builder("connectors.bytes")
                    .description("Bytes of document source acknowledged by Elasticsearch")
                    .baseUnit(BaseUnits.BYTES)
                    .tag("connector", connectorId)
                    .register(registry);
        }

        @Override
        public synchronized void progress(Map<String, Long> cumulativeCounts) {
            Objects.requireNonNull(cumulativeCounts, "cumulativeCounts");
            documents.forEach((outcome, counter) -> add(counter, outcome, cumulativeCounts.get(outcome)));
            add(bytes, "bytes", cumulativeCounts.get("bytes"));
        }

        private void add(Counter counter, String key, Long cumulative) {
            if (cumulative == null) {
                return;
            }
            long delta = cumulative - last.getOrDefault(key, 0L);
            // A count going down means a new baseline (the caller restarted counting): nothing to add.
            last.put(key, cumulative);
            if (delta > 0) {
                counter.increment(delta);
            }
        }

        @Override
        public void finished(String status) {
            if (!finished.compareAndSet(false, true)) {
                return;
            }
            running.decrementAndGet();
            jobEnded(connectorId, jobType, status);
            if (!"lost".equals(status) && !"skipped".equals(status)) {
                jobRan(connectorId, jobType, status == null ? "unknown" : status, Duration.ofNanos(System.nanoTime() - startedNanos));
            }
        }
    }

    /** Feeds the bulk meters; every call is a few atomic operations. */
    private record BulkMetrics(Timer success, Timer error, Counter retries, Counter throttled, AtomicLong queued)
            implements BulkSink.Listener {
        @Override
        public void onRequest(Duration latency, int operations, boolean ok) {
            (ok ? success : error).record(latency);
        }

        @Override
        public void onRetry(int operations) {
            retries.increment(operations);
        }

        @Override
        public void onThrottled(int operations) {
            throttled.increment(operations);
        }

        @Override
        public void onQueued(long bytes) {
            queued.addAndGet(bytes);
        }

        @Override
        public void onResolved(long bytes) {
            queued.addAndGet(-bytes);
        }
    }
}
