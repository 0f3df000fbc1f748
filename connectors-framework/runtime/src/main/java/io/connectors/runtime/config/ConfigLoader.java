package io.connectors.runtime.config;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.parser.CronParser;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.connectors.runtime.SourceRegistry;
import io.connectors.runtime.es.ElasticsearchSettings;
import io.connectors.runtime.rules.SyncRulesCodec;
import io.connectors.runtime.sink.BulkSinkSettings;
import io.connectors.spi.DataSourceProvider;
import io.connectors.spi.config.ConfigValidationException;
import io.connectors.spi.config.FieldError;
import io.connectors.spi.config.SourceConfig;
import io.connectors.spi.network.NetworkPolicy;
import io.connectors.spi.rules.SyncRules;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/**
 * Reads {@code config.yml} (YAML) over the defaults of {@code reference.conf}, applies environment-variable
 * overrides, and binds the result to typed objects, collecting every problem with its key before failing.
 *
 * <p>Environment overrides: {@code CONNECTORS_} followed by a key path in upper case with dots as underscores,
 * e.g. {@code CONNECTORS_ELASTICSEARCH_HOST} for {@code elasticsearch.host}, or
 * {@code CONNECTORS_BULK_MAX_ACTIONS} for {@code bulk.max_actions}.
 */
public final class ConfigLoader {
    /** Environment variables with the prefix that are not configuration keys. */
    private static final Set<String> NOT_KEYS = Set.of("CONNECTORS_CONFIG", "CONNECTORS_HOME", "CONNECTORS_OPTS", "CONNECTORS_JAVA_OPTS", "CONNECTORS_EXTRA_JAVA_OPTS", "CONNECTORS_LOG_LEVEL", "CONNECTORS_LOG_FORMAT");
    /** Keys whose values are secrets: never shown in messages (and marked in the configuration reference). */
    static final Set<String> SENSITIVE = Set.of("elasticsearch.password", "elasticsearch.api_key");
    private static final Set<String> JOB_TYPES = Set.of("full", "incremental", "access_control");
    private static final Pattern CONNECTOR_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");
    private static final Pattern BAD_INDEX_CHARS = Pattern.compile("[\\\\/*?\"<>| ,#:A-Z]");
    private static final CronParser CRON = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ));

    private final String origin;
    private final SourceRegistry registry;
    private final List<String> problems = new ArrayList<>();
    private Config config;
    private NetworkPolicy network = NetworkPolicy.defaults();

    private ConfigLoader(String origin, SourceRegistry registry) {
        this.origin = origin;
        this.registry = registry;
    }

    /**
     * @param file     the YAML file
     * @param env      the environment (overrides and {@code ${VAR}} references)
     * @param registry the source types known, to validate each connector's configuration
     * @throws ConfigException listing every problem, each with its key
     */
    public static ConnectorsConfig load(Path file, Map<String, String> env, SourceRegistry registry) {
        Map<String, Object> yaml = YamlReader.read(file, env::get);
        return fromMap(yaml, file.toString(), env, registry);
    }

    /** As {@link #load}, from an already parsed document (tests, embedded use). */
    public static ConnectorsConfig fromMap(Map<String, Object> yaml, String origin, Map<String, String> env,
                                           SourceRegistry registry) {
        return new ConfigLoader(origin, registry).bind(yaml, env);
    }

    private ConnectorsConfig bind(Map<String, Object> yaml, Map<String, String> env) {
        Config reference = reference();
        Config file = ConfigFactory.parseMap(yaml, origin);
        checkUnknownKeys(file, reference);
        Config overrides = environmentOverrides(env, file.withFallback(reference));
        // Unknown keys and stray environment variables do not stop the sections from being checked: `config check`
        // reports every problem of the file at once.
        config = overrides.withFallback(file).withFallback(reference).resolve();

        ElasticsearchConfig es = section("elasticsearch", this::elasticsearch);
        BulkSinkSettings bulk = section("bulk", this::bulk);
        SyncSettings sync = section("sync", this::sync);
        DaemonSettings daemon = section("daemon", this::daemon);
        network = network();
        List<ConnectorConfig> connectors = connectors();
        if (!problems.isEmpty()) {
            throw new ConfigException(origin, problems);
        }
        return new ConnectorsConfig(origin, es, bulk, sync, daemon, connectors, network);
    }

    /** The defaults: every {@code reference.conf} on the class path, with their comments (the keys' descriptions). */
    static Config reference() {
        return ConfigFactory.parseResources(ConfigLoader.class.getClassLoader(), "reference.conf",
                ConfigParseOptions.defaults().setAllowMissing(false));
    }

    /** The environment variable that overrides the key at {@code path}: {@code CONNECTORS_BULK_MAX_ACTIONS}. */
    static String environmentVariable(String path) {
        return "CONNECTORS_" + path.replace('.', '_').replace("\"", "").toUpperCase(Locale.ROOT);
    }

    /**
     * Builds a section's typed object. Problems already reported for it are what the user needs to see; a record
     * refusing a combination the checks above let through is reported under the section's name.
     */
    private <T> T section(String name, java.util.function.Supplier<T> build) {
        int before = problems.size();
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            if (problems.size() == before) {
                problems.add(name + ": " + e.getMessage());
            }
            return null;
        }
    }

    private void checkUnknownKeys(Config file, Config reference) {
        for (Map.Entry<String, ConfigValue> e : file.entrySet()) {
            String path = e.getKey();
            if (path.equals("connectors") || path.startsWith("connectors.")) {
                continue;
            }
            if (!reference.hasPathOrNull(path)) {
                String hint = closest(path, reference.entrySet().stream().map(Map.Entry::getKey).toList())
                        .map(k -> "; did you mean '" + k + "'?").orElse("");
                problems.add(path + ": unknown key" + hint);
            }
        }
        if (file.hasPath("connectors") && file.getValue("connectors").valueType() != ConfigValueType.LIST) {
            problems.add("connectors: expected a list of connectors, got " + typeName(file.getValue("connectors")));
        }
    }

    private Config environmentOverrides(Map<String, String> env, Config known) {
        Map<String, String> byEnvName = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigValue> e : known.entrySet()) {
            byEnvName.put(environmentVariable(e.getKey()), e.getKey());
        }
        Config overrides = ConfigFactory.empty();
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(env).entrySet()) {
            String name = e.getKey();
            if (!name.startsWith("CONNECTORS_") || NOT_KEYS.contains(name)) {
                continue;
            }
            String path = byEnvName.get(name);
            if (path == null) {
                problems.add("environment variable " + name + ": does not name a configuration key"
                        + closest(name, byEnvName.keySet()).map(k -> "; did you mean " + k + "?").orElse(""));
                continue;
            }
            overrides = ConfigFactory.parseMap(Map.of(path, e.getValue()), "environment variable " + name)
                    .withFallback(overrides);
        }
        return overrides;
    }

    private ElasticsearchConfig elasticsearch() {
        String hostValue = get("elasticsearch.host", Config::getString, "");
        List<URI> hosts = new ArrayList<>();
        for (String h : hostValue.split(",")) {
            String trimmed = h.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            try {
                URI uri = URI.create(trimmed);
                if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                    problems.add("elasticsearch.host: '" + trimmed + "' is not an http(s) URL such as http://localhost:9200");
                } else if (uri.getUserInfo() != null) {
                    problems.add("elasticsearch.host: put credentials in elasticsearch.username/password, not in the URL");
                } else {
                    hosts.add(uri);
                }
            } catch (IllegalArgumentException ex) {
                problems.add("elasticsearch.host: '" + trimmed + "' is not a valid URL");
            }
        }
        String username = blankToNull(get("elasticsearch.username", Config::getString, ""));
        String password = blankToNull(get("elasticsearch.password", Config::getString, ""));
        String apiKey = blankToNull(get("elasticsearch.api_key", Config::getString, ""));
        if ((username == null) != (password == null)) {
            problems.add("elasticsearch.username/password: give both or neither");
        }
        if (apiKey != null && username != null) {
            problems.add("elasticsearch.api_key: give either an API key or a username and password, not both");
        }
        String ca = blankToNull(get("elasticsearch.ca_file", Config::getString, ""));
        Path caFile = null;
        if (ca != null) {
            caFile = Path.of(ca);
            if (!java.nio.file.Files.isReadable(caFile)) {
                problems.add("elasticsearch.ca_file: cannot read '" + ca + "'");
            }
        }
        ElasticsearchSettings client = new ElasticsearchSettings(
                hosts.isEmpty() ? List.of(URI.create("http://127.0.0.1:9200")) : hosts,
                username, password, apiKey, caFile,
                get("elasticsearch.verify_hostname", Config::getBoolean, true),
                (int) atLeast("elasticsearch.pool.max_connections", get("elasticsearch.pool.max_connections", Config::getInt, 16), 1),
                positive("elasticsearch.pool.max_idle_time", get("elasticsearch.pool.max_idle_time", Config::getDuration, Duration.ofSeconds(30))),
                positive("elasticsearch.pool.max_life_time", get("elasticsearch.pool.max_life_time", Config::getDuration, Duration.ofMinutes(5))),
                positive("elasticsearch.pool.pending_acquire_timeout", get("elasticsearch.pool.pending_acquire_timeout", Config::getDuration, Duration.ofSeconds(30))),
                positive("elasticsearch.timeouts.connect", get("elasticsearch.timeouts.connect", Config::getDuration, Duration.ofSeconds(5))),
                positive("elasticsearch.timeouts.request", get("elasticsearch.timeouts.request", Config::getDuration, Duration.ofSeconds(60))),
                get("elasticsearch.compression", Config::getBoolean, false));
        EmbeddedElasticsearchSettings embedded = new EmbeddedElasticsearchSettings(
                Optional.ofNullable(blankToNull(get("elasticsearch.embedded.version", Config::getString, ""))),
                Path.of(get("elasticsearch.embedded.home", Config::getString, ".local/elasticsearch")),
                get("elasticsearch.embedded.heap", Config::getString, "1g"),
                (int) atLeast("elasticsearch.embedded.port", get("elasticsearch.embedded.port", Config::getInt, 9200), 0));
        return new ElasticsearchConfig(List.copyOf(hosts), client, embedded);
    }

    private BulkSinkSettings bulk() {
        return new BulkSinkSettings(
                (int) atLeast("bulk.max_actions", get("bulk.max_actions", Config::getInt, 1000), 1),
                atLeast("bulk.max_bytes", get("bulk.max_bytes", Config::getBytes, 5L << 20), 1024),
                (int) atLeast("bulk.max_concurrent_requests", get("bulk.max_concurrent_requests", Config::getInt, 2), 1),
                (int) atLeast("bulk.max_retries", get("bulk.max_retries", Config::getInt, 5), 0),
                positive("bulk.initial_backoff", get("bulk.initial_backoff", Config::getDuration, Duration.ofMillis(200))),
                positive("bulk.max_backoff", get("bulk.max_backoff", Config::getDuration, Duration.ofSeconds(30))),
                atLeast("bulk.max_document_size", get("bulk.max_document_size", Config::getBytes, 10L << 20), 1),
                positive("bulk.flush_interval", get("bulk.flush_interval", Config::getDuration, Duration.ofSeconds(1))),
                get("bulk.error_breaker.max_errors", Config::getLong, 1000L),
                get("bulk.error_breaker.max_consecutive_errors", Config::getLong, 100L),
                rate("bulk.error_breaker.max_error_rate", get("bulk.error_breaker.max_error_rate", Config::getDouble, 0.5)),
                (int) atLeast("bulk.error_breaker.window", get("bulk.error_breaker.window", Config::getInt, 1000), 1));
    }

    private SyncSettings sync() {
        String temp = get("sync.temp_dir", Config::getString, "");
        int workers = (int) atLeast("sync.workers", get("sync.workers", Config::getInt, 0), 0);
        return new SyncSettings(
                (int) atLeast("sync.max_concurrent_syncs", get("sync.max_concurrent_syncs", Config::getInt, 2), 1),
                (int) atLeast("sync.reconcile_batch_size", get("sync.reconcile_batch_size", Config::getInt, 500), 1),
                workers == 0 ? SyncSettings.defaultWorkers() : workers,
                Path.of(temp.isBlank() ? System.getProperty("java.io.tmpdir") : temp),
                positive("sync.progress_interval", get("sync.progress_interval", Config::getDuration, Duration.ofSeconds(5))));
    }

    private DaemonSettings daemon() {
        String worker = get("daemon.worker_id", Config::getString, "").trim();
        Duration heartbeat = positive("daemon.heartbeat_interval", get("daemon.heartbeat_interval", Config::getDuration, Duration.ofSeconds(2)));
        Duration timeout = positive("daemon.heartbeat_timeout", get("daemon.heartbeat_timeout", Config::getDuration, Duration.ofSeconds(30)));
        if (timeout.compareTo(heartbeat.multipliedBy(3)) < 0) {
            problems.add("daemon.heartbeat_timeout: must be at least three heartbeat intervals (" + heartbeat.multipliedBy(3)
                    + "), got " + timeout);
        }
        String prefix = get("state.index_prefix", Config::getString, "connectors-state");
        indexProblem(prefix).ifPresent(p -> problems.add("state.index_prefix: " + p));
        int port = get("daemon.http.port", Config::getInt, 8090);
        if (port < 0 || port > 65535) {
            problems.add("daemon.http.port: must be a port number between 0 and 65535 (0 takes a free port), got " + port);
        }
        return new DaemonSettings(
                get("daemon.sync_on_start", Config::getBoolean, true),
                positive("daemon.shutdown_grace", get("daemon.shutdown_grace", Config::getDuration, Duration.ofSeconds(20))),
                worker.isEmpty() ? DaemonSettings.defaultWorkerId() : worker,
                positive("daemon.poll_interval", get("daemon.poll_interval", Config::getDuration, Duration.ofSeconds(1))),
                heartbeat, timeout,
                new io.connectors.runtime.ops.OpsSettings(get("daemon.http.enabled", Config::getBoolean, true),
                        get("daemon.http.host", Config::getString, "127.0.0.1"), port),
                prefix,
                notNegative("state.job_retention", get("state.job_retention", Config::getDuration, Duration.ofDays(30))),
                positive("daemon.realtime_restart_delay", get("daemon.realtime_restart_delay", Config::getDuration, Duration.ofSeconds(10))));
    }

    /** The {@code network} section; each invalid entry is reported with its key and index. */
    private NetworkPolicy network() {
        List<String> allowed = hostRules("network.allowed_hosts");
        List<String> denied = hostRules("network.denied_hosts");
        int before = problems.size();
        for (String key : List.of("network.allowed_hosts", "network.denied_hosts")) {
            List<String> rules = key.endsWith("allowed_hosts") ? allowed : denied;
            for (int i = 0; i < rules.size(); i++) {
                int index = i;
                NetworkPolicy.ruleProblem(rules.get(i)).ifPresent(p -> problems.add(key + "[" + index + "]: " + p));
            }
        }
        return problems.size() > before ? NetworkPolicy.defaults() : NetworkPolicy.of(allowed, denied);
    }

    /** A list of strings, or (from an environment variable) one string of comma-separated entries. */
    private List<String> hostRules(String path) {
        if (config.hasPath(path) && config.getValue(path).valueType() == ConfigValueType.STRING) {
            String text = config.getString(path);
            return text.isBlank() ? List.of() : java.util.Arrays.stream(text.split(",")).map(String::trim).toList();
        }
        return get(path, Config::getStringList, List.of());
    }

    private Duration notNegative(String path, Duration value) {
        if (value.isNegative()) {
            problems.add(path + ": must not be negative (0 keeps jobs forever), got " + value);
        }
        return value;
    }

    private List<ConnectorConfig> connectors() {
        if (config.getValue("connectors").valueType() != ConfigValueType.LIST) {
            return List.of();
        }
        List<ConnectorConfig> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        List<? extends ConfigValue> items = config.getList("connectors");
        for (int i = 0; i < items.size(); i++) {
            Object raw = items.get(i).unwrapped();
            String where = "connectors[" + i + "]";
            if (!(raw instanceof Map<?, ?> m)) {
                problems.add(where + ": expected a mapping with id, type and configuration");
                continue;
            }
            ConnectorConfig c = connector(where, m, ids);
            if (c != null) {
                out.add(c);
            }
        }
        return List.copyOf(out);
    }

    private ConnectorConfig connector(String where, Map<?, ?> m, Set<String> ids) {
        int before = problems.size();
        Object idValue = m.get("id");
        String id = idValue instanceof String s ? s : null;
        if (id == null) {
            problems.add(where + ".id: is required (a unique name such as 'docs')");
        } else {
            where = where + " (" + id + ")";
            if (!CONNECTOR_ID.matcher(id).matches()) {
                problems.add(where + ".id: use letters, digits, '.', '_' and '-' only (at most 100)");
            } else if (!ids.add(id)) {
                problems.add(where + ".id: another connector already uses this id");
            }
        }
        for (Object key : m.keySet()) {
            if (!ConnectorKey.isKey(String.valueOf(key))) {
                problems.add(where + "." + key + ": unknown key; a connector has " + new TreeSet<>(ConnectorKey.keys()));
            }
        }
        DataSourceProvider provider = null;
        Object typeValue = m.get("type");
        if (!(typeValue instanceof String type)) {
            problems.add(where + ".type: is required; known source types are " + registry.types());
        } else {
            provider = registry.find(type).orElse(null);
            if (provider == null) {
                problems.add(where + ".type: unknown source type '" + type + "'; known source types are " + registry.types());
            }
        }
        Object indexValue = m.containsKey("index") ? m.get("index") : id == null ? null : id.toLowerCase(Locale.ROOT);
        String index = indexValue instanceof String s ? s : null;
        if (index == null) {
            problems.add(where + ".index: expected an index name");
        } else {
            String at = where;
            indexProblem(index).ifPresent(p -> problems.add(at + ".index: " + p));
        }
        Object pipelineValue = m.get("pipeline");
        if (pipelineValue != null && !(pipelineValue instanceof String)) {
            problems.add(where + ".pipeline: expected the name of an ingest pipeline");
        }
        Object realtimeValue = m.get("realtime");
        if (realtimeValue instanceof String text && (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false"))) {
            realtimeValue = Boolean.valueOf(text);
        }
        if (realtimeValue != null && !(realtimeValue instanceof Boolean)) {
            problems.add(where + ".realtime: expected true or false, got '" + realtimeValue + "'");
        }
        boolean realtime = Boolean.TRUE.equals(realtimeValue);
        Map<String, String> schedules = schedules(where, m.get("schedule"));
        SyncRules rules = SyncRulesCodec.parse(m.get("sync_rules"), where + ".sync_rules", problems);
        SourceConfig source = null;
        Object cfg = m.get("configuration");
        if (cfg != null && !(cfg instanceof Map)) {
            problems.add(where + ".configuration: expected a mapping of the source's fields");
        } else if (provider != null) {
            @SuppressWarnings("unchecked")
            Map<String, ?> raw = cfg == null ? Map.of() : (Map<String, ?>) cfg;
            try {
                source = SourceConfig.from(provider.configFields(), raw);
            } catch (ConfigValidationException e) {
                for (FieldError fe : e.errors()) {
                    problems.add(where + ".configuration." + fe.field() + ": " + fe.message());
                }
            }
        }
        if (problems.size() > before) {
            return null;
        }
        String pipeline = (String) pipelineValue;
        return new ConnectorConfig(id, provider.type(), index,
                Optional.ofNullable(pipeline).filter(p -> !p.isBlank()), schedules, rules, provider, source, realtime,
                network);
    }

    private Map<String, String> schedules(String where, Object value) {
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> m)) {
            problems.add(where + ".schedule: expected a mapping of job type (" + new TreeSet<>(JOB_TYPES) + ") to a cron expression");
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String jobType = String.valueOf(e.getKey());
            String key = where + ".schedule." + jobType;
            if (jobType.equals("realtime")) {
                problems.add(key + ": real-time jobs are not scheduled; set 'realtime: true' on the connector instead");
                continue;
            }
            if (!JOB_TYPES.contains(jobType)) {
                problems.add(key + ": unknown job type; use one of " + new TreeSet<>(JOB_TYPES));
                continue;
            }
            if (!(e.getValue() instanceof String cron) || cron.isBlank()) {
                problems.add(key + ": expected a cron expression such as \"0 0/30 * * * ?\"");
                continue;
            }
            try {
                CRON.parse(cron).validate();
                out.put(jobType, cron);
            } catch (IllegalArgumentException ex) {
                problems.add(key + ": invalid cron expression \"" + cron + "\" (Quartz syntax: sec min hour day month weekday): "
                        + ex.getMessage());
            }
        }
        return Map.copyOf(out);
    }

    /** Why {@code name} is not a valid Elasticsearch index name, if it is not. */
    static Optional<String> indexProblem(String name) {
        if (name.isEmpty()) {
            return Optional.of("must not be empty");
        }
        if (name.equals(".") || name.equals("..")) {
            return Optional.of("must not be '.' or '..'");
        }
        if ("-_+".indexOf(name.charAt(0)) >= 0) {
            return Optional.of("'" + name + "' must not start with '-', '_' or '+'");
        }
        if (BAD_INDEX_CHARS.matcher(name).find()) {
            return Optional.of("'" + name + "' must be lower case, without spaces or any of \\ / * ? \" < > | , # :");
        }
        if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255) {
            return Optional.of("must be at most 255 bytes long");
        }
        return Optional.empty();
    }

    private <T> T get(String path, BiFunction<Config, String, T> getter, T fallback) {
        try {
            return getter.apply(config, path);
        } catch (com.typesafe.config.ConfigException.Missing e) {
            problems.add(path + ": is required");
        } catch (com.typesafe.config.ConfigException.WrongType e) {
            String parent = scalarParent(path);
            String problem = parent != null
                    ? parent + ": expected a mapping, got " + shown(parent)
                    : path + ": expected " + expected(e) + ", got " + shown(path);
            if (!problems.contains(problem)) {
                problems.add(problem);
            }
        } catch (com.typesafe.config.ConfigException.BadValue e) {
            problems.add(path + ": " + expected(e) + ", got " + shown(path));
        } catch (com.typesafe.config.ConfigException e) {
            problems.add(path + ": " + e.getMessage());
        }
        return fallback;
    }

    /** The closest enclosing key that holds a plain value where a mapping was expected, if any. */
    private String scalarParent(String path) {
        String[] parts = path.split("\\.");
        StringBuilder prefix = new StringBuilder();
        for (int i = 0; i < parts.length - 1; i++) {
            prefix.append(i == 0 ? "" : ".").append(parts[i]);
            if (config.hasPathOrNull(prefix.toString())
                    && config.getValue(prefix.toString()).valueType() != ConfigValueType.OBJECT) {
                return prefix.toString();
            }
        }
        return null;
    }

    private String shown(String path) {
        ConfigValue v = config.getValue(path);
        String from = v.origin().description().startsWith("environment") ? " (from " + v.origin().description() + ")" : "";
        if (SENSITIVE.contains(path)) {
            return "a " + typeName(v) + from;
        }
        return typeName(v) + " '" + v.unwrapped() + "'" + from;
    }

    private static String expected(com.typesafe.config.ConfigException e) {
        String msg = e.getMessage();
        if (msg.contains("rather than")) {
            String wanted = msg.substring(msg.indexOf("rather than") + "rather than".length()).trim();
            return "a " + wanted.toLowerCase(Locale.ROOT).replace(")", "").trim();
        }
        if (msg.toLowerCase(Locale.ROOT).contains("duration")) {
            return "a duration such as 500ms, 30s or 5m";
        }
        if (msg.toLowerCase(Locale.ROOT).contains("size in bytes") || msg.toLowerCase(Locale.ROOT).contains("memory")) {
            return "a size such as 512KiB, 5MiB or 1GiB";
        }
        int colon = msg.lastIndexOf(": ");
        return colon >= 0 ? msg.substring(colon + 2) : msg;
    }

    private static String typeName(ConfigValue v) {
        return switch (v.valueType()) {
            case OBJECT -> "a mapping";
            case LIST -> "a list";
            case NUMBER -> "the number";
            case BOOLEAN -> "the boolean";
            case NULL -> "nothing";
            case STRING -> "the text";
        };
    }

    private long atLeast(String path, long value, long min) {
        if (value < min) {
            problems.add(path + ": must be at least " + min + ", got " + value);
        }
        return value;
    }

    private Duration positive(String path, Duration value) {
        if (value.isNegative() || value.isZero()) {
            problems.add(path + ": must be a positive duration, got " + value);
        }
        return value;
    }

    private double rate(String path, double value) {
        if (value <= 0 || value > 1) {
            problems.add(path + ": must be a fraction in (0, 1], got " + value);
        }
        return value;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** The known key closest to {@code key} when it is probably a typo of it. */
    static Optional<String> closest(String key, java.util.Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(key.toLowerCase(Locale.ROOT), k.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best != null && bestDistance <= Math.max(2, key.length() / 5) ? Optional.of(best) : Optional.empty();
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
