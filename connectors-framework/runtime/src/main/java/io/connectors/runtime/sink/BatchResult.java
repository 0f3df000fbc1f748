package io.connectors.runtime.sink;

import java.util.List;
import java.util.Objects;

/**
 * How one batch of operations was resolved, once every operation in it is final: acknowledged, failed after
 * retries, or dropped before sending.
 *
 * @param sequence  the batch's position among the batches of one {@link BulkSink#write} call, from 0
 * @param ops       operations taken from upstream into this batch, dropped ones included
 *                  ({@code ops == succeeded + failed + dropped})
 * @param succeeded operations Elasticsearch acknowledged (deletes of missing ids included)
 * @param failed    operations Elasticsearch refused, or that still failed after the retries
 * @param dropped   index operations refused before sending because their source was too large
 * @param bytes     document source bytes acknowledged
 * @param failedIds ids of failed operations, at most {@link #MAX_FAILED_IDS} of them
 */
public record BatchResult(long sequence, int ops, int succeeded, int failed, int dropped, long bytes,
                          List<String> failedIds) {

    /** Bound on {@link #failedIds()}, so a batch where everything fails stays small. */
    public static final int MAX_FAILED_IDS = 100;

    public BatchResult {
        failedIds = List.copyOf(Objects.requireNonNull(failedIds, "failedIds"));
    }
}
