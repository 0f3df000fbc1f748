package io.connectors.runtime.config;

import io.connectors.elasticsearch.local.LocalElasticsearchLauncher;
import io.connectors.spi.config.ConfigField;
import io.connectors.spi.config.SourceConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The local Elasticsearch started when no host is configured: the {@code elasticsearch.embedded} settings, each
 * declared once below.
 *
 * @param version the distribution version; empty for the one the build was made with
 * @param home    where the distribution is unpacked and its data kept
 * @param heap    JVM heap, e.g. {@code 1g}
 * @param port    HTTP port; 0 picks a free one
 */
public record EmbeddedElasticsearchSettings(Optional<String> version, Path home, String heap, int port) {

    public static final ConfigField VERSION = ConfigField.string("version").defaultValue("")
            .description("Distribution version of the local Elasticsearch. Empty: the version the build was made with.");
    public static final ConfigField HOME = ConfigField.string("home").defaultValue(".local/elasticsearch")
            .validate(ConfigField.notEmpty())
            .description("Where it is unpacked and its data kept (relative to the working directory).");
    public static final ConfigField HEAP = ConfigField.string("heap").defaultValue("1g")
            .validate(v -> LocalElasticsearchLauncher.heapProblem((String) v).orElse(null))
            .description("Its JVM heap.");
    public static final ConfigField PORT = ConfigField.integer("port").defaultValue(9200L)
            .validate(ConfigField.between(0, 65_535))
            .description("Its HTTP port (`0`: any free port).");

    /** The {@code elasticsearch.embedded} settings. */
    public static final SettingsGroup GROUP = new SettingsGroup("elasticsearch.embedded",
            "The local Elasticsearch started when `elasticsearch.host` is empty (what `make run` uses).",
            List.of(VERSION, HOME, HEAP, PORT));

    /** The bound {@code elasticsearch.embedded} settings; {@code null} when they have problems. */
    static EmbeddedElasticsearchSettings from(SettingValues values) {
        if (!values.bound(GROUP)) {
            return null;
        }
        SourceConfig v = values.of(GROUP);
        String version = v.string(VERSION).trim();
        return new EmbeddedElasticsearchSettings(version.isEmpty() ? Optional.empty() : Optional.of(version),
                Path.of(v.string(HOME)), v.string(HEAP), (int) v.integer(PORT));
    }
}
