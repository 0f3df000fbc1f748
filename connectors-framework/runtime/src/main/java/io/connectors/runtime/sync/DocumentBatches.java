package io.connectors.runtime.sync;

import io.connectors.runtime.sink.BulkOp;
import io.connectors.runtime.util.ProblemLog;
import io.connectors.spi.BaseDataSource;
import io.connectors.spi.DeferredSource;
import io.connectors.spi.SourceDocument;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SynchronousSink;
import reactor.core.scheduler.Schedulers;

/**
 * Turns a batch of source documents into bulk operations, version first: a document whose version stamp equals the
 * stored one is counted unchanged and goes no further (a deferred one is never built); the others are built (one
 * {@link DeferredSource#fetch} per batch for the deferred ones), filtered by the basic rules, serialized and become
 * index operations. The work runs on worker threads, never on the source's emitting thread.
 */
final class DocumentBatches {
    /** Documents a source may have built ahead of their serialization, per batch. */
    private static final int BUILT_AHEAD = 8;

    /** What the index holds. */
    interface Stored {
        /** Whether the document {@code id} is stored with this {@code stamp}; may remember the id as kept if so. */
        boolean unchanged(String id, String stamp);

        /** The document {@code id} stays in the index (written now, or kept as it is although it cannot be written). */
        void kept(String id);
    }

    private final BaseDataSource source;
    private final DocumentSerializer serializer;
    private final BasicRulesFilter filter;
    private final SyncStats stats;
    private final ProblemLog invalid;
    /** Extracts bodies' text; {@code null} when the connector does not extract content (bodies are ignored). */
    private final ContentExtractor extractor;
    private final ProblemLog notExtracted;

    DocumentBatches(BaseDataSource source, DocumentSerializer serializer, BasicRulesFilter filter, SyncStats stats,
                    ProblemLog invalid) {
        this(source, serializer, filter, stats, invalid, null);
    }

    DocumentBatches(BaseDataSource source, DocumentSerializer serializer, BasicRulesFilter filter, SyncStats stats,
                    ProblemLog invalid, ContentExtractor extractor) {
        this.source = Objects.requireNonNull(source, "source");
        this.serializer = serializer;
        this.filter = filter;
        this.stats = stats;
        this.invalid = invalid;
        this.extractor = extractor;
        this.notExtracted = new ProblemLog(org.slf4j.LoggerFactory.getLogger(ContentExtractor.class),
                "documents whose content could not be extracted (indexed without it)", 5);
    }

    /**
     * The operations for {@code batch}; lazy, on a worker thread. Those of built documents come first, in the batch's
     * order, then those of deferred ones as the source builds them: one built document at a time is held here, so
     * memory does not depend on the documents' sizes. Documents with a body whose text is extracted take their place
     * in that order once a parser process has read them, several at a time.
     */
    Flux<BulkOp> prepare(List<SourceDocument> batch, Stored stored) {
        return Mono.fromCallable(() -> firstPass(batch, stored))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMapMany(pass -> {
                    Flux<BulkOp> ops = Flux.fromIterable(pass.ops());
                    if (!pass.toExtract().isEmpty()) {
                        ops = ops.concatWith(Flux.fromIterable(pass.toExtract()).flatMapSequential(
                                doc -> extractThenBuild(doc, stored), extractor.settings().workers()));
                    }
                    return pass.toBuild().isEmpty() ? ops : ops.concatWith(build(pass.toBuild(), stored));
                });
    }

    /** The operations of a batch's built documents, those whose body is to be extracted, and the deferred ones. */
    private record Pass(List<BulkOp> ops, List<SourceDocument> toExtract, List<SourceDocument> toBuild) {
    }

    private Pass firstPass(List<SourceDocument> batch, Stored stored) {
        List<BulkOp> ops = new ArrayList<>();
        List<SourceDocument> toExtract = new ArrayList<>();
        List<SourceDocument> toBuild = new ArrayList<>();
        for (SourceDocument doc : batch) {
            if (!doc.isDeferred()) {
                if (extracts(doc)) {
                    if (wanted(doc, stored)) {
                        toExtract.add(doc);
                    }
                    continue;
                }
                BulkOp op = built(doc, stored);
                if (op != null) {
                    ops.add(op);
                }
                continue;
            }
            DeferredFetch.builder(source, doc);
            if (stored.unchanged(DocIds.normalize(doc.id()), serializer.stamp(doc.version().orElseThrow()))) {
                stats.addUnchanged(1);
            } else {
                toBuild.add(doc);
            }
        }
        return new Pass(ops, toExtract, toBuild);
    }

    private Flux<BulkOp> build(List<SourceDocument> deferred, Stored stored) {
        return Flux.defer(() -> {
            Set<String> asked = new HashSet<>(deferred.size() * 2);
            deferred.forEach(d -> asked.add(d.id()));
            Flux<SourceDocument> built = DeferredFetch.builder(source, deferred.get(0)).fetch(List.copyOf(deferred))
                    .publishOn(Schedulers.boundedElastic(), BUILT_AHEAD)
                    .map(doc -> DeferredFetch.check(doc, asked.remove(doc.id())));
            // What fetch did not build vanished since it was listed: no operation, it is simply not claimed, and the
            // deletion pass removes its stored copy.
            if (extractor == null) {
                return built.handle((SourceDocument doc, SynchronousSink<BulkOp> out) -> {
                    BulkOp op = built(doc, stored);
                    if (op != null) {
                        out.next(op);
                    }
                });
            }
            return built.flatMapSequential(doc -> extracts(doc)
                            ? (wanted(doc, stored) ? extractThenBuild(doc, stored) : Mono.<BulkOp>empty())
                            : Mono.justOrEmpty(built(doc, stored)),
                    extractor.settings().workers(), BUILT_AHEAD);
        });
    }

    /** Whether the text of {@code doc}'s body is to be extracted before it is written. */
    private boolean extracts(SourceDocument doc) {
        return extractor != null && doc.body().isPresent();
    }

    /**
     * Whether a document with a body is worth extracting: the rules include it and its version is not the stored one
     * (a document without a version can only be compared once extracted).
     */
    private boolean wanted(SourceDocument doc, Stored stored) {
        if (!filter.includes(doc)) {
            return false;
        }
        if (doc.version().isPresent() && stored.unchanged(DocIds.normalize(doc.id()), serializer.stamp(doc.version().get()))) {
            stats.addUnchanged(1);
            return false;
        }
        return true;
    }

    private Mono<BulkOp> extractThenBuild(SourceDocument doc, Stored stored) {
        return extractor.extract(doc, stats, notExtracted).mapNotNull(withText -> built(withText, stored));
    }

    /** The operation for a built document: {@code null} when there is nothing to write. */
    private BulkOp built(SourceDocument doc, Stored stored) {
        String id = DocIds.normalize(doc.id());
        if (!filter.includes(doc)) {
            // Not claimed: a stored copy is deleted at the end of the sync.
            return null;
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
