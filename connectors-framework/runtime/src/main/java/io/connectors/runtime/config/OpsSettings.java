package io.connectors.runtime.config;

import io.connectors.spi.config.ConfigField;
import io.connectors.spi.config.SourceConfig;
import java.util.List;
import java.util.Objects;

/**
 * Where the operations endpoint ({@code /health}, {@code /ready}, {@code /metrics}) listens: the {@code daemon.http}
 * settings, each declared once below.
 *
 * @param enabled whether to start the endpoint at all
 * @param host    the address to bind, e.g. {@code 127.0.0.1} (this machine only) or {@code 0.0.0.0} (every interface)
 * @param port    the TCP port, or 0 for an ephemeral port (the server reports the one it took)
 * @param controls whether {@code POST /connectors/<id>/pause|resume|restart} is answered: {@code loopback} (only
 *                 when {@code host} is a loopback address), {@code on} or {@code off}
 */
public record OpsSettings(boolean enabled, String host, int port, String controls) {

    public static final ConfigField ENABLED = ConfigField.bool("enabled").defaultValue(true)
            .description("Start the endpoint. `false`: no port is opened.");
    public static final ConfigField HOST = ConfigField.string("host").defaultValue("127.0.0.1")
            .description("Address to listen on. `127.0.0.1` keeps it on this machine. In a container, use `0.0.0.0` so"
                    + " the kubelet or Prometheus can reach it.");
    public static final ConfigField PORT = ConfigField.integer("port").defaultValue(8090L)
            .validate(ConfigField.between(0, 65_535))
            .description("TCP port. `0` takes a free port (the log line at start names it).");

    public static final ConfigField CONTROLS = ConfigField.string("controls").defaultValue("loopback")
            .validate(ConfigField.oneOf("loopback", "on", "off"))
            .description("Whether the endpoint takes `POST /connectors/<id>/pause`, `/resume` and `/restart`"
                    + " (`GET /connectors` lists them either way). `loopback`: only while `host` is a loopback address,"
                    + " so only this machine can pause a connector; `on`: on any address (put it behind an"
                    + " authenticating proxy); `off`: never (403).");

    /** The {@code daemon.http} settings. */
    public static final SettingsGroup GROUP = new SettingsGroup("daemon.http",
            "The operations endpoint: `/health`, `/ready` and `/metrics` (Prometheus); see"
                    + " [OPERATIONS.md](OPERATIONS.md).",
            List.of(ENABLED, HOST, PORT, CONTROLS));

    /** With controls as by default: only on a loopback address. */
    public OpsSettings(boolean enabled, String host, int port) {
        this(enabled, host, port, "loopback");
    }

    /** Whether the connector controls are answered on this endpoint. */
    public boolean controlsAllowed() {
        return switch (controls) {
            case "on" -> true;
            case "off" -> false;
            default -> {
                try {
                    yield java.net.InetAddress.getByName(host).isLoopbackAddress();
                } catch (java.net.UnknownHostException e) {
                    yield false;
                }
            }
        };
    }

    public OpsSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(controls, "controls");
        if (enabled && host.isBlank()) {
            throw new IllegalArgumentException("daemon.http.host: must not be empty while daemon.http.enabled is true");
        }
    }

    /** The bound {@code daemon.http} settings; {@code null} when they have problems (reported in {@code values}). */
    static OpsSettings from(SettingValues values) {
        if (!values.bound(GROUP)) {
            return null;
        }
        SourceConfig v = values.of(GROUP);
        return values.build(() -> new OpsSettings(v.bool(ENABLED), v.string(HOST), (int) v.integer(PORT),
                v.string(CONTROLS)));
    }

    /** Enabled, on {@code 127.0.0.1:8090}: every {@code daemon.http} setting at its declared default. */
    public static OpsSettings defaults() {
        return from(SettingValues.defaults());
    }
}
