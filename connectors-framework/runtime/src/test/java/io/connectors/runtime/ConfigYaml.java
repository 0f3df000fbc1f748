package io.connectors.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * A {@code config.yml} for tests that run the command line, written as a user writes one: settings as nested blocks
 * (a dotted key, {@code elasticsearch.timeouts.connect}, becomes nested keys), connectors as a list, and anything this
 * builder has no method for as raw YAML.
 *
 * <pre>{@code
 * Path file = ConfigYaml.elasticsearch("http://127.0.0.1:9")
 *         .set("elasticsearch.timeouts.connect", "1s")
 *         .directory("docs", dir)
 *         .write(dir.resolve("down.yml"));
 * }</pre>
 */
public final class ConfigYaml {
    /** Text a plain YAML scalar can hold as it is; anything else is quoted. */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./@:+\\-]+");
    private static final Pattern NOT_TEXT = Pattern.compile("true|false|yes|no|on|off|null|~|[-+]?[0-9][0-9_.eE+\\-]*",
            Pattern.CASE_INSENSITIVE);

    private final Map<String, Object> settings = new LinkedHashMap<>();
    private final List<String> raw = new ArrayList<>();
    private final List<Connector> connectors = new ArrayList<>();

    private ConfigYaml() {
    }

    /** No settings and no connectors: {@code connectors: []}. */
    public static ConfigYaml empty() {
        return new ConfigYaml();
    }

    /** {@code elasticsearch.host} set to {@code host}. */
    public static ConfigYaml elasticsearch(Object host) {
        return empty().set("elasticsearch.host", host);
    }

    /** Sets a setting; a dotted key is nested ({@code daemon.http.enabled}). A value may be a list or a map. */
    public ConfigYaml set(String key, Object value) {
        put(settings, key, value);
        return this;
    }

    /** Top-level YAML written as given, after the settings and before the connectors. */
    public ConfigYaml raw(String yaml) {
        raw.add(yaml.endsWith("\n") ? yaml : yaml + "\n");
        return this;
    }

    /** A connector {@code id} of source type {@code type}, set up by {@code connector}. */
    public ConfigYaml connector(String id, String type, Consumer<Connector> connector) {
        Connector c = new Connector(id, type);
        connector.accept(c);
        connectors.add(c);
        return this;
    }

    /** A connector {@code id} of the directory source, syncing {@code path}. */
    public ConfigYaml directory(String id, Object path) {
        return directory(id, path, c -> { });
    }

    /** A connector {@code id} of the directory source, syncing {@code path}, further set up by {@code connector}. */
    public ConfigYaml directory(String id, Object path, Consumer<Connector> connector) {
        return connector(id, "directory", c -> connector.accept(c.configuration("path", path)));
    }

    /** Writes the file and returns it. */
    public Path write(Path file) {
        try {
            Files.writeString(file, toString());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        block(out, settings, "");
        raw.forEach(out::append);
        if (connectors.isEmpty()) {
            out.append("connectors: []\n");
        } else {
            out.append("connectors:\n");
            for (Connector c : connectors) {
                StringBuilder item = new StringBuilder();
                block(item, c.keys, "");
                c.raw.forEach(item::append);
                String[] lines = item.toString().split("\n");
                for (int i = 0; i < lines.length; i++) {
                    out.append(i == 0 ? "  - " : "    ").append(lines[i]).append('\n');
                }
            }
        }
        return out.toString();
    }

    /** One connector of the file. */
    public static final class Connector {
        private final Map<String, Object> keys = new LinkedHashMap<>();
        private final List<String> raw = new ArrayList<>();

        private Connector(String id, String type) {
            keys.put("id", id);
            keys.put("type", type);
        }

        public Connector index(String index) {
            return set("index", index);
        }

        /** A field of the source's {@code configuration}. */
        public Connector configuration(String field, Object value) {
            return set("configuration." + field, value);
        }

        /** The cron schedule of job type {@code jobType}. */
        public Connector schedule(String jobType, String cron) {
            return set("schedule." + jobType, cron);
        }

        /** Any key of the connector; a dotted key is nested. */
        public Connector set(String key, Object value) {
            put(keys, key, value);
            return this;
        }

        /** YAML of the connector written as given (indented as its other keys), after them. */
        public Connector raw(String yaml) {
            raw.add(yaml.endsWith("\n") ? yaml : yaml + "\n");
            return this;
        }
    }

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> map, String key, Object value) {
        int dot = key.indexOf('.');
        if (dot < 0) {
            map.put(key, value);
            return;
        }
        Object inner = map.computeIfAbsent(key.substring(0, dot), k -> new LinkedHashMap<String, Object>());
        put((Map<String, Object>) inner, key.substring(dot + 1), value);
    }

    private static void block(StringBuilder out, Map<?, ?> map, String indent) {
        map.forEach((key, value) -> {
            out.append(indent).append(key).append(':');
            if (value instanceof Map<?, ?> inner && !inner.isEmpty()) {
                out.append('\n');
                block(out, inner, indent + "  ");
            } else {
                out.append(' ').append(flow(value)).append('\n');
            }
        });
    }

    private static String flow(Object value) {
        if (value instanceof Map<?, ?> map) {
            List<String> entries = new ArrayList<>();
            map.forEach((k, v) -> entries.add(k + ": " + flow(v)));
            return "{" + String.join(", ", entries) + "}";
        }
        if (value instanceof List<?> list) {
            return "[" + String.join(", ", list.stream().map(ConfigYaml::flow).toList()) + "]";
        }
        if (value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        String text = String.valueOf(value);
        return PLAIN.matcher(text).matches() && !NOT_TEXT.matcher(text).matches() ? text : "'" + text.replace("'", "''") + "'";
    }
}
