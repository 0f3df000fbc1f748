package io.connectors.elasticsearch.local;

import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Endpoint of a running Elasticsearch.
 *
 * @param uri      base address, for example {@code http://127.0.0.1:9200} or {@code https://127.0.0.1:9200}
 * @param username basic-auth user, {@code null} when security is off
 * @param password basic-auth password, {@code null} when security is off; never printed by {@link #toString()}
 * @param caFile   PEM file of the CA that signed the node's HTTP certificate, {@code null} for plain HTTP (or a
 *                 certificate the JVM's trust store already trusts)
 */
public record ElasticsearchEndpoint(URI uri, String username, String password, Path caFile) {

    public ElasticsearchEndpoint {
        Objects.requireNonNull(uri, "uri");
    }

    /** An endpoint without a CA file. */
    public ElasticsearchEndpoint(URI uri, String username, String password) {
        this(uri, username, password, null);
    }

    /** Whether requests need basic authentication. */
    public boolean hasCredentials() {
        return username != null;
    }

    @Override
    public String toString() {
        return "ElasticsearchEndpoint[uri=" + uri + ", username=" + username
                + ", password=" + (password == null ? null : "***") + ", caFile=" + caFile + "]";
    }
}
