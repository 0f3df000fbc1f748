package io.connectors.runtime.state;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A sync job's record, as the daemons and the CLI read and write it. Its codec ({@link #fromJson}, {@link #toJson}) is
 * the only place the stored field names are spelled; a new field is one component here, one line in each direction
 * of the codec and, if it is searched, one line of {@code state/jobs-mappings.json}.
 *
 * <p>Compatibility: a field the codec does not know (written by a newer daemon) is kept in {@link #other} and written
 * back unchanged, so an older daemon that claims, heartbeats or ends a newer daemon's job drops nothing. A field of the
 * wrong type, or a status, type or trigger this version does not know, makes the record unreadable with a message
 * naming the job and the field ({@link StateException}).
 *
 * @param jobId             the job's id (also the document id)
 * @param connectorId       the connector it syncs
 * @param type              what it does
 * @param trigger           what created it
 * @param status            where it is in its life
 * @param reason            why it was created or skipped, for the operator; {@code null} for none
 * @param scheduledFor      the due time of a scheduled job
 * @param createdAt         when the record was created
 * @param startedAt         when a worker first claimed it
 * @param lastHeartbeatAt   the last heartbeat of the worker running it
 * @param cancelRequestedAt when a cancel was asked for
 * @param completedAt       when it ended
 * @param worker            the daemon that claimed it
 * @param attempt           claims so far (a resumed job counts each)
 * @param error             why it failed; {@code null} when it did not
 * @param notes             what happened that is not an error (a fallback, a resume)
 * @param counts            the sync's counts by name ({@code seen}, {@code indexed}, ..., {@code total_in_index})
 * @param failedDocuments   samples of documents Elasticsearch refused (id, operation, status, error type, reason)
 * @param droppedDocuments  samples of documents dropped before sending
 * @param notExtractedDocuments samples of documents written without the text of their body (why: too large, encrypted,
 *                          a parser stopped for time or memory, ...)
 * @param connector         the connector as the job ran it (settings, secrets masked, sync rules)
 * @param splits            the splits of a full sync of a {@code SplittableSource}, once planned (empty otherwise)
 * @param splitCursor       the incremental cursor taken before the splits were planned, saved once the job completes
 *                          (so a resumed job saves the cursor of its first attempt, not of its resume)
 * @param workerCounts      the counts of the daemons that helped read the job's splits, by worker (the coordinator adds
 *                          them to its own when the job ends)
 * @param other             fields this version does not know, kept as read
 */
public record JobRecord(
        String jobId,
        String connectorId,
        JobType type,
        Trigger trigger,
        JobStatus status,
        String reason,
        Instant scheduledFor,
        Instant createdAt,
        Instant startedAt,
        Instant lastHeartbeatAt,
        Instant cancelRequestedAt,
        Instant completedAt,
        String worker,
        int attempt,
        String error,
        List<String> notes,
        Map<String, Long> counts,
        List<Map<String, Object>> failedDocuments,
        List<Map<String, Object>> droppedDocuments,
        List<Map<String, Object>> notExtractedDocuments,
        Map<String, Object> connector,
        List<SplitRecord> splits,
        Map<String, Object> splitCursor,
        Map<String, Map<String, Long>> workerCounts,
        Map<String, Object> other) {

    // The stored names searched, sorted or aggregated on (the rest are spelled in the codec only).
    public static final String JOB_ID = "job_id";
    public static final String CONNECTOR_ID = "connector_id";
    public static final String JOB_TYPE = "job_type";
    public static final String STATUS = "status";
    public static final String CREATED_AT = "created_at";
    public static final String LAST_HEARTBEAT_AT = "last_heartbeat_at";
    public static final String COMPLETED_AT = "completed_at";
    /** Splits not done yet: a daemon looks for running jobs with open splits to help with. */
    public static final String OPEN_SPLITS = "open_splits";

    /** What created a job; stored lower case. */
    public enum Trigger {
        /** A schedule of {@code config.yml}, or the start-up full sync. */
        SCHEDULED,
        /** {@code connectors jobs start} or {@code connectors sync}. */
        ON_DEMAND,
        /** The real-time mode of a {@code realtime: true} connector. */
        REALTIME;

        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public JobRecord {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(status, "status");
        notes = List.copyOf(notes == null ? List.of() : notes);
        counts = counts == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(counts));
        failedDocuments = failedDocuments == null ? List.of() : List.copyOf(failedDocuments);
        droppedDocuments = droppedDocuments == null ? List.of() : List.copyOf(droppedDocuments);
        notExtractedDocuments = notExtractedDocuments == null ? List.of() : List.copyOf(notExtractedDocuments);
        connector = connector == null ? Map.of() : connector;
        splits = splits == null ? List.of() : List.copyOf(splits);
        workerCounts = workerCounts == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(workerCounts));
        other = other == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(other));
    }

    /** A count by its name, 0 when absent. */
    public long count(String name) {
        return counts.getOrDefault(name, 0L);
    }

    /** Splits not done yet. */
    public long openSplits() {
        return splits.stream().filter(s -> s.state() != SplitRecord.State.DONE).count();
    }

    /** This record with the changes {@code change} makes to a builder holding its values. */
    public JobRecord with(Consumer<Builder> change) {
        Builder b = new Builder(this);
        change.accept(b);
        return b.build();
    }

    /** This record with one more note. */
    public JobRecord withNote(String note) {
        List<String> more = new ArrayList<>(notes);
        more.add(note);
        return with(b -> b.notes = more);
    }

    // ---------------------------------------------------------------- the codec

    /**
     * Reads a stored job document.
     *
     * @throws StateException naming the job and the field when a field has the wrong type or an unknown value
     */
    public static JobRecord fromJson(String id, Map<String, Object> json) {
        Fields f = new Fields("job " + id, json);
        JobRecord r = new JobRecord(
                f.string(JOB_ID) != null ? f.string(JOB_ID) : id,
                f.string(CONNECTOR_ID),
                f.value(JOB_TYPE, v -> JobType.parse(v).orElse(null)),
                f.optional("trigger", JobRecord::parseTrigger),
                f.value(STATUS, v -> JobStatus.parse(v).orElse(null)),
                f.string("reason"),
                f.instant("scheduled_for"),
                f.instant(CREATED_AT),
                f.instant("started_at"),
                f.instant(LAST_HEARTBEAT_AT),
                f.instant("cancel_requested_at"),
                f.instant(COMPLETED_AT),
                f.string("worker"),
                (int) f.number("attempt"),
                f.string("error"),
                f.strings("notes"),
                f.numbers("counts"),
                f.maps("failed_documents"),
                f.maps("dropped_documents"),
                f.maps("not_extracted_documents"),
                f.map("connector"),
                SplitRecord.listFromJson(id, f.maps("splits")),
                f.map("split_cursor"),
                workerCounts(id, f.map("worker_counts")),
                null);
        f.number(OPEN_SPLITS); // derived from splits
        return r.with(b -> b.other = f.unread());
    }

    /** The stored document: fields without a value are left out; unknown fields read earlier are written back. */
    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(JOB_ID, jobId);
        put(out, CONNECTOR_ID, connectorId);
        out.put(JOB_TYPE, type.value());
        put(out, "trigger", trigger == null ? null : trigger.value());
        out.put(STATUS, status.value());
        put(out, "reason", reason);
        put(out, "scheduled_for", scheduledFor);
        put(out, CREATED_AT, createdAt);
        put(out, "started_at", startedAt);
        put(out, LAST_HEARTBEAT_AT, lastHeartbeatAt);
        put(out, "cancel_requested_at", cancelRequestedAt);
        put(out, COMPLETED_AT, completedAt);
        put(out, "worker", worker);
        out.put("attempt", attempt);
        put(out, "error", error);
        if (!notes.isEmpty()) {
            out.put("notes", notes);
        }
        out.put("counts", new LinkedHashMap<>(counts));
        if (!failedDocuments.isEmpty()) {
            out.put("failed_documents", failedDocuments);
        }
        if (!droppedDocuments.isEmpty()) {
            out.put("dropped_documents", droppedDocuments);
        }
        if (!notExtractedDocuments.isEmpty()) {
            out.put("not_extracted_documents", notExtractedDocuments);
        }
        out.put("connector", connector);
        if (!splits.isEmpty()) {
            out.put("splits", splits.stream().map(SplitRecord::toJson).toList());
            out.put(OPEN_SPLITS, openSplits());
        }
        put(out, "split_cursor", splitCursor);
        if (!workerCounts.isEmpty()) {
            out.put("worker_counts", workerCounts);
        }
        other.forEach(out::putIfAbsent);
        return out;
    }

    private static Map<String, Map<String, Long>> workerCounts(String id, Map<String, Object> json) {
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        if (json != null) {
            Fields f = new Fields("job " + id + " worker_counts", json);
            for (String worker : json.keySet()) {
                out.put(worker, f.numbers(worker));
            }
        }
        return out;
    }

    private static Trigger parseTrigger(String value) {
        for (Trigger t : Trigger.values()) {
            if (t.value().equals(value)) {
                return t;
            }
        }
        return null;
    }

    static void put(Map<String, Object> out, String name, Object value) {
        if (value != null) {
            out.put(name, value instanceof Instant i ? i.toString() : value);
        }
    }

    /** A mutable copy of a record's values, for {@link #with}. */
    public static final class Builder {
        public String connectorId;
        public JobType type;
        public Trigger trigger;
        public JobStatus status;
        public String reason;
        public Instant scheduledFor;
        public Instant createdAt;
        public Instant startedAt;
        public Instant lastHeartbeatAt;
        public Instant cancelRequestedAt;
        public Instant completedAt;
        public String worker;
        public int attempt;
        public String error;
        public List<String> notes;
        public Map<String, Long> counts;
        public List<Map<String, Object>> failedDocuments;
        public List<Map<String, Object>> droppedDocuments;
        public List<Map<String, Object>> notExtractedDocuments;
        public Map<String, Object> connector;
        public List<SplitRecord> splits;
        public Map<String, Object> splitCursor;
        public Map<String, Map<String, Long>> workerCounts;
        Map<String, Object> other;
        private final String jobId;

        private Builder(JobRecord r) {
            jobId = r.jobId;
            connectorId = r.connectorId;
            type = r.type;
            trigger = r.trigger;
            status = r.status;
            reason = r.reason;
            scheduledFor = r.scheduledFor;
            createdAt = r.createdAt;
            startedAt = r.startedAt;
            lastHeartbeatAt = r.lastHeartbeatAt;
            cancelRequestedAt = r.cancelRequestedAt;
            completedAt = r.completedAt;
            worker = r.worker;
            attempt = r.attempt;
            error = r.error;
            notes = r.notes;
            counts = r.counts;
            failedDocuments = r.failedDocuments;
            droppedDocuments = r.droppedDocuments;
            notExtractedDocuments = r.notExtractedDocuments;
            connector = r.connector;
            splits = r.splits;
            splitCursor = r.splitCursor;
            workerCounts = r.workerCounts;
            other = r.other;
        }

        private JobRecord build() {
            return new JobRecord(jobId, connectorId, type, trigger, status, reason, scheduledFor, createdAt, startedAt,
                    lastHeartbeatAt, cancelRequestedAt, completedAt, worker, attempt, error, notes, counts,
                    failedDocuments, droppedDocuments, notExtractedDocuments, connector, splits, splitCursor, workerCounts,
                    other);
        }
    }
}
