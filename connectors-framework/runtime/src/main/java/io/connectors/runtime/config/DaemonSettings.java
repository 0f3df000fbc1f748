package io.connectors.runtime.config;

import java.time.Duration;

/**
 * @param syncOnStart   run each connector's full sync once at start-up
 * @param shutdownGrace time given to running syncs to stop on shutdown
 */
public record DaemonSettings(boolean syncOnStart, Duration shutdownGrace) {
}
