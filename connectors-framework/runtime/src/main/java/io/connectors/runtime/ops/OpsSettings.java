package io.connectors.runtime.ops;

import java.util.Objects;

/**
 * Where the operations endpoint ({@code /health}, {@code /ready}, {@code /metrics}) listens: the configuration keys
 * {@code daemon.http.enabled}, {@code daemon.http.host} and {@code daemon.http.port}.
 *
 * @param enabled whether to start the endpoint at all
 * @param host    the address to bind, e.g. {@code 127.0.0.1} (this machine only) or {@code 0.0.0.0} (every interface)
 * @param port    the TCP port, or 0 for an ephemeral port (see {@link OpsServer#port()})
 */
public record OpsSettings(boolean enabled, String host, int port) {

    public OpsSettings {
        Objects.requireNonNull(host, "host");
        if (enabled && host.isBlank()) {
            throw new IllegalArgumentException("daemon.http.host must not be empty");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("daemon.http.port must be between 0 and 65535, was " + port);
        }
    }

    /** Enabled, on {@code 127.0.0.1:8090}. */
    public static OpsSettings defaults() {
        return new OpsSettings(true, "127.0.0.1", 8090);
    }
}
