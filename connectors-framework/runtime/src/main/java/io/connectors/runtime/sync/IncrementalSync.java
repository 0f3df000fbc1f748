package io.connectors.runtime.sync;

import io.connectors.runtime.sink.BatchResult;
import io.connectors.runtime.sink.BulkOp;
import io.connectors.runtime.sink.BulkSink;
import io.connectors.runtime.util.ProblemLog;
import io.connectors.spi.ChangeEvent;
import io.connectors.spi.IncrementalSource;
import io.connectors.spi.RealtimeSource;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SyncCursor;
import io.connectors.spi.rules.SyncRules;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * Applies the changes an {@link IncrementalSource} reports since a saved cursor, and saves the cursors it reports
 * only once Elasticsearch acknowledged every write they cover.
 *
 * <h2>How a checkpoint becomes safe to save</h2>
 * Change events become bulk operations (upsert: index, or delete when the basic rules now exclude the document;
 * delete: delete). Each operation gets an ordinal as it is handed to the {@link BulkSink}, and each
 * {@link ChangeEvent.Checkpoint} the ordinal that every operation before it in the stream is covered by. The sink
 * reports batches in order ({@link BulkSink#write}), so after its results the first {@code sum(ops)} operations are
 * resolved: a checkpoint whose ordinal is within is saved, unless an operation failed. A failure (an item Elasticsearch
 * refused, a document dropped as too large, a document that cannot be serialized) stops all later saves: the sync
 * goes on applying changes but ends with {@link ChangesNotAppliedException}, and the next incremental sync starts
 * from the last safe checkpoint and applies the failed changes again. Saves run one at a time, in order, alongside
 * the writes; checkpoints that became safe while a save was running are coalesced into the latest. The search for
 * a safe checkpoint runs on each batch result, when a checkpoint arrives that is safe already (everything before it
 * is acknowledged), and at the end.
 *
 * <p>The parts: {@link ChangeVersions} in front drops what did not change and builds deferred documents; the run
 * below turns events into operations and hands them to the {@link BulkSink} on demand; {@link ChangeQueue} keeps one
 * id from being in flight twice; {@link CheckpointLedger} tells when a checkpoint is safe.
 *
 * <h2>The same document changed twice</h2>
 * Elasticsearch may apply operations of different batches out of order (concurrent requests, retries), so an id is
 * never in flight twice. A change to a document whose earlier operation is still in flight waits, while changes to
 * other documents overtake it; further changes to the waiting document replace its waiting operation (the last one
 * wins: update then delete ends deleted). A checkpoint after a waiting operation waits for it too. What waits is
 * bounded by the sink's own in-flight window (one entry per id in flight) plus a small read-ahead.
 *
 * <h2>Following a real-time source</h2>
 * {@link #following} feeds {@link RealtimeSource#followChanges}, a stream that does not end while the source is
 * healthy. Two things differ. A checkpoint that is already safe when it arrives (every operation before it was
 * acknowledged: an idle source whose position moved) is saved at once rather than with the next batch result, so
 * a quiet stream keeps its cursor current. And the first change that cannot be applied ends the run with
 * {@link ChangesNotAppliedException} at once, cancelling the source and the writes in flight: a stream that never
 * ends would otherwise never report it. The cursor stays at the last checkpoint before the failure.
 */
public final class IncrementalSync {
    private static final Logger LOG = LoggerFactory.getLogger(IncrementalSync.class);

    /** Change events read from the source ahead of the sink's demand. */
    static final int READ_AHEAD = 64;

    /** The source's changes after a cursor. */
    @FunctionalInterface
    private interface Changes {
        Flux<ChangeEvent> after(SyncCursor cursor, SyncRules rules);
    }

    private final Changes changes;
    private final boolean following;
    /** Told of each saved checkpoint: {@link RealtimeSource#checkpointSaved} when following, else nothing. */
    private final java.util.function.Consumer<SyncCursor> saved;
    private final BulkSink sink;
    private final DocumentSerializer serializer;
    private final BasicRulesFilter filter;
    private final SyncStats stats;
    /** Drops unchanged upserts and builds deferred documents before the writer; none in some tests. */
    private ChangeVersions versions;
    /** Extracts the text of upserted documents' bodies; {@code null} when the connector does not extract content. */
    private ContentExtractor extractor;

    /** Applies {@link IncrementalSource#getDocsIncrementally}: a finite stream of the changes since a cursor. */
    public IncrementalSync(IncrementalSource source, BulkSink sink, DocumentSerializer serializer,
                           BasicRulesFilter filter, SyncStats stats) {
        this(Objects.requireNonNull(source, "source")::getDocsIncrementally, false, sink, serializer, filter, stats);
    }

    private IncrementalSync(Changes changes, boolean following, BulkSink sink, DocumentSerializer serializer,
                            BasicRulesFilter filter, SyncStats stats) {
        this(changes, following, cursor -> { }, sink, serializer, filter, stats);
    }

    private IncrementalSync(Changes changes, boolean following, java.util.function.Consumer<SyncCursor> saved,
                            BulkSink sink, DocumentSerializer serializer, BasicRulesFilter filter, SyncStats stats) {
        this.changes = changes;
        this.following = following;
        this.saved = saved;
        this.sink = Objects.requireNonNull(sink, "sink");
        this.serializer = Objects.requireNonNull(serializer, "serializer");
        this.filter = Objects.requireNonNull(filter, "filter");
        this.stats = Objects.requireNonNull(stats, "stats");
    }

    /**
     * Applies {@link RealtimeSource#followChanges}: a stream that does not end while the source is healthy. Safe
     * checkpoints are saved as soon as they are safe, even while the stream is quiet, and the first change that
     * cannot be applied ends the run (see the class description).
     */
    public static IncrementalSync following(RealtimeSource source, BulkSink sink, DocumentSerializer serializer,
                                            BasicRulesFilter filter, SyncStats stats) {
        return new IncrementalSync(Objects.requireNonNull(source, "source")::followChanges, true, source::checkpointSaved,
                sink, serializer, filter, stats);
    }

    /**
     * Compares each change's version with the stored one first, so that an unchanged re-read document is counted
     * unchanged and not rewritten, and builds deferred documents; see {@link ChangeVersions}.
     */
    IncrementalSync comparingVersions(ChangeVersions versions) {
        this.versions = versions;
        return this;
    }

    /**
     * Extracts the text of upserted documents' bodies before they are written, several at a time and in stream order
     * (a checkpoint still follows the changes before it); {@code null}: bodies are ignored.
     */
    IncrementalSync extracting(ContentExtractor extractor) {
        this.extractor = extractor;
        return this;
    }

    private Flux<ChangeEvent> extracted(Flux<ChangeEvent> events) {
        if (extractor == null) {
            return events;
        }
        ProblemLog notExtracted = new ProblemLog(LOG, "Content not extracted (the document is indexed without it)", 5);
        return events.flatMapSequential(event -> event instanceof ChangeEvent.Upsert upsert
                        && upsert.document().body().isPresent() && filter.includes(upsert.document())
                        ? extractor.extract(upsert.document(), stats, notExtracted).<ChangeEvent>map(ChangeEvent.Upsert::new)
                        : Mono.just(event),
                extractor.settings().workers());
    }

    /**
     * Applies the source's changes since {@code cursor}; nothing happens before subscription.
     *
     * <ul>
     *   <li>{@link ChangeEvent.Upsert}: the document is serialized and indexed; if the basic rules exclude it, its
     *       id is deleted instead (it may have been indexed before the rules or the document changed).</li>
     *   <li>{@link ChangeEvent.Delete}: its id is deleted.</li>
     *   <li>{@link ChangeEvent.Checkpoint}: {@code saveCursor} is called with its cursor once every operation before
     *       it in the stream is acknowledged and none failed; saves are sequential and in stream order, and a
     *       checkpoint superseded by a later safe one while waiting is not saved. When the stream completes, the
     *       last safe checkpoint is saved before the returned Mono completes. A source that emits no checkpoint
     *       saves nothing.</li>
     * </ul>
     *
     * <p><b>Errors.</b> When some operations could not be written, the changes after them are still applied,
     * the checkpoints after them are not saved, and the Mono fails with {@link ChangesNotAppliedException} saying
     * how many (when {@linkplain #following following}, the run stops at the first such failure instead). A source or sink error (a {@code CursorExpiredException}, a tripped error breaker) and a failure of
     * {@code saveCursor} fail the Mono with that error, unchanged; checkpoints already safe when a source or sink
     * error happens are saved first.
     *
     * <p><b>Cancellation</b> stops reading and writing; no save starts after it.
     *
     * @param cursor     where the last incremental sync stopped, handed to the source as is
     * @param rules      the rules in force, handed to the source (the basic ones are applied by this class's
     *                   {@link BasicRulesFilter})
     * @param store      stores a cursor; subscribed once per save, never concurrently
     * @return the last cursor saved; empty when none was
     */
    public Mono<SyncCursor> run(SyncCursor cursor, SyncRules rules, Function<SyncCursor, Mono<Void>> store) {
        Objects.requireNonNull(store, "saveCursor");
        // The source hears of a checkpoint once it is stored: only then may it let its backend forget what came before.
        Function<SyncCursor, Mono<Void>> saveCursor = c -> store.apply(c).then(Mono.fromRunnable(() -> {
            try {
                saved.accept(c);
            } catch (RuntimeException e) {
                LOG.warn("The source failed to take note of the saved checkpoint {}: {}", c, e.toString());
            }
        }));
        return Mono.defer(() -> {
            Run run = new Run();
            Flux<ChangeEvent> read = Flux.defer(() -> changes.after(cursor, rules));
            Flux<ChangeEvent> events = extracted(versions == null ? read : versions.apply(read));
            // Ticks from the source's side: a checkpoint safe on arrival, and (following) a change that cannot be
            // applied. Subscribed first, so no tick of the first events is lost.
            Flux<Boolean> arrivals = Flux.create(run::attachTicks, FluxSink.OverflowStrategy.LATEST);
            Flux<Boolean> results = sink.write(new ChangeOps(events, run))
                    .map(run::resolved)
                    // Not swallowed: signalled by outcome() once the checkpoints already safe are saved.
                    .onErrorResume(e -> {
                        run.failed(e);
                        return Mono.empty();
                    })
                    .doOnTerminate(run::completeTicks);
            Flux<Boolean> ticks = Flux.merge(arrivals, results)
                    // Following: a change that cannot be applied ends the run now (cancelling the source and the
                    // writes in flight), not when a stream that never ends would end.
                    .takeUntil(tick -> run.mustStop())
                    .concatWith(Mono.fromCallable(run::finish));
            return ticks
                    // A tick only says "look for a safe checkpoint": the latest one is enough.
                    .onBackpressureLatest()
                    .concatMap(tick -> Mono.defer(() -> {
                        SyncCursor safe = run.takeSafe();
                        return safe == null ? Mono.<SyncCursor>empty() : saveCursor.apply(safe).thenReturn(safe);
                    }), 1)
                    .reduce(Optional.<SyncCursor>empty(), (last, saved) -> Optional.of(saved))
                    .flatMap(last -> {
                        Throwable failure = run.outcome();
                        return failure == null ? Mono.justOrEmpty(last) : Mono.error(failure);
                    });
        });
    }

    /**
     * Some changes could not be applied: Elasticsearch refused them, they were too large, or the source's
     * document could not be serialized. The cursor was left at the last checkpoint before them.
     */
    public static final class ChangesNotAppliedException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final long failed;
        private final long dropped;
        private final long invalid;

        ChangesNotAppliedException(long failed, long dropped, long invalid) {
            this(failed, dropped, invalid, false);
        }

        ChangesNotAppliedException(long failed, long dropped, long invalid, boolean following) {
            super(message(failed, dropped, invalid, following));
            this.failed = failed;
            this.dropped = dropped;
            this.invalid = invalid;
        }

        /** Operations Elasticsearch refused, or that still failed after the retries. */
        public long failed() {
            return failed;
        }

        /** Index operations dropped before sending because the document was too large. */
        public long dropped() {
            return dropped;
        }

        /** Source documents that could not be serialized. */
        public long invalid() {
            return invalid;
        }

        private static String message(long failed, long dropped, long invalid, boolean following) {
            List<String> parts = new ArrayList<>(3);
            if (failed > 0) {
                parts.add(failed + " refused by Elasticsearch");
            }
            if (dropped > 0) {
                parts.add(dropped + " dropped as larger than bulk.max_document_size");
            }
            if (invalid > 0) {
                parts.add(invalid + (invalid == 1 ? " invalid document" : " invalid documents"));
            }
            long total = failed + dropped + invalid;
            return total + (total == 1 ? " change was" : " changes were") + " not applied (" + String.join(", ", parts)
                    + "); the cursor stays at the last safe checkpoint before them, so the next "
                    + (following ? "real-time job (the daemon restarts it)" : "incremental sync") + " retries them";
        }
    }

    /** The operations of one run, handed to the sink: subscribing to it subscribes the run to the source's events. */
    private static final class ChangeOps extends Flux<BulkOp> {
        private final Flux<ChangeEvent> events;
        private final Run run;

        ChangeOps(Flux<ChangeEvent> events, Run run) {
            this.events = events;
            this.run = run;
        }

        @Override
        public void subscribe(CoreSubscriber<? super BulkOp> actual) {
            if (run.attach(actual)) {
                events.subscribe(run);
            } else {
                Operators.error(actual, new IllegalStateException("the operations of an incremental sync run can be "
                        + "subscribed to once"));
            }
        }
    }

    /**
     * The state of one run: subscriber of the source's events, publisher of the operations to the sink, and the
     * ledger of checkpoints fed by the sink's results. State is guarded by {@code this}; emission to the sink is
     * serialized by a work-in-progress counter and happens outside the lock, because the sink may answer (and so
     * call {@link #resolved}) from within {@code onNext}.
     */
    private final class Run implements CoreSubscriber<ChangeEvent>, Subscription {
        private final AtomicInteger wip = new AtomicInteger();
        private final ProblemLog invalid = new ProblemLog(LOG, "Document refused", 5);
        /** Where ticks from the source's side go; set at subscription, before the source is subscribed to. */
        private volatile FluxSink<Boolean> ticks;
        private CoreSubscriber<? super BulkOp> actual;
        private Subscription upstream;

        // Flow, guarded by this.
        private long requested;
        private long outstanding;
        private boolean upstreamDone;
        private Throwable upstreamError;
        private boolean cancelled;
        private boolean terminated;

        // Operations and checkpoints, guarded by this.
        private final ChangeQueue queue = new ChangeQueue();
        private final CheckpointLedger ledger = new CheckpointLedger(queue);

        // Outcome, guarded by this.
        private long failedOps;
        private long droppedOps;
        private long invalidDocs;
        private Throwable error;

        void attachTicks(FluxSink<Boolean> sink) {
            ticks = sink;
        }

        void completeTicks() {
            FluxSink<Boolean> t = ticks;
            if (t != null) {
                t.complete();
            }
        }

        private void tick() {
            FluxSink<Boolean> t = ticks;
            if (t != null) {
                t.next(Boolean.TRUE);
            }
        }

        /** Following, and a change could not be applied: the run must end now. */
        synchronized boolean mustStop() {
            return following && failedOps + droppedOps + invalidDocs > 0;
        }

        synchronized boolean attach(CoreSubscriber<? super BulkOp> subscriber) {
            if (actual != null) {
                return false;
            }
            actual = subscriber;
            return true;
        }

        // ------------------------------------------------------------ from the source

        @Override
        public Context currentContext() {
            return actual.currentContext();
        }

        @Override
        public void onSubscribe(Subscription s) {
            if (Operators.validate(upstream, s)) {
                upstream = s;
                actual.onSubscribe(this);
            }
        }

        @Override
        public void onNext(ChangeEvent event) {
            // Serializing here, outside the lock, on the thread the changes arrive on: a worker of ChangeVersions
            // when the versions are compared first (SyncRunner), else the source's.
            BulkOp op = null;
            SyncCursor checkpoint = null;
            if (event instanceof ChangeEvent.Upsert upsert) {
                stats.addSeen(1);
                op = operation(upsert.document());
            } else if (event instanceof ChangeEvent.Delete delete) {
                op = new BulkOp.Delete(DocIds.normalize(delete.id()));
            } else if (event instanceof ChangeEvent.Checkpoint c) {
                checkpoint = c.cursor();
            }
            boolean tick = false;
            synchronized (this) {
                outstanding--;
                if (cancelled || terminated) {
                    return;
                }
                if (op != null) {
                    queue.add(op);
                } else if (checkpoint != null) {
                    ledger.arrived(checkpoint);
                    // Safe on arrival: no batch result may come soon to have it saved.
                    tick = ledger.hasSafe();
                } else {
                    // The change is lost for now: no later checkpoint may be saved, earlier ones still may.
                    invalidDocs++;
                    ledger.changeLost();
                    tick = following;
                }
            }
            drain();
            if (tick) {
                tick();
            }
        }

        @Override
        public void onError(Throwable t) {
            synchronized (this) {
                if (upstreamDone) {
                    Operators.onErrorDropped(t, currentContext());
                    return;
                }
                upstreamDone = true;
                upstreamError = t;
            }
            drain();
        }

        @Override
        public void onComplete() {
            synchronized (this) {
                upstreamDone = true;
            }
            drain();
        }

        private BulkOp operation(SourceDocument doc) {
            if (!filter.includes(doc)) {
                return new BulkOp.Delete(DocIds.normalize(doc.id()));
            }
            try {
                PreparedDocument prepared = serializer.prepare(doc);
                return new BulkOp.Index(prepared.id(), prepared.json());
            } catch (DocumentSerializer.InvalidDocumentException e) {
                stats.addFailed(1);
                stats.sampleFailed(new SyncStats.DocumentProblem(DocIds.normalize(doc.id()), "index", 0, "invalid_document",
                        e.getMessage()));
                invalid.report("invalid_document", e.getMessage());
                return null;
            }
        }

        // ------------------------------------------------------------ to the sink

        @Override
        public void request(long n) {
            if (Operators.validate(n)) {
                synchronized (this) {
                    requested = Operators.addCap(requested, n);
                }
                drain();
            }
        }

        @Override
        public void cancel() {
            synchronized (this) {
                if (cancelled) {
                    return;
                }
                cancelled = true;
                queue.clearWaiting();
            }
            upstream.cancel();
        }

        private void drain() {
            if (wip.getAndIncrement() != 0) {
                return;
            }
            int missed = 1;
            for (;;) {
                for (;;) {
                    BulkOp next = null;
                    long more = 0;
                    boolean complete = false;
                    Throwable failure = null;
                    synchronized (this) {
                        if (cancelled || terminated) {
                            break;
                        }
                        if (upstreamError != null) {
                            terminated = true;
                            failure = upstreamError;
                            queue.clearWaiting();
                        } else if (requested > 0 && queue.readyCount() > 0) {
                            next = take();
                        } else if (upstreamDone && queue.nothingWaits()) {
                            terminated = true;
                            complete = true;
                        } else if (!upstreamDone && outstanding == 0 && queue.readyCount() < READ_AHEAD) {
                            more = READ_AHEAD - queue.readyCount();
                            outstanding = more;
                        } else {
                            break;
                        }
                    }
                    if (next != null) {
                        actual.onNext(next);
                    } else if (more > 0) {
                        upstream.request(more);
                    } else if (failure != null) {
                        actual.onError(failure);
                    } else if (complete) {
                        actual.onComplete();
                    }
                }
                missed = wip.addAndGet(-missed);
                if (missed == 0) {
                    return;
                }
            }
        }

        /** Called with the lock held, when there is demand and a ready operation. */
        private BulkOp take() {
            if (requested != Long.MAX_VALUE) {
                requested--;
            }
            BulkOp op = queue.take();
            ledger.taken();
            return op;
        }

        // ------------------------------------------------------------ from the sink's results

        /** A batch was resolved. Always true: the tick asking to save what became safe. */
        boolean resolved(BatchResult result) {
            synchronized (this) {
                boolean failed = result.failed() > 0 || result.dropped() > 0;
                ledger.resolved(result.ops(), failed);
                queue.resolved(ledger.resolvedCount());
                failedOps += result.failed();
                droppedOps += result.dropped();
            }
            drain();
            return true;
        }

        synchronized void failed(Throwable e) {
            if (error == null) {
                error = e;
            }
        }

        /** The sink is done (or failed): every checkpoint covered by what was resolved is safe. */
        synchronized Boolean finish() {
            ledger.finish();
            if (invalid.total() > 0) {
                LOG.warn("{} documents were refused: {}", invalid.total(), invalid.summary());
            }
            if (queue.coalesced() > 0) {
                LOG.debug("{} changes were replaced by later changes of the same document before being sent",
                        queue.coalesced());
            }
            return Boolean.TRUE;
        }

        /** The latest safe checkpoint not handed out yet, or null. */
        synchronized SyncCursor takeSafe() {
            return ledger.takeSafe();
        }

        /** The error to end with, once the safe checkpoints are saved, or null. */
        synchronized Throwable outcome() {
            if (error != null) {
                return error;
            }
            if (failedOps + droppedOps + invalidDocs > 0) {
                return new ChangesNotAppliedException(failedOps, droppedOps, invalidDocs, following);
            }
            return null;
        }
    }
}
