package io.connectors.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.runtime.ScriptedSources;
import io.connectors.runtime.config.ConfigLoader;
import io.connectors.runtime.config.ConnectorsConfig;
import io.connectors.runtime.state.ConnectorRecord;
import io.connectors.runtime.state.StateStore.Versioned;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@code connectors status} shows of the resources sources keep on their backends. */
class SourceResourcesTest {
    private static final String WARNING = "the slot retains 3 GiB of WAL; drop it if the connector is gone";

    /** Connectors of type {@code scripted}, each given as (id, options). */
    private static ConnectorsConfig config(Map<String, Map<String, Object>> connectors) {
        List<Map<String, Object>> list = new java.util.ArrayList<>();
        connectors.forEach((id, options) -> list.add(Map.of("id", id, "type", "scripted", "configuration", options)));
        return ConfigLoader.fromMap(Map.of("connectors", list), "test.yml", Map.of(), ScriptedSources.registry());
    }

    private static Map<String, Map<String, Object>> ordered(Object... idThenOptions) {
        Map<String, Map<String, Object>> m = new LinkedHashMap<>();
        for (int i = 0; i < idThenOptions.length; i += 2) {
            @SuppressWarnings("unchecked")
            Map<String, Object> options = (Map<String, Object>) idThenOptions[i + 1];
            m.put((String) idThenOptions[i], options);
        }
        return m;
    }

    @Test
    void healthyWarnedFailingAndSilentSourcesEachGetTheirLineAndOthersNone() {
        int open = ScriptedSources.OPEN.get();
        ConnectorsConfig config = config(ordered(
                "plain", Map.of(),
                "healthy", Map.of("holds_resources", true, "password", "hunter2"),
                "warned", Map.of("holds_resources", true, "resource_warning", WARNING),
                "failing", Map.of("holds_resources", true, "fail_at", "resources", "password", "hunter2"),
                "silent", Map.of("holds_resources", true, "delay_ms", 10_000)));

        List<SourceResources.Listing> listings = Main.await(SourceResources.list(config.connectors(), Duration.ofMillis(300)));

        assertThat(listings).extracting(SourceResources.Listing::connectorId)
                .containsExactly("healthy", "warned", "failing", "silent");
        assertThat(listings.get(0).resources()).extracting(r -> r.kind() + " " + r.name())
                .containsExactly("replication_slot scripted_healthy", "publication scripted_healthy");
        assertThat(listings.get(2).error()).isEqualTo("scripted failure at resources");
        assertThat(listings.get(3).error()).isEqualTo("no answer within 300ms");
        assertThat(ScriptedSources.OPEN.get()).as("every source created was closed").isEqualTo(open);

        List<String> lines = SourceResources.table(listings).lines().toList();
        assertThat(lines.get(0)).isEmpty();
        assertThat(lines.get(1)).isEqualTo("SOURCE RESOURCES");
        assertThat(lines.get(2)).startsWith("CONNECTOR").contains("KIND", "NAME", "DETAILS", "WARNINGS");
        assertThat(lines.get(3)).containsPattern("^healthy\\s+replication_slot\\s+scripted_healthy\\s+"
                + "retained_wal_bytes=1048576 active=false\\s*$");
        assertThat(lines.get(4)).containsPattern("^healthy\\s+publication\\s+scripted_healthy\\s+-\\s*$");
        assertThat(lines.get(5)).containsPattern("^warned\\s+replication_slot\\s+scripted_warned\\s+.*"
                + "active=false\\s+" + java.util.regex.Pattern.quote(WARNING) + "$");
        assertThat(lines.get(7)).containsPattern("^failing\\s+error: scripted failure at resources$");
        assertThat(lines.get(8)).containsPattern("^silent\\s+error: no answer within 300ms$");
        assertThat(lines).hasSize(9);
        assertThat(String.join("\n", lines)).doesNotContain("hunter2").doesNotContain("plain");
    }

    @Test
    void aConnectorHoldingNothingNowSaysSoAndNoResourceHoldingSourceMeansNoTable() {
        ConnectorsConfig config = config(ordered("gone", Map.of("holds_resources", true), "plain", Map.of()));
        ScriptedSources.DROPPED.add("gone");
        try {
            List<SourceResources.Listing> listings = Main.await(SourceResources.list(config.connectors(), Duration.ofSeconds(5)));
            assertThat(SourceResources.table(listings).lines().toList().get(3)).containsPattern("^gone\\s+-\\s+-\\s+\\(holds none\\)");
        } finally {
            ScriptedSources.DROPPED.remove("gone");
        }
        ConnectorsConfig none = config(ordered("plain", Map.of()));
        assertThat(SourceResources.table(Main.await(SourceResources.list(none.connectors(), Duration.ofSeconds(5))))).isEmpty();
    }

    @Test
    void jsonKeepsTheListOfRecordsAndAddsTheResourcesToEachConnectorsRecord() {
        ConnectorsConfig config = config(ordered(
                "healthy", Map.of("holds_resources", true),
                "failing", Map.of("holds_resources", true, "fail_at", "resources"),
                "unrecorded", Map.of("holds_resources", true, "resource_warning", WARNING)));
        List<SourceResources.Listing> listings = Main.await(SourceResources.list(config.connectors(), Duration.ofSeconds(5)));
        List<Versioned<ConnectorRecord>> records = List.of(record("plain"), record("healthy"), record("failing"));

        List<Map<String, Object>> json = StatusCommand.json(records, listings);

        assertThat(json).extracting(m -> m.get("id")).containsExactly("plain", "healthy", "failing", "unrecorded");
        assertThat(json.get(0)).doesNotContainKey("source_resources").containsEntry("type", "scripted");
        assertThat(json.get(1)).containsEntry("status", "connected").containsEntry("source_resources", Map.of("resources",
                List.of(Map.of("kind", "replication_slot", "name", "scripted_healthy",
                                "details", Map.of("retained_wal_bytes", 1_048_576L, "active", false), "warnings", List.of()),
                        Map.of("kind", "publication", "name", "scripted_healthy", "details", Map.of(), "warnings", List.of()))));
        assertThat(json.get(2)).containsEntry("source_resources", Map.of("error", "scripted failure at resources"));
        assertThat(json.get(3)).containsOnlyKeys("id", "type", "source_resources");
        assertThat(JobsCommand.json(json)).contains("\"warnings\" : [ \"" + WARNING + "\" ]");
    }

    private static Versioned<ConnectorRecord> record(String id) {
        return new Versioned<>(id, ConnectorRecord.fromJson(id, Map.of("id", id, "type", "scripted", "status", "connected")),
                0, 1);
    }
}
