package io.connectors.runtime.sink;

import io.connectors.runtime.config.BulkSinkSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Sends one batch in {@code _bulk} requests until every operation is resolved: items answered 429 or 5xx, and
 * requests failing as a whole retryably, are re-sent (only those items) after a {@link Backoff}, up to
 * {@link BulkSinkSettings#maxRetries()} times; then they fail for good. Tells the {@link BulkSink.Listener} of each
 * round trip, retry and 429.
 */
final class BatchSender {
    private static final Logger log = LoggerFactory.getLogger(BulkSink.class);

    private final BulkClient client;
    private final int maxRetries;
    private final Backoff backoff;
    private final BulkSink.Listener listener;
    private final LongSupplier nanoClock;

    /** @param nanoClock the clock request latencies are measured with, in nanoseconds */
    BatchSender(BulkClient client, BulkSinkSettings settings, Backoff backoff, BulkSink.Listener listener,
            LongSupplier nanoClock) {
        this.client = client;
        this.maxRetries = settings.maxRetries();
        this.backoff = backoff;
        this.listener = listener;
        this.nanoClock = nanoClock;
    }

    /**
     * Sends {@code batch}; nothing happens before subscription.
     *
     * @return its result once each operation is acknowledged or failed for good; an error when the write's breaker
     *         trips or a request fails as a whole and is not retryable
     */
    Mono<BatchResult> send(Batch batch, WriteRun run) {
        if (batch.ops().isEmpty()) {
            return Mono.just(new BatchResult(batch.sequence(), batch.dropped(), 0, 0, batch.dropped(), 0, List.of()));
        }
        return Mono.defer(() -> {
            BatchOutcome outcome = new BatchOutcome(batch, run);
            return attempt(outcome, outcome.all(), 0, run).then(Mono.defer(outcome::finish));
        }).doFinally(signal -> run.inFlight.resolved(batch.bytes()));
    }

    private Mono<Void> attempt(BatchOutcome outcome, List<PendingOp> pending, int retry, WriteRun run) {
        List<BulkOp> ops = new ArrayList<>(pending.size());
        for (PendingOp p : pending) {
            ops.add(p.op());
        }
        Batch batch = outcome.batch();
        return timed(client.bulk(ops), ops.size())
                .map(items -> outcome.answered(pending, items))
                .onErrorResume(BulkRequestException.class, e -> {
                    if (e.status() == 429) {
                        listener.onThrottled(pending.size());
                    }
                    if (!e.retryable()) {
                        return Mono.error(e);
                    }
                    // Under a sustained overload every batch fails this way: aggregated per write, not one line each.
                    if (retry < maxRetries) {
                        run.log.requestRetried(pending.size(), batch.sequence(), retry + 1, maxRetries, e);
                    }
                    return Mono.just(outcome.requestFailed(pending, e));
                })
                .flatMap(again -> {
                    if (again.isEmpty()) {
                        return Mono.empty();
                    }
                    if (retry >= maxRetries) {
                        outcome.giveUp(again, retry);
                        return Mono.empty();
                    }
                    listener.onRetry(again.size());
                    Duration delay = backoff.delay(retry + 1);
                    if (log.isDebugEnabled()) {
                        log.debug("Re-sending {} of {} operations of batch {} in {} ms (retry {}/{}): {}",
                                again.size(), batch.ops().size(), batch.sequence(), delay.toMillis(), retry + 1,
                                maxRetries, countByType(again));
                    }
                    return Mono.delay(delay).then(Mono.defer(() -> attempt(outcome, again, retry + 1, run)));
                });
    }

    /** Reports the latency of one round trip (not of a cancelled one) to the listener. */
    private Mono<List<ItemResult>> timed(Mono<List<ItemResult>> request, int operations) {
        if (listener == BulkSink.Listener.NONE) {
            return request;
        }
        return Mono.defer(() -> {
            long start = nanoClock.getAsLong();
            return request
                    .doOnNext(items -> listener.onRequest(Duration.ofNanos(nanoClock.getAsLong() - start), operations,
                            true))
                    .doOnError(e -> listener.onRequest(Duration.ofNanos(nanoClock.getAsLong() - start), operations,
                            false));
        });
    }

    private static Map<String, Integer> countByType(List<PendingOp> pending) {
        Map<String, Integer> counts = new TreeMap<>();
        for (PendingOp p : pending) {
            counts.merge(p.errorType() + " (" + p.status() + ")", 1, Integer::sum);
        }
        return counts;
    }
}
