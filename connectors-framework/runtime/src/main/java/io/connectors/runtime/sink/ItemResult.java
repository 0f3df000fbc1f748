package io.connectors.runtime.sink;

/**
 * Elasticsearch's answer for one operation of a {@code _bulk} request.
 *
 * @param id          the {@code _id}
 * @param status      the item's HTTP status (a delete of a missing id answers 404 with {@code not_found})
 * @param result      {@code created}, {@code updated}, {@code deleted}, {@code not_found}, {@code noop}, or
 *                    {@code null} when the item failed
 * @param errorType   the error type, e.g. {@code mapper_parsing_exception}; {@code null} on success
 * @param errorReason the error reason; {@code null} on success. May quote document content: never log it as is
 */
public record ItemResult(String id, int status, String result, String errorType, String errorReason) {

    /** Whether the item was written (or, for a delete, the id is gone). */
    public boolean succeeded() {
        return errorType == null && (status / 100 == 2 || (status == 404 && "not_found".equals(result)));
    }

    /** Whether sending the item again may succeed: Elasticsearch was overloaded or a shard was unavailable. */
    public boolean retryable() {
        return !succeeded() && (status == 429 || status >= 500);
    }
}
