package io.connectors.runtime.sink;

import io.connectors.runtime.config.BulkSinkSettings;
import java.util.Locale;

/**
 * Trips on too many final failures of one write: in total, in a row, or as a rate over a sliding window of the last
 * outcomes. A limit of 0 is off; a rate of 0 or 1 is off.
 */
final class ErrorBreaker {
    private final long maxErrors;
    private final long maxConsecutive;
    private final double maxRate;
    private final boolean[] window;
    private long outcomes;
    private long total;
    private long consecutive;
    private int windowFailures;
    private ErrorBreakerTrippedException tripped;

    ErrorBreaker(BulkSinkSettings s) {
        this.maxErrors = s.maxErrors();
        this.maxConsecutive = s.maxConsecutiveErrors();
        this.maxRate = s.maxErrorRate();
        this.window = maxRate > 0 && maxRate < 1 ? new boolean[s.errorRateWindow()] : null;
    }

    /**
     * @param errors per outcome, in order: null for success, else a description of the error
     * @return the exception to fail the write with, or null
     */
    synchronized ErrorBreakerTrippedException record(String[] errors) {
        for (String error : errors) {
            if (tripped != null) {
                break;
            }
            record(error);
        }
        return tripped;
    }

    private void record(String error) {
        boolean failed = error != null;
        if (window != null) {
            int slot = (int) (outcomes % window.length);
            if (outcomes >= window.length && window[slot]) {
                windowFailures--;
            }
            window[slot] = failed;
            if (failed) {
                windowFailures++;
            }
        }
        outcomes++;
        if (!failed) {
            consecutive = 0;
            return;
        }
        total++;
        consecutive++;
        String last = " (last error: " + error + ")";
        if (maxErrors > 0 && total > maxErrors) {
            tripped = new ErrorBreakerTrippedException(ErrorBreakerTrippedException.Limit.TOTAL,
                    "Error breaker tripped: " + total + " documents failed, more than "
                            + "bulk.error_breaker.max_errors=" + maxErrors + last);
        } else if (maxConsecutive > 0 && consecutive > maxConsecutive) {
            tripped = new ErrorBreakerTrippedException(ErrorBreakerTrippedException.Limit.CONSECUTIVE,
                    "Error breaker tripped: " + consecutive + " documents failed in a row, more than "
                            + "bulk.error_breaker.max_consecutive_errors=" + maxConsecutive + last);
        } else if (window != null && outcomes >= window.length
                && (double) windowFailures / window.length > maxRate) {
            tripped = new ErrorBreakerTrippedException(ErrorBreakerTrippedException.Limit.RATE,
                    "Error breaker tripped: " + windowFailures + " of the last " + window.length
                            + " documents failed (" + String.format(Locale.ROOT, "%.1f%%",
                            100.0 * windowFailures / window.length)
                            + "), more than bulk.error_breaker.max_error_rate=" + maxRate + last);
        }
    }
}
