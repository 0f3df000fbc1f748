package io.connectors.runtime.util;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The progress line of a running sync, for people: the counts, the time so far, the current rate and, when the size
 * of the read can be estimated (the connector's last completed full sync read that many), how far along it is and
 * about how long is left. {@code 5,200 read, 5,180 indexed, 0 updated, 20 unchanged, 0 deleted, 0 failed in 48.2s,
 * 1,120 docs/s now; about 46% of 11,300, 55s left}. Not thread-safe: one caller at a time, as a progress callback is.
 */
public final class ProgressLine {
    private final long expected;
    private final LongSupplier nanos;
    private final long startNanos;
    private long lastSeen;
    private long lastNanos;

    /**
     * @param expected documents the read is expected to see, or {@code <= 0} when unknown (no percentage, no ETA)
     * @param nanos    the clock, in nanoseconds
     */
    public ProgressLine(long expected, LongSupplier nanos) {
        this.expected = expected;
        this.nanos = nanos;
        this.startNanos = nanos.getAsLong();
        this.lastNanos = startNanos;
    }

    /** How long since this line's sync started. */
    public Duration elapsed() {
        return Duration.ofNanos(nanos.getAsLong() - startNanos);
    }

    /** The line for {@code counts} ({@code SyncStats.snapshot()}), now. */
    public String line(Map<String, Long> counts) {
        long now = nanos.getAsLong();
        long seen = counts.getOrDefault("seen", 0L);
        double window = Math.max(1e-3, (now - lastNanos) / 1e9);
        double rate = (seen - lastSeen) / window;
        lastSeen = seen;
        lastNanos = now;
        StringBuilder sb = new StringBuilder(Human.counts(counts)).append(" in ")
                .append(Human.elapsed(Duration.ofNanos(now - startNanos)))
                .append(String.format(Locale.ROOT, ", %,d docs/s now", Math.round(rate)));
        if (expected > 0 && seen < expected) {
            sb.append(String.format(Locale.ROOT, "; about %d%% of %,d", seen * 100 / expected, expected));
            if (rate >= 1) {
                sb.append(", ").append(Human.elapsed(Duration.ofSeconds(Math.round((expected - seen) / rate)))).append(" left");
            }
        } else if (expected > 0) {
            sb.append(String.format(Locale.ROOT, "; past the %,d the last full sync read", expected));
        }
        return sb.toString();
    }
}
