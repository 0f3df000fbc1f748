package io.connectors.runtime.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.runtime.ScriptedSources;
import io.connectors.runtime.SourceRegistry;
import io.connectors.runtime.config.ConfigLoader;
import io.connectors.runtime.config.ConnectorConfig;
import io.connectors.runtime.config.ConnectorsConfig;
import io.connectors.runtime.es.ElasticsearchHandle;
import io.connectors.runtime.state.JobType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Full syncs of a splittable source against a real Elasticsearch: splits read in parallel give exactly the source,
 * vanished documents are deleted from the ids the splits saved, a retryable failure reads a split again from its
 * position, and a drained sync resumes from the positions it saved without reading again what they cover.
 */
class SplitSyncIT {
    private static final Duration WAIT = Duration.ofMinutes(2);
    private static ElasticsearchHandle es;

    @TempDir
    Path tmp;

    @BeforeAll
    static void connect() {
        es = TestClients.connect();
    }

    @AfterAll
    static void close() {
        es.close();
    }

    private static ConnectorsConfig config(String index, Map<String, Object> configuration) {
        Map<String, Object> connector = Map.of("id", "split-" + index, "type", "scripted", "index", index,
                "configuration", configuration);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("elasticsearch", TestClients.section());
        root.put("sync", Map.of("max_concurrent_splits", 4, "reconcile_batch_size", 50));
        root.put("connectors", List.of(connector));
        return ConfigLoader.fromMap(root, "test", Map.of(), SourceRegistry.of(List.of(ScriptedSources.provider())));
    }

    private static SyncReport full(ConnectorsConfig config, SplitJob splits, SyncStats stats) {
        ConnectorConfig c = config.connectors().get(0);
        SyncRunner runner = new SyncRunner(es.async(), config.bulk(), config.sync());
        return runner.run(new SyncRunner.SyncRequest(c, JobType.FULL, ChangeCheck.NONE, c.syncRules(),
                Optional.empty(), cursor -> Mono.empty(), splits), stats, s -> { }).block(WAIT);
    }

    private static void deleteIndex(String index) throws Exception {
        es.async().indices().delete(d -> d.index(index).ignoreUnavailable(true)).get();
    }

    @Test
    void splitsReadInParallelGiveExactlyTheSourceAndVanishedDocumentsAreDeleted() throws Exception {
        String index = "it-splits";
        deleteIndex(index);
        SyncReport first = full(config(index, Map.of("docs", 1000, "splits", 8)), null, new SyncStats());
        assertThat(first.error()).isNull();
        assertThat(first.status()).isEqualTo(SyncReport.Status.COMPLETED);
        assertThat(first.counts()).containsEntry("seen", 1000L).containsEntry("indexed", 1000L);
        assertThat(IndexContents.read(es.async(), index, "n")).hasSize(1000).containsEntry("doc-999", "999");

        SyncReport again = full(config(index, Map.of("docs", 1000, "splits", 8)), null, new SyncStats());
        assertThat(again.counts()).containsEntry("seen", 1000L).containsEntry("unchanged", 1000L)
                .containsEntry("indexed", 0L).containsEntry("updated", 0L).containsEntry("deleted", 0L);

        // 120 fewer documents: the last split is shorter, the ids the splits saved no longer include them. (The
        // document count is configuration, so the fingerprint changed and the 880 kept are rewritten.)
        SyncReport fewer = full(config(index, Map.of("docs", 880, "splits", 8)), null, new SyncStats());
        assertThat(fewer.status()).isEqualTo(SyncReport.Status.COMPLETED);
        assertThat(fewer.counts()).containsEntry("seen", 880L).containsEntry("updated", 880L).containsEntry("deleted", 120L);
        assertThat(IndexContents.read(es.async(), index, "n")).hasSize(880).doesNotContainKey("doc-880");
    }

    @Test
    void aRetryableFailureReadsTheSplitAgainFromItsPosition() throws Exception {
        String index = "it-splits-retry";
        deleteIndex(index);
        ScriptedSources.SPLIT_READS.clear();
        SyncReport report = full(config(index, Map.of("docs", 400, "splits", 4, "retryable_failures", 1)), null,
                new SyncStats());
        assertThat(report.error()).isNull();
        assertThat(report.status()).isEqualTo(SyncReport.Status.COMPLETED);
        assertThat(ScriptedSources.SPLIT_READS).hasSize(4).allSatisfy((id, reads) -> assertThat(reads.get()).as(id).isEqualTo(2));
        // Each split failed after 14 documents; its second read started after the 10th (its last position), so 4 of
        // each were read twice, and written once more at most.
        assertThat(report.counts().get("seen")).isEqualTo(400L + 4 * 4);
        assertThat(IndexContents.read(es.async(), index, "n")).hasSize(400);
    }

    @Test
    void aDrainedSyncSavesItsPositionsAndTheNextAttemptReadsOnlyTheRest() throws Exception {
        String index = "it-splits-resume";
        deleteIndex(index);
        ConnectorsConfig config = config(index, Map.of("docs", 600, "splits", 6, "delay_ms", 5));
        try (LocalSplits local = new LocalSplits(tmp)) {
            SplitJob first = new SplitJob(local, true, Duration.ofMillis(100), Duration.ofMillis(100));
            SyncStats firstStats = new SyncStats();
            // Drained once about a third of the documents were read.
            Schedulers.boundedElastic().schedule(() -> {
                while (firstStats.seen() < 200) {
                    Thread.onSpinWait();
                }
                first.drain();
            });
            SyncReport suspended = full(config, first, firstStats);
            assertThat(suspended.status()).isEqualTo(SyncReport.Status.ERROR);
            assertThat(suspended.error()).contains("stopped");
            long readBefore = firstStats.seen();
            assertThat(readBefore).isBetween(200L, 599L);

            SyncStats secondStats = new SyncStats();
            SyncReport resumed = full(config, new SplitJob(local, true, Duration.ofMillis(100), Duration.ofMillis(100)),
                    secondStats);
            assertThat(resumed.error()).isNull();
            assertThat(resumed.status()).isEqualTo(SyncReport.Status.COMPLETED);
            // A drain acknowledges what was read before it saves: the resumed attempt reads only what it did not cover.
            assertThat(secondStats.skippedByResume() + secondStats.seen()).isEqualTo(600L);
            assertThat(readBefore + secondStats.seen()).isEqualTo(600L);
            assertThat(IndexContents.read(es.async(), index, "n")).hasSize(600);
        }
    }
}
