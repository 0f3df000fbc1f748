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
 * <p>A job document is a {@link JobRecord}, which holds its fields and their stored names.
 */
public final class JobRecords {
    private static final DateTimeFormatter DUE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(JobRecords.class);
    /** Jobs already warned about as unreadable, so a poll every second does not repeat the warning. */
    private static final java.util.Set<String> UNREADABLE = java.util.concurrent.ConcurrentHashMap.newKeySet();

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

    /** A new job's record. */
    public static JobRecord newJob(String jobId, Map<String, Object> connectorSnapshot, JobType type,
                                   JobRecord.Trigger trigger, JobStatus status, String reason, Instant scheduledFor,
                                   Instant now) {
        return new JobRecord(jobId, (String) connectorSnapshot.get("id"), type, trigger, status, reason, scheduledFor,
                now, null, null, null, status.terminal() ? now : null, null, 0, null, List.of(), Map.of(), List.of(),
                List.of(), List.of(), connectorSnapshot, List.of(), null, Map.of(), Map.of());
    }

    /** Creates the job; {@link StateStore.ConflictException} when a job with that id exists. */
    public Mono<Versioned<JobRecord>> create(JobRecord job, boolean waitForRefresh) {
        return store.create(Kind.JOBS, job.jobId(), job.toJson(), waitForRefresh).map(JobRecords::decode);
    }

    /** A stored job document decoded. */
    static Versioned<JobRecord> decode(Versioned<Map<String, Object>> stored) {
        return stored.map(json -> JobRecord.fromJson(stored.id(), json));
    }

    /**
     * The jobs matching {@code q}, decoded. A record this version cannot read is left out of the list (warned once per
     * record), so one job written by a newer daemon, or by hand, does not stop this daemon from seeing the others.
     */
    private Mono<List<Versioned<JobRecord>>> find(Query q, List<SortOptions> sort, int size) {
        return store.search(Kind.JOBS, q, sort, size).map(found -> {
            List<Versioned<JobRecord>> out = new java.util.ArrayList<>(found.size());
            for (Versioned<Map<String, Object>> stored : found) {
                try {
                    out.add(decode(stored));
                } catch (StateException e) {
                    if (UNREADABLE.add(stored.id())) {
                        LOG.warn("{}; this daemon leaves that job alone", e.getMessage());
                    }
                }
            }
            return out;
        });
    }

    /** A fresh id for an on-demand job. */
    public static String onDemandId(String connectorId, JobType type) {
        return connectorId + "-" + type.value() + "-" + UUID.randomUUID().toString().substring(0, 13);
    }

    public Mono<Versioned<JobRecord>> get(String jobId) {
        return store.get(Kind.JOBS, jobId).map(JobRecords::decode);
    }

    /** Jobs a worker may claim, for the given connectors, oldest first. */
    public Mono<List<Versioned<JobRecord>>> claimable(Collection<String> connectorIds, int size) {
        if (connectorIds.isEmpty()) {
            return Mono.just(List.of());
        }
        Query q = Query.of(b -> b.bool(x -> x
                .filter(f -> f.terms(t -> t.field(JobRecord.STATUS).terms(v -> v.value(values(List.of(
                        JobStatus.PENDING.value(), JobStatus.SUSPENDED.value()))))))
                .filter(f -> f.terms(t -> t.field(JobRecord.CONNECTOR_ID).terms(v -> v.value(values(connectorIds)))))));
        return find(q, List.of(asc(JobRecord.CREATED_AT)), size);
    }

    /** Running jobs of the given connectors whose plan has splits not done yet: jobs another daemon may help read. */
    public Mono<List<Versioned<JobRecord>>> withOpenSplits(Collection<String> connectorIds, int size) {
        if (connectorIds.isEmpty()) {
            return Mono.just(List.of());
        }
        Query q = Query.of(b -> b.bool(x -> x
                .filter(f -> f.term(t -> t.field(JobRecord.STATUS).value(JobStatus.IN_PROGRESS.value())))
                .filter(f -> f.range(r -> r.number(n -> n.field(JobRecord.OPEN_SPLITS).gt(0.0))))
                .filter(f -> f.terms(t -> t.field(JobRecord.CONNECTOR_ID).terms(v -> v.value(values(connectorIds)))))));
        return find(q, List.of(asc(JobRecord.CREATED_AT)), size);
    }

    /** Jobs of one connector in any of {@code statuses}. */
    public Mono<List<Versioned<JobRecord>>> ofConnector(String connectorId, Collection<JobStatus> statuses, int size) {
        Query q = Query.of(b -> b.bool(x -> x
                .filter(f -> f.term(t -> t.field(JobRecord.CONNECTOR_ID).value(connectorId)))
                .filter(f -> f.terms(t -> t.field(JobRecord.STATUS).terms(v -> v.value(values(
                        statuses.stream().map(JobStatus::value).toList())))))));
        return find(q, List.of(asc(JobRecord.CREATED_AT)), size);
    }

    /** Jobs of one connector and type in any of {@code statuses}. */
    public Mono<List<Versioned<JobRecord>>> ofConnector(String connectorId, JobType type, Collection<JobStatus> statuses, int size) {
        Query q = Query.of(b -> b.bool(x -> x
                .filter(f -> f.term(t -> t.field(JobRecord.CONNECTOR_ID).value(connectorId)))
                .filter(f -> f.term(t -> t.field(JobRecord.JOB_TYPE).value(type.value())))
                .filter(f -> f.terms(t -> t.field(JobRecord.STATUS).terms(v -> v.value(values(
                        statuses.stream().map(JobStatus::value).toList())))))));
        return find(q, List.of(asc(JobRecord.CREATED_AT)), size);
    }

    /** The job of one connector and type that ended last, if any. */
    public Mono<Versioned<JobRecord>> lastEnded(String connectorId, JobType type) {
        Query q = Query.of(b -> b.bool(x -> x
                .filter(f -> f.term(t -> t.field(JobRecord.CONNECTOR_ID).value(connectorId)))
                .filter(f -> f.term(t -> t.field(JobRecord.JOB_TYPE).value(type.value())))
                .filter(f -> f.terms(t -> t.field(JobRecord.STATUS).terms(v -> v.value(values(java.util.Arrays.stream(JobStatus.values())
                        .filter(JobStatus::terminal).map(JobStatus::value).toList())))))));
        return find(q, List.of(desc(JobRecord.COMPLETED_AT)), 1)
                .flatMap(found -> Mono.justOrEmpty(found.stream().findFirst()));
    }

    /** Running jobs whose last heartbeat is older than {@code before}. */
    public Mono<List<Versioned<JobRecord>>> stale(Instant before, int size) {
        Query q = Query.of(b -> b.bool(x -> x
                .filter(f -> f.terms(t -> t.field(JobRecord.STATUS).terms(v -> v.value(values(List.of(
                        JobStatus.IN_PROGRESS.value(), JobStatus.CANCELING.value()))))))
                .filter(f -> f.range(r -> r.date(d -> d.field(JobRecord.LAST_HEARTBEAT_AT).lt(Docs.ts(before)))))));
        return find(q, List.of(asc(JobRecord.LAST_HEARTBEAT_AT)), size);
    }

    /** Deletes one job record; emits how many were deleted (0 when it was gone). */
    public Mono<Integer> delete(String jobId) {
        return store.delete(Kind.JOBS, List.of(jobId));
    }

    /** Deletes up to {@code size} ended jobs that ended before {@code before}; emits how many were deleted. */
    public Mono<Integer> deleteEnded(Instant before, int size) {
        Query q = Query.of(b -> b.bool(x -> x
                .filter(f -> f.terms(t -> t.field(JobRecord.STATUS).terms(v -> v.value(values(java.util.Arrays.stream(JobStatus.values())
                        .filter(JobStatus::terminal).map(JobStatus::value).toList())))))
                .filter(f -> f.range(r -> r.date(d -> d.field(JobRecord.COMPLETED_AT).lt(Docs.ts(before)))))));
        return store.search(Kind.JOBS, q, List.of(asc(JobRecord.COMPLETED_AT)), size)
                .flatMap(found -> found.isEmpty() ? Mono.just(0)
                        : store.delete(Kind.JOBS, found.stream().map(Versioned::id).toList()));
    }

    /** The most recent jobs, optionally of one connector and/or status. */
    public Mono<List<Versioned<JobRecord>>> recent(Optional<String> connectorId, Optional<JobStatus> status, int size) {
        Query q = Query.of(b -> b.bool(x -> {
            x.filter(f -> f.matchAll(m -> m));
            connectorId.ifPresent(c -> x.filter(f -> f.term(t -> t.field(JobRecord.CONNECTOR_ID).value(c))));
            status.ifPresent(s -> x.filter(f -> f.term(t -> t.field(JobRecord.STATUS).value(s.value()))));
            return x;
        }));
        return find(q, List.of(desc(JobRecord.CREATED_AT)), size);
    }

    /**
     * Claims a claimable job for {@code worker}: status {@code in_progress}, a first heartbeat, one more attempt.
     * Fails with {@link StateStore.ConflictException} when another worker claimed or changed it first.
     */
    public Mono<Versioned<JobRecord>> claim(Versioned<JobRecord> job, String worker, Instant now) {
        JobStatus status = job.doc().status();
        if (!status.claimable()) {
            return Mono.error(new StateStore.ConflictException("job " + job.id() + " is " + status.value()));
        }
        int attempt = job.doc().attempt() + 1;
        JobRecord claimed = job.doc().with(b -> {
            b.status = JobStatus.IN_PROGRESS;
            b.worker = worker;
            b.startedAt = b.startedAt == null ? now : b.startedAt;
            b.lastHeartbeatAt = now;
            b.attempt = attempt;
        });
        if (status == JobStatus.SUSPENDED) {
            claimed = claimed.withNote("resumed by " + worker + " at " + now + " (attempt " + attempt + ")");
        }
        return replace(job, claimed);
    }

    /** Writes {@code job} over the stored one if that is still at the version of {@code current}. */
    public Mono<Versioned<JobRecord>> replace(Versioned<JobRecord> current, JobRecord job) {
        return store.replace(Kind.JOBS, current.map(JobRecord::toJson), job.toJson()).map(JobRecords::decode);
    }

    /**
     * Read-modify-write of one job with optimistic concurrency, retried on conflict: {@code change} gets the job as
     * stored (null when there is none) and returns the job to write, or null to write nothing. Emits the job as
     * written or as read; empty when there is none.
     */
    public Mono<Versioned<JobRecord>> update(String jobId, java.util.function.UnaryOperator<JobRecord> change) {
        return store.update(Kind.JOBS, jobId, json -> {
            JobRecord changed = change.apply(json == null ? null : JobRecord.fromJson(jobId, json));
            return changed == null ? null : changed.toJson();
        }).map(JobRecords::decode);
    }

    /**
     * Asks for a job to stop. A queued or suspended job is canceled at once; a running one goes to
     * {@code canceling} and its worker stops it at its next heartbeat. Emits the job as written.
     *
     * @throws IllegalStateException (as the error signal) when the job already ended
     */
    public Mono<Versioned<JobRecord>> requestCancel(String jobId, Instant now) {
        return update(jobId, job -> {
            if (job == null) {
                throw new java.util.NoSuchElementException("no job " + jobId);
            }
            JobStatus status = job.status();
            if (status.terminal()) {
                throw new IllegalStateException("job " + jobId + " already ended as " + status.value());
            }
            if (status == JobStatus.CANCELING) {
                return null;
            }
            return job.with(b -> {
                b.cancelRequestedAt = now;
                if (status.claimable()) {
                    b.status = JobStatus.CANCELED;
                    b.completedAt = now;
                } else {
                    b.status = JobStatus.CANCELING;
                }
            });
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
