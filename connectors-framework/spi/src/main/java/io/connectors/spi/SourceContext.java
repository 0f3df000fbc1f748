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
 */
public record SourceContext(String connectorId, NetworkPolicy network, boolean extractContent) {
    public SourceContext {
        Objects.requireNonNull(connectorId, "connectorId");
        Objects.requireNonNull(network, "network");
    }

    /** Without content extraction. */
    public SourceContext(String connectorId, NetworkPolicy network) {
        this(connectorId, network, false);
    }

    /** With {@link NetworkPolicy#defaults()}: every host allowed but link-local and unspecified addresses. */
    public SourceContext(String connectorId) {
        this(connectorId, NetworkPolicy.defaults());
    }
}
