package io.connectors.runtime.sink;

import static io.connectors.runtime.sink.ErrorReasons.sanitize;

import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * What became of one batch's operations across its attempts: which were acknowledged (counted in the stats), which
 * are to be sent again, which failed for good (counted, logged, sampled). At the end the batch's outcomes feed the
 * write's error breaker, in order, and make its {@link BatchResult}. Attempts are sequential, so no locking is needed.
 */
final class BatchOutcome {
    private final Batch batch;
    private final WriteRun run;
    /** Per operation: null when acknowledged, else its final error. */
    private final String[] errors;
    private final List<String> failedIds = new ArrayList<>();
    private int succeeded;
    private int failed;
    private long bytes;

    BatchOutcome(Batch batch, WriteRun run) {
        this.batch = batch;
        this.run = run;
        this.errors = new String[batch.ops().size()];
    }

    Batch batch() {
        return batch;
    }

    /** Every operation of the batch, as pending before its first attempt. */
    List<PendingOp> all() {
        List<PendingOp> all = new ArrayList<>(batch.ops().size());
        for (int i = 0; i < batch.ops().size(); i++) {
            all.add(PendingOp.first(i, batch.ops().get(i)));
        }
        return all;
    }

    /**
     * Elasticsearch answered {@code items} for {@code pending}, in order.
     *
     * @return the operations to send again (answered 429 or 5xx)
     */
    List<PendingOp> answered(List<PendingOp> pending, List<ItemResult> items) {
        if (items.size() != pending.size()) {
            throw new IllegalStateException("_bulk answered " + items.size() + " items for " + pending.size()
                    + " operations");
        }
        List<PendingOp> again = new ArrayList<>();
        int throttled = 0;
        for (int i = 0; i < items.size(); i++) {
            PendingOp p = pending.get(i);
            ItemResult item = items.get(i);
            if (item.status() == 429) {
                throttled++;
            }
            if (item.succeeded()) {
                acknowledged(p.op(), item.result());
            } else if (item.retryable()) {
                again.add(p.failedWith(item.status(), item.errorType(), item.errorReason()));
            } else {
                failed(p.failedWith(item.status(), item.errorType(), item.errorReason()), 0);
            }
        }
        if (throttled > 0) {
            run.listener.onThrottled(throttled);
        }
        return again;
    }

    /** The request for {@code pending} failed as a whole, retryably: all of them are to be sent again. */
    List<PendingOp> requestFailed(List<PendingOp> pending, BulkRequestException e) {
        String type = e.status() == 0 ? "no_response" : "http_" + e.status();
        List<PendingOp> again = new ArrayList<>(pending.size());
        for (PendingOp p : pending) {
            again.add(p.failedWith(e.status(), type, e.getMessage()));
        }
        return again;
    }

    /** {@code pending} still fail after {@code retries} retries: they failed for good. */
    void giveUp(List<PendingOp> pending, int retries) {
        for (PendingOp p : pending) {
            failed(p, retries);
        }
    }

    private void acknowledged(BulkOp op, String result) {
        succeeded++;
        switch (result == null ? "" : result) {
            case "created" -> run.stats.addIndexed(1);
            case "updated" -> run.stats.addUpdated(1);
            case "deleted", "not_found" -> run.stats.addDeleted(1);
            default -> {
                // noop: written before, nothing to count
            }
        }
        if (op instanceof BulkOp.Index index) {
            bytes += index.source().length;
            run.stats.addBytes(index.source().length);
        }
    }

    private void failed(PendingOp p, int retries) {
        failed++;
        String type = p.errorType() == null ? "unknown_error" : p.errorType();
        errors[p.index()] = type + " (status " + p.status() + "): " + sanitize(p.reason());
        if (failedIds.size() < BatchResult.MAX_FAILED_IDS) {
            failedIds.add(p.op().id());
        }
        run.stats.documentFailed(p.op().id(), operation(p.op()), p.status(), type, sanitize(p.reason()));
        run.log.failed(p.op().id(), p.status(), type, p.reason(), retries);
    }

    /** Every operation is resolved: the batch's result, or the breaker's error if its outcomes tripped it. */
    Mono<BatchResult> finish() {
        ErrorBreakerTrippedException tripped = run.breaker.record(errors);
        if (tripped != null) {
            return Mono.error(tripped);
        }
        return Mono.just(new BatchResult(batch.sequence(), batch.size(), succeeded, failed, batch.dropped(),
                bytes, failedIds));
    }

    private static String operation(BulkOp op) {
        return op instanceof BulkOp.Delete ? "delete" : "index";
    }
}
