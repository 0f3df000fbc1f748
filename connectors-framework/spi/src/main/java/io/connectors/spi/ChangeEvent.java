package io.connectors.spi;

import java.util.Objects;

/** What an {@link IncrementalSource} emits: documents to write, ids to delete, and cursor checkpoints. */
public sealed interface ChangeEvent {

    /** Index (create or replace) a document. */
    record Upsert(SourceDocument document) implements ChangeEvent {
        public Upsert {
            Objects.requireNonNull(document, "document");
        }
    }

    /** Delete the document with this source id; deleting an id that is not indexed is not an error. */
    record Delete(String id) implements ChangeEvent {
        public Delete {
            Objects.requireNonNull(id, "id");
        }
    }

    /**
     * Every event before this one is covered by {@code cursor}: once the runtime has had them acknowledged by
     * Elasticsearch it stores {@code cursor}, and the next incremental sync starts from it.
     */
    record Checkpoint(SyncCursor cursor) implements ChangeEvent {
        public Checkpoint {
            Objects.requireNonNull(cursor, "cursor");
        }
    }
}
