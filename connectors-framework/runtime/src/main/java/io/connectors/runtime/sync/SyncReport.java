package io.connectors.runtime.sync;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The outcome of one sync job.
 *
 * @param connectorId the connector
 * @param jobType     {@code full}, {@code incremental}, {@code access_control} or {@code realtime}
 * @param status      how it ended
 * @param startedAt   when it started
 * @param finishedAt  when it ended
 * @param counts      the {@link SyncStats} at the end
 * @param error       what went wrong, when {@code status} is {@link Status#ERROR}; never contains secrets (the
 *                    documents behind {@link Status#COMPLETED_WITH_ERRORS} are in {@code counts} and the job record)
 * @param notes       what happened that is worth knowing and not an error (a fallback to a full sync, why a
 *                    job was skipped)
 * @param totalInIndex documents in the index after the sync, -1 when unknown
 */
public record SyncReport(String connectorId, String jobType, Status status, Instant startedAt, Instant finishedAt,
                         Map<String, Long> counts, String error, java.util.List<String> notes, long totalInIndex) {

    /** How a job ended. */
    public enum Status {
        /** Every document read was written, or had nothing to write. */
        COMPLETED,
        /**
         * The sync ran to its end, but Elasticsearch refused some documents ({@code failed} in the counts): they are
         * not in the index. A finished sync all the same: its cursor was saved as for {@link #COMPLETED}.
         */
        COMPLETED_WITH_ERRORS,
        ERROR,
        CANCELED,
        SKIPPED;

        /** The status as stored and printed: lower case, e.g. {@code completed_with_errors}. */
        public String value() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public SyncReport {
        notes = java.util.List.copyOf(notes);
    }

    public SyncReport(String connectorId, String jobType, Status status, Instant startedAt, Instant finishedAt,
                      Map<String, Long> counts, String error) {
        this(connectorId, jobType, status, startedAt, finishedAt, counts, error, java.util.List.of(), -1);
    }

    public Duration duration() {
        return Duration.between(startedAt, finishedAt);
    }

    /** Documents read from the source per second of wall time. */
    public double docsPerSecond() {
        double seconds = Math.max(duration().toMillis(), 1) / 1000.0;
        return counts.getOrDefault("seen", 0L) / seconds;
    }

    /** One line for logs and the CLI. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append("Connector ").append(connectorId).append(": ").append(jobType).append(" sync ")
                .append(status.value()).append(" in ")
                .append(String.format(java.util.Locale.ROOT, "%.1fs", duration().toMillis() / 1000.0)).append(": ");
        counts.forEach((k, v) -> sb.append(v).append(' ').append(k).append(", "));
        sb.append(String.format(java.util.Locale.ROOT, "%.0f docs/s", docsPerSecond()));
        if (error != null) {
            sb.append(" - error: ").append(error);
        }
        return sb.toString();
    }
}
