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

    private final StateStore store;

    public ConnectorRecords(StateStore store) {
        this.store = store;
    }

    public Mono<Versioned> get(String connectorId) {
        return store.get(Kind.CONNECTORS, connectorId);
    }

    /** Every connector record, by id. */
    public Mono<java.util.List<Versioned>> all(int size) {
        return store.search(Kind.CONNECTORS, co.elastic.clients.elasticsearch._types.query_dsl.Query.of(q -> q.matchAll(m -> m)),
                List.of(JobRecords.asc("id")), size);
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
     * Upserts the connector from the configuration. New sync rules become the draft, to be validated before any
     * sync uses them. Emits the record as written.
     */
    public Mono<Versioned> register(ConnectorConfig c, String fingerprint, Instant now) {
        Map<String, Object> rules = SyncRulesCodec.toMap(c.syncRules());
        return store.update(Kind.CONNECTORS, c.id(), doc -> {
            Map<String, Object> d = doc == null ? new LinkedHashMap<>() : doc;
            if (doc == null) {
                d.put("created_at", Docs.ts(now));
                d.put("status", Status.CREATED.value());
            }
            d.put("id", c.id());
            d.put("type", c.type());
            d.put("index_name", c.index());
            d.put("pipeline", c.pipeline().orElse(null));
            d.put("configuration", configuration(c));
            d.put("config_fingerprint", fingerprint);
            d.put("schedules", new TreeMap<>(c.schedules()));
            d.put("last_seen", Docs.ts(now));
            d.put("updated_at", Docs.ts(now));
            Map<String, Object> syncRules = Docs.child(d, "sync_rules");
            Map<String, Object> draft = Docs.map(syncRules, "draft");
            if (draft == null || !sameRules(draft, rules)) {
                Map<String, Object> newDraft = new LinkedHashMap<>(rules);
                newDraft.put("validation", Map.of("state", RulesValidation.State.DRAFT.name().toLowerCase(Locale.ROOT),
                        "messages", List.of()));
                newDraft.put("updated_at", Docs.ts(now));
                syncRules.put("draft", newDraft);
            }
            return d;
        });
    }

    private static boolean sameRules(Map<String, Object> stored, Map<String, Object> rules) {
        return Objects.equals(stored.getOrDefault("basic", List.of()), rules.getOrDefault("basic", List.of()))
                && Objects.equals(stored.getOrDefault("advanced", Map.of()), rules.getOrDefault("advanced", Map.of()));
    }

    /**
     * Records the validation of the draft rules {@code validated} (ignored if the draft changed meanwhile); valid
     * rules become the active ones.
     */
    public Mono<Versioned> recordRulesValidation(String connectorId, SyncRules validated, RulesValidation result, Instant now) {
        Map<String, Object> rules = SyncRulesCodec.toMap(validated);
        return store.update(Kind.CONNECTORS, connectorId, doc -> {
            if (doc == null) {
                return null;
            }
            Map<String, Object> syncRules = Docs.child(doc, "sync_rules");
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
            return doc;
        });
    }

    /** The rules a sync uses: the last valid ones; none when no rules were ever valid. */
    public static SyncRules activeRules(Map<String, Object> connectorDoc) {
        Map<String, Object> active = Docs.map(Docs.map(connectorDoc, "sync_rules"), "active");
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
    public static Map<String, Object> draftValidation(Map<String, Object> connectorDoc) {
        Map<String, Object> v = Docs.map(Docs.map(Docs.map(connectorDoc, "sync_rules"), "draft"), "validation");
        return v == null ? Map.of() : v;
    }

    /** The saved cursor of incremental syncs, if any. */
    public static Optional<SyncCursor> cursor(Map<String, Object> connectorDoc) {
        Map<String, Object> c = Docs.map(connectorDoc, "sync_cursor");
        return c == null || c.isEmpty() ? Optional.empty() : Optional.of(new SyncCursor(c));
    }

    /** Saves the cursor; called only once Elasticsearch acknowledged every write the cursor covers. */
    public Mono<Void> saveCursor(String connectorId, SyncCursor cursor, String jobId, Instant now) {
        return store.update(Kind.CONNECTORS, connectorId, doc -> {
            if (doc == null) {
                return null;
            }
            doc.put("sync_cursor", new LinkedHashMap<>(cursor.values()));
            doc.put("sync_cursor_saved_at", Docs.ts(now));
            doc.put("sync_cursor_job_id", jobId);
            return doc;
        }).then();
    }

    /** Sets the connector's status and last error (null clears it). */
    public Mono<Void> setStatus(String connectorId, Status status, String error, Instant now) {
        return store.update(Kind.CONNECTORS, connectorId, doc -> {
            if (doc == null) {
                return null;
            }
            doc.put("status", status.value());
            doc.put("error", error);
            doc.put("last_seen", Docs.ts(now));
            return doc;
        }).then();
    }

    /** Notes that a daemon serving the connector is alive. */
    public Mono<Void> touch(String connectorId, Instant now) {
        return store.update(Kind.CONNECTORS, connectorId, doc -> {
            if (doc == null) {
                return null;
            }
            doc.put("last_seen", Docs.ts(now));
            return doc;
        }).then();
    }

    /**
     * Takes the connector's lock for {@code jobId}. The lock is free when unset, or held by {@code jobId}, or by a job
     * that is no longer {@linkplain #liveHolder live}. Emits whether it was taken.
     */
    public Mono<Boolean> lock(String connectorId, String jobId, String worker, JobRecords jobs, Duration heartbeatTimeout,
                              Instant now) {
        return Mono.defer(() -> get(connectorId).flatMap(current -> {
            Mono<Boolean> free = jobId.equals(Docs.str(Docs.map(current.doc(), "active_job"), "job_id"))
                    ? Mono.just(true)
                    : liveHolder(current, jobs, heartbeatTimeout, now).map(holder -> false).defaultIfEmpty(true);
            return free.flatMap(isFree -> {
                if (!isFree) {
                    return Mono.just(false);
                }
                Map<String, Object> doc = StateStore.deepCopy(current.doc());
                doc.put("active_job", Map.of("job_id", jobId, "worker", worker, "claimed_at", Docs.ts(now)));
                return store.replace(Kind.CONNECTORS, current, doc).thenReturn(true);
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
    private static Mono<String> liveHolder(Versioned connector, JobRecords jobs, Duration heartbeatTimeout, Instant now) {
        String holder = Docs.str(Docs.map(connector.doc(), "active_job"), "job_id");
        if (holder == null) {
            return Mono.empty();
        }
        return jobs.get(holder).filter(h -> alive(h.doc(), heartbeatTimeout, now)).map(h -> holder);
    }

    private static boolean alive(Map<String, Object> job, Duration heartbeatTimeout, Instant now) {
        JobStatus status = JobStatus.of(job.get("status"));
        if (status.terminal() || status.claimable()) {
            return false;
        }
        Instant beat = Docs.instant(job, "last_heartbeat_at");
        return beat != null && !beat.plus(heartbeatTimeout).isBefore(now);
    }

    /**
     * Releases the lock if {@code jobId} holds it, and records the job's outcome as the connector's last sync of
     * its type (null {@code outcome}: the lock only).
     */
    public Mono<Void> release(String connectorId, String jobId, String jobType, Map<String, Object> outcome,
                              Status status, String error, Instant now) {
        return store.update(Kind.CONNECTORS, connectorId, doc -> {
            if (doc == null) {
                return null;
            }
            Map<String, Object> lock = Docs.map(doc, "active_job");
            if (lock != null && jobId.equals(lock.get("job_id"))) {
                doc.put("active_job", null);
            }
            if (outcome != null) {
                Docs.child(doc, "last_sync").put(jobType, outcome);
            }
            if (status != null) {
                doc.put("status", status.value());
                doc.put("error", error);
            }
            doc.put("last_seen", Docs.ts(now));
            return doc;
        }).then();
    }
}
