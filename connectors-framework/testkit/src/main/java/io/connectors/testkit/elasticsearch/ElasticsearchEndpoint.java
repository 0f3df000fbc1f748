package io.connectors.testkit.elasticsearch;

import java.net.URI;
import java.util.Objects;

/**
 * Endpoint of a running Elasticsearch.
 *
 * @param uri      base address, for example {@code http://127.0.0.1:9200}
 * @param username basic-auth user, {@code null} when security is off
 * @param password basic-auth password, {@code null} when security is off; never printed by {@link #toString()}
 */
public record ElasticsearchEndpoint(URI uri, String username, String password) {

    public ElasticsearchEndpoint {
        Objects.requireNonNull(uri, "uri");
    }

    /** Whether requests need basic authentication. */
    public boolean hasCredentials() {
        return username != null;
    }

    @Override
    public String toString() {
        return "ElasticsearchEndpoint[uri=" + uri + ", username=" + username
                + ", password=" + (password == null ? null : "***") + "]";
    }
}
