package io.connectors.runtime.state;

import io.connectors.runtime.config.ConnectorConfig;
import io.connectors.runtime.rules.RulesValidation;
import io.connectors.runtime.rules.SyncRulesCodec;
import io.connectors.runtime.state.StateStore.Kind;
import io.connectors.runtime.state.StateStore.Versioned;
import io.connectors.spi.SyncCursor;
import io.connectors.spi.rules.SyncRules;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import reactor.core.publisher.Mono;

/**
 * Connector records: what {@code config.yml} says (upserted at start-up, secrets masked), plus what the daemons
 * learned (status, last error, last seen, last sync per job type, the sync cursor, sync-rule validation) and the
 * connector's lock ({@code active_job}), which keeps two jobs of one connector from running at once across
 * daemons.
 */
public final class ConnectorRecords {
    /** Connector statuses, stored lower case. */
    public enum Status { CREATED, NEEDS_CONFIGURATION, CONNECTED, ERROR;

        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * How recently a daemon must have said it serves a connector for it to count as serving it: three of its 30 s
     * liveness marks.
     */
    public static final Duration SERVED_WITHIN = Duration.ofSeconds(90);

    private final StateStore store;

    public ConnectorRecords(StateStore store) {
        this.store = store;
    }

    public Mono<Versioned<ConnectorRecord>> get(String connectorId) {
        return store.get(Kind.CONNECTORS, connectorId).map(ConnectorRecords::decode);
    }

    /** Every connector record, by id. */
    public Mono<java.util.List<Versioned<ConnectorRecord>>> all(int size) {
        return store.search(Kind.CONNECTORS, co.elastic.clients.elasticsearch._types.query_dsl.Query.of(q -> q.matchAll(m -> m)),
                List.of(JobRecords.asc(ConnectorRecord.ID)), size)
                .map(found -> found.stream().map(ConnectorRecords::decode).toList());
    }

    static Versioned<ConnectorRecord> decode(Versioned<Map<String, Object>> stored) {
        return stored.map(json -> ConnectorRecord.fromJson(stored.id(), json));
    }

    /**
     * Read-modify-write of one connector with optimistic concurrency, retried on conflict: {@code change} gets the
     * record as stored (null when there is none) and returns the record to write, or null to write nothing.
     */
    private Mono<Versioned<ConnectorRecord>> update(String connectorId,
                                                    java.util.function.UnaryOperator<ConnectorRecord> change) {
        return store.update(Kind.CONNECTORS, connectorId, json -> {
            ConnectorRecord changed = change.apply(json == null ? null : ConnectorRecord.fromJson(connectorId, json));
            return changed == null ? null : changed.toJson();
        }).map(ConnectorRecords::decode);
    }

    /**
     * The connector's source configuration as stored: secrets masked, and values in JSON form (a duration as its
     * ISO-8601 text, which the configuration accepts back).
     */
    static Map<String, Object> configuration(ConnectorConfig c) {
        Map<String, Object> out = new TreeMap<>();
        c.source().masked().forEach((k, v) -> out.put(k, v instanceof java.time.Duration d ? d.toString() : v));
        return out;
    }

    /**
     * What a job records of its connector when the command queueing it does not have its configuration: the record's
     * settings, as the daemon serving it registered them (secrets masked).
     */
    public static Map<String, Object> snapshot(ConnectorRecord r) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("id", r.id());
        s.put("type", r.type());
        s.put("index_name", r.indexName());
        if (r.pipeline() != null) {
            s.put("pipeline", r.pipeline());
        }
        s.put("configuration", r.configuration());
        s.put("sync_rules", SyncRulesCodec.toMap(activeRules(r)));
        return s;
    }

    /** What a job records of its connector: its settings as configured, secrets masked. */
    public static Map<String, Object> snapshot(ConnectorConfig c, SyncRules rules) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("id", c.id());
        s.put("type", c.type());
        s.put("index_name", c.index());
        c.pipeline().ifPresent(p -> s.put("pipeline", p));
        s.put("configuration", configuration(c));
        s.put("sync_rules", SyncRulesCodec.toMap(rules));
        return s;
    }

    /**
     * Identifies everything {@link #register} writes of a connector's configuration (type, index, pipeline, source
     * configuration with secrets masked, schedules, sync rules): a run with another configuration of the connector
     * has another one.
     */
    public static String recordFingerprint(ConnectorConfig c) {
        String text = c.type() + "|" + c.index() + "|" + c.pipeline().orElse("") + "|" + configuration(c) + "|"
                + new TreeMap<>(c.schedules()) + "|" + SyncRulesCodec.toMap(c.syncRules());
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    /** The daemon serving the connector, when it said so within {@link #SERVED_WITHIN}. */
    public static Optional<ConnectorRecord.ServedBy> servedBy(ConnectorRecord connector, Instant now) {
        ConnectorRecord.ServedBy served = connector.servedBy();
        return served == null || served.seenAt() == null || served.seenAt().plus(SERVED_WITHIN).isBefore(now)
                ? Optional.empty() : Optional.of(served);
    }

    /**
     * The live daemon serving the connector with another configuration than the one whose
     * {@link #recordFingerprint} is {@code fingerprint}: the record is that daemon's, and a run with this configuration
     * must not overwrite it.
     */
    public static Optional<ConnectorRecord.ServedBy> servedWithOtherConfiguration(ConnectorRecord connector,
                                                                                 String fingerprint, Instant now) {
        return servedBy(connector, now).filter(s -> !fingerprint.equals(s.fingerprint()));
    }

    /** {@link #register(ConnectorConfig, String, Instant, ConnectorRecord.ServedBy)} by a run that is no daemon. */
    public Mono<Versioned<ConnectorRecord>> register(ConnectorConfig c, String fingerprint, Instant now) {
        return register(c, fingerprint, now, null);
    }

    /**
     * Upserts the connector from the configuration. New sync rules become the draft, to be validated before any
     * sync uses them. A daemon passes itself as {@code servedBy}: the record is then its configuration's (a one-off
     * run, with {@code null}, leaves that mark as it is). Emits the record as written.
     */
    public Mono<Versioned<ConnectorRecord>> register(ConnectorConfig c, String fingerprint, Instant now,
                                                     ConnectorRecord.ServedBy servedBy) {
        Map<String, Object> rules = SyncRulesCodec.toMap(c.syncRules());
        return update(c.id(), stored -> (stored == null ? ConnectorRecord.empty(c.id()).with(b -> {
            b.createdAt = now;
            b.status = Status.CREATED.value();
        }) : stored).with(b -> {
            b.type = c.type();
            b.indexName = c.index();
            b.pipeline = c.pipeline().orElse(null);
            b.configuration = configuration(c);
            b.configFingerprint = fingerprint;
            b.schedules = new TreeMap<>(c.schedules());
            b.lastSeen = now;
            b.updatedAt = now;
            if (servedBy != null) {
                b.servedBy = servedBy;
            }
            Map<String, Object> syncRules = StateStore.deepCopy(b.syncRules);
            Map<String, Object> draft = Docs.map(syncRules, "draft");
            if (draft == null || !sameRules(draft, rules)) {
                Map<String, Object> newDraft = new LinkedHashMap<>(rules);
                newDraft.put("validation", Map.of("state", RulesValidation.State.DRAFT.name().toLowerCase(Locale.ROOT),
                        "messages", List.of()));
                newDraft.put("updated_at", Docs.ts(now));
                syncRules.put("draft", newDraft);
            }
            b.syncRules = syncRules;
        }));
    }

    private static boolean sameRules(Map<String, Object> stored, Map<String, Object> rules) {
        return Objects.equals(stored.getOrDefault("basic", List.of()), rules.getOrDefault("basic", List.of()))
                && Objects.equals(stored.getOrDefault("advanced", Map.of()), rules.getOrDefault("advanced", Map.of()));
    }

    /**
     * Records the validation of the draft rules {@code validated} (ignored if the draft changed meanwhile); valid
     * rules become the active ones.
     */
    public Mono<Versioned<ConnectorRecord>> recordRulesValidation(String connectorId, SyncRules validated,
                                                                  RulesValidation result, Instant now) {
        Map<String, Object> rules = SyncRulesCodec.toMap(validated);
        return update(connectorId, stored -> {
            if (stored == null) {
                return null;
            }
            Map<String, Object> syncRules = StateStore.deepCopy(stored.syncRules());
            Map<String, Object> draft = Docs.map(syncRules, "draft");
            if (draft == null || !sameRules(draft, rules)) {
                return null;
            }
            draft.put("validation", Map.of("state", result.state().name().toLowerCase(Locale.ROOT),
                    "messages", result.messages(), "validated_at", Docs.ts(now)));
            if (result.isValid()) {
                Map<String, Object> active = new LinkedHashMap<>(rules);
                active.put("activated_at", Docs.ts(now));
                syncRules.put("active", active);
            }
            return stored.with(b -> b.syncRules = syncRules);
        });
    }

    /** The rules a sync uses: the last valid ones; none when no rules were ever valid. */
    public static SyncRules activeRules(ConnectorRecord connector) {
        Map<String, Object> active = Docs.map(connector.syncRules(), "active");
        if (active == null) {
            return SyncRules.NONE;
        }
        Map<String, Object> raw = new LinkedHashMap<>(active);
        raw.remove("activated_at");
        List<String> problems = new java.util.ArrayList<>();
        SyncRules rules = SyncRulesCodec.parse(raw, "sync_rules.active", problems);
        if (rules == null) {
            throw new IllegalStateException("the stored active sync rules cannot be read: " + problems);
        }
        return rules;
    }

    /** The validation state of the draft rules ({@code draft}, {@code valid}, {@code invalid}) and its messages. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> draftValidation(ConnectorRecord connector) {
        Map<String, Object> v = Docs.map(Docs.map(connector.syncRules(), "draft"), "validation");
        return v == null ? Map.of() : v;
    }

    /** The saved cursor of incremental syncs, if any. */
    public static Optional<SyncCursor> cursor(ConnectorRecord connector) {
        Map<String, Object> c = connector.syncCursor();
        return c.isEmpty() ? Optional.empty() : Optional.of(new SyncCursor(c));
    }

    /** Saves the cursor; called only once Elasticsearch acknowledged every write the cursor covers. */
    public Mono<Void> saveCursor(String connectorId, SyncCursor cursor, String jobId, Instant now) {
        return update(connectorId, stored -> stored == null ? null : stored.with(b -> {
            b.syncCursor = new LinkedHashMap<>(cursor.values());
            b.syncCursorSavedAt = now;
            b.syncCursorJobId = jobId;
        })).then();
    }

    /** Sets the connector's status and last error (null clears it). */
    public Mono<Void> setStatus(String connectorId, Status status, String error, Instant now) {
        return update(connectorId, stored -> stored == null ? null : stored.with(b -> {
            b.status = status.value();
            b.error = error;
            b.lastSeen = now;
        })).then();
    }

    /**
     * Pauses the connector (every daemon serving it honours that within a poll interval) or resumes it. Emits the
     * record as written; empty when no daemon or run ever recorded the connector.
     */
    public Mono<Versioned<ConnectorRecord>> setPaused(String connectorId, boolean paused, String by, String reason,
                                                      Instant now) {
        return update(connectorId, stored -> stored == null ? null : stored.with(b -> {
            Instant restart = b.control == null ? null : b.control.restartRequestedAt();
            b.control = paused ? new ConnectorRecord.Control(true, now, by, reason, restart)
                    : new ConnectorRecord.Control(false, null, null, null, restart);
        }));
    }

    /** Asks for a restart of the connector's running job at {@code now}; empty when the connector is not recorded. */
    public Mono<Versioned<ConnectorRecord>> requestRestart(String connectorId, Instant now) {
        return update(connectorId, stored -> stored == null ? null : stored.with(b -> {
            ConnectorRecord.Control c = b.control;
            b.control = c == null ? new ConnectorRecord.Control(false, null, null, null, now)
                    : new ConnectorRecord.Control(c.paused(), c.pausedAt(), c.pausedBy(), c.reason(), now);
        }));
    }

    /**
     * Counts a scheduled tick that ran nothing, once per tick across daemons ({@code tick} is the job id it would
     * have had). Emits whether this call counted it.
     */
    public Mono<Boolean> recordSkippedTick(String connectorId, String tick, String reason, Instant now) {
        boolean[] counted = {false};
        return update(connectorId, stored -> {
            counted[0] = false;
            if (stored == null || (stored.skippedTicks() != null && tick.equals(stored.skippedTicks().lastTick()))) {
                return null;
            }
            counted[0] = true;
            long before = stored.skippedTicks() == null ? 0 : stored.skippedTicks().count();
            return stored.with(b -> b.skippedTicks = new ConnectorRecord.SkippedTicks(before + 1, now, reason, tick));
        }).map(v -> counted[0]).defaultIfEmpty(false);
    }

    /** Whether {@code tick} is the last skipped tick the connector counted (so its job must not be created again). */
    public static boolean countedTick(ConnectorRecord connector, String tick) {
        return connector.skippedTicks() != null && tick.equals(connector.skippedTicks().lastTick());
    }

    /** Notes that {@code servedBy}, a daemon serving the connector, is alive (at {@code servedBy.seenAt()}). */
    public Mono<Void> touch(String connectorId, ConnectorRecord.ServedBy servedBy) {
        return update(connectorId, stored -> stored == null ? null : stored.with(b -> {
            b.lastSeen = servedBy.seenAt();
            b.servedBy = servedBy;
        })).then();
    }

    /**
     * Takes the connector's lock for {@code jobId}. The lock is free when unset, or held by {@code jobId}, or by a job
     * that is no longer {@linkplain #liveHolder live}. Emits whether it was taken.
     */
    public Mono<Boolean> lock(String connectorId, String jobId, String worker, JobRecords jobs, Duration heartbeatTimeout,
                              Instant now) {
        return Mono.defer(() -> get(connectorId).flatMap(current -> {
            ConnectorRecord.ActiveJob held = current.doc().activeJob();
            Mono<Boolean> free = held != null && jobId.equals(held.jobId())
                    ? Mono.just(true)
                    : liveHolder(current, jobs, heartbeatTimeout, now).map(holder -> false).defaultIfEmpty(true);
            return free.flatMap(isFree -> {
                if (!isFree) {
                    return Mono.just(false);
                }
                ConnectorRecord locked = current.doc().with(b -> b.activeJob = new ConnectorRecord.ActiveJob(jobId, worker, now));
                return store.replace(Kind.CONNECTORS, current.map(ConnectorRecord::toJson), locked.toJson())
                        .thenReturn(true);
            });
        })).retryWhen(StateStore.retryOnConflict());
    }

    /** The job holding the connector's lock while it is alive; empty when the lock is free. */
    public Mono<String> liveHolder(String connectorId, JobRecords jobs, Duration heartbeatTimeout, Instant now) {
        return get(connectorId).flatMap(current -> liveHolder(current, jobs, heartbeatTimeout, now));
    }

    /**
     * The job named by the connector's lock, if that job is alive: running (or canceling) and heartbeating within
     * {@code heartbeatTimeout}. A lock naming a missing job, one that ended or went back to the queue, or one whose
     * worker went silent, is free.
     */
    private static Mono<String> liveHolder(Versioned<ConnectorRecord> connector, JobRecords jobs, Duration heartbeatTimeout,
                                           Instant now) {
        ConnectorRecord.ActiveJob lock = connector.doc().activeJob();
        if (lock == null) {
            return Mono.empty();
        }
        String holder = lock.jobId();
        return jobs.get(holder).filter(h -> alive(h.doc(), heartbeatTimeout, now)).map(h -> holder);
    }

    private static boolean alive(JobRecord job, Duration heartbeatTimeout, Instant now) {
        JobStatus status = job.status();
        if (status.terminal() || status.claimable()) {
            return false;
        }
        Instant beat = job.lastHeartbeatAt();
        return beat != null && !beat.plus(heartbeatTimeout).isBefore(now);
    }

    /**
     * Releases the lock if {@code jobId} holds it, and records the job's outcome as the connector's last sync of
     * its type (null {@code outcome}: the lock only).
     */
    public Mono<Void> release(String connectorId, String jobId, JobType jobType, ConnectorRecord.JobOutcome outcome,
                              Status status, String error, Instant now) {
        return update(connectorId, stored -> stored == null ? null : stored.with(b -> {
            if (b.activeJob != null && jobId.equals(b.activeJob.jobId())) {
                b.activeJob = null;
            }
            if (outcome != null) {
                Map<String, ConnectorRecord.JobOutcome> last = new LinkedHashMap<>(b.lastSync);
                last.put(jobType.value(), outcome);
                b.lastSync = last;
            }
            if (status != null) {
                b.status = status.value();
                b.error = error;
            }
            b.lastSeen = now;
        })).then();
    }
}
