package io.connectors.runtime.state;

import java.util.Locale;

/** Where a sync job is in its life; stored lower case. */
public enum JobStatus {
    /** Queued, waiting for a worker. */
    PENDING,
    /** Claimed by a worker and running. */
    IN_PROGRESS,
    /** A cancel was requested; the worker stops it at its next heartbeat. */
    CANCELING,
    CANCELED,
    /** Stopped by a daemon shutdown; the next daemon to start resumes it. */
    SUSPENDED,
    /** Ran to its end; every document read was written (or had nothing to write). */
    COMPLETED,
    /**
     * Ran to its end like {@link #COMPLETED} (its cursor saved, not retried), but Elasticsearch refused some documents:
     * {@code counts.failed} says how many, {@code failed_documents} lists the first ones. Not a clean sync.
     */
    COMPLETED_WITH_ERRORS,
    ERROR,
    /** Not run: the source reported no change, or another job of the connector was already queued. */
    SKIPPED;

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the job has ended for good. */
    public boolean terminal() {
        return this == CANCELED || this == COMPLETED || this == COMPLETED_WITH_ERRORS || this == ERROR || this == SKIPPED;
    }

    /** Whether a worker may claim the job. */
    public boolean claimable() {
        return this == PENDING || this == SUSPENDED;
    }

    /** The status stored as {@code value}; empty for a value this version does not know. */
    public static java.util.Optional<JobStatus> parse(String value) {
        return java.util.Arrays.stream(values()).filter(s -> s.value().equals(value)).findFirst();
    }

    public static JobStatus of(Object value) {
        if (value == null) {
            throw new IllegalArgumentException("a job without status");
        }
        return valueOf(value.toString().toUpperCase(Locale.ROOT));
    }
}
