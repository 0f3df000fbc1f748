package io.connectors.functional;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.testkit.elasticsearch.ElasticsearchEndpoint;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

class FunctionalConfigTest {
    private static final ElasticsearchEndpoint ES = new ElasticsearchEndpoint(URI.create("http://127.0.0.1:9200"), null, null);

    @Test
    @SuppressWarnings("unchecked")
    void aDaemonThatRunsOnlyIncrementalSyncs(@TempDir Path dir) throws Exception {
        Path file = FunctionalConfig.writeWithSchedules(dir.resolve("c.yml"), ES, "c1", "postgresql", "idx",
                Map.of("cursor_column", "updated_at"), Map.of("daemon", Map.of("sync_on_start", false)),
                Map.of("incremental", FunctionalConfig.FREQUENT_SCHEDULE));

        Map<String, Object> root = new Yaml().load(Files.readString(file));
        assertThat((Map<String, Object>) root.get("daemon")).containsEntry("sync_on_start", false).containsKey("http");
        Map<String, Object> connector = ((List<Map<String, Object>>) root.get("connectors")).get(0);
        assertThat(connector.get("schedule")).isEqualTo(Map.of("incremental", FunctionalConfig.FREQUENT_SCHEDULE));
    }

    @Test
    @SuppressWarnings("unchecked")
    void noFullScheduleMeansNoScheduleBlock(@TempDir Path dir) throws Exception {
        Path file = FunctionalConfig.write(dir.resolve("c.yml"), ES, "c1", "directory", "idx", Map.of(), Map.of(), null);

        Map<String, Object> connector = ((List<Map<String, Object>>) ((Map<String, Object>) new Yaml()
                .load(Files.readString(file))).get("connectors")).get(0);
        assertThat(connector).doesNotContainKey("schedule");
    }
}
