package io.connectors.runtime.es;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How to reach Elasticsearch: hosts, credentials, TLS, the connection pool and timeouts.
 *
 * <p>Immutable; the compact constructor validates every field and fails with an
 * {@link IllegalArgumentException} that names the field (never its secret value). Blank
 * {@code username}, {@code password} and {@code apiKey} are treated as unset.
 *
 * @param hosts                 {@code http(s)://host:port[/prefix]}, at least one, all with the same scheme;
 *                              requests are spread round-robin over them. No credentials in the URL.
 * @param username              basic-auth user; set together with {@code password}, or neither
 * @param password              basic-auth password
 * @param apiKey                sent as {@code Authorization: ApiKey <apiKey>}, as given (the encoded
 *                              {@code id:key} value); exclusive with basic auth
 * @param caFile                PEM file of the CA(s) to trust for https; {@code null} trusts the JVM defaults
 * @param verifyHostname        check that the server certificate matches the host name (default true)
 * @param maxConnections        pooled connections per host (default 16)
 * @param maxIdleTime           idle pooled connections are closed after this (default 30s)
 * @param maxLifeTime           connections are closed and replaced once this old (default 5m)
 * @param pendingAcquireTimeout longest wait for a free pooled connection (default 30s)
 * @param connectTimeout        TCP connect timeout (default 5s)
 * @param requestTimeout        longest wait for a response once the request is sent (default 60s)
 * @param compression           gzip request bodies and accept gzip responses (default false)
 */
public record ElasticsearchSettings(
        List<URI> hosts,
        String username,
        String password,
        String apiKey,
        Path caFile,
        boolean verifyHostname,
        int maxConnections,
        Duration maxIdleTime,
        Duration maxLifeTime,
        Duration pendingAcquireTimeout,
        Duration connectTimeout,
        Duration requestTimeout,
        boolean compression) {

    public static final int DEFAULT_MAX_CONNECTIONS = 16;
    public static final Duration DEFAULT_MAX_IDLE_TIME = Duration.ofSeconds(30);
    public static final Duration DEFAULT_MAX_LIFE_TIME = Duration.ofMinutes(5);
    public static final Duration DEFAULT_PENDING_ACQUIRE_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private static final String MASK = "********";

    public ElasticsearchSettings {
        hosts = validateHosts(hosts);
        username = blankToNull(username);
        password = blankToNull(password);
        apiKey = blankToNull(apiKey);
        if ((username == null) != (password == null)) {
            throw new IllegalArgumentException(
                    "elasticsearch: username and password must be set together (one of them is missing)");
        }
        if (apiKey != null && username != null) {
            throw new IllegalArgumentException(
                    "elasticsearch: set either apiKey or username/password, not both");
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException(
                    "elasticsearch.maxConnections must be at least 1, got " + maxConnections);
        }
        requirePositive("maxIdleTime", maxIdleTime);
        requirePositive("maxLifeTime", maxLifeTime);
        requirePositive("pendingAcquireTimeout", pendingAcquireTimeout);
        requirePositive("connectTimeout", connectTimeout);
        requirePositive("requestTimeout", requestTimeout);
    }

    /** One host, no credentials, JVM default trust, and the documented defaults for everything else. */
    public static ElasticsearchSettings defaults(URI host) {
        return new ElasticsearchSettings(List.of(Objects.requireNonNull(host, "host")), null, null, null, null, true,
                DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_IDLE_TIME, DEFAULT_MAX_LIFE_TIME,
                DEFAULT_PENDING_ACQUIRE_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, false);
    }

    public ElasticsearchSettings withHosts(List<URI> newHosts) {
        return new ElasticsearchSettings(newHosts, username, password, apiKey, caFile, verifyHostname,
                maxConnections, maxIdleTime, maxLifeTime, pendingAcquireTimeout, connectTimeout, requestTimeout,
                compression);
    }

    /** Basic auth instead of any API key. */
    public ElasticsearchSettings withBasicAuth(String newUsername, String newPassword) {
        return new ElasticsearchSettings(hosts, newUsername, newPassword, null, caFile, verifyHostname,
                maxConnections, maxIdleTime, maxLifeTime, pendingAcquireTimeout, connectTimeout, requestTimeout,
                compression);
    }

    /** API-key auth instead of any basic auth. */
    public ElasticsearchSettings withApiKey(String newApiKey) {
        return new ElasticsearchSettings(hosts, null, null, newApiKey, caFile, verifyHostname,
                maxConnections, maxIdleTime, maxLifeTime, pendingAcquireTimeout, connectTimeout, requestTimeout,
                compression);
    }

    public ElasticsearchSettings withTls(Path newCaFile, boolean newVerifyHostname) {
        return new ElasticsearchSettings(hosts, username, password, apiKey, newCaFile, newVerifyHostname,
                maxConnections, maxIdleTime, maxLifeTime, pendingAcquireTimeout, connectTimeout, requestTimeout,
                compression);
    }

    public ElasticsearchSettings withPool(int newMaxConnections, Duration newMaxIdleTime, Duration newMaxLifeTime,
                                          Duration newPendingAcquireTimeout) {
        return new ElasticsearchSettings(hosts, username, password, apiKey, caFile, verifyHostname,
                newMaxConnections, newMaxIdleTime, newMaxLifeTime, newPendingAcquireTimeout, connectTimeout,
                requestTimeout, compression);
    }

    public ElasticsearchSettings withTimeouts(Duration newConnectTimeout, Duration newRequestTimeout) {
        return new ElasticsearchSettings(hosts, username, password, apiKey, caFile, verifyHostname,
                maxConnections, maxIdleTime, maxLifeTime, pendingAcquireTimeout, newConnectTimeout,
                newRequestTimeout, compression);
    }

    public ElasticsearchSettings withCompression(boolean newCompression) {
        return new ElasticsearchSettings(hosts, username, password, apiKey, caFile, verifyHostname,
                maxConnections, maxIdleTime, maxLifeTime, pendingAcquireTimeout, connectTimeout, requestTimeout,
                newCompression);
    }

    /** True when the hosts use https. */
    public boolean secure() {
        return "https".equals(hosts.get(0).getScheme());
    }

    @Override
    public String toString() {
        return "ElasticsearchSettings[hosts=" + hosts
                + ", username=" + username
                + ", password=" + (password == null ? null : MASK)
                + ", apiKey=" + (apiKey == null ? null : MASK)
                + ", caFile=" + caFile
                + ", verifyHostname=" + verifyHostname
                + ", maxConnections=" + maxConnections
                + ", maxIdleTime=" + maxIdleTime
                + ", maxLifeTime=" + maxLifeTime
                + ", pendingAcquireTimeout=" + pendingAcquireTimeout
                + ", connectTimeout=" + connectTimeout
                + ", requestTimeout=" + requestTimeout
                + ", compression=" + compression + "]";
    }

    private static List<URI> validateHosts(List<URI> hosts) {
        if (hosts == null || hosts.isEmpty()) {
            throw new IllegalArgumentException("elasticsearch.hosts must name at least one http(s)://host:port");
        }
        List<URI> normalized = new ArrayList<>(hosts.size());
        String scheme = null;
        for (URI host : hosts) {
            if (host == null) {
                throw new IllegalArgumentException("elasticsearch.hosts must not contain an empty entry");
            }
            String s = host.getScheme() == null ? null : host.getScheme().toLowerCase(Locale.ROOT);
            if (!"http".equals(s) && !"https".equals(s)) {
                throw new IllegalArgumentException("elasticsearch.hosts: '" + redact(host)
                        + "' must start with http:// or https://");
            }
            // Credentials in a URL end up in logs and exception messages; they belong in username/password.
            if (host.getRawUserInfo() != null) {
                throw new IllegalArgumentException("elasticsearch.hosts: '" + redact(host)
                        + "' contains credentials; use username/password or apiKey instead");
            }
            if (host.getHost() == null) {
                throw new IllegalArgumentException("elasticsearch.hosts: '" + redact(host) + "' has no host name");
            }
            if (host.getRawQuery() != null || host.getRawFragment() != null) {
                throw new IllegalArgumentException("elasticsearch.hosts: '" + redact(host)
                        + "' must not have a query or fragment");
            }
            if (scheme != null && !scheme.equals(s)) {
                throw new IllegalArgumentException("elasticsearch.hosts must all use the same scheme (http or https)");
            }
            scheme = s;
            String path = host.getRawPath() == null ? "" : host.getRawPath();
            while (path.endsWith("/")) {
                path = path.substring(0, path.length() - 1);
            }
            normalized.add(URI.create(s + "://" + host.getRawAuthority() + path));
        }
        return List.copyOf(normalized);
    }

    private static String redact(URI host) {
        if (host.getRawUserInfo() == null) {
            return host.toString();
        }
        return host.getScheme() + "://" + MASK + "@" + host.getHost()
                + (host.getPort() < 0 ? "" : ":" + host.getPort());
    }

    private static void requirePositive(String field, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("elasticsearch." + field + " must be a positive duration, got " + value);
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
