package io.connectors.runtime.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.runtime.ScriptedSources;
import io.connectors.runtime.config.ConfigLoader;
import io.connectors.runtime.config.ConnectorConfig;
import io.connectors.runtime.config.ConnectorsConfig;
import io.connectors.runtime.config.ExtractionSettings;
import io.connectors.runtime.ops.DaemonMetrics;
import io.connectors.runtime.sink.BulkSink;
import io.connectors.runtime.state.JobType;
import io.connectors.spi.rules.SyncRules;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The sources a daemon's runner creates report to the daemon's metrics, under their connector; a one-shot runner's
 * report nowhere. The job is skipped before Elasticsearch would be used: no client is needed.
 */
class SyncRunnerSourceMetricsTest {
    @TempDir
    Path dir;

    private SyncReport skippedJob(SyncRunner runner, ConnectorConfig connector) {
        SyncRunner.SyncRequest request = new SyncRunner.SyncRequest(connector, JobType.FULL, source -> Mono.just("unchanged"),
                SyncRules.NONE, Optional.empty(), c -> Mono.empty());
        SyncReport[] report = new SyncReport[1];
        runner.run(request, new SyncStats(), s -> { }).as(StepVerifier::create)
                .assertNext(r -> report[0] = r)
                .verifyComplete();
        return report[0];
    }

    @Test
    void aDaemonsSourcesReportUnderTheirConnectorAndAOneShotsNowhere() {
        ConnectorsConfig config = ConfigLoader.fromMap(Map.of("connectors", List.of(
                        Map.of("id", "db", "type", "scripted", "configuration", Map.of()))),
                "test.yml", Map.of(), ScriptedSources.registry());
        ConnectorConfig db = config.connector("db").orElseThrow();
        try (DaemonMetrics metrics = new DaemonMetrics();
             ContentExtractor extractor = new ContentExtractor(ExtractionSettings.defaults(), dir, null)) {
            SyncRunner oneShot = new SyncRunner(null, config.bulk(), config.sync(), BulkSink.Listener.NONE, extractor);
            assertThat(skippedJob(oneShot, db).status()).isEqualTo(SyncReport.Status.SKIPPED);
            assertThat(metrics.scrape()).doesNotContain("connectors_source_scripted_instances");

            SyncRunner daemons = new SyncRunner(null, config.bulk(), config.sync(), BulkSink.Listener.NONE, extractor,
                    metrics::sourceMetrics);
            assertThat(skippedJob(daemons, db).status()).isEqualTo(SyncReport.Status.SKIPPED);
            assertThat(metrics.registry().get("connectors.source.scripted_instances").tag("connector", "db").gauge()
                    .value()).isEqualTo(ScriptedSources.CREATED.get());
        }
    }
}
