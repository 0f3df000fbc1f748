package io.connectors.runtime.daemon;

import io.connectors.runtime.state.ConnectorRecord;
import io.connectors.runtime.state.ConnectorRecords;
import io.connectors.runtime.state.StateStore.Versioned;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * What an operator can ask of a connector while daemons serve it, from the command line ({@code connectors pause|
 * resume|restart}) or the operations endpoint ({@code POST /connectors/<id>/pause|resume|restart}): recorded in the
 * connector's record, so that every daemon serving it honours it within its {@code daemon.poll_interval}.
 *
 * <ul>
 *   <li><b>pause</b>: no job of the connector starts (scheduled ticks are counted as skipped, a start-up sync is not
 *       queued, queued and suspended jobs wait, a real-time job is not created), and its running job is suspended, as
 *       on a shutdown: a split full sync keeps its positions. Idempotent.</li>
 *   <li><b>resume</b>: lifts the pause; the suspended or queued job is claimed at the next poll and resumes where it
 *       was. Idempotent.</li>
 *   <li><b>restart</b>: the job running now is suspended and claimed again at once, with a new source (new
 *       connections, the configuration read again); a split full sync resumes from its positions. Refused while
 *       paused. With no job running there is nothing to restart: the answer says so.</li>
 * </ul>
 */
public final class ConnectorControl {
    /** The actions, as the command line and the endpoint name them. */
    public enum Action {
        PAUSE, RESUME, RESTART;

        public String value() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** No connector of that id is recorded in Elasticsearch. */
    public static final class UnknownConnectorException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnknownConnectorException(String message) {
            super(message);
        }
    }

    /** The action cannot be taken in the connector's state (a restart while paused). */
    public static final class RefusedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RefusedException(String message) {
            super(message);
        }
    }

    /** What an action did: a sentence for people, and the connector's state after it. */
    public record Outcome(String connectorId, Action action, String message, Map<String, Object> state) {
    }

    private final ConnectorRecords connectors;
    private final Clock clock;

    public ConnectorControl(ConnectorRecords connectors, Clock clock) {
        this.connectors = connectors;
        this.clock = clock;
    }

    /**
     * Takes {@code action} on the connector; {@code by} says who asked (kept with a pause), {@code reason} why (may be
     * null). Fails with {@link UnknownConnectorException} or {@link RefusedException}.
     */
    public Mono<Outcome> apply(String connectorId, Action action, String by, String reason) {
        Instant now = clock.instant();
        return known(connectorId).flatMap(before -> switch (action) {
            case PAUSE -> connectors.setPaused(connectorId, true, by, reason, now).map(after -> new Outcome(connectorId,
                    action, "Connector " + connectorId + " paused: no job of it starts until it is resumed"
                            + (before.doc().activeJob() == null ? "."
                            : "; its running job " + before.doc().activeJob().jobId() + " is suspended within a few"
                            + " seconds and resumes where it was once the connector is resumed."), state(after.doc())));
            case RESUME -> connectors.setPaused(connectorId, false, by, null, now).map(after -> new Outcome(connectorId,
                    action, paused(before.doc())
                            ? "Connector " + connectorId + " resumed: its schedules run again, and a queued or suspended"
                            + " job of it is taken up at the next poll."
                            : "Connector " + connectorId + " was not paused; nothing changed.", state(after.doc())));
            case RESTART -> {
                if (paused(before.doc())) {
                    yield Mono.error(new RefusedException("connector " + connectorId + " is paused (since "
                            + before.doc().control().pausedAt() + ", by " + before.doc().control().pausedBy()
                            + "); resume it instead: connectors resume " + connectorId));
                }
                ConnectorRecord.ActiveJob active = before.doc().activeJob();
                yield connectors.requestRestart(connectorId, now).map(after -> new Outcome(connectorId, action,
                        active == null
                                ? "Connector " + connectorId + " has no job running; its next job starts with a new"
                                + " source anyway. To run one now: connectors jobs start " + connectorId
                                : "Connector " + connectorId + ": job " + active.jobId() + " is suspended within a few"
                                + " seconds and taken up again at once with a new source (a split full sync keeps"
                                + " its positions).", state(after.doc())));
            }
        });
    }

    /** Every recorded connector's state, by id. */
    public Mono<List<Map<String, Object>>> list() {
        return connectors.all(1000).map(all -> all.stream().map(v -> state(v.doc())).toList());
    }

    private Mono<Versioned<ConnectorRecord>> known(String connectorId) {
        return connectors.get(connectorId).switchIfEmpty(connectors.all(1000).flatMap(all -> Mono.error(
                new UnknownConnectorException("no connector '" + connectorId + "' is recorded in Elasticsearch; known"
                        + " connectors: " + all.stream().map(Versioned::id).toList()))));
    }

    static boolean paused(ConnectorRecord r) {
        return r.control() != null && r.control().paused();
    }

    /** What the endpoint shows of a connector: its id, running or paused, and the job running now. */
    public static Map<String, Object> state(ConnectorRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("type", r.type());
        m.put("state", paused(r) ? "paused" : "running");
        if (paused(r)) {
            m.put("paused_at", String.valueOf(r.control().pausedAt()));
            m.put("paused_by", r.control().pausedBy());
            if (r.control().reason() != null) {
                m.put("reason", r.control().reason());
            }
        }
        m.put("status", r.status());
        m.put("running_job", r.activeJob() == null ? null : r.activeJob().jobId());
        if (r.skippedTicks() != null) {
            m.put("skipped_ticks", r.skippedTicks().count());
            m.put("last_skip", r.skippedTicks().lastReason());
        }
        return m;
    }
}
