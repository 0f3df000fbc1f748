package io.connectors.runtime.config;

import io.connectors.runtime.config.BulkSinkSettings;
import io.connectors.spi.network.NetworkPolicy;
import java.util.List;
import java.util.Optional;

/**
 * The whole, validated configuration of the daemon.
 *
 * @param origin        where it was read from, for messages
 * @param elasticsearch the cluster and how to reach it
 * @param bulk          how documents are sent
 * @param sync          how syncs run
 * @param daemon        daemon behaviour
 * @param connectors    the connectors, in file order
 * @param network       the hosts sources may reach (each connector carries it too)
 * @param extraction    the limits of content extraction (each connector that extracts carries them too)
 */
public record ConnectorsConfig(
        String origin,
        ElasticsearchConfig elasticsearch,
        BulkSinkSettings bulk,
        SyncSettings sync,
        DaemonSettings daemon,
        List<ConnectorConfig> connectors,
        NetworkPolicy network,
        ExtractionSettings extraction) {

    /** With content extraction at its defaults. */
    public ConnectorsConfig(String origin, ElasticsearchConfig elasticsearch, BulkSinkSettings bulk, SyncSettings sync,
                            DaemonSettings daemon, List<ConnectorConfig> connectors, NetworkPolicy network) {
        this(origin, elasticsearch, bulk, sync, daemon, connectors, network, ExtractionSettings.defaults());
    }

    public Optional<ConnectorConfig> connector(String id) {
        return connectors.stream().filter(c -> c.id().equals(id)).findFirst();
    }
}
