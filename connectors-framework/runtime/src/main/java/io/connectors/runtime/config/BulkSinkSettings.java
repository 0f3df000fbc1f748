package io.connectors.runtime.config;

import io.connectors.spi.config.ConfigField;
import io.connectors.spi.config.SourceConfig;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How the bulk sink batches, sends and retries, and when it gives up: the {@code bulk} settings, each declared once
 * below (key, type, default, bounds, meaning); see {@code docs/bulk-sink.md}.
 *
 * @param maxActions            operations per {@code _bulk} request ({@link #MAX_ACTIONS})
 * @param maxBytes              bytes per {@code _bulk} request, by the operation's size ({@link #MAX_BYTES})
 * @param maxConcurrentRequests {@code _bulk} requests in flight at once ({@link #MAX_CONCURRENT_REQUESTS})
 * @param maxRetries            times an operation is re-sent after a 429 or 5xx ({@link #MAX_RETRIES})
 * @param initialBackoff        backoff bound before the first retry, doubled for each further one
 * @param maxBackoff            upper bound of any backoff
 * @param maxDocumentBytes      an index operation whose source is larger is dropped, not sent
 * @param flushInterval         longest time an operation waits in a partial batch
 * @param maxErrors             failed documents tolerated in one write; {@code <= 0} disables this limit
 * @param maxConsecutiveErrors  failed documents in a row tolerated; {@code <= 0} disables this limit
 * @param maxErrorRate          failed fraction tolerated over the last {@code errorRateWindow} outcomes; {@code 1}
 *                              disables this limit
 * @param errorRateWindow       outcomes the rate is computed over; checked only once that many exist
 * @param maxThrottledTime      how long operations answered 429 keep being re-sent, from the batch's first send,
 *                              beyond {@code maxRetries} ({@link #MAX_THROTTLED_TIME}); zero: no longer than the others
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
        int errorRateWindow,
        Duration maxThrottledTime) {

    public static final ConfigField MAX_ACTIONS = ConfigField.integer("max_actions").defaultValue(1000L)
            .validate(ConfigField.atLeast(1)).validate(ConfigField.atMost(Integer.MAX_VALUE))
            .description("Operations per `_bulk` request, at most.");
    public static final ConfigField MAX_BYTES = ConfigField.byteSize("max_bytes").defaultValue("5mb")
            .validate(ConfigField.atLeast(1024))
            .description("Bytes per `_bulk` request, at most: document source plus id plus 64 bytes of action line per"
                    + " operation.");
    public static final ConfigField MAX_CONCURRENT_REQUESTS = ConfigField.integer("max_concurrent_requests")
            .defaultValue(2L).validate(ConfigField.atLeast(1)).validate(ConfigField.atMost(1024))
            .description("`_bulk` requests in flight at once, per sync.");
    public static final ConfigField MAX_RETRIES = ConfigField.integer("max_retries").defaultValue(5L)
            .validate(ConfigField.atLeast(0)).validate(ConfigField.atMost(1000))
            .description("Times an operation is re-sent after a 429 or 5xx, or after a retryable failure of the whole"
                    + " request. `0` disables retries.");
    public static final ConfigField INITIAL_BACKOFF = ConfigField.duration("initial_backoff").defaultValue("200ms")
            .validate(ConfigField.positiveDuration())
            .description("Bound of the wait before the first retry; doubled for each further retry (exponential"
                    + " backoff, full jitter).");
    public static final ConfigField MAX_BACKOFF = ConfigField.duration("max_backoff").defaultValue("30s")
            .validate(ConfigField.positiveDuration())
            .description("Largest bound any wait before a retry can have.");
    public static final ConfigField MAX_THROTTLED_TIME = ConfigField.duration("max_throttled_time").defaultValue("10m")
            .validate(ConfigField.notNegativeDuration())
            .description("How long an operation answered 429 (Elasticsearch is up but rejecting work: overloaded, a"
                    + " circuit breaker) keeps being re-sent, counted from its batch's first send, even after"
                    + " `max_retries`: the sync slows down and rides the overload out instead of failing documents."
                    + " Other failures (5xx, no response) still stop at `max_retries`. `0s`: 429s stop at"
                    + " `max_retries` too.");
    public static final ConfigField MAX_DOCUMENT_SIZE = ConfigField.byteSize("max_document_size").defaultValue("10mb")
            .validate(ConfigField.atLeast(1))
            .description("An index operation whose source is larger is dropped, counted and not sent.");
    public static final ConfigField FLUSH_INTERVAL = ConfigField.duration("flush_interval").defaultValue("1s")
            .validate(ConfigField.positiveDuration())
            .description("Longest time an operation waits in a partial batch before the batch is sent (real-time"
                    + " jobs: at most `100ms`, so that a change waits mostly for the index's refresh interval).");
    public static final ConfigField MAX_ERRORS = ConfigField.integer("max_errors").defaultValue(1000L)
            .description("Failed documents tolerated in one sync; one more trips the breaker. `0` or less disables this"
                    + " limit.");
    public static final ConfigField MAX_CONSECUTIVE_ERRORS = ConfigField.integer("max_consecutive_errors")
            .defaultValue(100L)
            .description("Failed documents in a row tolerated. `0` or less disables this limit.");
    public static final ConfigField MAX_ERROR_RATE = ConfigField.number("max_error_rate").defaultValue(0.5)
            .validate(ConfigField.fraction())
            .description("Fraction of failures tolerated among the last `bulk.error_breaker.window` documents. `1`"
                    + " disables this limit.");
    public static final ConfigField WINDOW = ConfigField.integer("window").defaultValue(1000L)
            .validate(ConfigField.atLeast(1)).validate(ConfigField.atMost(Integer.MAX_VALUE))
            .description("Documents the error rate is measured over. The rate is checked once this many documents have"
                    + " an outcome.");

    /** The {@code bulk} settings. */
    public static final SettingsGroup GROUP = new SettingsGroup("bulk",
            "How documents are sent to Elasticsearch; see [bulk-sink.md](bulk-sink.md).",
            List.of(MAX_ACTIONS, MAX_BYTES, MAX_CONCURRENT_REQUESTS, MAX_RETRIES, INITIAL_BACKOFF, MAX_BACKOFF,
                    MAX_THROTTLED_TIME, MAX_DOCUMENT_SIZE, FLUSH_INTERVAL));
    /** The {@code bulk.error_breaker} settings. */
    public static final SettingsGroup ERROR_BREAKER = new SettingsGroup("bulk.error_breaker",
            "The error breaker fails a sync that cannot succeed rather than ending with millions of failed documents.",
            List.of(MAX_ERRORS, MAX_CONSECUTIVE_ERRORS, MAX_ERROR_RATE, WINDOW));

    public BulkSinkSettings {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(flushInterval, "flushInterval");
        Objects.requireNonNull(maxThrottledTime, "maxThrottledTime");
    }

    /** The bound {@code bulk} settings; {@code null} when they have problems (reported in {@code values}). */
    static BulkSinkSettings from(SettingValues values) {
        if (!values.bound(GROUP, ERROR_BREAKER)) {
            return null;
        }
        SourceConfig v = values.of(GROUP);
        SourceConfig breaker = values.of(ERROR_BREAKER);
        return new BulkSinkSettings((int) v.integer(MAX_ACTIONS), v.byteSize(MAX_BYTES),
                (int) v.integer(MAX_CONCURRENT_REQUESTS), (int) v.integer(MAX_RETRIES), v.duration(INITIAL_BACKOFF),
                v.duration(MAX_BACKOFF), v.byteSize(MAX_DOCUMENT_SIZE), v.duration(FLUSH_INTERVAL),
                breaker.integer(MAX_ERRORS), breaker.integer(MAX_CONSECUTIVE_ERRORS), breaker.number(MAX_ERROR_RATE),
                (int) breaker.integer(WINDOW), v.duration(MAX_THROTTLED_TIME));
    }

    /** Every {@code bulk} setting at its declared default. */
    public static BulkSinkSettings defaults() {
        return from(SettingValues.defaults());
    }

    public BulkSinkSettings withMaxActions(int v) {
        return new BulkSinkSettings(v, maxBytes, maxConcurrentRequests, maxRetries, initialBackoff, maxBackoff,
                maxDocumentBytes, flushInterval, maxErrors, maxConsecutiveErrors, maxErrorRate, errorRateWindow,
                maxThrottledTime);
    }

    public BulkSinkSettings withMaxBytes(long v) {
        return new BulkSinkSettings(maxActions, v, maxConcurrentRequests, maxRetries, initialBackoff, maxBackoff,
                maxDocumentBytes, flushInterval, maxErrors, maxConsecutiveErrors, maxErrorRate, errorRateWindow,
                maxThrottledTime);
    }

    public BulkSinkSettings withMaxConcurrentRequests(int v) {
        return new BulkSinkSettings(maxActions, maxBytes, v, maxRetries, initialBackoff, maxBackoff,
                maxDocumentBytes, flushInterval, maxErrors, maxConsecutiveErrors, maxErrorRate, errorRateWindow,
                maxThrottledTime);
    }

    public BulkSinkSettings withRetries(int maxRetries, Duration initialBackoff, Duration maxBackoff) {
        return new BulkSinkSettings(maxActions, maxBytes, maxConcurrentRequests, maxRetries, initialBackoff,
                maxBackoff, maxDocumentBytes, flushInterval, maxErrors, maxConsecutiveErrors, maxErrorRate,
                errorRateWindow, maxThrottledTime);
    }

    public BulkSinkSettings withMaxThrottledTime(Duration v) {
        return new BulkSinkSettings(maxActions, maxBytes, maxConcurrentRequests, maxRetries, initialBackoff,
                maxBackoff, maxDocumentBytes, flushInterval, maxErrors, maxConsecutiveErrors, maxErrorRate,
                errorRateWindow, v);
    }

    public BulkSinkSettings withMaxDocumentBytes(long v) {
        return new BulkSinkSettings(maxActions, maxBytes, maxConcurrentRequests, maxRetries, initialBackoff,
                maxBackoff, v, flushInterval, maxErrors, maxConsecutiveErrors, maxErrorRate, errorRateWindow,
                maxThrottledTime);
    }

    public BulkSinkSettings withFlushInterval(Duration v) {
        return new BulkSinkSettings(maxActions, maxBytes, maxConcurrentRequests, maxRetries, initialBackoff,
                maxBackoff, maxDocumentBytes, v, maxErrors, maxConsecutiveErrors, maxErrorRate, errorRateWindow,
                maxThrottledTime);
    }

    public BulkSinkSettings withErrorBreaker(long maxErrors, long maxConsecutiveErrors, double maxErrorRate,
                                             int errorRateWindow) {
        return new BulkSinkSettings(maxActions, maxBytes, maxConcurrentRequests, maxRetries, initialBackoff,
                maxBackoff, maxDocumentBytes, flushInterval, maxErrors, maxConsecutiveErrors, maxErrorRate,
                errorRateWindow, maxThrottledTime);
    }
}
