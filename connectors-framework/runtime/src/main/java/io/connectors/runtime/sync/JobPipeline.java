package io.connectors.runtime.sync;

import co.elastic.clients.elasticsearch.ElasticsearchAsyncClient;
import io.connectors.runtime.config.ConnectorConfig;
import io.connectors.runtime.sink.BulkSink;
import io.connectors.runtime.config.BulkSinkSettings;
import io.connectors.runtime.sink.ElasticsearchBulkClient;
import io.connectors.spi.rules.SyncRules;
import java.time.Duration;

/**
 * What one job writes with, built once when the job starts: its index, the serializer of its configuration and rules,
 * the rules filter, and the sinks (one at the configured flush interval; one at most {@code realtimeFlush} for
 * following changes). Every pass of the job (a full sync, the incremental or real-time sync after it) shares them.
 */
final class JobPipeline {
    final ConnectorConfig connector;
    final SyncRules rules;
    final TargetIndex index;
    final DocumentSerializer serializer;
    final BasicRulesFilter filter;
    final BulkSink sink;
    final BulkSink followingSink;
    /** Extracts the text of documents' bodies; {@code null} when the connector does not extract content. */
    final ContentExtractor extractor;

    JobPipeline(ElasticsearchAsyncClient client, ConnectorConfig connector, SyncRules rules, String indexName,
                boolean schemaless, BulkSinkSettings bulk, Duration realtimeFlush, SyncStats stats, BulkSink.Listener listener,
                ContentExtractor extractor) {
        this.connector = connector;
        this.extractor = connector.extractsContent() ? java.util.Objects.requireNonNull(extractor, "extractor") : null;
        if (this.extractor != null) {
            stats.extracting();
        }
        this.rules = rules;
        this.index = new TargetIndex(client, indexName);
        this.serializer = new DocumentSerializer(SyncRunner.fingerprint(connector, rules), schemaless);
        this.filter = new BasicRulesFilter(rules.basic());
        ElasticsearchBulkClient bulkClient = new ElasticsearchBulkClient(client, indexName, connector.pipeline().orElse(null));
        this.sink = new BulkSink(bulkClient, bulk, stats, listener);
        BulkSinkSettings latency = bulk.flushInterval().compareTo(realtimeFlush) > 0 ? bulk.withFlushInterval(realtimeFlush) : bulk;
        this.followingSink = new BulkSink(bulkClient, latency, stats, listener);
    }
}
