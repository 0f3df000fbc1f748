package io.connectors.spi;

import io.connectors.spi.network.NetworkPolicy;
import java.util.Objects;

/**
 * What the runtime tells a source about where it runs.
 *
 * @param connectorId the id of the connector this source serves, for log lines and metric labels
 * @param network     which hosts the source may connect to: check every host before connecting to it (see
 *                    {@link NetworkPolicy})
 * @param extractContent whether the runtime extracts the text of documents' {@linkplain LazyBody bodies} for this
 *                    connector ({@code extract_content}): when it does not, a source need not attach bodies
 * @param realtime    whether the connector runs in real-time mode ({@code realtime: true}): a {@link RealtimeSource}
 *                    whose cursor for following changes differs from its incremental one (a replication position, not
 *                    a column's maximum) gives it from {@link IncrementalSource#currentCursor}, and may check in
 *                    {@link BaseDataSource#validateConfig} what following needs
 * @param metrics     where the source reports measurements of its backend ({@link SourceMetrics#NONE} outside a daemon)
 */
public record SourceContext(String connectorId, NetworkPolicy network, boolean extractContent, boolean realtime,
                            SourceMetrics metrics) {
    public SourceContext {
        Objects.requireNonNull(connectorId, "connectorId");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(metrics, "metrics");
    }

    /** Not in real-time mode, reporting no metrics. */
    public SourceContext(String connectorId, NetworkPolicy network, boolean extractContent) {
        this(connectorId, network, extractContent, false, SourceMetrics.NONE);
    }

    /** Without content extraction. */
    public SourceContext(String connectorId, NetworkPolicy network) {
        this(connectorId, network, false);
    }

    /** With {@link NetworkPolicy#defaults()}: every host allowed but link-local and unspecified addresses. */
    public SourceContext(String connectorId) {
        this(connectorId, NetworkPolicy.defaults());
    }

    /** This context, with its measurements reported to {@code to}. */
    public SourceContext withMetrics(SourceMetrics to) {
        return new SourceContext(connectorId, network, extractContent, realtime, to);
    }
}
