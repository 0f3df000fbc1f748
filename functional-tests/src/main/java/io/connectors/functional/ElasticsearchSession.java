package io.connectors.functional;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.connectors.elasticsearch.local.ElasticsearchEndpoint;
import io.connectors.runtime.es.ElasticsearchClients;
import io.connectors.runtime.es.ElasticsearchHandle;
import io.connectors.runtime.config.ElasticsearchSettings;
import java.io.IOException;

/**
 * A blocking Elasticsearch client for the harness, on the runtime's transport (the harness waits for each answer;
 * the daemon it tests does not). Close it to release the connection pool.
 */
public final class ElasticsearchSession implements AutoCloseable {
    private final ElasticsearchHandle handle;
    private final ElasticsearchClient client;

    private ElasticsearchSession(ElasticsearchHandle handle) {
        this.handle = handle;
        this.client = new ElasticsearchClient(handle.async()._transport());
    }

    public static ElasticsearchSession open(ElasticsearchEndpoint es) {
        ElasticsearchSettings settings = ElasticsearchSettings.defaults(es.uri());
        if (es.hasCredentials()) {
            settings = settings.withBasicAuth(es.username(), es.password());
        }
        return new ElasticsearchSession(ElasticsearchClients.create(settings));
    }

    public ElasticsearchClient client() {
        return client;
    }

    /** The version of the node that answers ({@code GET /} is refused by some distributions; this is not). */
    public String version() throws IOException {
        return client.nodes().info(r -> r.nodeId("_local").metric("_none")).nodes().values().stream()
                .map(n -> n.version()).findFirst().orElse("unknown");
    }

    /** Deletes {@code index} if it exists. */
    public void deleteIndex(String index) throws IOException {
        if (client.indices().exists(e -> e.index(index)).value()) {
            client.indices().delete(d -> d.index(index));
        }
    }

    @Override
    public void close() {
        handle.close();
    }
}
