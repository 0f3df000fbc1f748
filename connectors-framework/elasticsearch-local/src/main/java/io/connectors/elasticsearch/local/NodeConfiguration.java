package io.connectors.elasticsearch.local;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The configuration of a local node, as text: its settings ({@code elasticsearch.yml}) and file-realm roles
 * ({@code roles.yml}). No I/O; {@link LocalElasticsearchLauncher} writes them into the node's folder on every start.
 */
final class NodeConfiguration {

    private NodeConfiguration() {
    }

    /** {@code settings} with {@code extra} set over them, in order: the extra ones last. */
    static Map<String, String> withExtra(Map<String, String> settings, Map<String, String> extra) {
        Map<String, String> all = new LinkedHashMap<>(settings);
        extra.forEach((key, value) -> {
            all.remove(key);
            all.put(key, value);
        });
        return all;
    }

    /** The node settings; {@code http.port} 0 lets the node pick a free port and report it in {@code http.ports}. */
    static Map<String, String> settings(int major, int httpPort, Path dataDir, boolean security) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("cluster.name", "connectors-test");
        settings.put("node.name", "connectors-test-node");
        settings.put("discovery.type", "single-node");
        settings.put("network.host", "127.0.0.1");
        settings.put("http.port", Integer.toString(httpPort));
        settings.put("transport.port", "0");
        // Writes logs/http.ports once bound: the real port, with no race between choosing a port and binding it.
        settings.put("node.portsfile", "true");
        settings.put("path.data", dataDir.resolve("data").toString());
        settings.put("path.logs", dataDir.resolve("logs").toString());
        settings.put("cluster.routing.allocation.disk.threshold_enabled", "false");
        settings.put("action.destructive_requires_name", "false");
        settings.put("xpack.security.enabled", Boolean.toString(security));
        if (security) {
            settings.put("xpack.security.http.ssl.enabled", "false");
            settings.put("xpack.security.transport.ssl.enabled", "false");
        }
        if (major == 8) {
            // Registered by x-pack-core in 8.19 (checked with _cluster/settings?include_defaults); an unknown
            // setting is a startup error, so other majors get none of them. The plugins behind them are not in
            // the integ-test zip anyway: these keep the node from advertising features it cannot run.
            for (String feature : List.of("ml", "watcher", "graph", "profiling", "ent_search", "apm_data")) {
                settings.put("xpack." + feature + ".enabled", "false");
            }
        }
        return settings;
    }

    static String toYaml(Map<String, String> settings) {
        StringBuilder yaml = new StringBuilder("# Written by LocalElasticsearchLauncher on every start.\n");
        settings.forEach((key, value) -> yaml.append(key).append(": \"")
                .append(value.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"\n"));
        return yaml.toString();
    }

    /** {@code roles.yml}: each role's definition (YAML, or JSON, which is YAML too) indented under its name. */
    static String rolesYaml(Map<String, String> roles) {
        StringBuilder yaml = new StringBuilder("# Written by LocalElasticsearchLauncher on every start.\n");
        roles.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(role -> {
            yaml.append(role.getKey()).append(":\n");
            role.getValue().lines().forEach(line -> yaml.append("  ").append(line).append('\n'));
        });
        return yaml.toString();
    }
}
