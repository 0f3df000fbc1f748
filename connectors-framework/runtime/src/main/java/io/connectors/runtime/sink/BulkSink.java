package io.connectors.runtime.sink;

import io.connectors.runtime.config.BulkSinkSettings;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Writes a stream of {@link BulkOp}s to Elasticsearch in {@code _bulk} requests, demand-driven and bounded in
 * memory, retrying what can be retried and giving up early when a sync cannot succeed.
 *
 * <ul>
 *   <li><b>Batching.</b> Operations are grouped in order into batches of at most
 *       {@link BulkSinkSettings#maxActions()} operations and {@link BulkSinkSettings#maxBytes()} bytes (an
 *       operation that would push a batch past the byte bound starts the next batch; a single operation larger
 *       than the bound is sent alone). A partial batch is sent at most {@link BulkSinkSettings#flushInterval()}
 *       after its first operation arrived, so a slow source still makes progress.</li>
 *   <li><b>Backpressure.</b> Operations are requested from upstream one at a time, only while the batch being
 *       prepared is open; once it is closed, nothing more is requested until a request slot takes it. At most
 *       {@code maxConcurrentRequests} batches are in flight and one is prepared, so memory stays near
 *       {@code (maxConcurrentRequests + 1) * maxBytes} (or {@code maxDocumentBytes} per batch for single huge
 *       documents). A slow subscriber of the results holds requests back too.</li>
 *   <li><b>Oversized documents.</b> An index operation whose source exceeds
 *       {@link BulkSinkSettings#maxDocumentBytes()} is dropped before sending and reported to
 *       {@link SinkStats#documentDropped}; the first few ids are logged, then only counts.</li>
 *   <li><b>Retries.</b> Items answered 429 or 5xx, and requests failing as a whole with a retryable
 *       {@link BulkRequestException}, are re-sent (only those items) after an exponential backoff with full jitter:
 *       a uniform delay in {@code [0, min(maxBackoff, initialBackoff * 2^(retry-1))]}, up to
 *       {@link BulkSinkSettings#maxRetries()} times. Items refused otherwise (a 400 mapping error, say), and items
 *       still failing after the retries, are reported to {@link SinkStats#documentFailed} and logged in aggregate: a few
 *       examples, then counts per error type when the write ends. Document content is never logged.</li>
 *   <li><b>Counts.</b> Per acknowledged item: {@code created} adds to indexed, {@code updated} to updated,
 *       {@code deleted} and {@code not_found} (a delete of a missing id) to deleted; the source bytes of
 *       acknowledged index operations add to bytes.</li>
 *   <li><b>Error breaker.</b> Final outcomes (after retries; drops excluded) feed a breaker that fails the write
 *       with {@link ErrorBreakerTrippedException} when failures exceed {@code maxErrors}, or
 *       {@code maxConsecutiveErrors} in a row, or when more than {@code maxErrorRate} of the last
 *       {@code errorRateWindow} outcomes failed.</li>
 *   <li><b>Observation.</b> A {@link Listener} hears of every {@code _bulk} round trip, retry, 429 answer, and of
 *       the bytes accepted and resolved, for metrics; it never changes what the sink does.</li>
 * </ul>
 *
 * <p>Thread safety: a sink may serve several {@link #write} calls, even at once; each call has its own breaker
 * and log aggregation, and all of them add to the same {@link SinkStats}.
 *
 * <p>The work is done by parts, one job each: {@link Batcher} forms the batches, {@link BatchSender} sends each
 * (retrying after a {@link Backoff}) and {@link BatchOutcome} keeps what became of its operations; per write,
 * {@link WriteRun} holds the {@link ErrorBreaker}, the {@link InFlightBytes} and the {@link WriteLog}.
 */
public final class BulkSink {
    /** Failures (and drops) logged one by one per write before only counting them. */
    static final int LOGGED_EXAMPLES = 5;

    private final BulkSinkSettings settings;
    private final SinkStats stats;
    private final Listener listener;
    private final BatchSender sender;

    /**
     * What a sink reports as it works, for metrics. Called from the threads the sink runs on (Reactor Netty's
     * event loops, timers), possibly from several at once when several writes or sinks share a listener: an
     * implementation must be thread-safe, cheap and must not throw or block. Every method defaults to doing
     * nothing.
     */
    public interface Listener {
        /** Hears nothing. */
        Listener NONE = new Listener() {
        };

        /**
         * One {@code _bulk} round trip ended.
         *
         * @param latency    from sending the request to its answer (or failure)
         * @param operations the operations in the request
         * @param ok         whether Elasticsearch answered with per-item results (some items may still have
         *                   failed); false when the request failed as a whole (no response, or an error status)
         */
        default void onRequest(Duration latency, int operations, boolean ok) {
        }

        /** {@code operations} are about to be re-sent after a retryable failure (a 429, a 5xx, no response). */
        default void onRetry(int operations) {
        }

        /** {@code operations} were answered 429 (too many requests), item by item or as a whole request. */
        default void onThrottled(int operations) {
        }

        /** Operations of {@code bytes} (their {@link BulkOp#sizeBytes()}) were accepted into a batch. */
        default void onQueued(long bytes) {
        }

        /**
         * Operations of {@code bytes} earlier reported to {@link #onQueued} are resolved (acknowledged, failed, or
         * abandoned because the write ended). Over a write, the bytes resolved add up to the bytes queued.
         */
        default void onResolved(long bytes) {
        }
    }


    public BulkSink(BulkClient client, BulkSinkSettings settings, SinkStats stats) {
        this(client, settings, stats, Listener.NONE);
    }

    /** @param listener told of requests, retries, 429s and bytes in flight, for metrics */
    public BulkSink(BulkClient client, BulkSinkSettings settings, SinkStats stats, Listener listener) {
        this(client, settings, stats, listener, () -> ThreadLocalRandom.current().nextDouble(), System::nanoTime);
    }

    /** @param jitter uniform in {@code [0, 1]}, the fraction of the backoff bound actually waited */
    BulkSink(BulkClient client, BulkSinkSettings settings, SinkStats stats, DoubleSupplier jitter) {
        this(client, settings, stats, Listener.NONE, jitter, System::nanoTime);
    }

    /** @param nanoClock the clock request latencies are measured with, in nanoseconds */
    BulkSink(BulkClient client, BulkSinkSettings settings, SinkStats stats, Listener listener, DoubleSupplier jitter,
            LongSupplier nanoClock) {
        Objects.requireNonNull(client, "client");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.stats = Objects.requireNonNull(stats, "stats");
        this.listener = Objects.requireNonNull(listener, "listener");
        Backoff backoff = new Backoff(settings, Objects.requireNonNull(jitter, "jitter"));
        this.sender = new BatchSender(client, settings, backoff, listener, Objects.requireNonNull(nanoClock, "nanoClock"));
    }

    /**
     * Sends {@code ops} to Elasticsearch; nothing happens before subscription.
     *
     * <p><b>Ordering guarantee.</b> One {@link BatchResult} is emitted per batch, in the order the batches were
     * formed, and only once the batch and every batch before it are fully resolved (each operation acknowledged,
     * failed after its retries, or dropped). Batches are formed from consecutive upstream operations, so after a
     * result has been received, the first {@code sum(ops)} operations of the upstream (summed over the results
     * so far) are resolved: a caller may save a checkpoint (a cursor) that covers exactly those operations.
     * Failed operations count as resolved; check {@link BatchResult#failed()} before treating a range as
     * written. Across batches, Elasticsearch may apply operations out of order (concurrent requests, retries):
     * an id should appear at most once among the operations in flight.
     *
     * <p><b>Errors.</b> The returned flux fails with {@link ErrorBreakerTrippedException} when the error breaker
     * trips, with a {@link BulkRequestException} when a request fails as a whole and is not retryable (401, 403,
     * a missing index: nothing in the sync could succeed), and with upstream's error. Operations not yet
     * resolved at that point may or may not have been written.
     *
     * <p><b>Cancellation</b> cancels in-flight requests and pending retries, and the upstream subscription.
     *
     * @param ops the operations, each id at most once among the operations in flight (an id may recur once its earlier operation is resolved)
     * @return one result per batch, in order
     */
    public Flux<BatchResult> write(Flux<? extends BulkOp> ops) {
        return Flux.defer(() -> {
            WriteRun run = new WriteRun(settings, stats, listener);
            // Resolved at subscription so virtual time in tests replaces it.
            Scheduler timers = Schedulers.parallel();
            return new Batcher(ops, settings, timers, run)
                    .flatMapSequential(batch -> sender.send(batch, run), settings.maxConcurrentRequests(), 1)
                    .doFinally(run::end);
        });
    }
}
