package io.connectors.runtime.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The configuration file of a CLI test, built rather than repeated: usually the {@code docs} connector of type
 * {@code directory} over a folder ({@link #docs}), an Elasticsearch nobody answers at ({@link #unreachable}), and what
 * the test is about ({@link #set}, {@link #connector}). {@link #write} renders it as YAML.
 */
final class TestConfig {
    /** An address where nothing listens: port 9 (discard) on this machine. */
    static final String NOBODY = "http://127.0.0.1:9";

    private final Map<String, Object> root = new LinkedHashMap<>();
    private final List<Map<String, Object>> connectors = new ArrayList<>();

    private TestConfig() {
    }

    /** No connectors, no settings. */
    static TestConfig empty() {
        return new TestConfig();
    }

    /** Connector {@code docs}, type {@code directory}, over {@code folder}. */
    static TestConfig docs(Path folder) {
        return empty().addConnector("docs", "directory", Map.of("path", folder.toString()));
    }

    /** Adds a connector. */
    TestConfig addConnector(String id, String type, Map<String, Object> configuration) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("id", id);
        c.put("type", type);
        c.put("configuration", new LinkedHashMap<>(configuration));
        connectors.add(c);
        return this;
    }

    /** Elasticsearch at {@link #NOBODY}; with {@code fast}, a 1 s connect timeout so the failure comes quickly. */
    TestConfig unreachable(boolean fast) {
        set("elasticsearch.host", NOBODY);
        return fast ? set("elasticsearch.timeouts.connect", "1s") : this;
    }

    /** Sets a key given by its dotted path ({@code elasticsearch.username}), written nested. */
    @SuppressWarnings("unchecked")
    TestConfig set(String path, Object value) {
        String[] parts = path.split("\\.");
        Map<String, Object> at = root;
        for (int i = 0; i < parts.length - 1; i++) {
            at = (Map<String, Object>) at.computeIfAbsent(parts[i], k -> new LinkedHashMap<>());
        }
        at.put(parts[parts.length - 1], value);
        return this;
    }

    /** Sets a key of the last connector added ({@code realtime}, {@code sync_rules}). */
    TestConfig connector(String key, Object value) {
        connectors.get(connectors.size() - 1).put(key, value);
        return this;
    }

    /** Writes the file and returns it. */
    Path write(Path file) throws IOException {
        Map<String, Object> document = new LinkedHashMap<>(root);
        document.put("connectors", connectors);
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        Files.writeString(file, new Yaml(options).dump(document));
        return file;
    }
}
