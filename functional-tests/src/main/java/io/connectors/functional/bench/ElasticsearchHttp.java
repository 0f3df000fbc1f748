package io.connectors.functional.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connectors.elasticsearch.local.ElasticsearchEndpoint;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

/**
 * The few Elasticsearch calls the benchmark makes itself, over {@code java.net.http} with nothing of the
 * framework in between: index administration, node statistics and raw {@code _bulk} bodies. Thread-safe; one
 * HTTP/1.1 connection per request in flight.
 */
final class ElasticsearchHttp {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private final URI base;
    private final String authorization;
    private final HttpClient http;

    ElasticsearchHttp(ElasticsearchEndpoint endpoint) {
        String uri = endpoint.uri().toString();
        this.base = URI.create(uri.endsWith("/") ? uri : uri + "/");
        this.authorization = endpoint.hasCredentials()
                ? "Basic " + Base64.getEncoder().encodeToString(
                        (endpoint.username() + ":" + endpoint.password()).getBytes(StandardCharsets.UTF_8))
                : null;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    /** What a {@code _bulk} request answered. */
    record BulkAnswer(int status, boolean errors, int failedItems, String firstError) {
    }

    /**
     * Sends one {@code _bulk} body to {@code index}. Asks only for the errors ({@code filter_path}), so the answer
     * is a few bytes and reading it costs nothing measurable.
     */
    BulkAnswer bulk(String index, byte[] ndjson) throws IOException, InterruptedException {
        HttpRequest request = request(index + "/_bulk?filter_path=errors,items.*.error")
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofByteArray(ndjson))
                .build();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            return new BulkAnswer(response.statusCode(), true, -1, text(response.body()));
        }
        JsonNode body = JSON.readTree(response.body());
        if (!body.path("errors").asBoolean(false)) {
            return new BulkAnswer(200, false, 0, null);
        }
        int failed = 0;
        String first = null;
        for (JsonNode item : body.path("items")) {
            for (JsonNode op : item) {
                if (op.has("error")) {
                    failed++;
                    if (first == null) {
                        first = op.get("error").toString();
                    }
                }
            }
        }
        return new BulkAnswer(200, true, failed, first);
    }

    /** Creates {@code index} with this body (settings and mappings). */
    void createIndex(String index, Map<String, Object> body) throws IOException, InterruptedException {
        expectOk("creating index " + index, send(request(index)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                .build()));
    }

    /** Deletes {@code index}; an index that does not exist is not an error. */
    void deleteIndex(String index) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = send(request(index + "?ignore_unavailable=true").DELETE().build());
        if (response.statusCode() != 200 && response.statusCode() != 404) {
            expectOk("deleting index " + index, response);
        }
    }

    void refresh(String index) throws IOException, InterruptedException {
        expectOk("refreshing " + index, send(request(index + "/_refresh")
                .POST(HttpRequest.BodyPublishers.noBody()).build()));
    }

    long count(String index) throws IOException, InterruptedException {
        return get(index + "/_count").path("count").asLong(-1);
    }

    /** {@code GET path}, parsed. */
    JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = send(request(path).GET().build());
        expectOk("GET " + path, response);
        return JSON.readTree(response.body());
    }

    /** CPU time the answering node's process used since it started ({@code _nodes/_local/stats/process}). */
    long nodeCpuMillis() throws IOException, InterruptedException {
        JsonNode nodes = get("_nodes/_local/stats/process?filter_path=nodes.*.process.cpu.total_in_millis").path("nodes");
        for (JsonNode node : nodes) {
            return node.path("process").path("cpu").path("total_in_millis").asLong(-1);
        }
        return -1;
    }

    /** The version of the answering node. */
    String version() throws IOException, InterruptedException {
        for (JsonNode node : get("_nodes/_local/_none?filter_path=nodes.*.version").path("nodes")) {
            return node.path("version").asText("unknown");
        }
        return "unknown";
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT);
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return b;
    }

    private HttpResponse<byte[]> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    private static void expectOk(String what, HttpResponse<byte[]> response) throws IOException {
        if (response.statusCode() / 100 != 2) {
            throw new IOException(what + " answered " + response.statusCode() + ": " + text(response.body()));
        }
    }

    private static String text(byte[] body) {
        String s = new String(body, StandardCharsets.UTF_8);
        return s.length() > 500 ? s.substring(0, 500) + "..." : s;
    }
}
