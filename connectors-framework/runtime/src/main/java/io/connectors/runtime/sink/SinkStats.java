package io.connectors.runtime.sink;

/**
 * Where a {@link BulkSink} counts what became of the operations it wrote: the part of a sync's counts that the sink
 * knows. Called concurrently from the threads the sink runs on: an implementation must be thread-safe and cheap, and
 * must not throw or block.
 */
public interface SinkStats {
    /** Elasticsearch created {@code n} new documents. */
    void addIndexed(long n);

    /** Elasticsearch rewrote {@code n} existing documents. */
    void addUpdated(long n);

    /** Elasticsearch deleted {@code n} documents (or found them gone already). */
    void addDeleted(long n);

    /** Elasticsearch acknowledged index operations whose sources add up to {@code n} bytes. */
    void addBytes(long n);

    /**
     * Elasticsearch refused a document for good (after any retries): one more failed, kept as a sample while few
     * are kept.
     *
     * @param operation {@code index} or {@code delete}
     * @param status    the item's HTTP status, or of the whole request
     * @param errorType Elasticsearch's error type ({@code document_parsing_exception}), or the sink's
     *                  ({@code no_response}, {@code http_503})
     * @param reason    why, without document content (a preview of a field's value already cut off)
     */
    void documentFailed(String id, String operation, int status, String errorType, String reason);

    /**
     * The sink dropped a document before sending it (never sent, so no status): one more dropped, kept as a sample
     * while few are kept.
     *
     * @param errorType the sink's reason, e.g. {@code too_large}
     */
    void documentDropped(String id, String operation, String errorType, String reason);
}
