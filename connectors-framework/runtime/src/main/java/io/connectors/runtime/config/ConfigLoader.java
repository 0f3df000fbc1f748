package io.connectors.runtime.config;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.parser.CronParser;
import io.connectors.runtime.SourceRegistry;
import io.connectors.runtime.rules.SyncRulesCodec;
import io.connectors.spi.DataSourceProvider;
import io.connectors.spi.config.ConfigField;
import io.connectors.spi.config.ConfigValidationException;
import io.connectors.spi.config.FieldError;
import io.connectors.spi.config.FieldType;
import io.connectors.spi.config.SourceConfig;
import io.connectors.spi.network.NetworkPolicy;
import io.connectors.spi.rules.SyncRules;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reads {@code config.yml} (YAML), applies environment-variable overrides, and binds the result to typed objects,
 * collecting every problem with its key before failing. The runtime settings, their defaults and their checks are
 * declared once, in the settings records ({@link RuntimeSettings#GROUPS}); this class only finds each key's raw value
 * and reports the keys nobody declared.
 *
 * <p>Environment overrides: {@code CONNECTORS_} followed by a key path in upper case with dots as underscores,
 * e.g. {@code CONNECTORS_ELASTICSEARCH_HOST} for {@code elasticsearch.host}, or
 * {@code CONNECTORS_BULK_MAX_ACTIONS} for {@code bulk.max_actions}.
 */
public final class ConfigLoader {
    /** A connector's {@code refresh_interval}: a duration, validated as the runtime's settings are. */
    private static final io.connectors.spi.config.ConfigField REFRESH_INTERVAL =
            io.connectors.spi.config.ConfigField.duration("refresh_interval")
                    .validate(io.connectors.spi.config.ConfigField.positiveDuration());

    /** Environment variables with the prefix that are not configuration keys. */
    private static final Set<String> NOT_KEYS = Set.of("CONNECTORS_CONFIG", "CONNECTORS_HOME", "CONNECTORS_OPTS", "CONNECTORS_JAVA_OPTS", "CONNECTORS_EXTRA_JAVA_OPTS", "CONNECTORS_LOG_LEVEL", "CONNECTORS_LOG_FORMAT",
            "CONNECTORS_CDS_DUMP", "CONNECTORS_MAVEN_URL");
    private static final Set<String> JOB_TYPES = Set.of("full", "incremental", "access_control");
    private static final Pattern CONNECTOR_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");
    private static final Pattern BAD_INDEX_CHARS = Pattern.compile("[\\\\/*?\"<>| ,#:A-Z]");
    private static final CronParser CRON = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ));

    private final String origin;
    private final SourceRegistry registry;
    private final List<String> problems = new ArrayList<>();
    private final Map<String, ConfigField> declared = RuntimeSettings.byKey();
    private NetworkPolicy network = NetworkPolicy.defaults();
    private ExtractionSettings extraction;

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
        Map<String, Object> raw = new HashMap<>();
        for (Map.Entry<String, Object> e : yaml.entrySet()) {
            if (!e.getKey().equals("connectors")) {
                flatten(e.getKey(), e.getValue(), raw);
            }
        }
        Map<String, String> fromEnvironment = environmentOverrides(env, raw);
        // Unknown keys and stray environment variables do not stop the sections from being checked: `config check`
        // reports every problem of the file at once.
        SettingValues values = new SettingValues(raw, key -> fromEnvironment.containsKey(key)
                ? "environment variable " + fromEnvironment.get(key) : null, problems);
        ElasticsearchConfig es = ElasticsearchConfig.from(values);
        BulkSinkSettings bulk = BulkSinkSettings.from(values);
        SyncSettings sync = SyncSettings.from(values);
        DaemonSettings daemon = DaemonSettings.from(values);
        network = NetworkSettings.from(values);
        extraction = ExtractionSettings.from(values);
        List<ConnectorConfig> connectors = connectors(yaml.get("connectors"));
        if (!problems.isEmpty()) {
            throw new ConfigException(origin, problems);
        }
        return new ConnectorsConfig(origin, es, bulk, sync, daemon, connectors, network, extraction);
    }

    /**
     * Collects the value of every declared key under {@code path} into {@code out}; a key nobody declared, or a plain
     * value where a group of keys belongs, is a problem. A dotted key ({@code bulk.max_actions: 500} at the top) is the
     * same as the nested one.
     */
    private void flatten(String path, Object value, Map<String, Object> out) {
        if (declared.containsKey(path)) {
            if (out.containsKey(path)) {
                problems.add(path + ": given twice (once nested, once as a dotted key); keep one");
            } else if (value != null) {
                out.put(path, value);
            }
            return;
        }
        boolean group = declared.keySet().stream().anyMatch(k -> k.startsWith(path + "."));
        if (!group) {
            List<String> known = new ArrayList<>(declared.keySet());
            RuntimeSettings.GROUPS.forEach(g -> known.add(g.path()));
            problems.add(path + ": unknown key" + sibling(path, known).map(k -> "; did you mean '" + k + "'?").orElse(""));
            return;
        }
        if (value == null) {
            return;
        }
        if (!(value instanceof Map<?, ?> children)) {
            problems.add(path + ": expected a mapping, got " + shown(value));
            return;
        }
        children.forEach((k, v) -> flatten(path + "." + k, v, out));
    }

    /** A raw value in a message: its kind and text. Only for values of keys that are not sensitive. */
    private static String shown(Object value) {
        String kind = value instanceof List<?> ? "a list" : value instanceof Number ? "the number"
                : value instanceof Boolean ? "the boolean" : "the text";
        return kind + " '" + value + "'";
    }

    /**
     * Puts each {@code CONNECTORS_<KEY>} variable's value in {@code raw} over the file's (a list setting takes one
     * comma-separated value); one that names no key is a problem.
     *
     * @return the variable that set each key it set
     */
    private Map<String, String> environmentOverrides(Map<String, String> env, Map<String, Object> raw) {
        Map<String, String> keyByVariable = new LinkedHashMap<>();
        declared.keySet().forEach(k -> keyByVariable.put(SettingsGroup.environmentVariable(k), k));
        Map<String, String> variableByKey = new HashMap<>();
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            String name = e.getKey();
            if (!name.startsWith("CONNECTORS_") || NOT_KEYS.contains(name)) {
                continue;
            }
            String key = keyByVariable.get(name);
            if (key == null) {
                problems.add("environment variable " + name + ": does not name a configuration key"
                        + closest(name, keyByVariable.keySet()).map(k -> "; did you mean " + k + "?").orElse(""));
                continue;
            }
            String text = e.getValue();
            raw.put(key, declared.get(key).type() == FieldType.LIST
                    ? Arrays.stream(text.split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList()
                    : text);
            variableByKey.put(key, name);
        }
        return variableByKey;
    }

    private List<ConnectorConfig> connectors(Object value) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> items)) {
            problems.add("connectors: expected a list of connectors, got " + shown(value));
            return List.of();
        }
        List<ConnectorConfig> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            Object raw = items.get(i);
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
                problems.add(where + "." + key + ": unknown key" + io.connectors.spi.config.Suggestions.didYouMean(
                        String.valueOf(key), ConnectorKey.keys()) + "; a connector has " + new TreeSet<>(ConnectorKey.keys()));
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
        Optional<java.time.Duration> refresh = Optional.empty();
        if (m.get(REFRESH_INTERVAL.name()) != null) {
            try {
                refresh = Optional.of(SourceConfig.from(List.of(REFRESH_INTERVAL), Map.of(REFRESH_INTERVAL.name(),
                        m.get(REFRESH_INTERVAL.name()))).duration(REFRESH_INTERVAL));
            } catch (ConfigValidationException e) {
                for (FieldError error : e.errors()) {
                    problems.add(where + "." + error.field() + ": " + error.message());
                }
            }
        }
        Object extractValue = m.get("extract_content");
        if (extractValue instanceof String text && (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false"))) {
            extractValue = Boolean.valueOf(text);
        }
        if (extractValue != null && !(extractValue instanceof Boolean)) {
            problems.add(where + ".extract_content: expected true or false, got '" + extractValue + "'");
        }
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
        boolean extract = extractValue == null ? provider.extractsContent() : (Boolean) extractValue;
        return new ConnectorConfig(id, provider.type(), index,
                Optional.ofNullable(pipeline).filter(p -> !p.isBlank()), schedules, rules, provider, source, realtime,
                network, extract ? Optional.ofNullable(extraction) : Optional.empty(), refresh);
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
                        + ex.getMessage() + QuartzCron.fromUnix(cron).map(q -> "; this looks like a Unix cron (min hour day"
                        + " month weekday): in Quartz syntax it is \"" + q + "\"").orElse(""));
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

    /**
     * The known key beside {@code path} (same parent group) whose last name is closest to its last name: a typo is
     * corrected within its group, and a wrong leaf is never "corrected" to the group holding it
     * ({@code elasticsearch.bogus} is not {@code elasticsearch}).
     */
    static Optional<String> sibling(String path, java.util.Collection<String> known) {
        int dot = path.lastIndexOf('.');
        String parent = dot < 0 ? "" : path.substring(0, dot + 1);
        Set<String> names = new TreeSet<>();
        for (String k : known) {
            if (k.startsWith(parent) && k.length() > parent.length()) {
                String rest = k.substring(parent.length());
                names.add(rest.contains(".") ? rest.substring(0, rest.indexOf('.')) : rest);
            }
        }
        return closest(path.substring(parent.length()), names).map(name -> parent + name);
    }

    /** The known key closest to {@code key} when it is probably a typo of it. */
    static Optional<String> closest(String key, java.util.Collection<String> known) {
        return io.connectors.spi.config.Suggestions.closest(key, known);
    }
}
