package io.connectors.runtime.state;

import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.SortOptions;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import io.connectors.runtime.state.StateStore.Kind;
import io.connectors.runtime.state.StateStore.Versioned;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import reactor.core.publisher.Mono;

/**
 * Sync-job records: creation (scheduled jobs get an id derived from their due time, so daemons that share a
 * schedule create each due job once), claims, heartbeats, cancel requests and final outcomes. Every status
 * change is a conditional write on the version last read.
 *
 * <p>A job document: {@code job_id, connector_id, job_type, trigger (scheduled|on_demand|realtime), status, reason,
 * scheduled_for, created_at, started_at, last_heartbeat_at, cancel_requested_at, completed_at, worker, attempt,
 * error, notes, counts{seen, indexed, updated, unchanged, deleted, dropped, failed, bytes, total_in_index},
 * connector{id, type, index_name, pipeline, configuration (secrets masked), sync_rules}}.
 */
public final class JobRecords {
    private static final DateTimeFormatter DUE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final StateStore store;

    public JobRecords(StateStore store) {
        this.store = store;
    }

    public StateStore store() {
        return store;
    }

    /** The id of the scheduled job of a connector and type due at {@code due}: the same on every daemon. */
    public static String scheduledId(String connectorId, JobType type, Instant due) {
        return connectorId + "-" + type.value() + "-" + DUE.format(due);
    }

    /** A new job document. */
    public static Map<String, Object> newJob(String jobId, Map<String, Object> connectorSnapshot, JobType type,
                                             String trigger, JobStatus status, String reason, Instant scheduledFor,
                                             Instant now) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("job_id", jobId);
        doc.put("connector_id", connectorSnapshot.get("id"));
        doc.put("job_type", type.value());
        doc.put("trigger", trigger);
        doc.put("status", status.value());
        if (reason != null) {
            doc.put("reason", reason);
        }
        if (scheduledFor != null) {
            doc.put("scheduled_for", Docs.ts(scheduledFor));
        }
        doc.put("created_at", Docs.ts(now));
        if (status.terminal()) {
            doc.put("completed_at", Docs.ts(now));
        }
        doc.put("attempt", 0);
        doc.put("counts", new LinkedHashMap<>());
        doc.put("connector", connectorSnapshot);
        return doc;
    }

    /** Creates the job; {@link StateStore.ConflictException} when a job with that id exists. */
    public Mono<Versioned> create(Map<String, Object> job, boolean waitForRefresh) {
        return store.create(Kind.JOBS, (String) job.get("job_id"), job, waitForRefresh);
    }

    /** A fresh id for an on-demand job. */
    public static String onDemandId(String connectorId, JobType type) {
        return connectorId + "-" + type.value() + "-" + UUID.randomUUID().toString().substring(0, 13);
    }

    public Mono<Versioned> get(String jobId) {
        return store.get(Kind.JOBS, jobId);
    }

    /** Jobs a worker may claim, for the given connectors, oldest first. */
    public Mono<List<Versioned>> claimable(Collection<String> connectorIds, int size) {
        if (connectorIds.isEmpty()) {
            return Mono.just(List.of());
        }
        Query q = Query.of(b -> b.bool(x -> x
                .filter(f -> f.terms(t -> t.field("status").terms(v -> v.value(values(List.of(
                        JobStatus.PENDING.value(), JobStatus.SUSPENDED.value()))))))
                .filter(f -> f.terms(t -> t.field("connector_id").terms(v -> v.value(values(connectorIds)))))));
        return store.search(Kind.JOBS, q, List.of(asc("created_at")), size);
    }

    /** Jobs of one connector in any of {@code statuses}. */
    public Mono<List<Versioned>> ofConnector(String connectorId, Collection<JobStatus> statuses, int size) {
        Query q = Query.of(b -> b.bool(x -> x
                .filter(f -> f.term(t -> t.field("connector_id").value(connectorId)))
                .filter(f -> f.terms(t -> t.field("status").terms(v -> v.value(values(
                        statuses.stream().map(JobStatus::value).toList())))))));
        return store.search(Kind.JOBS, q, List.of(asc("created_at")), size);
    }

    /** Jobs of one connector and type in any of {@code statuses}. */
    public Mono<List<Versioned>> ofConnector(String connectorId, JobType type, Collection<JobStatus> statuses, int size) {
        Query q = Query.of(b -> b.bool(x -> x
                .filter(f -> f.term(t -> t.field("connector_id").value(connectorId)))
                .filter(f -> f.term(t -> t.field("job_type").value(type.value())))
                .filter(f -> f.terms(t -> t.field("status").terms(v -> v.value(values(
                        statuses.stream().map(JobStatus::value).toList())))))));
        return store.search(Kind.JOBS, q, List.of(asc("created_at")), size);
    }

    /** The job of one connector and type that ended last, if any. */
    public Mono<Versioned> lastEnded(String connectorId, JobType type) {
        Query q = Query.of(b -> b.bool(x -> x
                .filter(f -> f.term(t -> t.field("connector_id").value(connectorId)))
                .filter(f -> f.term(t -> t.field("job_type").value(type.value())))
                .filter(f -> f.terms(t -> t.field("status").terms(v -> v.value(values(java.util.Arrays.stream(JobStatus.values())
                        .filter(JobStatus::terminal).map(JobStatus::value).toList())))))));
        return store.search(Kind.JOBS, q, List.of(desc("completed_at")), 1)
                .flatMap(found -> Mono.justOrEmpty(found.stream().findFirst()));
    }

    /** Running jobs whose last heartbeat is older than {@code before}. */
    public Mono<List<Versioned>> stale(Instant before, int size) {
        Query q = Query.of(b -> b.bool(x -> x
                .filter(f -> f.terms(t -> t.field("status").terms(v -> v.value(values(List.of(
                        JobStatus.IN_PROGRESS.value(), JobStatus.CANCELING.value()))))))
                .filter(f -> f.range(r -> r.date(d -> d.field("last_heartbeat_at").lt(Docs.ts(before)))))));
        return store.search(Kind.JOBS, q, List.of(asc("last_heartbeat_at")), size);
    }

    /** Deletes up to {@code size} ended jobs that ended before {@code before}; emits how many were deleted. */
    public Mono<Integer> deleteEnded(Instant before, int size) {
        Query q = Query.of(b -> b.bool(x -> x
                .filter(f -> f.terms(t -> t.field("status").terms(v -> v.value(values(java.util.Arrays.stream(JobStatus.values())
                        .filter(JobStatus::terminal).map(JobStatus::value).toList())))))
                .filter(f -> f.range(r -> r.date(d -> d.field("completed_at").lt(Docs.ts(before)))))));
        return store.search(Kind.JOBS, q, List.of(asc("completed_at")), size)
                .flatMap(found -> found.isEmpty() ? Mono.just(0)
                        : store.delete(Kind.JOBS, found.stream().map(Versioned::id).toList()));
    }

    /** The most recent jobs, optionally of one connector and/or status. */
    public Mono<List<Versioned>> recent(Optional<String> connectorId, Optional<JobStatus> status, int size) {
        Query q = Query.of(b -> b.bool(x -> {
            x.filter(f -> f.matchAll(m -> m));
            connectorId.ifPresent(c -> x.filter(f -> f.term(t -> t.field("connector_id").value(c))));
            status.ifPresent(s -> x.filter(f -> f.term(t -> t.field("status").value(s.value()))));
            return x;
        }));
        return store.search(Kind.JOBS, q, List.of(desc("created_at")), size);
    }

    /**
     * Claims a claimable job for {@code worker}: status {@code in_progress}, a first heartbeat, one more attempt.
     * Fails with {@link StateStore.ConflictException} when another worker claimed or changed it first.
     */
    public Mono<Versioned> claim(Versioned job, String worker, Instant now) {
        JobStatus status = JobStatus.of(job.doc().get("status"));
        if (!status.claimable()) {
            return Mono.error(new StateStore.ConflictException("job " + job.id() + " is " + status.value()));
        }
        Map<String, Object> doc = StateStore.deepCopy(job.doc());
        doc.put("status", JobStatus.IN_PROGRESS.value());
        doc.put("worker", worker);
        doc.putIfAbsent("started_at", Docs.ts(now));
        doc.put("last_heartbeat_at", Docs.ts(now));
        int attempt = (int) Docs.number(doc, "attempt") + 1;
        doc.put("attempt", attempt);
        if (status == JobStatus.SUSPENDED) {
            appendNote(doc, "resumed by " + worker + " at " + now + " (attempt " + attempt + ")");
        }
        return store.replace(Kind.JOBS, job, doc);
    }

    /** Writes {@code doc} over the job if it is still at the version of {@code current}. */
    public Mono<Versioned> replace(Versioned current, Map<String, Object> doc) {
        return store.replace(Kind.JOBS, current, doc);
    }

    /** Adds a line to the job's notes (what happened that is not an error: a fallback, a resume). */
    @SuppressWarnings("unchecked")
    public static void appendNote(Map<String, Object> doc, String note) {
        Object existing = doc.get("notes");
        List<Object> notes = existing instanceof List<?> l ? new java.util.ArrayList<>((List<Object>) l) : new java.util.ArrayList<>();
        notes.add(note);
        doc.put("notes", notes);
    }

    /**
     * Asks for a job to stop. A queued or suspended job is canceled at once; a running one goes to
     * {@code canceling} and its worker stops it at its next heartbeat. Emits the job as written.
     *
     * @throws IllegalStateException (as the error signal) when the job already ended
     */
    public Mono<Versioned> requestCancel(String jobId, Instant now) {
        return store.update(Kind.JOBS, jobId, doc -> {
            if (doc == null) {
                throw new java.util.NoSuchElementException("no job " + jobId);
            }
            JobStatus status = JobStatus.of(doc.get("status"));
            if (status.terminal()) {
                throw new IllegalStateException("job " + jobId + " already ended as " + status.value());
            }
            if (status == JobStatus.CANCELING) {
                return null;
            }
            doc.put("cancel_requested_at", Docs.ts(now));
            if (status.claimable()) {
                doc.put("status", JobStatus.CANCELED.value());
                doc.put("completed_at", Docs.ts(now));
            } else {
                doc.put("status", JobStatus.CANCELING.value());
            }
            return doc;
        }).switchIfEmpty(Mono.error(() -> new java.util.NoSuchElementException("no job " + jobId)));
    }

    static List<FieldValue> values(Collection<String> values) {
        return values.stream().map(FieldValue::of).toList();
    }

    static SortOptions asc(String field) {
        return SortOptions.of(s -> s.field(f -> f.field(field).order(SortOrder.Asc)));
    }

    static SortOptions desc(String field) {
        return SortOptions.of(s -> s.field(f -> f.field(field).order(SortOrder.Desc)));
    }
}
