package io.connectors.runtime.sink;

import io.connectors.runtime.config.BulkSinkSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Sends one batch in {@code _bulk} requests until every operation is resolved: items answered 429 or 5xx, and
 * requests failing as a whole retryably, are re-sent (only those items) after a {@link Backoff}, up to
 * {@link BulkSinkSettings#maxRetries()} times; then they fail for good. Items answered 429 are the exception: an
 * overloaded cluster is up and will take them, so they are re-sent for as long as
 * {@link BulkSinkSettings#maxThrottledTime()} allows, counted from the batch's first send on the scheduler's clock.
 * Tells the {@link BulkSink.Listener} of each round trip, retry and 429.
 */
final class BatchSender {
    private static final Logger log = LoggerFactory.getLogger(BulkSink.class);

    private final BulkClient client;
    private final int maxRetries;
    private final long maxThrottledMillis;
    private final Backoff backoff;
    private final BulkSink.Listener listener;
    private final LongSupplier nanoClock;

    /** @param nanoClock the clock request latencies are measured with, in nanoseconds */
    BatchSender(BulkClient client, BulkSinkSettings settings, Backoff backoff, BulkSink.Listener listener,
            LongSupplier nanoClock) {
        this.client = client;
        this.maxRetries = settings.maxRetries();
        this.maxThrottledMillis = settings.maxThrottledTime().toMillis();
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
            return attempt(outcome, outcome.all(), 0, now(), run).then(Mono.defer(outcome::finish));
        }).doFinally(signal -> run.inFlight.resolved(batch.bytes()));
    }

    private static long now() {
        return Schedulers.parallel().now(TimeUnit.MILLISECONDS);
    }

    private Mono<Void> attempt(BatchOutcome outcome, List<PendingOp> pending, int retry, long firstSent, WriteRun run) {
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
                    Duration delay = backoff.delay(retry + 1);
                    if (retry >= maxRetries) {
                        long left = maxThrottledMillis - (now() - firstSent);
                        List<PendingOp> throttled = new ArrayList<>();
                        List<PendingOp> others = new ArrayList<>();
                        for (PendingOp p : again) {
                            (p.status() == 429 && left > 0 ? throttled : others).add(p);
                        }
                        if (!others.isEmpty()) {
                            outcome.giveUp(others, retry);
                        }
                        if (throttled.isEmpty()) {
                            return Mono.empty();
                        }
                        if (retry == maxRetries) {
                            run.log.throttledBeyondRetries(throttled.size(), batch.sequence(), retry,
                                    Math.max(1, left / 1000));
                        }
                        again = throttled;
                        delay = delay.toMillis() > left ? Duration.ofMillis(left) : delay;
                    }
                    listener.onRetry(again.size());
                    if (log.isDebugEnabled()) {
                        log.debug("Re-sending {} of {} operations of batch {} in {} ms (retry {}/{}): {}",
                                again.size(), batch.ops().size(), batch.sequence(), delay.toMillis(), retry + 1,
                                maxRetries, countByType(again));
                    }
                    List<PendingOp> resent = again;
                    return Mono.delay(delay).then(Mono.defer(() -> attempt(outcome, resent, retry + 1, firstSent, run)));
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
