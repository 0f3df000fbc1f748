package io.connectors.functional;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How one sync of the daemon ended, as its log reported it.
 *
 * @param started  when it started (the daemon's log time of its "sync started" line)
 * @param finished when it ended
 * @param status   {@code completed}, {@code completed_with_errors} (ran to its end, but Elasticsearch refused
 *                 documents: {@code failed} in the counts), {@code error} or {@code canceled}
 * @param counts   its counts: {@code seen}, {@code indexed}, {@code updated}, {@code unchanged}, {@code deleted},
 *                 {@code dropped}, {@code failed}, {@code bytes}; empty when it was canceled
 * @param error    what went wrong when {@code status} is {@code error}, else {@code null}
 */
public record SyncOutcome(Instant started, Instant finished, String status, Map<String, Long> counts, String error) {

    public SyncOutcome {
        counts = Collections.unmodifiableMap(new LinkedHashMap<>(counts));
    }

    public SyncOutcome(Instant started, Instant finished, String status, Map<String, Long> counts) {
        this(started, finished, status, counts, null);
    }

    /** Whether it completed cleanly: not {@code completed_with_errors}, which left refused documents out. */
    public boolean completed() {
        return "completed".equals(status);
    }

    /** Whether it ran to its end, cleanly or with documents refused ({@code completed_with_errors}). */
    public boolean ranToEnd() {
        return completed() || "completed_with_errors".equals(status);
    }

    /** A count, 0 when the log did not report it. */
    public long count(String name) {
        return counts.getOrDefault(name, 0L);
    }

    public Duration duration() {
        return Duration.between(started, finished);
    }

    /** Documents read from the source per second of the sync's wall time. */
    public double docsPerSecond() {
        return count("seen") / seconds();
    }

    /** Bytes of documents acknowledged by Elasticsearch per second of the sync's wall time. */
    public double bytesPerSecond() {
        return count("bytes") / seconds();
    }

    private double seconds() {
        return Math.max(duration().toMillis(), 1) / 1000.0;
    }
}
