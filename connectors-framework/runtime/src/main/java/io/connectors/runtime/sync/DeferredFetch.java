package io.connectors.runtime.sync;

import io.connectors.spi.BaseDataSource;
import io.connectors.spi.DeferredSource;
import io.connectors.spi.SourceDocument;

/** The checks the runtime makes on deferred documents and on what {@link DeferredSource#fetch} returns for them. */
final class DeferredFetch {
    private DeferredFetch() {
    }

    /**
     * The source that can build {@code doc}, a deferred document it emitted.
     *
     * @throws IllegalStateException when the source emitted it without implementing {@link DeferredSource}
     */
    static DeferredSource builder(BaseDataSource source, SourceDocument doc) {
        if (source instanceof DeferredSource deferred) {
            return deferred;
        }
        throw new IllegalStateException("the source (" + source.getClass().getName() + ") emitted deferred document '"
                + doc.id() + "' but does not implement DeferredSource, so it cannot be built");
    }

    /**
     * Checks a document fetch emitted.
     *
     * @param asked whether it was asked for and not emitted before
     * @throws IllegalStateException when it was not asked for, was emitted twice, or is still deferred
     */
    static SourceDocument check(SourceDocument doc, boolean asked) {
        if (!asked) {
            throw new IllegalStateException("the source's fetch emitted document '" + doc.id()
                    + "', which was not asked for or was emitted twice");
        }
        if (doc.isDeferred()) {
            throw new IllegalStateException("the source's fetch emitted document '" + doc.id() + "' still deferred");
        }
        return doc;
    }
}
