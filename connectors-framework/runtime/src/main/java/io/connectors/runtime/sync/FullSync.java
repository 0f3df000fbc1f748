package io.connectors.runtime.sync;

import io.connectors.runtime.sink.BulkOp;
import io.connectors.runtime.sink.BulkSink;
import io.connectors.runtime.config.SyncSettings;
import io.connectors.runtime.util.ProblemLog;
import io.connectors.spi.BaseDataSource;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SyncRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A full sync of one source into one index, in two passes, with memory that does not grow with the index:
 * <ol>
 *   <li><b>Upserts.</b> Source documents are serialized, their version stamps compared in batches with those stored
 *       in the index ({@code _mget}); unchanged documents are skipped without a write, new and changed ones go to
 *       the {@link BulkSink}. Every id seen is added to an {@link ExternalIdSorter} (sorted chunks spilled to disk).</li>
 *   <li><b>Deletions</b>, only once the source completed without error and every write was acknowledged: a
 *       point-in-time scan of the index sorted by {@code _sync_id} is merged with the sorted source ids; indexed ids
 *       the source no longer has are deleted, as are documents the runtime did not write.</li>
 * </ol>
 */
public final class FullSync {
    private static final Logger LOG = LoggerFactory.getLogger(FullSync.class);
    private static final int SCAN_PAGE = 5_000;

    private final BaseDataSource source;
    private final TargetIndex index;
    private final BulkSink sink;
    private final DocumentSerializer serializer;
    private final SyncSettings settings;
    private final SyncStats stats;
    private final ProblemLog invalid = new ProblemLog(LOG, "Document refused", 5);

    public FullSync(BaseDataSource source, TargetIndex index, BulkSink sink, DocumentSerializer serializer,
                    SyncSettings settings, SyncStats stats) {
        this.source = source;
        this.index = index;
        this.sink = sink;
        this.serializer = serializer;
        this.settings = settings;
        this.stats = stats;
    }

    /** Runs the sync; completes when the index equals the source, fails if the source or the sink failed. */
    public Mono<Void> run(SyncRules rules) {
        return run(rules, false);
    }

    /**
     * @param freshIndex the index was created empty by this sync: nothing is stored to compare versions with and
     *                   nothing can be stale, so the lookups and the deletion pass are skipped
     */
    public Mono<Void> run(SyncRules rules, boolean freshIndex) {
        return Mono.usingWhen(
                Mono.fromCallable(() -> new ExternalIdSorter(settings.tempDir(), settings.idSpillChunk())),
                sorter -> upserts(rules, sorter, freshIndex)
                        .then(index.refresh())
                        .then(freshIndex ? Mono.empty() : deletions(sorter))
                        .then(index.refresh())
                        .doOnSuccess(v -> {
                            if (invalid.total() > 0) {
                                LOG.warn("Index {}: {} documents were refused: {}", index.name(), invalid.total(), invalid.summary());
                            }
                        }),
                sorter -> Mono.fromRunnable(sorter::close).subscribeOn(Schedulers.boundedElastic()));
    }

    private Mono<Void> upserts(SyncRules rules, ExternalIdSorter sorter, boolean freshIndex) {
        BasicRulesFilter filter = new BasicRulesFilter(rules.basic());
        Flux<PreparedDocument> prepared = source.getDocs(rules)
                .doOnNext(d -> stats.addSeen(1))
                .filter(filter::includes)
                .handle((SourceDocument doc, reactor.core.publisher.SynchronousSink<PreparedDocument> out) -> {
                    try {
                        out.next(serializer.prepare(doc));
                    } catch (DocumentSerializer.InvalidDocumentException e) {
                        stats.addFailed(1);
                        stats.sampleFailed(new SyncStats.DocumentProblem(DocIds.normalize(doc.id()), "index", 0, "invalid_document",
                                e.getMessage()));
                        // Kept in the id set: a document that became unstorable is not deleted for it.
                        synchronized (sorter) {
                            sorter.add(DocIds.normalize(doc.id()));
                        }
                        invalid.report("invalid_document", e.getMessage());
                    }
                });
        Flux<BulkOp> ops = Batches.byCountAndBytes(prepared, settings.reconcileBatchSize(), settings.reconcileBatchBytes(),
                        p -> p.json().length)
                .flatMapSequential(batch -> (freshIndex ? Mono.just(Map.<String, String>of())
                                : index.storedStamps(batch.stream().map(PreparedDocument::id).toList()))
                        .map(stored -> decide(batch, stored)), 2, 1)
                .publishOn(Schedulers.boundedElastic(), 2)
                .concatMapIterable(decision -> {
                    if (!freshIndex) {
                        synchronized (sorter) {
                            for (PreparedDocument d : decision.batch()) {
                                sorter.add(d.id());
                            }
                        }
                    }
                    stats.addUnchanged(decision.unchanged());
                    return decision.ops();
                }, 1);
        return sink.write(ops).then();
    }

    private record Decision(List<PreparedDocument> batch, List<BulkOp> ops, int unchanged) {
    }

    private static Decision decide(List<PreparedDocument> batch, Map<String, String> stored) {
        List<BulkOp> ops = new ArrayList<>(batch.size());
        int unchanged = 0;
        for (PreparedDocument d : batch) {
            if (d.stamp().equals(stored.get(d.id()))) {
                unchanged++;
            } else {
                ops.add(new BulkOp.Index(d.id(), d.json()));
            }
        }
        return new Decision(batch, ops, unchanged);
    }

    private Mono<Void> deletions(ExternalIdSorter sorter) {
        Flux<BulkOp> vanished = Flux.usingWhen(
                Mono.fromCallable(sorter::cursor).subscribeOn(Schedulers.boundedElastic()),
                cursor -> index.scanSyncIds(SCAN_PAGE)
                        .publishOn(Schedulers.boundedElastic(), 256)
                        .filter(hit -> !cursor.contains(hit.syncId()))
                        .map(hit -> (BulkOp) new BulkOp.Delete(hit.id())),
                cursor -> Mono.fromRunnable(cursor::close));
        Flux<BulkOp> foreign = index.scanForeignIds(SCAN_PAGE).map(BulkOp.Delete::new);
        return sink.write(Flux.concat(vanished, foreign)).then();
    }
}
