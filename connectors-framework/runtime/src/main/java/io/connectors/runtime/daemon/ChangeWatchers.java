package io.connectors.runtime.daemon;

import io.connectors.runtime.config.ConnectorConfig;
import io.connectors.runtime.ops.DaemonMetrics;
import io.connectors.runtime.state.JobType;
import io.connectors.runtime.sync.ChangeCheck;
import io.connectors.runtime.util.Failures;
import io.connectors.spi.BaseDataSource;
import io.connectors.spi.ChangeWatchingSource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * The change watches of a daemon's connectors, and what they say about skipping scheduled syncs.
 *
 * <p>For each connector whose source implements {@link ChangeWatchingSource}, {@link #run()} creates one dedicated
 * source instance, subscribes to its {@link ChangeWatchingSource#watchChanges() watch}, subscribes again after an
 * error (a jittered back-off from 1 s growing to 1 min, back to 1 s once a watch emitted something), and closes the
 * instance when the daemon stops. Per connector, in memory only:
 * <ul>
 *   <li>a <b>generation</b>, bumped at each subscription and at each error: what was learned in one generation
 *       says nothing about the next;</li>
 *   <li>whether the current generation is <b>established</b> ({@code WATCHING} seen: every change from then on
 *       will be reported);</li>
 *   <li>a <b>change counter</b>, one per {@code CHANGED} signal.</li>
 * </ul>
 *
 * <p>A full or incremental job takes a <b>mark</b> (generation, counter) just before it reads the source, only
 * while the watch is established; taking one forgets the connector's clean mark (a job that reads the source and
 * does not complete may have left the index anywhere). When the job completes, its mark becomes the connector's
 * <b>clean mark</b>: the index reflects the source as it was at the mark, or later. A scheduled job's first attempt
 * is skipped without reading the source when the watch is established, in the clean mark's generation, and has
 * counted no change since it; otherwise the source's {@link BaseDataSource#changed()} decides, as without a
 * watcher. Access-control and real-time jobs never use the watcher, and {@code realtime: true} connectors are not
 * watched.
 */
final class ChangeWatchers {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeWatchers.class);
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

    private final List<ConnectorConfig> connectors;
    private final DaemonMetrics metrics;
    private final Duration firstBackoff;
    private final Duration maxBackoff;
    /** The watches of connectors whose source watches, once {@link #run()} created their instance. */
    private final Map<String, Watch> watches = new ConcurrentHashMap<>();

    ChangeWatchers(List<ConnectorConfig> connectors, DaemonMetrics metrics) {
        this(connectors, metrics, FIRST_BACKOFF, MAX_BACKOFF);
    }

    ChangeWatchers(List<ConnectorConfig> connectors, DaemonMetrics metrics, Duration firstBackoff, Duration maxBackoff) {
        // A real-time connector's job follows the changes itself; its scheduled jobs (if any) wait for its lock.
        this.connectors = connectors.stream().filter(c -> !c.realtime()).toList();
        this.metrics = metrics;
        this.firstBackoff = firstBackoff;
        this.maxBackoff = maxBackoff;
    }

    /**
     * Watches every connector whose source can; never completes. Cancelling stops the watches and closes their
     * source instances. A connector whose instance cannot be created is logged and not watched.
     */
    Flux<Void> run() {
        if (connectors.isEmpty()) {
            return Flux.empty();
        }
        return Flux.fromIterable(connectors).flatMap(this::watch, connectors.size());
    }

    private Flux<Void> watch(ConnectorConfig c) {
        return Flux.usingWhen(
                        Mono.fromCallable(() -> c.provider().create(c.source(), metrics == null ? c.context()
                                : c.context().withMetrics(metrics.sourceMetrics(c.id())))),
                        source -> source instanceof ChangeWatchingSource watching ? loop(c, watching) : Flux.<Void>empty(),
                        BaseDataSource::close,
                        (source, e) -> source.close(),
                        BaseDataSource::close)
                .onErrorResume(e -> {
                    LOG.warn("Connector {}: no change watch (its source cannot be created or closed: {})", c.id(),
                            Failures.describe(e));
                    return Flux.empty();
                });
    }

    private Flux<Void> loop(ConnectorConfig c, ChangeWatchingSource source) {
        Watch w = watches.computeIfAbsent(c.id(), Watch::new);
        if (metrics != null) {
            metrics.changeWatchEstablished(c.id(), w::established);
        }
        return Flux.defer(() -> {
                    w.subscribed();
                    return source.watchChanges();
                })
                // A watch that ends is lost like one that fails: nothing is reported any more.
                .concatWith(Mono.error(() -> new IllegalStateException("the watch ended")))
                .doOnNext(w::signal)
                .doOnError(w::lost)
                .retryWhen(Retry.backoff(Long.MAX_VALUE, firstBackoff).maxBackoff(maxBackoff).jitter(0.5)
                        .transientErrors(true))
                .thenMany(Flux.<Void>empty());
    }

    /**
     * The change check of one job.
     *
     * @param connectorId the job's connector
     * @param type        the job's type: only full and incremental jobs use the watcher
     * @param askChanged  whether the job may be skipped (a scheduled job's first attempt)
     * @param jobId       the job, named by the skip note of later jobs when it completes
     */
    ChangeCheck check(String connectorId, JobType type, boolean askChanged, String jobId) {
        ChangeCheck plain = askChanged ? ChangeCheck.ASK_SOURCE : ChangeCheck.NONE;
        Watch w = watches.get(connectorId);
        if (w == null || (type != JobType.FULL && type != JobType.INCREMENTAL)) {
            return plain;
        }
        return new ChangeCheck() {
            private volatile Mark mark;

            @Override
            public Mono<String> skipReason(BaseDataSource source) {
                if (!askChanged) {
                    return Mono.empty();
                }
                return Mono.defer(() -> w.unchangedSince()
                        .map(job -> Mono.just("the change watcher saw no change since the last completed sync (job " + job + ")"))
                        .orElseGet(() -> ChangeCheck.askSource(source)));
            }

            @Override
            public void reading() {
                mark = w.mark();
            }

            @Override
            public void completed() {
                Mark m = mark;
                if (m != null) {
                    w.completed(m, jobId);
                }
            }
        };
    }

    /** Whether the connector's watch is established now (tests, metrics). */
    boolean established(String connectorId) {
        Watch w = watches.get(connectorId);
        return w != null && w.established();
    }

    /** Where a watch was when a job started reading the source. */
    record Mark(long generation, long changes) {
    }

    /** One connector's watch state. Guarded by {@code this}: signals, errors and jobs come from different threads. */
    static final class Watch {
        private final String connectorId;
        private long generation;
        private boolean established;
        private long changes;
        private Mark clean;
        private String cleanJob;

        Watch(String connectorId) {
            this.connectorId = connectorId;
        }

        synchronized void subscribed() {
            generation++;
            established = false;
        }

        void signal(ChangeWatchingSource.Signal signal) {
            boolean now;
            synchronized (this) {
                if (signal == ChangeWatchingSource.Signal.CHANGED) {
                    changes++;
                    return;
                }
                now = !established;
                established = true;
            }
            if (now) {
                LOG.info("Connector {}: change watch established; scheduled syncs are skipped while the source does not change",
                        connectorId);
            }
        }

        void lost(Throwable e) {
            synchronized (this) {
                generation++;
                established = false;
            }
            LOG.warn("Connector {}: change watch lost ({}); scheduled syncs read the source until a sync completes with "
                    + "the watch re-established; watching again after a back-off", connectorId, Failures.describe(e));
        }

        synchronized boolean established() {
            return established;
        }

        /** The mark of a job that starts reading the source: null while not established. Forgets the clean mark. */
        synchronized Mark mark() {
            clean = null;
            cleanJob = null;
            return established ? new Mark(generation, changes) : null;
        }

        synchronized void completed(Mark mark, String jobId) {
            clean = mark;
            cleanJob = jobId;
        }

        /** The job of the clean mark, when nothing changed since it. */
        synchronized Optional<String> unchangedSince() {
            return established && clean != null && clean.generation() == generation && clean.changes() == changes
                    ? Optional.of(cleanJob) : Optional.empty();
        }
    }
}
