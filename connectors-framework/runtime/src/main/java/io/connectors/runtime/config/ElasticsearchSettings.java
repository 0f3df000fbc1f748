package io.connectors.runtime.config;

import io.connectors.spi.config.ConfigField;
import io.connectors.spi.config.SourceConfig;
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
 * <p>The {@code elasticsearch}, {@code elasticsearch.pool} and {@code elasticsearch.timeouts} settings, each declared
 * once below (bounds and defaults included). The compact constructor holds the rules that span settings (the URLs,
 * credentials given in pairs) and fails with an {@link IllegalArgumentException} that names the key (never a secret
 * value). Blank {@code username}, {@code password} and {@code apiKey} are treated as unset.
 *
 * @param hosts                 {@code http(s)://host:port[/prefix]}, at least one, all with the same scheme;
 *                              requests are spread round-robin over them. No credentials in the URL.
 * @param username              basic-auth user; set together with {@code password}, or neither
 * @param password              basic-auth password
 * @param apiKey                sent as {@code Authorization: ApiKey <apiKey>}, as given (the encoded
 *                              {@code id:key} value); exclusive with basic auth
 * @param caFile                PEM file of the CA(s) to trust for https; {@code null} trusts the JVM defaults
 * @param verifyHostname        check that the server certificate matches the host name
 * @param maxConnections        pooled connections per host
 * @param maxIdleTime           idle pooled connections are closed after this
 * @param maxLifeTime           connections are closed and replaced once this old
 * @param pendingAcquireTimeout longest wait for a free pooled connection
 * @param connectTimeout        TCP connect timeout
 * @param requestTimeout        longest wait for a response once the request is sent
 * @param compression           gzip request bodies and accept gzip responses
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

    public static final ConfigField HOST = ConfigField.string("host").defaultValue("")
            .description("One URL, or several separated by commas (`https://es1:9200,https://es2:9200`). Empty: start a"
                    + " local Elasticsearch (see `elasticsearch.embedded`).");
    public static final ConfigField USERNAME = ConfigField.string("username").defaultValue("")
            .description("Basic authentication: give `password` too, or neither. The user needs the role in"
                    + " [elasticsearch.md](elasticsearch.md#a-least-privilege-role); `connectors run` and `connectors"
                    + " sync` check it at start-up and name every missing privilege.");
    public static final ConfigField PASSWORD = ConfigField.string("password").defaultValue("").asSensitive()
            .description("The password of `username`.");
    public static final ConfigField API_KEY = ConfigField.string("api_key").defaultValue("").asSensitive()
            .description("Sent as `Authorization: ApiKey <value>`, exactly as given: the base64 `id:key` value"
                    + " Elasticsearch returns as `encoded`. Exclusive with `username` and `password`.");
    public static final ConfigField CA_FILE = ConfigField.string("ca_file").defaultValue("")
            .description("PEM file of the CA that signed the cluster's certificate, to trust for `https`. Empty: the"
                    + " JVM's trust store.");
    public static final ConfigField VERIFY_HOSTNAME = ConfigField.bool("verify_hostname").defaultValue(true)
            .description("Check that the server certificate matches the host name.");
    public static final ConfigField COMPRESSION = ConfigField.bool("compression").defaultValue(false)
            .description("gzip request bodies and accept gzip responses.");

    public static final ConfigField MAX_CONNECTIONS = ConfigField.integer("max_connections").defaultValue(16L)
            .validate(ConfigField.atLeast(1)).validate(ConfigField.atMost(10_000))
            .description("Pooled connections per host.");
    public static final ConfigField MAX_IDLE_TIME = ConfigField.duration("max_idle_time").defaultValue("30s")
            .validate(ConfigField.positiveDuration())
            .description("An idle pooled connection is closed after this long.");
    public static final ConfigField MAX_LIFE_TIME = ConfigField.duration("max_life_time").defaultValue("5m")
            .validate(ConfigField.positiveDuration())
            .description("A pooled connection is recycled once this old.");
    public static final ConfigField PENDING_ACQUIRE_TIMEOUT = ConfigField.duration("pending_acquire_timeout")
            .defaultValue("30s").validate(ConfigField.positiveDuration())
            .description("Longest wait for a pooled connection.");

    public static final ConfigField CONNECT_TIMEOUT = ConfigField.duration("connect").defaultValue("5s")
            .validate(ConfigField.positiveDuration())
            .description("TCP connect timeout.");
    public static final ConfigField REQUEST_TIMEOUT = ConfigField.duration("request").defaultValue("60s")
            .validate(ConfigField.positiveDuration())
            .description("Longest wait for a response.");

    /** The {@code elasticsearch} settings. */
    public static final SettingsGroup GROUP = new SettingsGroup("elasticsearch",
            "How the daemon reaches Elasticsearch. [elasticsearch.md](elasticsearch.md) describes the transport.",
            List.of(HOST, USERNAME, PASSWORD, API_KEY, CA_FILE, VERIFY_HOSTNAME, COMPRESSION));
    /** The {@code elasticsearch.pool} settings. */
    public static final SettingsGroup POOL = new SettingsGroup("elasticsearch.pool", "",
            List.of(MAX_CONNECTIONS, MAX_IDLE_TIME, MAX_LIFE_TIME, PENDING_ACQUIRE_TIMEOUT));
    /** The {@code elasticsearch.timeouts} settings. */
    public static final SettingsGroup TIMEOUTS = new SettingsGroup("elasticsearch.timeouts", "",
            List.of(CONNECT_TIMEOUT, REQUEST_TIMEOUT));

    /** Where the client goes when {@code elasticsearch.host} is empty and no local node has been started yet. */
    static final URI LOCAL = URI.create("http://127.0.0.1:9200");

    private static final String MASK = "********";

    public ElasticsearchSettings {
        hosts = validateHosts(hosts);
        username = blankToNull(username);
        password = blankToNull(password);
        apiKey = blankToNull(apiKey);
        if ((username == null) != (password == null)) {
            throw new IllegalArgumentException("elasticsearch.username/password: give both or neither");
        }
        if (apiKey != null && username != null) {
            throw new IllegalArgumentException(
                    "elasticsearch.api_key: give either an API key or a username and password, not both");
        }
        Objects.requireNonNull(maxIdleTime, "maxIdleTime");
        Objects.requireNonNull(maxLifeTime, "maxLifeTime");
        Objects.requireNonNull(pendingAcquireTimeout, "pendingAcquireTimeout");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
    }

    /**
     * The bound {@code elasticsearch} client settings, with {@code elasticsearch.host} parsed into URLs (none: the
     * local node's address until it is known); {@code null} when they have problems (reported in {@code values}).
     */
    static ElasticsearchSettings from(SettingValues values) {
        if (!values.bound(GROUP, POOL, TIMEOUTS)) {
            return null;
        }
        SourceConfig v = values.of(GROUP);
        SourceConfig pool = values.of(POOL);
        SourceConfig timeouts = values.of(TIMEOUTS);
        List<URI> hosts = new ArrayList<>();
        boolean bad = false;
        for (String entry : v.string(HOST).split(",")) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            try {
                hosts.add(new URI(trimmed));
            } catch (java.net.URISyntaxException e) {
                values.problem("elasticsearch.host: '" + trimmed + "' is not a valid URL");
                bad = true;
            }
        }
        String ca = v.string(CA_FILE);
        Path caFile = ca.isBlank() ? null : Path.of(ca);
        if (caFile != null && !java.nio.file.Files.isReadable(caFile)) {
            values.problem("elasticsearch.ca_file: cannot read '" + ca + "'");
            bad = true;
        }
        if (bad) {
            return null;
        }
        return values.build(() -> new ElasticsearchSettings(hosts.isEmpty() ? List.of(LOCAL) : hosts,
                v.string(USERNAME), v.string(PASSWORD), v.string(API_KEY), caFile, v.bool(VERIFY_HOSTNAME),
                (int) pool.integer(MAX_CONNECTIONS), pool.duration(MAX_IDLE_TIME), pool.duration(MAX_LIFE_TIME),
                pool.duration(PENDING_ACQUIRE_TIMEOUT), timeouts.duration(CONNECT_TIMEOUT),
                timeouts.duration(REQUEST_TIMEOUT), v.bool(COMPRESSION)));
    }

    /** One host, no credentials, JVM default trust, and the documented defaults for everything else. */
    public static ElasticsearchSettings defaults(URI host) {
        return from(SettingValues.defaults()).withHosts(List.of(Objects.requireNonNull(host, "host")));
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
            throw new IllegalArgumentException("elasticsearch.host: must name at least one http(s)://host:port");
        }
        List<URI> normalized = new ArrayList<>(hosts.size());
        String scheme = null;
        for (URI host : hosts) {
            if (host == null) {
                throw new IllegalArgumentException("elasticsearch.host: must not contain an empty entry");
            }
            String s = host.getScheme() == null ? null : host.getScheme().toLowerCase(Locale.ROOT);
            if (!"http".equals(s) && !"https".equals(s)) {
                throw new IllegalArgumentException("elasticsearch.host: '" + redact(host)
                        + "' is not an http(s) URL such as http://localhost:9200");
            }
            // Credentials in a URL end up in logs and exception messages; they belong in username/password.
            if (host.getRawUserInfo() != null) {
                throw new IllegalArgumentException("elasticsearch.host: '" + redact(host)
                        + "' contains credentials; put them in elasticsearch.username/password or api_key, not in the URL");
            }
            if (host.getHost() == null) {
                throw new IllegalArgumentException("elasticsearch.host: '" + redact(host) + "' has no host name");
            }
            if (host.getRawQuery() != null || host.getRawFragment() != null) {
                throw new IllegalArgumentException("elasticsearch.host: '" + redact(host)
                        + "' must not have a query or fragment");
            }
            if (scheme != null && !scheme.equals(s)) {
                throw new IllegalArgumentException("elasticsearch.host: every URL must use the same scheme (http or https)");
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

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
