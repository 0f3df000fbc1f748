package io.connectors.runtime.sync;

import io.connectors.elasticsearch.local.ElasticsearchEndpoint;
import io.connectors.runtime.SourceRegistry;
import io.connectors.runtime.config.ConfigLoader;
import io.connectors.runtime.config.ConnectorsConfig;
import io.connectors.runtime.es.ElasticsearchClients;
import io.connectors.runtime.es.ElasticsearchHandle;
import io.connectors.testkit.elasticsearch.TestElasticsearch;
import java.util.HashMap;
import java.util.Map;

/** The runtime's own client to the tests' shared Elasticsearch, configured as a user's {@code elasticsearch} section would. */
final class TestClients {
    private TestClients() {
    }

    /** A new handle on {@link TestElasticsearch#get()}; the caller closes it. */
    static ElasticsearchHandle connect() {
        ConnectorsConfig c = ConfigLoader.fromMap(Map.of("elasticsearch", section()), "test", Map.of(), SourceRegistry.load());
        return ElasticsearchClients.create(c.elasticsearch().settingsFor(c.elasticsearch().hosts()));
    }

    /** The {@code elasticsearch} section of a configuration that reaches the tests' Elasticsearch. */
    static Map<String, Object> section() {
        ElasticsearchEndpoint endpoint = TestElasticsearch.get();
        Map<String, Object> section = new HashMap<>();
        section.put("host", endpoint.uri().toString());
        if (endpoint.username() != null) {
            section.put("username", endpoint.username());
            section.put("password", endpoint.password());
        }
        return section;
    }
}
