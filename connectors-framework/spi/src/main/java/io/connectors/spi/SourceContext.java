package io.connectors.spi;

import io.connectors.spi.network.NetworkPolicy;
import java.util.Objects;

/**
 * What the runtime tells a source about where it runs.
 *
 * @param connectorId the id of the connector this source serves, for log lines and metric labels
 * @param network     which hosts the source may connect to: check every host before connecting to it (see
 *                    {@link NetworkPolicy})
 */
public record SourceContext(String connectorId, NetworkPolicy network) {
    public SourceContext {
        Objects.requireNonNull(connectorId, "connectorId");
        Objects.requireNonNull(network, "network");
    }

    /** With {@link NetworkPolicy#defaults()}: every host allowed but link-local and unspecified addresses. */
    public SourceContext(String connectorId) {
        this(connectorId, NetworkPolicy.defaults());
    }
}
