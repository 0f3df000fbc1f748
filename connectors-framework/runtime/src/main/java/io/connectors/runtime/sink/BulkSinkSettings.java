package io.connectors.runtime.sink;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link BulkSink} batches, sends and retries, and when it gives up. The configuration keys are under
 * {@code bulk.}; see {@code docs/bulk-sink.md}.
 *
 * @param maxActions            operations per {@code _bulk} request ({@code bulk.max_actions}, 1000)
 * @param maxBytes              bytes per {@code _bulk} request, by {@link BulkOp#sizeBytes()}
 *                              ({@code bulk.max_bytes}, 5 MiB)
 * @param maxConcurrentRequests {@code _bulk} requests in flight at once ({@code bulk.max_concurrent_requests}, 2)
 * @param maxRetries            times an operation is re-sent after a 429 or 5xx ({@code bulk.max_retries}, 5)
 * @param initialBackoff        backoff bound before the first retry, doubled for each further one
 *                              ({@code bulk.initial_backoff}, 200ms)
 * @param maxBackoff            upper bound of any backoff ({@code bulk.max_backoff}, 30s)
 * @param maxDocumentBytes      an index operation whose source is larger is dropped, not sent
 *                              ({@code bulk.max_document_size}, 10 MiB)
 * @param flushInterval         longest time an operation waits in a partial batch
 *                              ({@code bulk.flush_interval}, 1s)
 * @param maxErrors             failed documents tolerated in one write; more trips the breaker; {@code <= 0}
 *                              disables this limit ({@code bulk.error_breaker.max_errors}, 1000)
 * @param maxConsecutiveErrors  failed documents in a row tolerated; {@code <= 0} disables this limit
 *                              ({@code bulk.error_breaker.max_consecutive_errors}, 100)
 * @param maxErrorRate          failed fraction tolerated over the last {@code errorRateWindow} outcomes;
 *                              {@code <= 0} or {@code >= 1} disables this limit
 *                              ({@code bulk.error_breaker.max_error_rate}, 0.5)
 * @param errorRateWindow       outcomes the rate is computed over; the rate is checked only once that many
 *                              exist ({@code bulk.error_breaker.window}, 1000)
 */
public record BulkSinkSettings(
        int maxActions,
        long maxBytes,
        int maxConcurrentRequests,
        int maxRetries,
        Duration initialBackoff,
        Duration maxBackoff,
        long maxDocumentBytes,
        Duration flushInterval,
        long maxErrors,
        long maxConsecutiveErrors,
        double maxErrorRate,
        int errorRateWindow) {

    public BulkSinkSettings {
        atLeast("maxActions", maxActions, 1);
        atLeast("maxBytes", maxBytes, 1);
        atLeast("maxConcurrentRequests", maxConcurrentRequests, 1);
        atLeast("maxRetries", maxRetries, 0);
        positive("initialBackoff", initialBackoff);
        positive("maxBackoff", maxBackoff);
        atLeast("maxDocumentBytes", maxDocumentBytes, 1);
        positive("flushInterval", flushInterval);
        atLeast("errorRateWindow", errorRateWindow, 1);
        if (Double.isNaN(maxErrorRate)) {
            throw new IllegalArgumentException("maxErrorRate must be a number");
        }
    }

    public static BulkSinkSettings defaults() {
        return new BulkSinkSettings(1000, 5L << 20, 2, 5, Duration.ofMillis(200), Duration.ofSeconds(30),
                10L << 20, Duration.ofSeconds(1), 1000, 100, 0.5, 1000);
    }

    public BulkSinkSettings withMaxActions(int v) {
        return new BulkSinkSettings(v, maxBytes, maxConcurrentRequests, maxRetries, initialBackoff, maxBackoff,
                maxDocumentBytes, flushInterval, maxErrors, maxConsecutiveErrors, maxErrorRate, errorRateWindow);
    }

    public BulkSinkSettings withMaxBytes(long v) {
        return new BulkSinkSettings(maxActions, v, maxConcurrentRequests, maxRetries, initialBackoff, maxBackoff,
                maxDocumentBytes, flushInterval, maxErrors, maxConsecutiveErrors, maxErrorRate, errorRateWindow);
    }

    public BulkSinkSettings withMaxConcurrentRequests(int v) {
        return new BulkSinkSettings(maxActions, maxBytes, v, maxRetries, initialBackoff, maxBackoff,
                maxDocumentBytes, flushInterval, maxErrors, maxConsecutiveErrors, maxErrorRate, errorRateWindow);
    }

    public BulkSinkSettings withRetries(int maxRetries, Duration initialBackoff, Duration maxBackoff) {
        return new BulkSinkSettings(maxActions, maxBytes, maxConcurrentRequests, maxRetries, initialBackoff,
                maxBackoff, maxDocumentBytes, flushInterval, maxErrors, maxConsecutiveErrors, maxErrorRate,
                errorRateWindow);
    }

    public BulkSinkSettings withMaxDocumentBytes(long v) {
        return new BulkSinkSettings(maxActions, maxBytes, maxConcurrentRequests, maxRetries, initialBackoff,
                maxBackoff, v, flushInterval, maxErrors, maxConsecutiveErrors, maxErrorRate, errorRateWindow);
    }

    public BulkSinkSettings withFlushInterval(Duration v) {
        return new BulkSinkSettings(maxActions, maxBytes, maxConcurrentRequests, maxRetries, initialBackoff,
                maxBackoff, maxDocumentBytes, v, maxErrors, maxConsecutiveErrors, maxErrorRate, errorRateWindow);
    }

    public BulkSinkSettings withErrorBreaker(long maxErrors, long maxConsecutiveErrors, double maxErrorRate,
                                             int errorRateWindow) {
        return new BulkSinkSettings(maxActions, maxBytes, maxConcurrentRequests, maxRetries, initialBackoff,
                maxBackoff, maxDocumentBytes, flushInterval, maxErrors, maxConsecutiveErrors, maxErrorRate,
                errorRateWindow);
    }

    private static void atLeast(String name, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
        }
    }

    private static void positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
