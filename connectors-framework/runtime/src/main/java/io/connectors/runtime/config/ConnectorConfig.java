package io.connectors.runtime.config;

import io.connectors.spi.DataSourceProvider;
import io.connectors.spi.SourceContext;
import io.connectors.spi.config.SourceConfig;
import io.connectors.spi.network.NetworkPolicy;
import io.connectors.spi.rules.SyncRules;
import java.util.Map;
import java.util.Optional;

/**
 * One connector of {@code config.yml}: a source of a type, its validated configuration, the index it fills, and
 * its schedules.
 *
 * @param id        unique name of the connector ({@code connectors sync <id>})
 * @param type      the source type
 * @param index     the Elasticsearch index the documents go to
 * @param pipeline  the ingest pipeline passed on {@code _bulk}, if any
 * @param schedules cron expression (Quartz syntax) per job type ({@code full}, {@code incremental},
 *                  {@code access_control})
 * @param syncRules the sync rules given in the configuration, parsed; they are validated (against the source for
 *                  advanced rules) before a sync uses them
 * @param provider  the provider of {@code type}
 * @param source    the configuration, validated against the provider's fields
 * @param realtime  real-time mode ({@code realtime: true}): the daemons keep one job following the source's changes
 *                  running (the source must implement {@code RealtimeSource})
 * @param network   the hosts its source may reach (the configuration's {@code network} section)
 * @param extraction the limits of content extraction when the connector extracts the text of documents' bodies
 *                  ({@code extract_content}); empty when it does not
 * @param refreshInterval the index's refresh interval set in the configuration ({@code refresh_interval}); empty when
 *                  not set (see {@link #indexRefresh})
 */
public record ConnectorConfig(
        String id,
        String type,
        String index,
        Optional<String> pipeline,
        Map<String, String> schedules,
        SyncRules syncRules,
        DataSourceProvider provider,
        SourceConfig source,
        boolean realtime,
        NetworkPolicy network,
        Optional<ExtractionSettings> extraction,
        Optional<java.time.Duration> refreshInterval) {

    /** A real-time connector's index, when the runtime creates it and the configuration does not say. */
    public static final java.time.Duration REALTIME_REFRESH_INTERVAL = java.time.Duration.ofMillis(500);

    /** Without a configured refresh interval. */
    public ConnectorConfig(String id, String type, String index, Optional<String> pipeline, Map<String, String> schedules,
                           SyncRules syncRules, DataSourceProvider provider, SourceConfig source, boolean realtime,
                           NetworkPolicy network, Optional<ExtractionSettings> extraction) {
        this(id, type, index, pipeline, schedules, syncRules, provider, source, realtime, network, extraction,
                Optional.empty());
    }

    /** Without content extraction. */
    public ConnectorConfig(String id, String type, String index, Optional<String> pipeline, Map<String, String> schedules,
                           SyncRules syncRules, DataSourceProvider provider, SourceConfig source, boolean realtime,
                           NetworkPolicy network) {
        this(id, type, index, pipeline, schedules, syncRules, provider, source, realtime, network, Optional.empty());
    }

    /** A connector not in real-time mode, under the default network policy. */
    public ConnectorConfig(String id, String type, String index, Optional<String> pipeline, Map<String, String> schedules,
                           SyncRules syncRules, DataSourceProvider provider, SourceConfig source) {
        this(id, type, index, pipeline, schedules, syncRules, provider, source, false);
    }

    /** Under the default network policy. */
    public ConnectorConfig(String id, String type, String index, Optional<String> pipeline, Map<String, String> schedules,
                           SyncRules syncRules, DataSourceProvider provider, SourceConfig source, boolean realtime) {
        this(id, type, index, pipeline, schedules, syncRules, provider, source, realtime, NetworkPolicy.defaults());
    }

    /**
     * What its source is created with: the connector's id, the network policy, whether content is extracted and
     * whether it runs in real-time mode; no metrics (the daemon adds them, {@link SourceContext#withMetrics}).
     */
    public SourceContext context() {
        return new SourceContext(id, network, extraction.isPresent(), realtime, io.connectors.spi.SourceMetrics.NONE);
    }

    /** Whether the text of documents' bodies is extracted. */
    public boolean extractsContent() {
        return extraction.isPresent();
    }

    /** This connector with content extraction under {@code settings}, or without it ({@code null}). */
    public ConnectorConfig withExtraction(ExtractionSettings settings) {
        return new ConnectorConfig(id, type, index, pipeline, schedules, syncRules, provider, source, realtime, network,
                Optional.ofNullable(settings), refreshInterval);
    }

    /**
     * The refresh interval its index gets, and whether an existing index is brought to it: the configured one, always;
     * else, for a real-time connector, {@link #REALTIME_REFRESH_INTERVAL} when the index is created (a change is
     * searchable sooner than at Elasticsearch's 1 s); else none (Elasticsearch's own).
     */
    public Optional<IndexRefresh> indexRefresh() {
        if (refreshInterval.isPresent()) {
            return Optional.of(new IndexRefresh(refreshInterval.get(), true));
        }
        return realtime ? Optional.of(new IndexRefresh(REALTIME_REFRESH_INTERVAL, false)) : Optional.empty();
    }

    /**
     * @param interval the index's {@code index.refresh_interval}
     * @param enforced whether an existing index is brought to it too (it was configured), or only a new one gets it
     */
    public record IndexRefresh(java.time.Duration interval, boolean enforced) {
        /** As Elasticsearch writes it: {@code 500ms}. */
        public String setting() {
            return interval.toMillis() + "ms";
        }
    }

    /** For logs: secrets masked. */
    @Override
    public String toString() {
        return "Connector[id=" + id + ", type=" + type + ", index=" + index + ", pipeline=" + pipeline.orElse("-")
                + ", schedules=" + schedules + (realtime ? ", realtime" : "") + (extraction.isPresent() ? ", extract_content" : "")
                + ", configuration=" + source.masked() + "]";
    }
}
