package io.connectors.testkit.contract;

import io.connectors.spi.BaseDataSource;
import io.connectors.spi.DeferredSource;
import io.connectors.spi.SourceDocument;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Flux;

/** Builds deferred documents the way the runtime does, for sources' own tests. */
public final class DeferredDocuments {
    private static final int BATCH = 100;

    private DeferredDocuments() {
    }

    /**
     * {@code docs} with built documents kept as they are and deferred ones replaced by what
     * {@link DeferredSource#fetch} builds for them (in batches of 100, so a vanished item is simply missing).
     *
     * @throws AssertionError when a deferred document comes from a source that is not a {@link DeferredSource}, or
     *                        when fetch emits a document that is still deferred or was not asked for
     */
    public static List<SourceDocument> build(BaseDataSource source, List<SourceDocument> docs, Duration timeout) {
        List<SourceDocument> out = new ArrayList<>(docs.size());
        List<SourceDocument> pending = new ArrayList<>();
        for (SourceDocument d : docs) {
            if (!d.isDeferred()) {
                out.add(d);
                continue;
            }
            if (!(source instanceof DeferredSource)) {
                throw new AssertionError(source.getClass().getName() + " emitted deferred document '" + d.id()
                        + "' but does not implement DeferredSource");
            }
            pending.add(d);
            if (pending.size() == BATCH) {
                out.addAll(fetch((DeferredSource) source, pending, timeout));
                pending = new ArrayList<>();
            }
        }
        if (!pending.isEmpty()) {
            out.addAll(fetch((DeferredSource) source, pending, timeout));
        }
        return out;
    }

    /** Builds the documents of one batch of deferred ones. */
    public static List<SourceDocument> fetch(DeferredSource source, List<SourceDocument> batch, Duration timeout) {
        List<String> asked = batch.stream().map(SourceDocument::id).toList();
        // A test helper: the calling test waits for the batch, bounded by the step timeout.
        List<SourceDocument> built = Flux.defer(() -> source.fetch(List.copyOf(batch))).collectList().block(timeout);
        for (SourceDocument d : built) {
            if (d.isDeferred()) {
                throw new AssertionError("fetch emitted document '" + d.id() + "' still deferred");
            }
            if (!asked.contains(d.id())) {
                throw new AssertionError("fetch emitted document '" + d.id() + "', which it was not asked for");
            }
        }
        return built;
    }
}
