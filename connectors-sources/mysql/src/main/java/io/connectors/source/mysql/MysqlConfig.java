package io.connectors.source.mysql;

import io.connectors.spi.config.ConfigField;
import io.connectors.spi.config.SourceConfig;
import io.connectors.spi.network.NetworkPolicy;
import java.util.List;
import java.util.Optional;

/**
 * The {@code mysql} source's configuration: each field declared once (the runtime derives validation, defaults,
 * masking of secrets and the configuration reference, docs/CONFIG.md, from these declarations), and the typed values
 * read from a validated {@link SourceConfig}.
 *
 * <p>The scaffold declares what most network sources need; rename, add and remove fields to fit the backend.
 *
 * @param host                  the backend's host name or IP address
 * @param port                  its port
 * @param username              the user to authenticate as, if any
 * @param password              that user's password, if any; a secret
 * @param maxConcurrentRequests requests to the backend in flight at once
 * @param requestsPerSecond     requests started per second at most; 0 for no limit
 */
record MysqlConfig(String host, int port, Optional<String> username, Optional<String> password,
                      int maxConcurrentRequests, int requestsPerSecond) {

    static final String HOST = "host";
    static final String PORT = "port";
    static final String USERNAME = "username";
    static final String PASSWORD = "password";
    static final String MAX_CONCURRENT_REQUESTS = "max_concurrent_requests";
    static final String REQUESTS_PER_SECOND = "requests_per_second";

    static final List<ConfigField> FIELDS = List.of(
            ConfigField.string(HOST).asRequired()
                    .validate(ConfigField.notEmpty())
                    .validate(value -> NetworkPolicy.hostProblem((String) value).orElse(null))
                    .description("The backend's host name or IP address, without scheme or port. Checked against the"
                            + " daemon's network policy before any connection.")
                    .order(1),
            ConfigField.integer(PORT).asRequired()
                    .validate(ConfigField.between(1, 65_535))
                    .description("The backend's port.")
                    .order(2),
            ConfigField.string(USERNAME)
                    .description("The user to authenticate as; leave out for a backend without authentication.")
                    .order(3),
            ConfigField.string(PASSWORD).asSensitive()
                    .description("The password of `username`. A secret: write `${ENV_VAR}` in config.yml rather than"
                            + " the value; it never appears in logs, errors or job records.")
                    .order(4),
            ConfigField.integer(MAX_CONCURRENT_REQUESTS).defaultValue(4L)
                    .validate(ConfigField.between(1, 64))
                    .description("Requests to the backend in flight at once, for one connector.")
                    .order(5),
            ConfigField.integer(REQUESTS_PER_SECOND).defaultValue(0L)
                    .validate(ConfigField.between(0, 100_000))
                    .description("Requests started per second at most, for one connector; 0 for no limit.")
                    .order(6));

    /** Reads the typed values; no I/O. */
    static MysqlConfig from(SourceConfig config) {
        return new MysqlConfig(
                config.string(HOST),
                (int) config.integer(PORT),
                config.optionalString(USERNAME),
                config.optionalString(PASSWORD),
                (int) config.integer(MAX_CONCURRENT_REQUESTS),
                (int) config.integer(REQUESTS_PER_SECOND));
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return "MysqlConfig[host=" + host + ", port=" + port + ", username=" + username.orElse("")
                + ", password=" + (password.isPresent() ? SourceConfig.MASK : "") + ", maxConcurrentRequests="
                + maxConcurrentRequests + ", requestsPerSecond=" + requestsPerSecond + "]";
    }
}
