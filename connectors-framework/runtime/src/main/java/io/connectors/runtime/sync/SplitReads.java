package io.connectors.runtime.sync;

import io.connectors.runtime.config.SyncSettings;
import io.connectors.runtime.sink.BulkOp;
import io.connectors.runtime.sink.BulkSink;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SourceException;
import io.connectors.spi.SourceSplit;
import io.connectors.spi.SplitEvent;
import io.connectors.spi.SplitPosition;
import io.connectors.spi.SplittableSource;
import io.connectors.spi.rules.SyncRules;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.retry.Retry;

/**
 * Reads the splits of one full sync that this worker claims, up to {@code max_concurrent_splits} at once, into one
 * bulk sink, and saves each split's progress as its writes are acknowledged.
 *
 * <h2>How a position becomes safe</h2>
 * A split's events are cut into batches that end at each position the source emits (or at
 * {@code reconcile_batch_size} documents); each batch becomes the bulk operations of its changed documents followed by a
 * marker. The splits' streams are merged into the sink's single stream of operations; when a marker passes into it,
 * every operation of its split before it has passed too, so the marker is sealed with the number of operations passed
 * so far. The sink acknowledges operations in order ({@link BulkSink#write}), so once that many are resolved the
 * marker's position is safe: every document before it is in the index or was unchanged. This waits for other splits'
 * earlier operations too, which costs a little latency and nothing else.
 *
 * <h2>Ids for the deletion pass</h2>
 * Each id a batch keeps in the index (written, or found unchanged) is remembered with its batch number; a save hands
 * over the ids of the batches a safe position covers, and the {@link SplitCoordination} stores them before the
 * position, so no id is missing whatever stops the job.
 *
 * <h2>Stopping</h2>
 * A drain (the daemon is shutting down) stops each split's read at its next position, lets the operations already
 * passed be acknowledged, saves the positions reached and releases the splits: nothing read is read again. A split another worker took over (this one seemed
 * dead) stops at once. A retryable source failure ({@link SourceException#retryable()}) reads the split again from the
 * last position the source emitted, up to {@value #READ_RETRIES} times with a backoff.
 */
final class SplitReads {
    private static final Logger LOG = LoggerFactory.getLogger(SplitReads.class);
    static final int READ_RETRIES = 3;
    /**
     * How a write to the control plane (a claim, the last save, a release) is retried when it fails: Elasticsearch may
     * answer 429 or be restarting for a while. Periodic saves are not retried: the next one takes their place.
     */
    static final Retry CONTROL_PLANE_RETRY = Retry.backoff(6, Duration.ofMillis(500)).maxBackoff(Duration.ofSeconds(10))
            // The source's own failures (planning a split of a missing table) and a job gone are not the cluster's.
            .filter(e -> !(e instanceof SourceException) && !(e instanceof IllegalStateException)
                    && !(e instanceof io.connectors.spi.config.ConfigValidationException))
            .onRetryExhaustedThrow((spec, signal) -> signal.failure())
            .doBeforeRetry(s -> LOG.warn("Saving split progress failed ({}); retrying (attempt {})", s.failure().toString(),
                    s.totalRetries() + 1));
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);

    private final SplittableSource source;
    private final DocumentBatches batches;
    private final StampTable table;
    private final BulkSink sink;
    private final SplitCoordination coordination;
    private final SyncStats stats;
    private final int maxSplits;
    private final int batchSize;
    private final int workers;
    private final Duration saveInterval;
    private final Map<String, Reading> active = new ConcurrentHashMap<>();
    private final Ledger ledger = new Ledger();
    private final Sinks.Many<Boolean> splitDone = Sinks.many().multicast().directBestEffort();
    private volatile boolean draining;
    private final io.connectors.runtime.util.ProblemLog saveFailures = new io.connectors.runtime.util.ProblemLog(LOG,
            "Saving split progress failed; the next save retries it", 3);

    SplitReads(SplittableSource source, DocumentBatches batches, StampTable table, BulkSink sink,
               SplitCoordination coordination, SyncStats stats, SyncSettings settings, Duration saveInterval) {
        this.source = source;
        this.batches = batches;
        this.table = table;
        this.sink = sink;
        this.coordination = coordination;
        this.stats = stats;
        this.maxSplits = Math.max(1, settings.maxConcurrentSplits());
        this.batchSize = settings.reconcileBatchSize();
        this.workers = settings.workers();
        this.saveInterval = saveInterval;
    }

    /** Stops reading: the splits being read are saved where their writes got to, and released. */
    void drain() {
        draining = true;
        active.values().forEach(r -> r.stop(false));
    }

    boolean drained() {
        return draining;
    }

    /**
     * Claims and reads splits until none is claimable (or a drain), then saves the progress of every split read.
     * Fails when a split's read fails for good, or the sink fails.
     */
    Mono<Void> run(SyncRules rules) {
        return Mono.defer(() -> {
            Flux<SplitCoordination.Claimed> claims = Mono.defer(() -> draining ? Mono.<SplitCoordination.Claimed>empty()
                            : coordination.claim().retryWhen(CONTROL_PLANE_RETRY))
                    .map(Optional::of)
                    .defaultIfEmpty(Optional.empty())
                    .repeat()
                    .takeWhile(Optional::isPresent)
                    .map(Optional::get);
            long[] passed = {0};
            Flux<BulkOp> ops = claims.flatMap(c -> read(c, rules), maxSplits, 1)
                    .handle((item, out) -> {
                        if (item instanceof Marker m) {
                            ledger.seal(m, passed[0]);
                        } else {
                            passed[0]++;
                            out.next((BulkOp) item);
                        }
                    });
            Sinks.Empty<Void> written = Sinks.empty();
            Mono<Void> writes = sink.write(ops).doOnNext(r -> ledger.resolved(r.ops()))
                    .then()
                    .doFinally(s -> written.tryEmitEmpty());
            // A periodic save that fails (the cluster overloaded, a node restarting) is retried by the next one: what it
            // took is put back. The last save must land, or the splits would look unfinished.
            Mono<Void> saving = Flux.merge(Flux.interval(saveInterval, saveInterval).map(t -> Boolean.TRUE), splitDone.asFlux())
                    .takeUntilOther(written.asMono())
                    .onBackpressureDrop()
                    .concatMap(t -> save().onErrorResume(e -> {
                        saveFailures.report("save_failed", e.toString());
                        return Mono.empty();
                    }), 1)
                    .then();
            return Mono.when(writes, saving)
                    .then(Mono.defer(this::save).retryWhen(CONTROL_PLANE_RETRY))
                    .then(Mono.defer(() -> {
                        Set<String> unfinished = new java.util.HashSet<>();
                        active.values().forEach(r -> {
                            if (!r.done() && !r.lost) {
                                unfinished.add(r.split.id());
                            }
                        });
                        active.clear();
                        return unfinished.isEmpty() ? Mono.empty()
                                : coordination.release(unfinished).retryWhen(CONTROL_PLANE_RETRY);
                    }));
        });
    }

    /** One split's operations and markers, in order. */
    private Flux<Object> read(SplitCoordination.Claimed claimed, SyncRules rules) {
        Reading r = new Reading(claimed);
        active.put(claimed.split().id(), r);
        stats.addSkippedByResume(claimed.seenBefore());
        LOG.info("Split {} ({}): reading {}", claimed.split().id(), claimed.split().description(),
                claimed.position() == null ? "from its start" : "from " + claimed.position().values()
                        + " (" + claimed.seenBefore() + " documents covered before)");
        if (draining) {
            r.stop(false);
        }
        Flux<SplitEvent> events = Flux.defer(() -> source.readSplit(r.split, r.lastEmitted, rules))
                .doOnNext(e -> {
                    if (e instanceof SplitEvent.Position p) {
                        r.lastEmitted = p.position();
                    }
                })
                .retryWhen(Retry.backoff(READ_RETRIES, FIRST_RETRY)
                        .filter(e -> e instanceof SourceException se && se.retryable())
                        .doBeforeRetry(s -> LOG.warn("Split {}: the read failed ({}); reading it again from {} (retry {} of {})",
                                r.split.id(), s.failure().getMessage(), r.lastEmitted == null ? "its start"
                                        : r.lastEmitted.values(), s.totalRetries() + 1, READ_RETRIES))
                        .onRetryExhaustedThrow((spec, s) -> s.failure()))
                // A drain lets the read run to its next position, so what it read is covered and not read again; a
                // split taken over by another worker stops at once.
                .takeUntil(e -> r.isStopped() && e instanceof SplitEvent.Position)
                .takeUntilOther(r.lost());
        return Flux.defer(() -> {
            int[] count = {0};
            return events.bufferUntil(e -> {
                if (e instanceof SplitEvent.Position || ++count[0] >= batchSize) {
                    count[0] = 0;
                    return true;
                }
                return false;
            });
        })
                .flatMapSequential(events1 -> batch(r, events1), workers, 2)
                .concatWith(Mono.fromSupplier(() -> r.isStopped() ? null : new Marker(r, r.batches, null, true,
                        r.seenEmitted, r.opsEmitted.get())));
    }

    /** A batch of events: the operations of its documents, then a marker when it ends at a position. */
    private Flux<Object> batch(Reading r, List<SplitEvent> events) {
        long batch = r.batches++;
        List<SourceDocument> docs = new ArrayList<>(events.size());
        SplitPosition position = null;
        for (SplitEvent e : events) {
            if (e instanceof SplitEvent.Document d) {
                docs.add(d.document());
            } else {
                position = ((SplitEvent.Position) e).position();
            }
        }
        stats.addSeen(docs.size());
        r.seenEmitted += docs.size();
        long seenAt = r.seenEmitted;
        Flux<Object> ops = docs.isEmpty() ? Flux.empty()
                : batches.prepare(docs, r.stored(batch)).doOnNext(op -> r.opsEmitted.incrementAndGet()).cast(Object.class);
        if (position == null) {
            return ops;
        }
        SplitPosition at = position;
        return ops.concatWith(Mono.fromSupplier(() -> new Marker(r, batch, at, false, seenAt, r.opsEmitted.get())));
    }

    /** Saves the progress of every split read here since the last save; stops the splits found taken over. */
    private Mono<Void> save() {
        List<SplitCoordination.Progress> progress = new ArrayList<>();
        List<Runnable> undo = new ArrayList<>();
        for (Reading r : active.values()) {
            r.take(progress, undo);
        }
        if (progress.isEmpty() && active.values().stream().allMatch(r -> r.done() || r.lost)) {
            return Mono.empty();
        }
        // Saved even without progress: the save is the splits' heartbeat.
        AtomicBoolean saved = new AtomicBoolean();
        return coordination.save(progress)
                .doOnNext(lost -> {
                    saved.set(true);
                    for (String id : lost) {
                        Reading r = active.get(id);
                        if (r != null) {
                            LOG.warn("Split {}: another worker took it over (this one's progress looked stale); stopping"
                                    + " its read here", id);
                            r.lost = true;
                            r.stop(true);
                        }
                    }
                })
                .then()
                .doFinally(s -> {
                    if (!saved.get()) {
                        undo.forEach(Runnable::run);
                    }
                });
    }

    /** The batch a marker closes, sealed with the operations passed to the sink before it. */
    private static final class Marker {
        final Reading reading;
        final long batch;
        final SplitPosition position;
        final boolean end;
        final long seen;
        final long written;
        long required;

        Marker(Reading reading, long batch, SplitPosition position, boolean end, long seen, long written) {
            this.reading = reading;
            this.batch = batch;
            this.position = position;
            this.end = end;
            this.seen = seen;
            this.written = written;
        }
    }

    /** Makes markers safe as the sink resolves operations, in order. */
    private final class Ledger {
        private final ArrayDeque<Marker> waiting = new ArrayDeque<>();
        private long resolved;

        synchronized void seal(Marker m, long passed) {
            m.required = passed;
            if (passed <= resolved && waiting.isEmpty()) {
                safe(m);
            } else {
                waiting.add(m);
            }
        }

        synchronized void resolved(long count) {
            resolved += count;
            while (!waiting.isEmpty() && waiting.peek().required <= resolved) {
                safe(waiting.poll());
            }
        }

        private void safe(Marker m) {
            if (m.reading.safe(m) && m.end) {
                splitDone.tryEmitNext(Boolean.TRUE);
            }
        }
    }

    /** One split being read here. */
    private final class Reading {
        final SourceSplit split;
        final long seenBefore;
        final long writtenBefore;
        final Sinks.Empty<Void> stopped = Sinks.empty();
        /** The last position the source emitted: where a retried read starts. */
        volatile SplitPosition lastEmitted;
        /** Batches formed so far (the source's thread only). */
        long batches;
        /** Documents emitted so far by this read (the source's thread only). */
        long seenEmitted;
        final java.util.concurrent.atomic.AtomicLong opsEmitted = new java.util.concurrent.atomic.AtomicLong();
        volatile boolean lost;
        private volatile boolean stopRequested;
        // Guarded by this.
        private final List<Long> claimBatches = new ArrayList<>();
        private final List<String> claimIds = new ArrayList<>();
        private SplitPosition safePosition;
        private long safeBatch = -1;
        private long safeSeen;
        private long safeWritten;
        private boolean done;
        private boolean changed;

        Reading(SplitCoordination.Claimed c) {
            this.split = c.split();
            this.seenBefore = c.seenBefore();
            this.writtenBefore = c.writtenBefore();
            this.lastEmitted = c.position();
            this.safePosition = c.position();
        }

        /** Stops the read: at its next position (a drain), or at once ({@code takenOver}). */
        void stop(boolean takenOver) {
            stopRequested = true;
            if (takenOver) {
                stopped.tryEmitEmpty();
            }
        }

        Mono<Void> lost() {
            return stopped.asMono();
        }

        boolean isStopped() {
            return stopRequested;
        }

        synchronized boolean done() {
            return done;
        }

        DocumentBatches.Stored stored(long batch) {
            return new DocumentBatches.Stored() {
                @Override
                public boolean unchanged(String id, String stamp) {
                    boolean same = table.compare(id, stamp) == StampTable.Match.UNCHANGED;
                    if (same) {
                        claim(batch, id);
                    }
                    return same;
                }

                @Override
                public void kept(String id) {
                    table.claim(id);
                    claim(batch, id);
                }
            };
        }

        private synchronized void claim(long batch, String id) {
            claimBatches.add(batch);
            claimIds.add(id);
        }

        /** A marker became safe; whether it changed anything (a lost split's markers do not). */
        synchronized boolean safe(Marker m) {
            if (lost || done) {
                return false;
            }
            if (m.end) {
                done = true;
                safeBatch = Long.MAX_VALUE;
            } else {
                safePosition = m.position;
                safeBatch = m.batch;
            }
            safeSeen = m.seen;
            safeWritten = m.written;
            changed = true;
            return true;
        }

        /** Takes the progress to save, if any, with how to put it back should the save fail. */
        synchronized void take(List<SplitCoordination.Progress> out, List<Runnable> undo) {
            if (!changed || lost) {
                return;
            }
            List<Long> keepBatches = new ArrayList<>();
            List<String> keepIds = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < claimIds.size(); i++) {
                if (claimBatches.get(i) <= safeBatch) {
                    ids.add(claimIds.get(i));
                } else {
                    keepBatches.add(claimBatches.get(i));
                    keepIds.add(claimIds.get(i));
                }
            }
            List<Long> takenBatches = new ArrayList<>();
            for (int i = 0; i < ids.size(); i++) {
                takenBatches.add(safeBatch);
            }
            claimBatches.clear();
            claimBatches.addAll(keepBatches);
            claimIds.clear();
            claimIds.addAll(keepIds);
            changed = false;
            out.add(new SplitCoordination.Progress(split.id(), safePosition, ids, seenBefore + safeSeen,
                    writtenBefore + safeWritten, done));
            undo.add(() -> {
                synchronized (this) {
                    claimBatches.addAll(takenBatches);
                    claimIds.addAll(ids);
                    changed = true;
                }
            });
        }
    }
}
