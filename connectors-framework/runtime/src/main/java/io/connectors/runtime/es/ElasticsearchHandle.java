package io.connectors.runtime.es;

import co.elastic.clients.elasticsearch.ElasticsearchAsyncClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.ErrorCause;
import co.elastic.clients.elasticsearch.cluster.HealthResponse;
import co.elastic.clients.elasticsearch.nodes.info.NodeInfo;
import co.elastic.clients.transport.TransportException;
import co.elastic.clients.transport.http.TransportHttpClient;
import io.connectors.runtime.config.ElasticsearchSettings;
import java.net.URI;
import java.util.Objects;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * An Elasticsearch client and the connection pool behind it. Made by {@link ElasticsearchClients#create}; close it
 * to release the pool. Thread-safe: share one per process.
 */
public final class ElasticsearchHandle implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ElasticsearchHandle.class);

    private final ElasticsearchSettings settings;
    private final ReactorNettyTransportHttpClient httpClient;
    private final ElasticsearchAsyncClient async;

    ElasticsearchHandle(ElasticsearchSettings settings, ReactorNettyTransportHttpClient httpClient,
                        ElasticsearchAsyncClient async) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
        this.async = Objects.requireNonNull(async, "async");
    }

    /** The async API client. Its futures complete on {@code parallel} threads; wrap calls lazily with
     * {@code Mono.fromFuture(() -> async().bulk(...))}. */
    public ElasticsearchAsyncClient async() {
        return async;
    }

    public ElasticsearchSettings settings() {
        return settings;
    }

    /**
     * Checks that Elasticsearch answers and accepts our credentials: {@code GET _cluster/health}, then the version
     * of the answering node ({@code GET _nodes/_local/_none}; {@code GET /} is not used because some distributions
     * answer it with 405). Lazy: nothing is sent before subscription; each subscription checks again.
     *
     * <p>Emits the cluster's name, health status, node count and version (null, with a warning logged, when the
     * user may not read node information). Fails with an {@link ElasticsearchPingException} whose message names
     * the URL and the HTTP status, and says "authentication failed" on 401. A red cluster is not a failure: the
     * caller decides what the status means.
     */
    public Mono<ClusterInfo> ping() {
        return Mono.fromFuture(() -> async.cluster().health())
                .onErrorMap(e -> !(e instanceof ElasticsearchPingException), this::pingFailure)
                .flatMap(health -> version().map(version -> info(health, version))
                        .defaultIfEmpty(info(health, null)));
    }

    private ClusterInfo info(HealthResponse health, String version) {
        return new ClusterInfo(hosts(), health.clusterName(), health.status().jsonValue(), health.numberOfNodes(),
                version);
    }

    private Mono<String> version() {
        return Mono.fromFuture(() -> async.nodes().info(r -> r.nodeId("_local").metric("_none")))
                .flatMap(response -> Mono.justOrEmpty(response.nodes().values().stream()
                        .map(NodeInfo::version).findFirst()))
                .onErrorResume(e -> {
                    log.warn("Elasticsearch answered the health check but its version could not be read: {}",
                            pingFailure(e).getMessage());
                    return Mono.empty();
                });
    }

    private ElasticsearchPingException pingFailure(Throwable e) {
        String where = hosts();
        if (e instanceof ElasticsearchConnectionException c) {
            return new ElasticsearchPingException("Elasticsearch at " + where + " is unreachable: " + c.getMessage(),
                    where, 0, e);
        }
        int status;
        String detail;
        if (e instanceof ElasticsearchException ee) {
            status = ee.status();
            where = nodeOr(ee.httpResponse(), where);
            ErrorCause cause = ee.error();
            detail = cause == null ? ee.getMessage() : cause.type() + ": " + cause.reason();
        } else if (e instanceof TransportException te) {
            status = te.statusCode();
            where = nodeOr(te.response(), where);
            detail = te.getMessage();
        } else {
            return new ElasticsearchPingException("Elasticsearch at " + where + ": check failed: " + e, where, 0, e);
        }
        String message;
        if (status == 401) {
            message = "Elasticsearch at " + where + ": authentication failed (HTTP 401); check "
                    + (settings.apiKey() != null ? "apiKey" : settings.username() != null ? "username and password"
                    : "credentials: none are configured (set username/password or apiKey)") + " — " + detail;
        } else if (status == 403) {
            message = "Elasticsearch at " + where + ": permission denied (HTTP 403); the user needs the 'monitor' "
                    + "cluster privilege — " + detail;
        } else if (status == 200) {
            message = "Elasticsearch at " + where + ": unexpected answer: " + detail;
        } else {
            message = "Elasticsearch at " + where + " answered HTTP " + status + ": " + detail;
        }
        return new ElasticsearchPingException(message, where, status, e);
    }

    private static String nodeOr(TransportHttpClient.Response response, String fallback) {
        return response == null || response.node() == null ? fallback : strip(response.node().uri());
    }

    private String hosts() {
        return settings.hosts().size() == 1 ? settings.hosts().get(0).toString()
                : settings.hosts().stream().map(URI::toString).collect(Collectors.joining(", ", "[", "]"));
    }

    private static String strip(URI uri) {
        String s = uri.toString();
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    /** Closes the connection pool; in-flight requests fail. Does not block. */
    @Override
    public void close() {
        httpClient.close();
    }
}
