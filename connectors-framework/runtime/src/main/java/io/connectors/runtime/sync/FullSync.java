package io.connectors.runtime.sync;

import io.connectors.runtime.config.SyncSettings;
import io.connectors.spi.SplittableSource;
import io.connectors.runtime.sink.BulkOp;
import io.connectors.runtime.sink.BulkSink;
import io.connectors.runtime.util.ProblemLog;
import io.connectors.spi.BaseDataSource;
import io.connectors.spi.rules.SyncRules;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A full sync of one source into one index, with memory that does not grow with the documents:
 * <ol>
 *   <li><b>What the index holds.</b> Unless the sync created the index, one scan of its doc values (never
 *       {@code _source}) loads every stored id and version stamp into a {@link StampTable} on disk.</li>
 *   <li><b>Upserts.</b> The source's documents are compared with the table by version as they are listed, in
 *       batches on worker threads ({@link DocumentBatches}): an unchanged one costs a local lookup and nothing else
 *       (a deferred document is never built); new and changed ones are built, serialized and handed to the
 *       {@link BulkSink}.</li>
 *   <li><b>Deletions</b>, only once the source completed without error and every write was acknowledged: the
 *       stored ids no source document claimed, then the documents the runtime did not write.</li>
 * </ol>
 */
public final class FullSync {
    private static final Logger LOG = LoggerFactory.getLogger(FullSync.class);
    private static final int SCAN_PAGE = 10_000;

    private final BaseDataSource source;
    private final TargetIndex index;
    private final BulkSink sink;
    private final DocumentSerializer serializer;
    private final SyncSettings settings;
    private final SyncStats stats;
    private final ProblemLog invalid = new ProblemLog(LOG, "Document refused", 5);
    /** Extracts bodies' text; {@code null} when the connector does not extract content. */
    private ContentExtractor extractor;

    public FullSync(BaseDataSource source, TargetIndex index, BulkSink sink, DocumentSerializer serializer,
                    SyncSettings settings, SyncStats stats) {
        this.source = source;
        this.index = index;
        this.sink = sink;
        this.serializer = serializer;
        this.settings = settings;
        this.stats = stats;
    }

    /** Extracts the text of documents' bodies with {@code extractor} ({@code null}: bodies are ignored). */
    public FullSync extracting(ContentExtractor extractor) {
        this.extractor = extractor;
        return this;
    }

    /** Runs the sync; completes when the index equals the source, fails if the source or the sink failed. */
    public Mono<Void> run(SyncRules rules) {
        return run(rules, false);
    }

    /**
     * @param freshIndex the index was created empty by this sync: nothing is stored to compare versions with and
     *                   nothing can be stale, so the scan and the deletion pass are skipped
     */
    public Mono<Void> run(SyncRules rules, boolean freshIndex) {
        return Mono.usingWhen(
                freshIndex ? Mono.just(Optional.<StampTable>empty()) : load().map(Optional::of),
                table -> upserts(rules, table.orElse(null))
                        .then(table.isPresent() ? deletions(table.get()) : Mono.empty())
                        .then(index.refresh())
                        .doOnSuccess(v -> {
                            if (invalid.total() > 0) {
                                LOG.warn("Index {}: {} documents were refused: {}", index.name(), invalid.total(), invalid.summary());
                            }
                        }),
                table -> Mono.fromRunnable(() -> table.ifPresent(StampTable::close)).subscribeOn(Schedulers.boundedElastic()));
    }

    /** The index's ids and stamps, read from doc values under a point in time after a refresh. */
    private Mono<StampTable> load() {
        return Mono.defer(() -> {
            StampTable[] table = {null};
            long started = System.nanoTime();
            // A point in time sees what was refreshed: a document written a moment ago (by a real-time job before
            // its cursor expired, say) must be in the table, or it would never be found stale.
            return index.refresh().thenMany(index.scanStamps(SCAN_PAGE))
                    .publishOn(Schedulers.boundedElastic(), 2)
                    .doOnNext(page -> {
                        if (table[0] == null) {
                            table[0] = newTable(Math.max(page.total(), page.stamps().size()));
                        }
                        for (TargetIndex.StoredStamp s : page.stamps()) {
                            if (s.syncId() != null) {
                                table[0].add(s.syncId(), s.stamp());
                            }
                        }
                    })
                    .then(Mono.fromCallable(() -> {
                        StampTable t = table[0] != null ? table[0] : newTable(0);
                        t.loaded();
                        LOG.info("Index {}: read the versions of {} stored documents in {} ms", index.name(), t.size(),
                                (System.nanoTime() - started) / 1_000_000);
                        return t;
                    }))
                    // A table that was never handed out (the scan failed or was cancelled) is closed here.
                    .doFinally(signal -> {
                        if (signal != reactor.core.publisher.SignalType.ON_COMPLETE && table[0] != null) {
                            table[0].close();
                        }
                    });
        });
    }

    private StampTable newTable(long expected) {
        try {
            return new StampTable(settings.tempDir(), expected);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot create a file in sync.temp_dir " + settings.tempDir(), e);
        }
    }

    private Mono<Void> upserts(SyncRules rules, StampTable table) {
        DocumentBatches batches = new DocumentBatches(source, serializer, new BasicRulesFilter(rules.basic()), stats, invalid, extractor);
        DocumentBatches.Stored stored = new DocumentBatches.Stored() {
                    @Override
                    public boolean unchanged(String id, String stamp) {
                        return table != null && table.compare(id, stamp) == StampTable.Match.UNCHANGED;
                    }

                    @Override
                    public void kept(String id) {
                        if (table != null) {
                            table.claim(id);
                        }
                    }
                };
        Flux<BulkOp> ops = source.getDocs(rules)
                .doOnNext(d -> stats.addSeen(1))
                .buffer(settings.reconcileBatchSize())
                .flatMap(batch -> batches.prepare(batch, stored), settings.workers(), 16);
        return sink.write(ops).then();
    }

    // ------------------------------------------------------------------------------------------------ splits

    /** The current round of split reads; a drain reaches it. */
    private volatile SplitReads reads;
    private volatile boolean draining;
    private final reactor.core.publisher.Sinks.Empty<Void> drained = reactor.core.publisher.Sinks.empty();

    /** A split sync stopped by {@link #drain()} before its splits were done: its progress is saved, nothing deleted. */
    public static final class SplitsSuspendedException extends RuntimeException {
        SplitsSuspendedException() {
            super("the split reads were stopped (the daemon is shutting down); their positions are saved", null, false, false);
        }
    }

    /**
     * Stops a split sync gracefully: the reads stop where they are, what was passed to Elasticsearch is acknowledged,
     * positions are saved and the splits released; {@link #runSplits} then fails with {@link SplitsSuspendedException}.
     */
    public void drain() {
        draining = true;
        drained.tryEmitEmpty();
        SplitReads r = reads;
        if (r != null) {
            r.drain();
        }
    }

    /**
     * A full sync of a {@link SplittableSource}, split by split; see {@link SplitReads} for how positions become safe.
     *
     * <ol>
     *   <li>The index's ids and stamps are loaded, as in {@link #run}, to compare versions.</li>
     *   <li>The coordinator gets the job's plan (planning it and taking the incremental cursor on the first attempt);
     *       a helper expects one.</li>
     *   <li>Splits are claimed and read, up to {@code max_concurrent_splits} at once, until none is left to claim; the
     *       coordinator then waits for splits other workers hold (taking over any whose worker stopped saving) until
     *       every split is done.</li>
     *   <li>The coordinator's deletion pass claims, in its table, every id the splits saved (from every worker and
     *       attempt) and deletes the rest, as {@link #run} does.</li>
     * </ol>
     *
     * @param cursorTaker  takes the source's incremental cursor before planning (empty for none)
     * @param coordinator  plans, waits for every split and runs the deletion pass; otherwise only reads splits
     * @param freshIndex   the index was created empty by this attempt (nothing to delete)
     * @param saveInterval how often positions are saved
     * @param waitInterval how often the coordinator looks at splits others hold
     * @return the plan's cursor once every split is done (empty Optional when none); for a helper, empty
     */
    public Mono<Optional<io.connectors.spi.SyncCursor>> runSplits(SplittableSource splittable,
            Mono<io.connectors.spi.SyncCursor> cursorTaker, SyncRules rules, SplitCoordination coordination,
            boolean coordinator, boolean freshIndex, java.time.Duration saveInterval, java.time.Duration waitInterval) {
        Mono<SplitCoordination.Plan> planner = cursorTaker.map(Optional::of).defaultIfEmpty(Optional.empty())
                .flatMap(cursor -> splittable.planSplits(rules)
                        .map(splits -> new SplitCoordination.Plan(splits, cursor.orElse(null))));
        return Mono.usingWhen(load(),
                table -> coordination.plan(planner).retryWhen(SplitReads.CONTROL_PLANE_RETRY)
                        .doOnNext(plan -> {
                            LOG.info("Index {}: a full sync in {} split(s), up to {} read at once here", index.name(),
                                    plan.splits().size(), settings.maxConcurrentSplits());
                            if (coordinator) {
                                stats.addSkippedByResume(plan.done());
                            }
                        })
                        .flatMap(plan -> rounds(splittable, rules, coordination, table, saveInterval, waitInterval, coordinator)
                                .then(Mono.defer(() -> {
                                    if (draining) {
                                        return Mono.error(new SplitsSuspendedException());
                                    }
                                    if (!coordinator) {
                                        return Mono.empty();
                                    }
                                    Mono<Void> delete = freshIndex && table.size() == 0 ? Mono.empty()
                                            : claimSaved(table, coordination).then(Mono.defer(() -> deletions(table)));
                                    return delete.then(index.refresh()).then(Mono.fromCallable(() -> {
                                        if (invalid.total() > 0) {
                                            LOG.warn("Index {}: {} documents were refused: {}", index.name(), invalid.total(),
                                                    invalid.summary());
                                        }
                                        return Optional.ofNullable(plan.cursor());
                                    }));
                                }))),
                table -> Mono.fromRunnable(table::close).subscribeOn(Schedulers.boundedElastic()));
    }

    /** Rounds of reads until every split is done (a coordinator) or none is left to claim (a helper). */
    private Mono<Void> rounds(SplittableSource splittable, SyncRules rules, SplitCoordination coordination,
                              StampTable table, java.time.Duration saveInterval, java.time.Duration waitInterval,
                              boolean coordinator) {
        return Mono.defer(() -> {
            if (draining) {
                return Mono.empty();
            }
            DocumentBatches batches = new DocumentBatches(source, serializer, new BasicRulesFilter(rules.basic()), stats, invalid, extractor);
            SplitReads round = new SplitReads(splittable, batches, table, sink, coordination, stats, settings, saveInterval);
            reads = round;
            if (draining) {
                round.drain();
            }
            return round.run(rules)
                    .then(coordinator ? coordination.remaining().retryWhen(SplitReads.CONTROL_PLANE_RETRY) : Mono.empty())
                    .flatMap(left -> {
                        if (left.open() == 0 || draining) {
                            return Mono.empty();
                        }
                        Mono<Void> next = Mono.defer(() -> rounds(splittable, rules, coordination, table, saveInterval,
                                waitInterval, coordinator));
                        return left.claimable() > 0 ? next
                                : Mono.delay(waitInterval).then().or(drained.asMono()).then(next);
                    });
        });
    }

    /** Claims in the table every id the splits saved, forgetting this process's own claims first. */
    private Mono<Void> claimSaved(StampTable table, SplitCoordination coordination) {
        return Mono.fromRunnable(table::resetClaims)
                .thenMany(coordination.ids().publishOn(Schedulers.boundedElastic(), 4096))
                .doOnNext(table::claim)
                .then();
    }

    private Mono<Void> deletions(StampTable table) {
        Flux<BulkOp> vanished = Flux.<BulkOp, Integer>generate(() -> 0, (from, out) -> {
                    int slot = table.nextUnclaimed(from);
                    if (slot < 0) {
                        out.complete();
                        return from;
                    }
                    out.next(new BulkOp.Delete(table.idAt(slot)));
                    return slot + 1;
                })
                .subscribeOn(Schedulers.boundedElastic());
        // A point in time sees what was refreshed: documents others wrote a moment ago are found too.
        Flux<BulkOp> foreign = index.refresh().thenMany(index.scanForeignIds(SCAN_PAGE).map(BulkOp.Delete::new));
        return sink.write(Flux.concat(vanished, foreign)).then();
    }
}
