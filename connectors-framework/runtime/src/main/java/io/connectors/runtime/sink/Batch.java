package io.connectors.runtime.sink;

import java.util.List;

/**
 * Consecutive upstream operations sent in one {@code _bulk} request, numbered in the order the {@link Batcher} formed
 * them.
 *
 * @param ops     the operations to send
 * @param bytes   their {@link BulkOp#sizeBytes()}, summed
 * @param dropped operations among them dropped before sending (too large): they count toward the batch's place in
 *                the upstream, not toward what is sent
 */
record Batch(long sequence, List<BulkOp> ops, long bytes, int dropped) {
    /** The upstream operations the batch stands for: those sent and those dropped. */
    int size() {
        return ops.size() + dropped;
    }
}
