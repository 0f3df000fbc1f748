package io.connectors.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.connectors.elasticsearch.local.ElasticsearchEndpoint;
import io.connectors.runtime.ScriptedSources;
import io.connectors.runtime.SourceRegistry;
import io.connectors.runtime.config.ConfigLoader;
import io.connectors.runtime.config.ConnectorConfig;
import io.connectors.runtime.config.ConnectorsConfig;
import io.connectors.runtime.es.ElasticsearchClients;
import io.connectors.runtime.es.ElasticsearchHandle;
import io.connectors.runtime.state.ConnectorRecords;
import io.connectors.runtime.state.JobRecord;
import io.connectors.runtime.state.JobRecords;
import io.connectors.runtime.state.JobStatus;
import io.connectors.runtime.state.JobType;
import io.connectors.runtime.state.StateStore;
import io.connectors.runtime.sync.SyncRunner;
import io.connectors.testkit.elasticsearch.TestElasticsearch;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code connectors status} with sources that keep resources on their backends, and
 * {@code connectors sources drop-resources} refused while a job of the connector runs, against a real state index.
 */
class SourceResourcesIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void statusListsEachSourcesResourcesAndDropIsRefusedWhileAJobRuns() throws Exception {
        ElasticsearchEndpoint es = TestElasticsearch.get();
        String prefix = "res-" + UUID.randomUUID().toString().substring(0, 8);
        String slot = prefix + "-slot";
        TestConfig config = TestConfig.empty()
                .addConnector(slot, "scripted", Map.of("holds_resources", true, "password", "hunter2"))
                .addConnector(prefix + "-warned", "scripted", Map.of("holds_resources", true,
                        "resource_warning", "the slot retains 3 GiB of WAL"))
                .addConnector(prefix + "-down", "scripted", Map.of("holds_resources", true, "fail_at", "resources"))
                .addConnector(prefix + "-notes", "directory", Map.of("path", dir.toString()))
                .set("elasticsearch.host", es.uri().toString()).set("state.index_prefix", prefix);
        if (es.username() != null) {
            config.set("elasticsearch.username", es.username()).set("elasticsearch.password", es.password());
        }
        Path file = config.write(dir.resolve("config.yml"));
        ConnectorsConfig loaded = ConfigLoader.load(file, Map.of(), SourceRegistry.load());

        try (ElasticsearchHandle handle = ElasticsearchClients.create(loaded.elasticsearch()
                .settingsFor(loaded.elasticsearch().hosts()))) {
            StateStore store = new StateStore(handle.async(), prefix);
            ConnectorRecords connectors = new ConnectorRecords(store);
            JobRecords jobs = new JobRecords(store);
            Instant now = Instant.now();
            store.ensureIndices().block();
            for (ConnectorConfig c : loaded.connectors()) {
                connectors.register(c, SyncRunner.fingerprint(c), now).block();
            }
            store.refresh(StateStore.Kind.CONNECTORS).block();

            CliRun status = run("-c", file.toString(), "status");
            assertThat(status.exit()).as("a source could not list its resources").isEqualTo(1);
            List<String> lines = status.out().lines().toList();
            int title = lines.indexOf("SOURCE RESOURCES");
            assertThat(title).as(status.out()).isPositive();
            assertThat(lines.subList(0, title)).anySatisfy(l -> assertThat(l).startsWith(prefix + "-notes"));
            assertThat(lines.subList(title + 2, lines.size())).satisfiesExactly(
                    l -> assertThat(l).containsPattern("^" + slot + "\\s+replication_slot\\s+scripted_" + slot
                            + "\\s+retained_wal_bytes=1048576 active=false"),
                    l -> assertThat(l).containsPattern("^" + slot + "\\s+publication"),
                    l -> assertThat(l).containsPattern("^" + prefix + "-warned\\s+replication_slot.*the slot retains 3 GiB of WAL$"),
                    l -> assertThat(l).containsPattern("^" + prefix + "-warned\\s+publication"),
                    l -> assertThat(l).containsPattern("^" + prefix + "-down\\s+error: scripted failure at resources$"));
            assertThat(status.out() + status.err()).doesNotContain("hunter2");

            CliRun json = run("-c", file.toString(), "status", "--json");
            assertThat(json.exit()).isEqualTo(1);
            List<Map<String, Object>> records = JSON.readValue(json.out(), new com.fasterxml.jackson.core.type.TypeReference<>() {
            });
            assertThat(records).hasSize(4);
            Map<String, Object> slotRecord = records.stream().filter(r -> slot.equals(r.get("id"))).findFirst().orElseThrow();
            assertThat(slotRecord).containsEntry("type", "scripted").containsKey("status");
            assertThat(JSON.writeValueAsString(slotRecord.get("source_resources"))).contains("\"kind\":\"replication_slot\"",
                    "\"retained_wal_bytes\":1048576");
            assertThat(records.stream().filter(r -> (prefix + "-notes").equals(r.get("id"))).findFirst().orElseThrow())
                    .doesNotContainKey("source_resources");
            assertThat(json.out()).doesNotContain("hunter2");

            CliRun quiet = run("-c", file.toString(), "status", "--no-source-resources");
            assertThat(quiet.exit()).isZero();
            assertThat(quiet.out()).doesNotContain("SOURCE RESOURCES").contains(slot);

            // A job of the connector runs: it holds the lock and heartbeats.
            String jobId = slot + "-full-1";
            JobRecord job = JobRecords.newJob(jobId, ConnectorRecords.snapshot(loaded.connector(slot).orElseThrow(),
                    loaded.connector(slot).orElseThrow().syncRules()), JobType.FULL, JobRecord.Trigger.ON_DEMAND,
                    JobStatus.PENDING, "test", null, now);
            StateStore.Versioned<JobRecord> created = jobs.create(job, true).block();
            jobs.claim(created, "another-worker", Instant.now()).block();
            assertThat(connectors.lock(slot, jobId, "another-worker", jobs, Duration.ofMinutes(1), Instant.now()).block())
                    .isTrue();

            CliRun refused = run("-c", file.toString(), "sources", "drop-resources", slot, "--yes");
            assertThat(refused.exit()).isEqualTo(1);
            assertThat(refused.err()).contains("connector " + slot + " has a running job, " + jobId,
                    "connectors pause " + slot, "connectors jobs cancel " + jobId);
            assertThat(ScriptedSources.DROPPED).doesNotContain(slot);

            connectors.release(slot, jobId, JobType.FULL, null, null, null, Instant.now()).block();
            CliRun dropped = run("-c", file.toString(), "sources", "drop-resources", slot, "--yes");
            assertThat(dropped.exit()).as(dropped.err()).isZero();
            assertThat(dropped.out()).contains("dropped replication slot scripted_" + slot);
            assertThat(ScriptedSources.DROPPED).contains(slot);

            CliRun after = run("-c", file.toString(), "status");
            assertThat(after.out()).containsPattern("(?m)^" + slot + "\\s+-\\s+-\\s+\\(holds none\\)");
        }
    }
}
