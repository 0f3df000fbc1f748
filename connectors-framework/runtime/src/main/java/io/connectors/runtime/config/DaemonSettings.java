package io.connectors.runtime.config;

import io.connectors.runtime.ops.OpsSettings;
import java.time.Duration;

/**
 * How the daemon runs.
 *
 * @param syncOnStart       queue each connector's full sync at start-up
 * @param shutdownGrace     time given to running syncs to stop on shutdown
 * @param workerId          this daemon's name in job records
 * @param pollInterval      how often queued jobs and stale workers are looked for
 * @param heartbeatInterval how often a running job records its counts and heartbeat
 * @param heartbeatTimeout  silence after which a running job's worker is considered gone
 * @param http              the operations endpoint
 * @param statePrefix       prefix of the state indices' aliases
 * @param jobRetention      how long ended jobs are kept; zero keeps them forever
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

    /** With the default {@code realtimeRestartDelay} (10 s). */
    public DaemonSettings(boolean syncOnStart, Duration shutdownGrace, String workerId, Duration pollInterval,
                          Duration heartbeatInterval, Duration heartbeatTimeout, OpsSettings http, String statePrefix,
                          Duration jobRetention) {
        this(syncOnStart, shutdownGrace, workerId, pollInterval, heartbeatInterval, heartbeatTimeout, http, statePrefix,
                jobRetention, Duration.ofSeconds(10));
    }

    /** The settings of {@code reference.conf}, with {@code syncOnStart} as given (tests). */
    public static DaemonSettings defaults(boolean syncOnStart) {
        return new DaemonSettings(syncOnStart, Duration.ofSeconds(20), defaultWorkerId(), Duration.ofSeconds(1),
                Duration.ofSeconds(2), Duration.ofSeconds(30), OpsSettings.defaults(), "connectors-state",
                Duration.ofDays(30), Duration.ofSeconds(10));
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
