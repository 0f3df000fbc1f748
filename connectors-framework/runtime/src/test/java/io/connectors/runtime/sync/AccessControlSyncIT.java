package io.connectors.runtime.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.runtime.ScriptedSources;
import io.connectors.runtime.SourceRegistry;
import io.connectors.runtime.config.ConfigLoader;
import io.connectors.runtime.config.ConnectorConfig;
import io.connectors.runtime.config.ConnectorsConfig;
import io.connectors.runtime.es.ElasticsearchHandle;
import io.connectors.runtime.state.JobType;
import io.connectors.spi.rules.SyncRules;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * The {@code access_control} job against a real Elasticsearch: a source that implements {@code AccessControlSource}
 * has its identities synced into {@code <index>-access-control} as a full sync (vanished identities deleted), and its
 * content index is left alone; a failed read of the identities deletes none; a source without the capability is
 * refused by name.
 */
class AccessControlSyncIT {
    private static final Duration WAIT = Duration.ofMinutes(2);
    private static ElasticsearchHandle es;

    @BeforeAll
    static void connect() {
        es = TestClients.connect();
    }

    @AfterAll
    static void close() {
        es.close();
    }

    private static ConnectorsConfig config(String index, long identities) {
        return config(index, Map.of("docs", 5, "identities", identities));
    }

    private static ConnectorsConfig config(String index, Map<String, Object> configuration) {
        Map<String, Object> connector = Map.of("id", "acl", "type", "scripted", "index", index,
                "configuration", configuration);
        return ConfigLoader.fromMap(Map.of("elasticsearch", TestClients.section(), "connectors", List.of(connector)), "test", Map.of(),
                SourceRegistry.of(List.of(ScriptedSources.provider())));
    }

    private static SyncReport accessControlSync(ConnectorsConfig config) {
        ConnectorConfig c = config.connectors().get(0);
        SyncRunner runner = new SyncRunner(es.async(), config.bulk(), config.sync());
        return runner.run(new SyncRunner.SyncRequest(c, JobType.ACCESS_CONTROL, false, SyncRules.NONE, Optional.empty(),
                cursor -> Mono.empty()), new SyncStats(), s -> { }).block(WAIT);
    }

    @Test
    void identitiesGoToTheAccessControlIndexAndVanishedOnesAreDeleted() throws Exception {
        String index = "it-acl";
        for (String i : List.of(index, index + "-access-control")) {
            es.async().indices().delete(d -> d.index(i).ignoreUnavailable(true)).get();
        }

        SyncReport first = accessControlSync(config(index, 40));
        assertThat(first.error()).isNull();
        assertThat(first.status()).isEqualTo(SyncReport.Status.COMPLETED);
        assertThat(first.counts()).containsEntry("indexed", 40L);
        assertThat(SyncRunner.accessControlIndex(config(index, 40).connectors().get(0))).isEqualTo(index + "-access-control");
        Map<String, String> identities = IndexContents.read(es.async(), index + "-access-control", "username");
        assertThat(identities).hasSize(40).containsEntry("user-7", "user-7");
        assertThat(es.async().indices().exists(e -> e.index(index)).get().value())
                .as("the content index is not touched by an access-control sync").isFalse();

        SyncReport second = accessControlSync(config(index, 25));
        assertThat(second.status()).isEqualTo(SyncReport.Status.COMPLETED);
        // The identity count is configuration, so the fingerprint changed and the 25 kept are rewritten, not skipped.
        assertThat(second.counts()).containsEntry("seen", 25L).containsEntry("deleted", 15L);
        assertThat(IndexContents.read(es.async(), index + "-access-control", "username")).hasSize(25)
                .doesNotContainKey("user-30");
    }

    @Test
    void aFailedReadOfTheIdentitiesDeletesNone() throws Exception {
        String index = "it-acl-failed";
        es.async().indices().delete(d -> d.index(index + "-access-control").ignoreUnavailable(true)).get();
        assertThat(accessControlSync(config(index, 10)).status()).isEqualTo(SyncReport.Status.COMPLETED);

        // The read breaks after 3 of the 10 identities: the 7 not seen must not be taken for vanished.
        SyncReport failed = accessControlSync(config(index, Map.of("docs", 5, "identities", 10,
                "fail_at", "get_access_control", "fail_after", 3)));
        assertThat(failed.status()).isEqualTo(SyncReport.Status.ERROR);
        assertThat(failed.error()).contains("scripted failure at get_access_control");
        assertThat(IndexContents.read(es.async(), index + "-access-control", "username")).hasSize(10);
    }

    @Test
    void aSourceWithoutTheCapabilityIsRefusedByName() {
        SyncReport report = accessControlSync(config("it-acl-none", 0));
        assertThat(report.status()).isEqualTo(SyncReport.Status.ERROR);
        assertThat(report.error()).contains("source type scripted does not support access-control syncs");
    }
}
