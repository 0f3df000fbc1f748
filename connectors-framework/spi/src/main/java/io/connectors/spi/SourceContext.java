package io.connectors.spi;

import java.util.Objects;

/**
 * What the runtime tells a source about where it runs.
 *
 * @param connectorId the id of the connector this source serves, for log lines and metric labels
 */
public record SourceContext(String connectorId) {
    public SourceContext {
        Objects.requireNonNull(connectorId, "connectorId");
    }
}
