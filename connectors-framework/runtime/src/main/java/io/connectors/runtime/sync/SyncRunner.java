package io.connectors.runtime.sync;

import co.elastic.clients.elasticsearch.ElasticsearchAsyncClient;
import io.connectors.runtime.config.ConnectorConfig;
import io.connectors.runtime.config.SyncSettings;
import io.connectors.runtime.sink.BulkSink;
import io.connectors.runtime.config.BulkSinkSettings;
import io.connectors.runtime.state.JobType;
import io.connectors.runtime.util.Failures;
import io.connectors.spi.AccessControlSource;
import io.connectors.spi.BaseDataSource;
import io.connectors.spi.CursorExpiredException;
import io.connectors.spi.IncrementalSource;
import io.connectors.spi.MappingContributor;
import io.connectors.spi.RealtimeSource;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SourceMetrics;
import io.connectors.spi.SplittableSource;
import io.connectors.spi.SyncCursor;
import io.connectors.spi.rules.SyncRules;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs sync jobs for connectors: creates the source, checks its configuration against the backend, asks whether
 * anything changed ({@link ChangeCheck}: scheduled jobs), prepares the index, runs the full, incremental,
 * access-control or real-time sync, saves the cursor once the writes it covers are acknowledged, and closes the
 * source whatever happens.
 *
 * <p>A real-time job ({@link JobType#REALTIME}) follows {@link RealtimeSource#followChanges} from the saved cursor
 * and does not end while the source is healthy: it ends when it is cancelled, when a change cannot be applied, or
 * when the source fails. Without a saved cursor, or when the source says the cursor expired, it runs a full sync
 * first (which saves the cursor taken before it) and follows from there.
 */
public final class SyncRunner {
    private static final Logger LOG = LoggerFactory.getLogger(SyncRunner.class);
    /** Bumped when the stored document format changes, so every document is rewritten once. */
    private static final String FORMAT = "2";
    /**
     * Longest time a change of a real-time job waits in a partial bulk batch, whatever {@code bulk.flush_interval}
     * says: a few small bulk requests a second, so that the refresh interval ({@code refresh_interval}, 500 ms for a
     * real-time connector's new index) is most of the time from a change to its search.
     */
    public static final Duration REALTIME_MAX_FLUSH_INTERVAL = Duration.ofMillis(100);
    /** Longest wait for more changes before a real-time job compares the versions of those it has. */
    private static final Duration REALTIME_VERSION_WAIT = Duration.ofMillis(50);
    /** Longest wait for more changes before an incremental job compares the versions of those it has. */
    private static final Duration INCREMENTAL_VERSION_WAIT = Duration.ofMillis(200);

    private final ElasticsearchAsyncClient client;
    private final BulkSinkSettings bulk;
    private final SyncSettings sync;
    private final BulkSink.Listener listener;
    private final ContentExtractor extractor;
    private final Function<String, SourceMetrics> sourceMetrics;

    public SyncRunner(ElasticsearchAsyncClient client, BulkSinkSettings bulk, SyncSettings sync) {
        this(client, bulk, sync, BulkSink.Listener.NONE);
    }

    /** With content extraction at its default settings (parser processes start only if a connector extracts). */
    public SyncRunner(ElasticsearchAsyncClient client, BulkSinkSettings bulk, SyncSettings sync, BulkSink.Listener listener) {
        this(client, bulk, sync, listener, new ContentExtractor(
                io.connectors.runtime.config.ExtractionSettings.defaults(), sync.tempDir(), null));
    }

    /**
     * @param extractor the daemon's content extraction, for connectors with {@code extract_content}; the caller closes
     *                  it when the daemon stops
     */
    public SyncRunner(ElasticsearchAsyncClient client, BulkSinkSettings bulk, SyncSettings sync, BulkSink.Listener listener,
                      ContentExtractor extractor) {
        this(client, bulk, sync, listener, extractor, connectorId -> SourceMetrics.NONE);
    }

    /**
     * @param extractor     the daemon's content extraction, for connectors with {@code extract_content}; the caller
     *                      closes it when the daemon stops
     * @param sourceMetrics where the sources of a connector (by id) report their measurements: the daemon's exported
     *                      gauges; a one-shot command's runner reports nowhere
     */
    public SyncRunner(ElasticsearchAsyncClient client, BulkSinkSettings bulk, SyncSettings sync, BulkSink.Listener listener,
                      ContentExtractor extractor, Function<String, SourceMetrics> sourceMetrics) {
        this.sourceMetrics = java.util.Objects.requireNonNull(sourceMetrics, "sourceMetrics");
        this.client = client;
        this.bulk = bulk;
        this.sync = sync;
        this.listener = listener;
        this.extractor = java.util.Objects.requireNonNull(extractor, "extractor");
    }

    /**
     * What to run.
     *
     * @param connector   the connector
     * @param type        the job type
     * @param changeCheck whether the job may be skipped without reading the source, and who hears that it read it
     * @param rules       the (validated) sync rules in force
     * @param cursor      the saved cursor of incremental and real-time syncs
     * @param saveCursor  stores a cursor; called only after Elasticsearch acknowledged the writes it covers
     * @param splits      how a full sync of a {@link SplittableSource} coordinates its splits; {@code null}: in this
     *                    process only ({@link LocalSplits}), nothing survives it
     */
    public record SyncRequest(ConnectorConfig connector, JobType type, ChangeCheck changeCheck, SyncRules rules,
                              Optional<SyncCursor> cursor, Function<SyncCursor, Mono<Void>> saveCursor, SplitJob splits) {

        public SyncRequest {
            java.util.Objects.requireNonNull(changeCheck, "changeCheck");
        }

        public SyncRequest(ConnectorConfig connector, JobType type, ChangeCheck changeCheck, SyncRules rules,
                           Optional<SyncCursor> cursor, Function<SyncCursor, Mono<Void>> saveCursor) {
            this(connector, type, changeCheck, rules, cursor, saveCursor, null);
        }

        /**
         * @param askChanged ask the source's {@link BaseDataSource#changed()} first and skip the job when it says no
         *                   ({@link ChangeCheck#ASK_SOURCE}), or always run ({@link ChangeCheck#NONE})
         */
        public SyncRequest(ConnectorConfig connector, JobType type, boolean askChanged, SyncRules rules,
                           Optional<SyncCursor> cursor, Function<SyncCursor, Mono<Void>> saveCursor) {
            this(connector, type, askChanged ? ChangeCheck.ASK_SOURCE : ChangeCheck.NONE, rules, cursor, saveCursor);
        }

        /** A full sync with the connector's configured rules, no change check, no cursor kept. */
        public static SyncRequest full(ConnectorConfig connector) {
            return new SyncRequest(connector, JobType.FULL, ChangeCheck.NONE, connector.syncRules(), Optional.empty(),
                    c -> Mono.empty());
        }
    }

    /** A full sync of {@code connector} with its configured rules; see {@link #run}. */
    public Mono<SyncReport> fullSync(ConnectorConfig connector, SyncStats stats, Consumer<SyncStats> progress) {
        return run(SyncRequest.full(connector), stats, progress);
    }

    /**
     * Runs one job. Never fails: the outcome, errors included, is in the report. Cancelling the returned Mono
     * stops the sync and releases the source.
     *
     * @param progress called every {@code sync.progress_interval} with the running counts
     */
    public Mono<SyncReport> run(SyncRequest request, SyncStats stats, Consumer<SyncStats> progress) {
        ConnectorConfig connector = request.connector();
        String type = request.type().value();
        return Mono.defer(() -> {
            Instant started = Instant.now();
            List<String> notes = stats.notes();
            long[] total = {-1};
            LOG.info("Connector {}: {} sync started into index {}", connector.id(), type, connector.index());
            Mono<SyncReport.Status> work = Mono.usingWhen(
                    Mono.fromCallable(() -> createSource(connector)),
                    source -> source.validateConfig()
                            .then(request.changeCheck().skipReason(source))
                            .map(reason -> {
                                notes.add(reason);
                                return SyncReport.Status.SKIPPED;
                            })
                            .switchIfEmpty(Mono.defer(() -> {
                                request.changeCheck().reading();
                                JobPipeline pipeline = new JobPipeline(client, connector,
                                        request.type() == JobType.ACCESS_CONTROL ? SyncRules.NONE : request.rules(),
                                        indexFor(request), schemaless(source), bulk, REALTIME_MAX_FLUSH_INTERVAL, stats, listener,
                                        extractor);
                                return dispatch(request, pipeline, source, stats, notes)
                                        .then(pipeline.index.count()
                                                .doOnNext(n -> total[0] = n)
                                                // The total is informative only: the report says "unknown" without it.
                                                .onErrorResume(e -> {
                                                    LOG.debug("Connector {}: counting the index failed: {}", connector.id(), e.toString());
                                                    return Mono.empty();
                                                }))
                                        .then(Mono.fromSupplier(() -> finished(request, stats)));
                            })),
                    BaseDataSource::close,
                    (source, error) -> source.close(),
                    BaseDataSource::close);
            Flux<Long> ticks = Flux.interval(sync.progressInterval()).doOnNext(t -> progress.accept(stats));
            return work.map(status -> new SyncReport(connector.id(), type, status, started, Instant.now(), stats.snapshot(),
                            null, notes, total[0]))
                    .onErrorResume(e -> Mono.just(new SyncReport(connector.id(), type, SyncReport.Status.ERROR, started,
                            Instant.now(), stats.snapshot(), Failures.describe(e), notes, total[0])))
                    .doOnCancel(() -> LOG.info("Connector {}: {} sync canceled", connector.id(), type))
                    .doOnNext(r -> io.connectors.runtime.util.LogContext.withCounts(r.counts(), () -> {
                        if (r.status() == SyncReport.Status.ERROR) {
                            LOG.error("{}", r.summary());
                        } else if (r.status() == SyncReport.Status.COMPLETED_WITH_ERRORS) {
                            LOG.warn("{}", r.summary());
                        } else {
                            LOG.info("{}", r.summary());
                        }
                    }))
                    // Progress ticks run alongside the sync and stop with it.
                    .or(ticks.then(Mono.empty()));
        });
    }

    /**
     * How a sync that ran to its end ended: {@code completed_with_errors} when Elasticsearch refused any document,
     * else {@code completed}. Only a clean sync tells the change check that the index reflects the source: after
     * refused documents it does not, so a change watcher must not skip the next scheduled sync on its account.
     */
    private static SyncReport.Status finished(SyncRequest request, SyncStats stats) {
        if (stats.failed() > 0) {
            return SyncReport.Status.COMPLETED_WITH_ERRORS;
        }
        request.changeCheck().completed();
        return SyncReport.Status.COMPLETED;
    }

    private static String indexFor(SyncRequest request) {
        return request.type() == JobType.ACCESS_CONTROL ? accessControlIndex(request.connector()) : request.connector().index();
    }

    /** Where the access-control documents of a connector go. */
    public static String accessControlIndex(ConnectorConfig connector) {
        return connector.index() + "-access-control";
    }

    private Mono<Void> dispatch(SyncRequest request, JobPipeline pipeline, BaseDataSource source, SyncStats stats,
                                List<String> notes) {
        ConnectorConfig connector = request.connector();
        return switch (request.type()) {
            case FULL -> fullWithCursor(request, pipeline, source, stats).then(ignoredNote(pipeline, notes));
            case INCREMENTAL -> {
                if (!(source instanceof IncrementalSource incremental)) {
                    yield Mono.error(new UnsupportedOperationException("source type " + connector.type()
                            + " does not support incremental syncs; schedule full syncs for it"));
                }
                if (request.cursor().isEmpty()) {
                    notes.add("no saved cursor yet: ran a full sync, which saves one");
                    yield fullWithCursor(request, pipeline, source, stats).then();
                }
                yield incremental(request, pipeline, incremental, source, stats)
                        .onErrorResume(CursorExpiredException.class, e -> {
                            LOG.warn("Connector {}: the saved cursor cannot be resumed ({}); running a full sync instead",
                                    connector.id(), e.getMessage());
                            notes.add("the saved cursor could not be resumed (" + e.getMessage() + "): ran a full sync instead");
                            return fullWithCursor(request, pipeline, source, stats).then();
                        });
            }
            case REALTIME -> {
                if (!(source instanceof RealtimeSource realtime)) {
                    yield Mono.error(new UnsupportedOperationException("source type " + connector.type()
                            + " does not support real-time mode; set realtime: false for connector " + connector.id()));
                }
                yield realtime(request, pipeline, realtime, source, stats, notes);
            }
            case ACCESS_CONTROL -> {
                if (!(source instanceof AccessControlSource acl)) {
                    yield Mono.error(new UnsupportedOperationException("source type " + connector.type()
                            + " does not support access-control syncs"));
                }
                yield full(pipeline, new AccessControlDocs(source, acl), stats);
            }
        };
    }

    /**
     * After a full sync, a note when documents of the index hold values stored but not indexed: they are in the index,
     * and the note says how to find which fields. Informative: a failed count adds nothing. No refresh of its own:
     * {@link FullSync#run} ends with one.
     */
    private static Mono<Void> ignoredNote(JobPipeline pipeline, List<String> notes) {
        return pipeline.index.ignoredFields(10)
                .filter(fields -> !fields.isEmpty())
                .doOnNext(fields -> notes.add("values stored in _source but not indexed (they did not fit their field's"
                        + " type, or the field limit was reached), by field and number of documents: " + fields
                        + (fields.size() == 10 ? " and maybe more" : "") + "; search _exists_:_ignored to find them"))
                .then()
                .onErrorResume(e -> {
                    LOG.debug("Connector {}: counting the documents with ignored values failed: {}", pipeline.connector.id(),
                            e.toString());
                    return Mono.empty();
                });
    }

    /**
     * A full sync; a source that also syncs incrementally has its cursor taken before and saved after. Emits the
     * cursor saved (empty Optional when none).
     */
    private Mono<Optional<SyncCursor>> fullWithCursor(SyncRequest request, JobPipeline pipeline, BaseDataSource source,
                                                      SyncStats stats) {
        if (source instanceof SplittableSource splittable) {
            // The cursor is the plan's, taken before the first attempt planned: a resumed job saves that one.
            return splitFull(request, pipeline, splittable, source, stats)
                    .flatMap(cursor -> cursor.map(request.saveCursor()).orElse(Mono.empty()).thenReturn(cursor));
        }
        Mono<Void> full = full(pipeline, source, stats);
        if (!(source instanceof IncrementalSource incremental)) {
            return full.thenReturn(Optional.empty());
        }
        // The full sync's Mono<Void> completes empty: the cursor rides in an Optional so that an empty result never
        // means "no cursor, run the full sync again".
        return incremental.currentCursor()
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .flatMap(cursor -> full.then(Mono.defer(() -> cursor.map(request.saveCursor()).orElse(Mono.empty())))
                        .thenReturn(cursor));
    }

    /**
     * A real-time job: follows the changes from the saved cursor; without one, or when the source says it expired,
     * a full sync first. A cursor that expires again before the job saved anything after such a full sync fails the
     * job (the daemon starts the next one after {@code daemon.realtime_restart_delay}) rather than looping on full
     * syncs within one job.
     */
    private Mono<Void> realtime(SyncRequest request, JobPipeline pipeline, RealtimeSource source, BaseDataSource base,
                                SyncStats stats, List<String> notes) {
        ConnectorConfig connector = request.connector();
        AtomicBoolean saved = new AtomicBoolean();
        SyncRequest tracked = new SyncRequest(connector, request.type(), request.changeCheck(), request.rules(),
                request.cursor(), c -> request.saveCursor().apply(c).doOnSuccess(v -> saved.set(true)), request.splits());
        Mono<SyncCursor> fromFull = Mono.defer(() -> fullWithCursor(tracked, pipeline, base, stats))
                .flatMap(c -> Mono.justOrEmpty(c).switchIfEmpty(Mono.error(() -> new IllegalStateException(
                        "source type " + connector.type() + " gave no cursor to follow its changes from"))))
                .doOnNext(c -> saved.set(false));
        Mono<SyncCursor> start = request.cursor().map(Mono::just).orElseGet(() -> {
            notes.add("no saved cursor yet: ran a full sync, which saves one, then followed the changes from it");
            return fromFull;
        });
        boolean fromSaved = request.cursor().isPresent();
        return start.flatMap(cursor -> follow(tracked, pipeline, source, base, cursor, stats))
                .onErrorResume(CursorExpiredException.class, e -> {
                    if (!fromSaved && !saved.get()) {
                        return Mono.error(new IllegalStateException("the cursor taken before the full sync could not be "
                                + "resumed either (" + e.getMessage() + "); the next real-time job starts over", e));
                    }
                    LOG.warn("Connector {}: the cursor cannot be resumed ({}); running a full sync, then following from it",
                            connector.id(), e.getMessage());
                    notes.add("the cursor could not be resumed (" + e.getMessage()
                            + "): ran a full sync, then followed the changes from it");
                    return fromFull.flatMap(cursor -> follow(tracked, pipeline, source, base, cursor, stats))
                            .onErrorMap(CursorExpiredException.class, again -> new IllegalStateException("the cursor "
                                    + "expired again (" + again.getMessage() + "); the next real-time job starts over", again));
                });
    }

    private Mono<Void> follow(SyncRequest request, JobPipeline pipeline, RealtimeSource source, BaseDataSource base,
                              SyncCursor cursor, SyncStats stats) {
        ConnectorConfig connector = request.connector();
        return mappings(source, pipeline).flatMap(pipeline.index::ensure)
                .doOnSuccess(created -> LOG.info("Connector {}: following the source's changes in real time", connector.id()))
                .then(Mono.defer(() -> IncrementalSync.following(source, pipeline.followingSink, pipeline.serializer,
                                pipeline.filter, stats)
                        .comparingVersions(new ChangeVersions(base, pipeline.index, pipeline.serializer, stats,
                                sync.reconcileBatchSize(), REALTIME_VERSION_WAIT))
                        .extracting(pipeline.extractor)
                        .run(cursor, request.rules(), request.saveCursor())))
                .then(Mono.fromRunnable(() -> LOG.warn("Connector {}: the source's change stream ended", connector.id())));
    }

    /** Whether the source's documents have no fixed shape (see {@link MappingContributor}). */
    static boolean schemaless(Object source) {
        return !(source instanceof MappingContributor m) || m.schemaless();
    }

    /** The source's explicit mapping properties for a sync with these rules; none, and schemaless, when it contributes none. */
    private static Mono<TargetIndex.IndexMappings> mappings(Object source, SyncRules rules) {
        return source instanceof MappingContributor m
                ? m.mappingProperties(rules).map(p -> new TargetIndex.IndexMappings(p, schemaless(source)))
                : Mono.just(TargetIndex.IndexMappings.dynamic());
    }

    /**
     * The source's mappings, with those of the extracted fields when the job's connector extracts content, and the
     * connector's refresh interval.
     */
    private static Mono<TargetIndex.IndexMappings> mappings(Object source, JobPipeline pipeline) {
        return mappings(source, pipeline.rules).map(m -> {
            if (pipeline.extractor == null) {
                return m;
            }
            Map<String, Object> properties = new java.util.LinkedHashMap<>(ContentExtractor.mappingProperties());
            properties.putAll(m.properties());
            return new TargetIndex.IndexMappings(properties, m.schemaless());
        }).map(m -> m.withRefresh(pipeline.connector.indexRefresh()));
    }

    private Mono<Void> full(JobPipeline pipeline, BaseDataSource source, SyncStats stats) {
        return mappings(source, pipeline).flatMap(pipeline.index::ensure)
                .flatMap(created -> new FullSync(source, pipeline.index, pipeline.sink, pipeline.serializer, sync, stats)
                                .extracting(pipeline.extractor)
                        .run(pipeline.rules, created));
    }

    /** A full sync split by split; emits the plan's cursor (empty Optional when none). */
    private Mono<Optional<SyncCursor>> splitFull(SyncRequest request, JobPipeline pipeline, SplittableSource splittable,
                                                 BaseDataSource source, SyncStats stats) {
        Mono<SyncCursor> taker = source instanceof IncrementalSource incremental ? incremental.currentCursor() : Mono.empty();
        return Mono.usingWhen(
                Mono.fromCallable(() -> request.splits() != null ? request.splits()
                        : new SplitJob(new LocalSplits(sync.tempDir()), true, sync.progressInterval(), sync.progressInterval())),
                job -> mappings(source, pipeline).flatMap(pipeline.index::ensure)
                        .flatMap(created -> {
                            FullSync full = new FullSync(source, pipeline.index, pipeline.sink, pipeline.serializer, sync, stats)
                                .extracting(pipeline.extractor);
                            job.attach(full);
                            return full.runSplits(splittable, taker, pipeline.rules, job.coordination(), job.coordinator(),
                                    created, job.saveInterval(), job.waitInterval());
                        })
                        .defaultIfEmpty(Optional.empty()),
                job -> closeLocal(job, request));
    }

    private static Mono<Void> closeLocal(SplitJob job, SyncRequest request) {
        return job != request.splits() && job.coordination() instanceof LocalSplits local
                ? Mono.fromRunnable(local::close).subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic()).then()
                : Mono.empty();
    }

    /** A source instance for one of this runner's jobs, reporting its measurements where the runner was told. */
    private BaseDataSource createSource(ConnectorConfig connector) {
        return connector.provider().create(connector.source(),
                connector.context().withMetrics(sourceMetrics.apply(connector.id())));
    }

    /**
     * Helps a full sync another worker coordinates: reads splits of its plan until none is left to claim. The job's
     * own record, outcome and deletion pass are the coordinator's.
     */
    public Mono<Void> helpSplits(ConnectorConfig connector, SyncRules rules, SplitJob job, SyncStats stats) {
        return Mono.usingWhen(
                Mono.fromCallable(() -> createSource(connector)),
                source -> {
                    if (!(source instanceof SplittableSource splittable)) {
                        return Mono.error(new IllegalStateException("source type " + connector.type() + " has no splits"));
                    }
                    JobPipeline pipeline = new JobPipeline(client, connector, rules, connector.index(), schemaless(source),
                            bulk, REALTIME_MAX_FLUSH_INTERVAL, stats, listener, extractor);
                    FullSync full = new FullSync(source, pipeline.index, pipeline.sink, pipeline.serializer, sync, stats)
                                .extracting(pipeline.extractor);
                    job.attach(full);
                    return full.runSplits(splittable, Mono.empty(), rules, job.coordination(), false, false,
                            job.saveInterval(), job.waitInterval()).then();
                },
                BaseDataSource::close,
                (source, error) -> source.close(),
                BaseDataSource::close);
    }

    private Mono<Void> incremental(SyncRequest request, JobPipeline pipeline, IncrementalSource source, BaseDataSource base,
                                   SyncStats stats) {
        return mappings(source, pipeline).flatMap(pipeline.index::ensure)
                .then(new IncrementalSync(source, pipeline.sink, pipeline.serializer, pipeline.filter, stats)
                        .comparingVersions(new ChangeVersions(base, pipeline.index, pipeline.serializer, stats,
                                sync.reconcileBatchSize(), INCREMENTAL_VERSION_WAIT))
                        .extracting(pipeline.extractor)
                        .run(request.cursor().orElseThrow(), pipeline.rules, request.saveCursor()))
                .then(pipeline.index.refresh());
    }

    /** A source's access-control documents seen as a source of documents, for a full sync into their own index. */
    private record AccessControlDocs(BaseDataSource source, AccessControlSource acl) implements BaseDataSource {
        @Override
        public Mono<Void> ping() {
            return source.ping();
        }

        @Override
        public Mono<Void> validateConfig() {
            return Mono.empty();
        }

        @Override
        public Flux<SourceDocument> getDocs(SyncRules rules) {
            return acl.getAccessControl();
        }

        @Override
        public Mono<Void> close() {
            return Mono.empty();
        }
    }

    /** {@link #fingerprint(ConnectorConfig, SyncRules)} with the connector's configured rules. */
    public static String fingerprint(ConnectorConfig connector) {
        return fingerprint(connector, connector.syncRules());
    }

    /**
     * Identifies what shapes the stored documents: the source type, its non-secret configuration, the pipeline, the
     * basic sync rules (a document found unchanged is then known to pass them still) and the storage format. Changing
     * any of them rewrites every document on the next full sync.
     */
    public static String fingerprint(ConnectorConfig connector, SyncRules rules) {
        String text = FORMAT + "|" + connector.type() + "|" + new TreeMap<>(connector.source().masked()) + "|"
                + connector.pipeline().orElse("") + "|" + rules.basic()
                + connector.extraction().map(e -> "|" + e.fingerprint()).orElse("");
        return HexFormat.of().formatHex(DocIds.sha256(text.getBytes(StandardCharsets.UTF_8))).substring(0, 12);
    }
}
