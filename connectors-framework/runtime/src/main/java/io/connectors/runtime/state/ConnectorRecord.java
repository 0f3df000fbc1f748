package io.connectors.runtime.state;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A connector's record: what {@code config.yml} says of it (secrets masked) and what the daemons learned. Its codec
 * ({@link #fromJson}, {@link #toJson}) is the only place the stored field names are spelled; fields this version does
 * not know are kept in {@link #other} and written back unchanged, as for {@link JobRecord}.
 *
 * @param id                 the connector's id (also the document id)
 * @param type               its source type
 * @param indexName          its index
 * @param pipeline           its ingest pipeline, if any
 * @param configuration      the source's configuration, secrets masked
 * @param configFingerprint  a hash of the configuration, to tell daemons with different files apart
 * @param schedules          cron expression by job type
 * @param createdAt          when it was first registered
 * @param updatedAt          when a daemon last registered it
 * @param lastSeen           when a daemon serving it was last alive
 * @param status             {@code created}, {@code connected}, {@code error} ...
 * @param error              the last error, {@code null} when none
 * @param syncRules          the draft and active sync rules with their validation (the rules' own codec,
 *                           {@code SyncRulesCodec}, reads them)
 * @param syncCursor         the saved cursor of incremental syncs; empty when none
 * @param syncCursorSavedAt  when it was saved
 * @param syncCursorJobId    the job that saved it
 * @param activeJob          the connector's lock: the job running it; {@code null} when free
 * @param lastSync           the outcome of the last ended job, by job type
 * @param servedBy           the daemon whose configuration the record holds, and when it last said it was alive;
 *                           {@code null} when no daemon registered it (only one-off runs did)
 * @param control            what operators asked of it: paused, a restart ({@code connectors pause|resume|restart});
 *                           {@code null} when nothing was ever asked
 * @param skippedTicks       the scheduled ticks that ran nothing (no job record is kept of them); {@code null}
 *                           when none
 * @param other              fields this version does not know, kept as read
 */
public record ConnectorRecord(
        String id,
        String type,
        String indexName,
        String pipeline,
        Map<String, Object> configuration,
        String configFingerprint,
        Map<String, Object> schedules,
        Instant createdAt,
        Instant updatedAt,
        Instant lastSeen,
        String status,
        String error,
        Map<String, Object> syncRules,
        Map<String, Object> syncCursor,
        Instant syncCursorSavedAt,
        String syncCursorJobId,
        ActiveJob activeJob,
        Map<String, JobOutcome> lastSync,
        ServedBy servedBy,
        Control control,
        SkippedTicks skippedTicks,
        Map<String, Object> other) {

    /** The stored name of the id, which searches sort on. */
    public static final String ID = "id";

    /** The lock: which job runs the connector, on which worker, since when. */
    public record ActiveJob(String jobId, String worker, Instant claimedAt) {
    }

    /**
     * The daemon that serves the connector: the record holds its configuration.
     *
     * @param worker      its worker id
     * @param fingerprint what it registered ({@code ConnectorRecords.recordFingerprint}): a run with another
     *                    configuration has another one
     * @param config      its configuration file, for messages
     * @param pid         its process id, for messages
     * @param seenAt      when it last said it was alive (every 30 s while it runs)
     */
    public record ServedBy(String worker, String fingerprint, String config, long pid, Instant seenAt) {
    }

    /**
     * What operators asked of the connector; every daemon serving it honours it.
     *
     * @param paused             no job of the connector starts, and a running one is suspended, until resumed
     * @param pausedAt           when it was paused
     * @param pausedBy           who paused it ({@code user@host} of the command, or {@code http <address>})
     * @param reason             why, as given; may be {@code null}
     * @param restartRequestedAt a restart asked at that time: the job running then is suspended and taken up again at
     *                           once with a new source; {@code null} when none was asked
     */
    public record Control(boolean paused, Instant pausedAt, String pausedBy, String reason, Instant restartRequestedAt) {
    }

    /**
     * Scheduled ticks that ran nothing: the source had not changed, or a job of the connector was still queued.
     *
     * @param count      how many, since the connector was first recorded
     * @param lastAt     when the last one was
     * @param lastReason why the last one ran nothing
     * @param lastTick   the id of the last one (the scheduled job id it would have had), so it is counted once
     */
    public record SkippedTicks(long count, Instant lastAt, String lastReason, String lastTick) {
    }

    /** What the connector keeps of a job as its last sync of that type. */
    public record JobOutcome(String jobId, JobStatus status, Instant startedAt, Instant completedAt,
                             Map<String, Long> counts, String error) {
        /** The outcome of {@code job}. */
        public static JobOutcome of(JobRecord job) {
            return new JobOutcome(job.jobId(), job.status(), job.startedAt(), job.completedAt(), job.counts(),
                    job.error());
        }
    }

    public ConnectorRecord {
        Objects.requireNonNull(id, "id");
        configuration = configuration == null ? Map.of() : configuration;
        schedules = schedules == null ? Map.of() : schedules;
        syncRules = syncRules == null ? Map.of() : syncRules;
        syncCursor = syncCursor == null ? Map.of() : syncCursor;
        lastSync = lastSync == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(lastSync));
        other = other == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(other));
    }

    /** A connector never recorded before. */
    public static ConnectorRecord empty(String id) {
        return new ConnectorRecord(id, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null);
    }

    /** This record with the changes {@code change} makes to a builder holding its values. */
    public ConnectorRecord with(Consumer<Builder> change) {
        Builder b = new Builder(this);
        change.accept(b);
        return b.build();
    }

    // ---------------------------------------------------------------- the codec

    /**
     * Reads a stored connector document.
     *
     * @throws StateException naming the connector and the field when a field has the wrong type
     */
    public static ConnectorRecord fromJson(String docId, Map<String, Object> json) {
        Fields f = new Fields("connector " + docId, json);
        Map<String, Object> lock = f.map("active_job");
        ActiveJob activeJob = null;
        if (lock != null) {
            Fields l = new Fields("connector " + docId + " active_job", lock);
            activeJob = l.string("job_id") == null ? null
                    : new ActiveJob(l.string("job_id"), l.string("worker"), l.instant("claimed_at"));
        }
        Map<String, JobOutcome> lastSync = new LinkedHashMap<>();
        Map<String, Object> last = f.map("last_sync");
        if (last != null) {
            last.forEach((jobType, value) -> {
                if (!(value instanceof Map<?, ?>)) {
                    throw new StateException("connector " + docId + ": field 'last_sync." + jobType
                            + "' should be an object");
                }
                @SuppressWarnings("unchecked")
                Fields o = new Fields("connector " + docId + " last_sync." + jobType, (Map<String, Object>) value);
                lastSync.put(jobType, new JobOutcome(o.string("job_id"), o.value("status", v -> JobStatus.parse(v).orElse(null)),
                        o.instant("started_at"), o.instant("completed_at"), o.numbers("counts"), o.string("error")));
            });
        }
        Map<String, Object> served = f.map("served_by");
        ServedBy servedBy = null;
        if (served != null) {
            Fields sb = new Fields("connector " + docId + " served_by", served);
            servedBy = new ServedBy(sb.string("worker"), sb.string("fingerprint"), sb.string("config"),
                    sb.number("pid"), sb.instant("seen_at"));
        }
        Map<String, Object> ctl = f.map("control");
        Control control = null;
        if (ctl != null) {
            Fields c = new Fields("connector " + docId + " control", ctl);
            control = new Control("true".equals(c.string("paused")),
                    c.instant("paused_at"), c.string("paused_by"), c.string("reason"), c.instant("restart_requested_at"));
        }
        Map<String, Object> ticks = f.map("skipped_ticks");
        SkippedTicks skippedTicks = null;
        if (ticks != null) {
            Fields t = new Fields("connector " + docId + " skipped_ticks", ticks);
            skippedTicks = new SkippedTicks(t.number("count"), t.instant("last_at"), t.string("last_reason"),
                    t.string("last_tick"));
        }
        String id = f.string(ID);
        ConnectorRecord r = new ConnectorRecord(id != null ? id : docId, f.string("type"), f.string("index_name"),
                f.string("pipeline"), f.map("configuration"), f.string("config_fingerprint"), f.map("schedules"),
                f.instant("created_at"), f.instant("updated_at"), f.instant("last_seen"), f.string("status"),
                f.string("error"), f.map("sync_rules"), f.map("sync_cursor"), f.instant("sync_cursor_saved_at"),
                f.string("sync_cursor_job_id"), activeJob, lastSync, servedBy, control, skippedTicks, null);
        return r.with(b -> b.other = f.unread());
    }

    /**
     * The stored document. A cleared value is written as {@code null} (not left out), so a partial reader of an older
     * version sees it cleared too; unknown fields read earlier are written back.
     */
    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(ID, id);
        out.put("type", type);
        out.put("index_name", indexName);
        out.put("pipeline", pipeline);
        out.put("configuration", configuration);
        out.put("config_fingerprint", configFingerprint);
        out.put("schedules", schedules);
        out.put("created_at", text(createdAt));
        out.put("updated_at", text(updatedAt));
        out.put("last_seen", text(lastSeen));
        out.put("status", status);
        out.put("error", error);
        out.put("sync_rules", syncRules);
        if (!syncCursor.isEmpty()) {
            out.put("sync_cursor", syncCursor);
            out.put("sync_cursor_saved_at", text(syncCursorSavedAt));
            out.put("sync_cursor_job_id", syncCursorJobId);
        }
        out.put("active_job", activeJob == null ? null : lock(activeJob));
        if (!lastSync.isEmpty()) {
            Map<String, Object> last = new LinkedHashMap<>();
            lastSync.forEach((jobType, o) -> last.put(jobType, outcome(o)));
            out.put("last_sync", last);
        }
        if (servedBy != null) {
            Map<String, Object> served = new LinkedHashMap<>();
            served.put("worker", servedBy.worker());
            served.put("fingerprint", servedBy.fingerprint());
            served.put("config", servedBy.config());
            served.put("pid", servedBy.pid());
            served.put("seen_at", text(servedBy.seenAt()));
            out.put("served_by", served);
        }
        if (control != null) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("paused", control.paused());
            c.put("paused_at", text(control.pausedAt()));
            c.put("paused_by", control.pausedBy());
            c.put("reason", control.reason());
            c.put("restart_requested_at", text(control.restartRequestedAt()));
            out.put("control", c);
        }
        if (skippedTicks != null) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("count", skippedTicks.count());
            t.put("last_at", text(skippedTicks.lastAt()));
            t.put("last_reason", skippedTicks.lastReason());
            t.put("last_tick", skippedTicks.lastTick());
            out.put("skipped_ticks", t);
        }
        other.forEach(out::putIfAbsent);
        return out;
    }

    private static Map<String, Object> lock(ActiveJob job) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job_id", job.jobId());
        m.put("worker", job.worker());
        m.put("claimed_at", text(job.claimedAt()));
        return m;
    }

    private static Map<String, Object> outcome(JobOutcome o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job_id", o.jobId());
        m.put("status", o.status().value());
        m.put("started_at", text(o.startedAt()));
        m.put("completed_at", text(o.completedAt()));
        m.put("counts", o.counts());
        m.put("error", o.error());
        return m;
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    /** A mutable copy of a record's values, for {@link #with}. */
    public static final class Builder {
        public String type;
        public String indexName;
        public String pipeline;
        public Map<String, Object> configuration;
        public String configFingerprint;
        public Map<String, Object> schedules;
        public Instant createdAt;
        public Instant updatedAt;
        public Instant lastSeen;
        public String status;
        public String error;
        public Map<String, Object> syncRules;
        public Map<String, Object> syncCursor;
        public Instant syncCursorSavedAt;
        public String syncCursorJobId;
        public ActiveJob activeJob;
        public Map<String, JobOutcome> lastSync;
        public ServedBy servedBy;
        public Control control;
        public SkippedTicks skippedTicks;
        Map<String, Object> other;
        private final String id;

        private Builder(ConnectorRecord r) {
            id = r.id;
            type = r.type;
            indexName = r.indexName;
            pipeline = r.pipeline;
            configuration = r.configuration;
            configFingerprint = r.configFingerprint;
            schedules = r.schedules;
            createdAt = r.createdAt;
            updatedAt = r.updatedAt;
            lastSeen = r.lastSeen;
            status = r.status;
            error = r.error;
            syncRules = r.syncRules;
            syncCursor = r.syncCursor;
            syncCursorSavedAt = r.syncCursorSavedAt;
            syncCursorJobId = r.syncCursorJobId;
            activeJob = r.activeJob;
            lastSync = r.lastSync;
            servedBy = r.servedBy;
            control = r.control;
            skippedTicks = r.skippedTicks;
            other = r.other;
        }

        private ConnectorRecord build() {
            return new ConnectorRecord(id, type, indexName, pipeline, configuration, configFingerprint, schedules,
                    createdAt, updatedAt, lastSeen, status, error, syncRules, syncCursor, syncCursorSavedAt,
                    syncCursorJobId, activeJob, lastSync, servedBy, control, skippedTicks, other);
        }
    }
}
