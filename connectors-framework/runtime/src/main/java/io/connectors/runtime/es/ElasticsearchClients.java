package io.connectors.runtime.es;

import co.elastic.clients.elasticsearch.ElasticsearchAsyncClient;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.ElasticsearchTransportBase;
import co.elastic.clients.transport.http.TransportHttpClient;
import co.elastic.clients.transport.instrumentation.NoopInstrumentation;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.connectors.runtime.config.ElasticsearchSettings;

/** Builds Elasticsearch clients on the Reactor Netty transport. */
public final class ElasticsearchClients {

    private ElasticsearchClients() {
    }

    /**
     * A client for the given settings. Builds the connection pool (and reads the CA file, if any) but opens no
     * connection: use {@link ElasticsearchHandle#ping()} to check the cluster.
     *
     * @throws IllegalArgumentException when the CA file cannot be read or parsed
     */
    public static ElasticsearchHandle create(ElasticsearchSettings settings) {
        ReactorNettyTransportHttpClient httpClient = new ReactorNettyTransportHttpClient(settings);
        ElasticsearchAsyncClient async =
                new ElasticsearchAsyncClient(new ReactorNettyTransport(httpClient, jsonpMapper()));
        return new ElasticsearchHandle(settings, httpClient, async);
    }

    /**
     * The JSON mapper our clients use: Jackson 2 with {@code java.time} support, dates written as ISO-8601
     * strings, null fields left out.
     */
    public static JacksonJsonpMapper jsonpMapper() {
        ObjectMapper objectMapper = new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(SerializationFeature.INDENT_OUTPUT)
                .setSerializationInclusion(JsonInclude.Include.NON_NULL);
        return new JacksonJsonpMapper(objectMapper);
    }

    /** The Elasticsearch transport over our HTTP client; the base class does the request/response mapping. */
    static final class ReactorNettyTransport extends ElasticsearchTransportBase {
        ReactorNettyTransport(TransportHttpClient httpClient, JacksonJsonpMapper mapper) {
            // Explicitly no instrumentation: the default, OpenTelemetryForElasticsearch, logs through
            // commons-logging, which came with the low-level rest client we exclude.
            super(httpClient, null, mapper, NoopInstrumentation.INSTANCE);
        }
    }
}
