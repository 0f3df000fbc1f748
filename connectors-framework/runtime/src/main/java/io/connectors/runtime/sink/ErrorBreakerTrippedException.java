package io.connectors.runtime.sink;

import io.connectors.runtime.config.BulkSinkSettings;

/**
 * Too many documents failed for the sync to be worth continuing; see {@link BulkSinkSettings} for the limits.
 * The message names the limit that tripped and the numbers.
 */
public final class ErrorBreakerTrippedException extends RuntimeException {
    private static final long serialVersionUID = 1L;


    /** Which limit tripped. */
    public enum Limit {
        /** {@code bulk.error_breaker.max_errors} */
        TOTAL,
        /** {@code bulk.error_breaker.max_consecutive_errors} */
        CONSECUTIVE,
        /** {@code bulk.error_breaker.max_error_rate} over {@code bulk.error_breaker.window} */
        RATE
    }

    private final Limit limit;

    public ErrorBreakerTrippedException(Limit limit, String message) {
        super(message);
        this.limit = limit;
    }

    public Limit limit() {
        return limit;
    }
}
