package io.connectors.functional;

import io.connectors.elasticsearch.local.ElasticsearchEndpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Writes the {@code config.yml} a functional run gives the daemon: one connector, a progress line every second, and
 * the Elasticsearch address. The password is never written: the file references the environment variable
 * {@value #PASSWORD_ENV} (the one {@code TestElasticsearch} reads), which {@link #environment} supplies.
 */
public final class FunctionalConfig {
    /** Every 2 seconds (Quartz cron): a run waits for a sync that started after its change. */
    public static final String FREQUENT_SCHEDULE = "0/2 * * * * ?";
    /** The environment variable the written file takes the Elasticsearch password from. */
    public static final String PASSWORD_ENV = "ES_PASSWORD";

    private FunctionalConfig() {
    }

    /**
     * Writes the configuration with a {@link #FREQUENT_SCHEDULE} full-sync schedule.
     *
     * @param configuration  the connector's {@code configuration} block (from {@code SourceFixture.connectorConfiguration()})
     * @param extraTopLevel  keys merged over the generated ones, maps merged key by key, e.g.
     *                       {@code Map.of("bulk", Map.of("max_concurrent_requests", 4))}
     * @return {@code file}
     */
    public static Path write(Path file, ElasticsearchEndpoint es, String connectorId, String type, String index,
                             Map<String, Object> configuration, Map<String, Object> extraTopLevel) throws IOException {
        return write(file, es, connectorId, type, index, configuration, extraTopLevel, FREQUENT_SCHEDULE);
    }

    /**
     * Writes the configuration.
     *
     * @param fullSchedule the connector's {@code schedule.full} (Quartz cron), or {@code null} for none: the daemon
     *                     then syncs once, at start-up
     * @return {@code file}
     */
    public static Path write(Path file, ElasticsearchEndpoint es, String connectorId, String type, String index,
                             Map<String, Object> configuration, Map<String, Object> extraTopLevel, String fullSchedule)
            throws IOException {
        return writeWithSchedules(file, es, connectorId, type, index, configuration, extraTopLevel,
                fullSchedule == null ? Map.of() : Map.of("full", fullSchedule));
    }

    /**
     * Writes the configuration with the connector's {@code schedule} block, e.g.
     * {@code Map.of("incremental", FREQUENT_SCHEDULE)}; with {@code daemon.sync_on_start: false} in
     * {@code extraTopLevel}, the daemon runs only the scheduled jobs.
     *
     * @param schedules cron expression (Quartz syntax) per job type; empty for none
     * @return {@code file}
     */
    public static Path writeWithSchedules(Path file, ElasticsearchEndpoint es, String connectorId, String type,
                                          String index, Map<String, Object> configuration,
                                          Map<String, Object> extraTopLevel, Map<String, String> schedules)
            throws IOException {
        return write(file, es, connectorId, type, index, configuration, extraTopLevel, schedules, false);
    }

    /**
     * Writes the configuration of a connector in real-time mode ({@code realtime: true}, no schedule): the daemon
     * queues its real-time job at start-up, which runs a full sync when it has no cursor, then follows the changes.
     *
     * @return {@code file}
     */
    public static Path writeRealtime(Path file, ElasticsearchEndpoint es, String connectorId, String type, String index,
                                     Map<String, Object> configuration, Map<String, Object> extraTopLevel)
            throws IOException {
        return write(file, es, connectorId, type, index, configuration, extraTopLevel, Map.of(), true);
    }

    private static Path write(Path file, ElasticsearchEndpoint es, String connectorId, String type, String index,
                              Map<String, Object> configuration, Map<String, Object> extraTopLevel,
                              Map<String, String> schedules, boolean realtime) throws IOException {
        Map<String, Object> elasticsearch = new LinkedHashMap<>();
        elasticsearch.put("host", es.uri().toString());
        if (es.hasCredentials()) {
            elasticsearch.put("username", es.username());
            elasticsearch.put("password", "${" + PASSWORD_ENV + "}");
        }
        Map<String, Object> connector = new LinkedHashMap<>();
        connector.put("id", connectorId);
        connector.put("type", type);
        connector.put("index", index);
        if (realtime) {
            connector.put("realtime", true);
        }
        if (!schedules.isEmpty()) {
            connector.put("schedule", new LinkedHashMap<>(schedules));
        }
        connector.put("configuration", configuration);

        Map<String, Object> root = new LinkedHashMap<>();
        root.put("elasticsearch", elasticsearch);
        root.put("sync", Map.of("progress_interval", "1s"));
        // Port 0: the operations endpoint takes a free port, so a run never clashes with another daemon on this machine.
        root.put("daemon", Map.of("sync_on_start", true, "http", Map.of("port", 0)));
        root.put("connectors", List.of(connector));
        Map<String, Object> merged = merge(root, extraTopLevel);

        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, "# Written by the functional-test harness (io.connectors.functional.FunctionalConfig).\n"
                + new Yaml(options).dump(merged));
        return file;
    }

    /** The environment the daemon needs for a file written for {@code es}: its password, if it has one. */
    public static Map<String, String> environment(ElasticsearchEndpoint es) {
        return es.hasCredentials() && es.password() != null ? Map.of(PASSWORD_ENV, es.password()) : Map.of();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> extra) {
        Map<String, Object> merged = new LinkedHashMap<>(base);
        if (extra == null) {
            return merged;
        }
        extra.forEach((key, value) -> {
            Object existing = merged.get(key);
            if (existing instanceof Map<?, ?> a && value instanceof Map<?, ?> b) {
                merged.put(key, merge((Map<String, Object>) a, (Map<String, Object>) b));
            } else {
                merged.put(key, value);
            }
        });
        return merged;
    }
}
