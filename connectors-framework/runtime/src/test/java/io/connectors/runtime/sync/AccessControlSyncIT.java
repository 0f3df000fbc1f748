package io.connectors.runtime.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.runtime.ScriptedSource;
import io.connectors.runtime.config.ConfigLoader;
import io.connectors.runtime.config.ConnectorsConfig;
import io.connectors.runtime.es.ElasticsearchHandle;
import io.connectors.runtime.state.JobType;
import io.connectors.runtime.sync.SyncRunner.SyncRequest;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SourceException;
import io.connectors.spi.rules.SyncRules;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * The {@code access_control} job against a real Elasticsearch: the identities of an {@code AccessControlSource} go to
 * {@code <index>-access-control}, never to the content index, and a re-sync deletes the identities the source no
 * longer has, as a full sync deletes vanished documents.
 */
class AccessControlSyncIT {
    private static ElasticsearchHandle es;

    private final List<SourceDocument> identities = new CopyOnWriteArrayList<>();
    private final ScriptedSource.Script script = ScriptedSource.type("scripted")
            .documents(SourceDocument.builder("doc-1").field("title", "content, not an identity").build())
            .accessControl(() -> identities);

    @BeforeAll
    static void connect() {
        es = TestClients.connect();
    }

    @AfterAll
    static void close() {
        es.close();
    }

    private static SourceDocument identity(String id, String username, String... permissions) {
        return SourceDocument.builder(id).field("username", username)
                .field("_allow_access_control", List.of(permissions)).build();
    }

    /** A connector {@code acl} of the scripted type into {@code index}, both its indices deleted. */
    private static ConnectorsConfig config(ScriptedSource.Script type, String index) throws Exception {
        for (String name : List.of(index, index + "-access-control")) {
            es.async().indices().delete(d -> d.index(name).ignoreUnavailable(true)).get();
        }
        return ConfigLoader.fromMap(Map.of("elasticsearch", TestClients.section(),
                        "connectors", List.of(Map.of("id", "acl", "type", "scripted", "index", index))),
                "test", Map.of(), type.registry());
    }

    private static SyncReport accessControlSync(ConnectorsConfig config) {
        SyncRequest request = new SyncRequest(config.connectors().get(0), JobType.ACCESS_CONTROL, ChangeCheck.NONE, SyncRules.NONE,
                Optional.empty(), cursor -> Mono.empty());
        SyncReport report = new SyncRunner(es.async(), config.bulk(), config.sync())
                .run(request, new SyncStats(), stats -> { })
                .block(Duration.ofMinutes(2));
        assertThat(report).isNotNull();
        assertThat(report.jobType()).isEqualTo("access_control");
        return report;
    }

    @Test
    void theIdentitiesGoToTheAccessControlIndexAndAReSyncDeletesAVanishedOne() throws Exception {
        ConnectorsConfig connector = config(script, "it-acl");
        assertThat(SyncRunner.accessControlIndex(connector.connectors().get(0))).isEqualTo("it-acl-access-control");
        identities.addAll(List.of(identity("alice", "alice", "user:alice", "group:staff"),
                identity("bob", "bob", "user:bob", "group:staff"),
                identity("carol", "carol", "user:carol")));

        SyncReport first = accessControlSync(connector);

        assertThat(first.error()).isNull();
        assertThat(first.status()).isEqualTo(SyncReport.Status.COMPLETED);
        assertThat(first.counts()).containsEntry("indexed", 3L).containsEntry("deleted", 0L);
        assertThat(IndexContents.read(es.async(), "it-acl-access-control", "username"))
                .isEqualTo(Map.of("alice", "alice", "bob", "bob", "carol", "carol"));
        assertThat(es.async().indices().exists(e -> e.index("it-acl")).get().value())
                .as("the content index is not written by an access-control sync").isFalse();

        identities.removeIf(d -> d.id().equals("bob"));
        identities.set(1, identity("carol", "carol c.", "user:carol"));
        SyncReport second = accessControlSync(connector);

        assertThat(second.status()).isEqualTo(SyncReport.Status.COMPLETED);
        assertThat(second.counts()).containsEntry("deleted", 1L);
        assertThat(IndexContents.read(es.async(), "it-acl-access-control", "username"))
                .isEqualTo(Map.of("alice", "alice", "carol", "carol c."));
    }

    @Test
    void aFailedReadOfTheIdentitiesDeletesNone() throws Exception {
        ConnectorsConfig connector = config(script, "it-acl-failed");
        identities.addAll(List.of(identity("alice", "alice", "user:alice"), identity("bob", "bob", "user:bob")));
        assertThat(accessControlSync(connector).status()).isEqualTo(SyncReport.Status.COMPLETED);

        identities.removeIf(d -> d.id().equals("bob"));
        script.failing(ScriptedSource.Point.ACCESS_CONTROL, () -> new SourceException("the directory went away"));
        SyncReport failed = accessControlSync(connector);

        assertThat(failed.status()).isEqualTo(SyncReport.Status.ERROR);
        assertThat(failed.error()).contains("the directory went away");
        assertThat(IndexContents.read(es.async(), "it-acl-failed-access-control", "username"))
                .as("an incomplete listing deletes nothing").containsOnlyKeys("alice", "bob");
    }

    @Test
    void aSourceWithoutAccessControlFailsTheJobSayingSo() throws Exception {
        ScriptedSource.Script plain = ScriptedSource.type("scripted")
                .documents(SourceDocument.builder("doc-1").field("title", "one").build());

        SyncReport report = accessControlSync(config(plain, "it-acl-none"));

        assertThat(report.status()).isEqualTo(SyncReport.Status.ERROR);
        assertThat(report.error()).contains("source type scripted does not support access-control syncs");
        assertThat(plain.openSources()).as("the source is closed").isZero();
    }
}
