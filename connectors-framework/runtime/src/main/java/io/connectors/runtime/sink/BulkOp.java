package io.connectors.runtime.sink;

import java.util.Objects;

/** One operation for a {@code _bulk} request: index a serialized document, or delete an id. */
public sealed interface BulkOp {

    /** The Elasticsearch {@code _id} (already normalized: at most 512 bytes). */
    String id();

    /** Approximate bytes this operation adds to a {@code _bulk} body (action line plus source). */
    long sizeBytes();

    /**
     * Index (create or overwrite) a document.
     *
     * @param id     the {@code _id}
     * @param source the document as UTF-8 JSON, already serialized so byte bounds are exact
     */
    record Index(String id, byte[] source) implements BulkOp {
        public Index {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(source, "source");
        }

        @Override
        public long sizeBytes() {
            return source.length + id.length() + 64L;
        }
    }

    /** Delete a document by {@code _id}; a missing id is not an error. */
    record Delete(String id) implements BulkOp {
        public Delete {
            Objects.requireNonNull(id, "id");
        }

        @Override
        public long sizeBytes() {
            return id.length() + 64L;
        }
    }
}
