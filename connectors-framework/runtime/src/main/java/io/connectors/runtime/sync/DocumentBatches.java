package io.connectors.runtime.sync;

import io.connectors.runtime.sink.BulkOp;
import io.connectors.runtime.util.ProblemLog;
import io.connectors.spi.BaseDataSource;
import io.connectors.spi.DeferredSource;
import io.connectors.spi.SourceDocument;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Turns a batch of source documents into bulk operations, version first: a document whose version stamp equals the
 * stored one is counted unchanged and goes no further (a deferred one is never built); the others are built (one
 * {@link DeferredSource#fetch} per batch for the deferred ones), filtered by the basic rules, serialized and become
 * index operations. The work runs on a worker thread, never on the source's emitting thread; the operations come out
 * in the order of the documents they stem from.
 */
final class DocumentBatches {

    /** What the index holds, as far as this batch is concerned. */
    interface Stored {
        /** Whether the document {@code id} is stored with this {@code stamp}; may remember the id as kept if so. */
        boolean unchanged(String id, String stamp);

        /** The document {@code id} stays in the index (written now, or kept as it is although it cannot be written). */
        void kept(String id);
    }

    /** What becomes of a document the rules exclude, or that vanished between its listing and its building. */
    enum Absent {
        /** Nothing here: a full sync deletes every stored document no source document kept, at its end. */
        SKIP,
        /** A delete operation in its place: an incremental sync has no end-of-sync pass. */
        DELETE
    }

    private final BaseDataSource source;
    private final DocumentSerializer serializer;
    private final BasicRulesFilter filter;
    private final SyncStats stats;
    private final ProblemLog invalid;
    private final Absent absent;

    DocumentBatches(BaseDataSource source, DocumentSerializer serializer, BasicRulesFilter filter, SyncStats stats,
                    ProblemLog invalid, Absent absent) {
        this.source = Objects.requireNonNull(source, "source");
        this.serializer = serializer;
        this.filter = filter;
        this.stats = stats;
        this.invalid = invalid;
        this.absent = absent;
    }

    /** The operations for {@code batch}, in its order; lazy, on a worker thread. */
    Mono<List<BulkOp>> prepare(List<SourceDocument> batch, Stored stored) {
        return Mono.fromCallable(() -> firstPass(batch, stored))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(pass -> pass.toBuild.isEmpty() ? Mono.just(pass.ops()) : build(batch, pass, stored));
    }

    /** The operations of one batch, by position, and the positions of deferred documents still to build. */
    private record Pass(BulkOp[] slots, List<Integer> toBuild) {
        List<BulkOp> ops() {
            return Arrays.stream(slots).filter(Objects::nonNull).toList();
        }
    }

    private Pass firstPass(List<SourceDocument> batch, Stored stored) {
        BulkOp[] slots = new BulkOp[batch.size()];
        List<Integer> toBuild = new ArrayList<>();
        for (int i = 0; i < slots.length; i++) {
            SourceDocument doc = batch.get(i);
            if (!doc.isDeferred()) {
                slots[i] = built(doc, stored);
                continue;
            }
            if (!(source instanceof DeferredSource)) {
                throw new IllegalStateException("the source (" + source.getClass().getName() + ") emitted deferred document '"
                        + doc.id() + "' but does not implement DeferredSource, so it cannot be built");
            }
            if (stored.unchanged(DocIds.normalize(doc.id()), serializer.stamp(doc.version().orElseThrow()))) {
                stats.addUnchanged(1);
            } else {
                toBuild.add(i);
            }
        }
        return new Pass(slots, toBuild);
    }

    private Mono<List<BulkOp>> build(List<SourceDocument> batch, Pass pass, Stored stored) {
        List<SourceDocument> deferred = new ArrayList<>(pass.toBuild().size());
        Map<String, Integer> positions = new HashMap<>(pass.toBuild().size() * 2);
        for (int i : pass.toBuild()) {
            SourceDocument doc = batch.get(i);
            deferred.add(doc);
            positions.put(doc.id(), i);
        }
        return Flux.defer(() -> ((DeferredSource) source).fetch(List.copyOf(deferred)))
                .collectList()
                .publishOn(Schedulers.boundedElastic())
                .map(docs -> {
                    BulkOp[] slots = pass.slots();
                    for (SourceDocument doc : docs) {
                        Integer position = positions.remove(doc.id());
                        if (position == null) {
                            throw new IllegalStateException("the source's fetch emitted document '" + doc.id()
                                    + "', which was not asked for or was emitted twice");
                        }
                        if (doc.isDeferred()) {
                            throw new IllegalStateException("the source's fetch emitted document '" + doc.id()
                                    + "' still deferred");
                        }
                        slots[position] = built(doc, stored);
                    }
                    // Not built: the item vanished since it was listed.
                    if (absent == Absent.DELETE) {
                        positions.forEach((id, position) -> slots[position] = new BulkOp.Delete(DocIds.normalize(id)));
                    }
                    return pass.ops();
                });
    }

    /** The operation for a built document: {@code null} when there is nothing to write. */
    private BulkOp built(SourceDocument doc, Stored stored) {
        String id = DocIds.normalize(doc.id());
        if (!filter.includes(doc)) {
            return absent == Absent.DELETE ? new BulkOp.Delete(id) : null;
        }
        if (doc.version().isPresent() && stored.unchanged(id, serializer.stamp(doc.version().get()))) {
            stats.addUnchanged(1);
            return null;
        }
        PreparedDocument prepared;
        try {
            prepared = serializer.prepare(doc);
        } catch (DocumentSerializer.InvalidDocumentException e) {
            stats.addFailed(1);
            stats.sampleFailed(new SyncStats.DocumentProblem(id, "index", 0, "invalid_document", e.getMessage()));
            // Kept: a document that became unstorable is not deleted for it.
            stored.kept(id);
            invalid.report("invalid_document", e.getMessage());
            return null;
        }
        if (doc.version().isEmpty() && stored.unchanged(id, prepared.stamp())) {
            stats.addUnchanged(1);
            return null;
        }
        stored.kept(id);
        return new BulkOp.Index(id, prepared.json());
    }
}
