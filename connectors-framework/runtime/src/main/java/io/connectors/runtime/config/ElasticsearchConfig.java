package io.connectors.runtime.config;

import java.net.URI;
import java.util.List;

/**
 * The {@code elasticsearch} section: where the cluster is (or that a local one must be started) and how to talk
 * to it.
 *
 * @param hosts    configured URLs; empty means "start the embedded local Elasticsearch"
 * @param client   connection settings, with {@code hosts} filled in once known
 * @param embedded the local Elasticsearch used when {@code hosts} is empty
 */
public record ElasticsearchConfig(List<URI> hosts, ElasticsearchSettings client, EmbeddedElasticsearchSettings embedded) {

    /**
     * The bound {@code elasticsearch} settings; {@code null} when they have problems (reported in {@code values}).
     */
    static ElasticsearchConfig from(SettingValues values) {
        ElasticsearchSettings client = ElasticsearchSettings.from(values);
        EmbeddedElasticsearchSettings embedded = EmbeddedElasticsearchSettings.from(values);
        if (client == null || embedded == null) {
            return null;
        }
        String host = values.of(ElasticsearchSettings.GROUP).string(ElasticsearchSettings.HOST);
        boolean configured = java.util.Arrays.stream(host.split(",")).anyMatch(h -> !h.isBlank());
        return new ElasticsearchConfig(configured ? client.hosts() : List.of(), client, embedded);
    }

    /** Whether the daemon must start its own local Elasticsearch. */
    public boolean embeddedRequested() {
        return hosts.isEmpty();
    }

    /** The connection settings for these hosts (the configured ones, or the embedded node's). */
    public ElasticsearchSettings settingsFor(List<URI> actualHosts) {
        return client.withHosts(List.copyOf(actualHosts));
    }
}
