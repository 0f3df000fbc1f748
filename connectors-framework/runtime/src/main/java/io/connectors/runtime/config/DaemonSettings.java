package io.connectors.runtime.config;

import io.connectors.spi.config.ConfigField;
import io.connectors.spi.config.FieldFormat;
import io.connectors.spi.config.SourceConfig;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How the daemon runs: the {@code daemon} and {@code state} settings, each declared once below (the operations
 * endpoint's {@code daemon.http} settings are {@link OpsSettings}).
 *
 * @param syncOnStart          queue each connector's full sync at start-up
 * @param shutdownGrace        time given to running syncs to stop on shutdown
 * @param workerId             this daemon's name in job records
 * @param pollInterval         how often queued jobs and stale workers are looked for
 * @param heartbeatInterval    how often a running job records its counts and heartbeat
 * @param heartbeatTimeout     silence after which a running job's worker is considered gone; at least three
 *                             heartbeat intervals
 * @param http                 the operations endpoint
 * @param statePrefix          prefix of the state indices' aliases
 * @param jobRetention         how long ended jobs are kept; zero keeps them forever
 * @param realtimeRestartDelay how long after a real-time job ended the next one is created
 */
public record DaemonSettings(
        boolean syncOnStart,
        Duration shutdownGrace,
        String workerId,
        Duration pollInterval,
        Duration heartbeatInterval,
        Duration heartbeatTimeout,
        OpsSettings http,
        String statePrefix,
        Duration jobRetention,
        Duration realtimeRestartDelay) {

    public static final ConfigField SYNC_ON_START = ConfigField.bool("sync_on_start").defaultValue(true)
            .description("Queue each connector's full sync at start-up, unless one is already queued or suspended. Not"
                    + " for `realtime: true` connectors: their real-time job runs a full sync itself when it has no"
                    + " cursor.");
    public static final ConfigField SHUTDOWN_GRACE = ConfigField.duration("shutdown_grace").defaultValue("20s")
            .validate(ConfigField.positiveDuration())
            .description("Time given to running jobs to stop and be recorded `suspended` on SIGTERM.");
    public static final ConfigField WORKER_ID = ConfigField.string("worker_id").defaultValue("")
            .description("This daemon's name in job records. Empty: `<host name>-<process id>`.");
    public static final ConfigField POLL_INTERVAL = ConfigField.duration("poll_interval").defaultValue("1s")
            .validate(ConfigField.positiveDuration())
            .description("How often the daemon looks for queued jobs (and, every quarter of"
                    + " `daemon.heartbeat_timeout`, for dead workers).");
    public static final ConfigField HEARTBEAT_INTERVAL = ConfigField.duration("heartbeat_interval").defaultValue("2s")
            .validate(ConfigField.positiveDuration())
            .description("How often a running job records its counts and heartbeat, and notices a cancel request.");
    public static final ConfigField HEARTBEAT_TIMEOUT = ConfigField.duration("heartbeat_timeout").defaultValue("30s")
            .validate(ConfigField.positiveDuration())
            .description("A running job silent this long is marked failed by any daemon and its connector freed. At"
                    + " least three heartbeat intervals; keep it well above the clock skew between daemon machines.");
    public static final ConfigField REALTIME_RESTART_DELAY = ConfigField.duration("realtime_restart_delay")
            .defaultValue("10s").validate(ConfigField.positiveDuration())
            .description("A `realtime: true` connector's next real-time job is created this long after its last one"
                    + " ended (an error, a cancel, a stream that ended).");

    public static final ConfigField INDEX_PREFIX = ConfigField.string("index_prefix").defaultValue("connectors-state")
            .validate(v -> ConfigLoader.indexProblem((String) v).orElse(null))
            .description("The state indices are the aliases `<prefix>-connectors` and `<prefix>-jobs`. Daemons that"
                    + " should cooperate use the same prefix.");
    public static final ConfigField JOB_RETENTION = ConfigField.duration("job_retention").defaultValue("30d")
            .validate(ConfigField.notNegativeDuration())
            .description("Ended jobs (completed, error, canceled, skipped) whose `completed_at` is older than this are"
                    + " deleted by the daemons (at start-up and every 10 minutes); `0` keeps them forever. Queued,"
                    + " running and suspended jobs are never deleted.");

    /** The {@code daemon} settings. */
    public static final SettingsGroup GROUP = new SettingsGroup("daemon",
            "How the daemon (`connectors run`) runs; see [control-plane.md](control-plane.md).",
            List.of(SYNC_ON_START, SHUTDOWN_GRACE, WORKER_ID, POLL_INTERVAL, HEARTBEAT_INTERVAL, HEARTBEAT_TIMEOUT,
                    REALTIME_RESTART_DELAY));
    /** The {@code state} settings. */
    public static final SettingsGroup STATE = new SettingsGroup("state",
            "The control plane: connectors and sync jobs, kept in Elasticsearch behind two aliases created at start-up;"
                    + " see [control-plane.md](control-plane.md).",
            List.of(INDEX_PREFIX, JOB_RETENTION));

    public DaemonSettings {
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
        Objects.requireNonNull(heartbeatTimeout, "heartbeatTimeout");
        if (heartbeatTimeout.compareTo(heartbeatInterval.multipliedBy(3)) < 0) {
            throw new IllegalArgumentException("daemon.heartbeat_timeout: must be at least three heartbeat intervals ("
                    + FieldFormat.duration(heartbeatInterval.multipliedBy(3)) + "), got "
                    + FieldFormat.duration(heartbeatTimeout));
        }
    }

    /** The bound {@code daemon} and {@code state} settings; {@code null} when they have problems. */
    static DaemonSettings from(SettingValues values) {
        OpsSettings http = OpsSettings.from(values);
        if (!values.bound(GROUP, STATE) || http == null) {
            return null;
        }
        SourceConfig v = values.of(GROUP);
        SourceConfig state = values.of(STATE);
        String worker = v.string(WORKER_ID).trim();
        return values.build(() -> new DaemonSettings(v.bool(SYNC_ON_START), v.duration(SHUTDOWN_GRACE),
                worker.isEmpty() ? defaultWorkerId() : worker, v.duration(POLL_INTERVAL), v.duration(HEARTBEAT_INTERVAL),
                v.duration(HEARTBEAT_TIMEOUT), http, state.string(INDEX_PREFIX), state.duration(JOB_RETENTION),
                v.duration(REALTIME_RESTART_DELAY)));
    }

    /** Every {@code daemon} and {@code state} setting at its declared default, with {@code syncOnStart} as given. */
    public static DaemonSettings defaults(boolean syncOnStart) {
        DaemonSettings d = from(SettingValues.defaults());
        return new DaemonSettings(syncOnStart, d.shutdownGrace, d.workerId, d.pollInterval, d.heartbeatInterval,
                d.heartbeatTimeout, d.http, d.statePrefix, d.jobRetention, d.realtimeRestartDelay);
    }

    /** {@code <host name>-<pid>}. */
    public static String defaultWorkerId() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "localhost";
        }
        return host + "-" + ProcessHandle.current().pid();
    }
}
