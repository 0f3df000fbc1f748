package io.connectors.runtime.sink;

import io.connectors.runtime.config.BulkSinkSettings;
import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * The wait before a retry: exponential with full jitter, a uniform delay in
 * {@code [0, min(maxBackoff, initialBackoff * 2^(retry-1))]}.
 */
final class Backoff {
    private final long initialNanos;
    private final long maxNanos;
    private final DoubleSupplier jitter;

    /** @param jitter uniform in {@code [0, 1]}, the fraction of the bound actually waited */
    Backoff(BulkSinkSettings settings, DoubleSupplier jitter) {
        this.initialNanos = settings.initialBackoff().toNanos();
        this.maxNanos = settings.maxBackoff().toNanos();
        this.jitter = jitter;
    }

    /** @param retry the retry about to be made, from 1 */
    Duration delay(int retry) {
        int shift = retry - 1;
        long bound = shift >= 62 || initialNanos > (maxNanos >> shift) ? maxNanos : initialNanos << shift;
        double fraction = Math.min(1.0, Math.max(0.0, jitter.getAsDouble()));
        return Duration.ofNanos((long) (bound * fraction));
    }
}
