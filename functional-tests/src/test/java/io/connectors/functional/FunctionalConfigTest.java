package io.connectors.functional;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.elasticsearch.local.ElasticsearchEndpoint;
import io.connectors.runtime.SourceRegistry;
import io.connectors.runtime.config.ConfigLoader;
import io.connectors.runtime.config.ConnectorsConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

class FunctionalConfigTest {
    @TempDir
    Path dir;

    @Test
    @SuppressWarnings("unchecked")
    void writesOneConnectorAndMergesExtraKeysWithoutThePassword() throws Exception {
        ElasticsearchEndpoint es = new ElasticsearchEndpoint(URI.create("http://127.0.0.1:9200"), "elastic", "s3cret!");
        Path file = FunctionalConfig.write(dir.resolve("config.yml"), es, "ftest", "directory", "ftest-directory",
                Map.of("path", "/data"), Map.of("sync", Map.of("workers", 3), "bulk", Map.of("max_actions", 500)));

        String text = Files.readString(file);
        assertThat(text).doesNotContain("s3cret!").contains("${ES_PASSWORD}");
        Map<String, Object> yaml = new Yaml().load(text);
        assertThat((Map<String, Object>) yaml.get("elasticsearch"))
                .containsEntry("host", "http://127.0.0.1:9200").containsEntry("username", "elastic");
        assertThat((Map<String, Object>) yaml.get("sync"))
                .containsEntry("progress_interval", "1s").containsEntry("workers", 3);
        assertThat((Map<String, Object>) yaml.get("bulk")).containsEntry("max_actions", 500);
        Map<String, Object> connector = ((List<Map<String, Object>>) yaml.get("connectors")).get(0);
        assertThat(connector).containsEntry("id", "ftest").containsEntry("type", "directory")
                .containsEntry("index", "ftest-directory").containsEntry("configuration", Map.of("path", "/data"))
                .containsEntry("schedule", Map.of("full", FunctionalConfig.FREQUENT_SCHEDULE));
        assertThat(FunctionalConfig.environment(es)).containsExactly(Map.entry("ES_PASSWORD", "s3cret!"));

        // The runtime accepts the file, with the password from the environment.
        ConnectorsConfig config = ConfigLoader.load(file, FunctionalConfig.environment(es), SourceRegistry.load());
        assertThat(config.elasticsearch().client().password()).isEqualTo("s3cret!");
        assertThat(config.sync().progressInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.sync().workers()).isEqualTo(3);
        assertThat(config.connectors()).singleElement().satisfies(c -> {
            assertThat(c.id()).isEqualTo("ftest");
            assertThat(c.index()).isEqualTo("ftest-directory");
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void withoutScheduleOrCredentials() throws Exception {
        ElasticsearchEndpoint es = new ElasticsearchEndpoint(URI.create("http://127.0.0.1:9200"), null, null);
        Path file = FunctionalConfig.write(dir.resolve("config.yml"), es, "ftest", "directory", "ftest-directory",
                Map.of("path", "/data"), Map.of(), null);
        Map<String, Object> yaml = new Yaml().load(Files.readString(file));
        assertThat((Map<String, Object>) yaml.get("elasticsearch")).containsOnlyKeys("host");
        assertThat(((List<Map<String, Object>>) yaml.get("connectors")).get(0)).doesNotContainKey("schedule");
        assertThat(FunctionalConfig.environment(es)).isEmpty();
    }

    @Test
    @SuppressWarnings("unchecked")
    void aDaemonThatRunsOnlyIncrementalSyncs() throws Exception {
        ElasticsearchEndpoint es = new ElasticsearchEndpoint(URI.create("http://127.0.0.1:9200"), null, null);
        Path file = FunctionalConfig.writeWithSchedules(dir.resolve("config.yml"), es, "ftest", "directory",
                "ftest-directory", Map.of("path", "/data"), Map.of("daemon", Map.of("sync_on_start", false)),
                Map.of("incremental", FunctionalConfig.FREQUENT_SCHEDULE));

        Map<String, Object> yaml = new Yaml().load(Files.readString(file));
        assertThat((Map<String, Object>) yaml.get("daemon")).containsEntry("sync_on_start", false).containsKey("http");
        assertThat(((List<Map<String, Object>>) yaml.get("connectors")).get(0))
                .containsEntry("schedule", Map.of("incremental", FunctionalConfig.FREQUENT_SCHEDULE));
        // The runtime accepts the file.
        ConnectorsConfig config = ConfigLoader.load(file, Map.of(), SourceRegistry.load());
        assertThat(config.daemon().syncOnStart()).isFalse();
        assertThat(config.connectors()).singleElement()
                .satisfies(c -> assertThat(c.schedules()).containsOnlyKeys("incremental"));
    }
}
