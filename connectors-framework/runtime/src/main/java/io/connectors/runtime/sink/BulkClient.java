package io.connectors.runtime.sink;

import java.util.List;
import reactor.core.publisher.Mono;

/**
 * Sends one {@code _bulk} request. The seam between {@link BulkSink} and Elasticsearch, so the sink's batching,
 * retry and breaker logic is tested against a scripted fake.
 */
public interface BulkClient {

    /**
     * Sends {@code ops} as one {@code _bulk} request.
     *
     * <p>Lazy: nothing is sent before subscription, and each subscription sends the request again (this is how
     * the sink retries). Cancelling the subscription abandons the request.
     *
     * @param ops the operations, at least one; the list is not modified and not retained after completion
     * @return one {@link ItemResult} per operation, in the order of {@code ops}, whatever each item's status;
     *         or an error {@link BulkRequestException} when the request as a whole failed (no response, or an
     *         HTTP error status for the whole request)
     */
    Mono<List<ItemResult>> bulk(List<BulkOp> ops);
}
