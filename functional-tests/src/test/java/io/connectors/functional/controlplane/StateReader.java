package io.connectors.functional.controlplane;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connectors.elasticsearch.local.ElasticsearchEndpoint;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Reads what the daemons wrote, over plain HTTP ({@code java.net.http}, nothing of the runtime in between): job and
 * connector records behind the state aliases, and the ids of a content index.
 */
final class StateReader {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final String base;
    private final String authorization;
    private final String prefix;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    StateReader(ElasticsearchEndpoint es, String statePrefix) {
        String uri = es.uri().toString();
        this.base = uri.endsWith("/") ? uri : uri + "/";
        this.authorization = es.hasCredentials()
                ? "Basic " + Base64.getEncoder().encodeToString((es.username() + ":" + es.password()).getBytes(StandardCharsets.UTF_8))
                : null;
        this.prefix = statePrefix;
    }

    String jobsAlias() {
        return prefix + "-jobs";
    }

    String connectorsAlias() {
        return prefix + "-connectors";
    }

    // ---------------------------------------------------------------- state

    /** The job's record (real-time get, no refresh needed), if it exists. */
    Optional<JsonNode> job(String jobId) throws IOException, InterruptedException {
        return getSource(jobsAlias(), jobId);
    }

    /** The connector's record, if it exists. */
    Optional<JsonNode> connector(String connectorId) throws IOException, InterruptedException {
        return getSource(connectorsAlias(), connectorId);
    }

    /** Every job of the connector (at most 1,000), oldest first, after a refresh. */
    List<JsonNode> jobsOf(String connectorId) throws IOException, InterruptedException {
        refresh(jobsAlias());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("size", 1000);
        body.put("query", Map.of("term", Map.of("connector_id", connectorId)));
        body.put("sort", List.of(Map.of("created_at", "asc")));
        List<JsonNode> jobs = new ArrayList<>();
        for (JsonNode hit : search(jobsAlias(), body).path("hits").path("hits")) {
            jobs.add(hit.path("_source"));
        }
        return jobs;
    }

    /**
     * Polls the job every {@code pollMillis} until {@code condition} holds; returns its record. Fails with the last
     * record seen after {@code timeout}.
     */
    JsonNode awaitJob(String jobId, String what, Predicate<JsonNode> condition, Duration timeout, long pollMillis)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last = null;
        while (true) {
            Optional<JsonNode> job = job(jobId);
            if (job.isPresent()) {
                last = job.get();
                if (condition.test(last)) {
                    return last;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("job " + jobId + " was not " + what + " within " + timeout + "; last record: "
                        + (last == null ? "none" : last.toPrettyString()));
            }
            TimeUnit.MILLISECONDS.sleep(pollMillis);
        }
    }

    /** Polls the connector's jobs (searching, so refreshing) until one matches {@code condition}. */
    JsonNode awaitJobOf(String connectorId, String what, Predicate<JsonNode> condition, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<JsonNode> last = List.of();
        while (true) {
            last = jobsOf(connectorId);
            for (JsonNode j : last) {
                if (condition.test(j)) {
                    return j;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no job of connector " + connectorId + " was " + what + " within " + timeout
                        + "; its jobs: " + last);
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
    }

    static String status(JsonNode job) {
        return job.path("status").asText();
    }

    static long countOf(JsonNode job, String name) {
        return job.path("counts").path(name).asLong(0);
    }

    /** The instant in a date field, or {@code null} when absent. */
    static Instant instant(JsonNode doc, String field) {
        JsonNode v = doc.path(field);
        return v.isMissingNode() || v.isNull() || v.asText().isEmpty() ? null : Instant.parse(v.asText());
    }

    static List<String> notes(JsonNode job) {
        List<String> notes = new ArrayList<>();
        job.path("notes").forEach(n -> notes.add(n.asText()));
        return notes;
    }

    // ---------------------------------------------------------------- content indices

    void refresh(String index) throws IOException, InterruptedException {
        HttpResponse<String> r = send(request(index + "/_refresh").POST(HttpRequest.BodyPublishers.noBody()));
        expect(r, "refreshing " + index);
    }

    /** Creates an empty index with no settings or mappings of its own (the runtime adds its mappings). */
    void createIndex(String index) throws IOException, InterruptedException {
        HttpResponse<String> r = send(request(index).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{}")));
        expect(r, "creating " + index);
    }

    long count(String index) throws IOException, InterruptedException {
        HttpResponse<String> r = send(request(index + "/_count").GET());
        if (r.statusCode() == 404) {
            return -1;
        }
        expect(r, "counting " + index);
        return JSON.readTree(r.body()).path("count").asLong();
    }

    /** How many documents match {@code query} in search, without a refresh: what searches see now. */
    long countVisible(String index, Map<String, Object> query) throws IOException, InterruptedException {
        HttpResponse<String> r = send(request(index + "/_count").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("query", query)))));
        if (r.statusCode() == 404 || r.statusCode() == 503) {
            return -1; // not created yet, or its shard not started yet
        }
        expect(r, "counting " + index);
        return JSON.readTree(r.body()).path("count").asLong();
    }

    /**
     * Every {@code _id} of the index, after a refresh: pages of 10,000 sorted by {@code _sync_id} (the runtime's
     * keyword copy of the id). Fails if the scan does not see as many documents as {@code _count} (a document the
     * runtime did not write has no {@code _sync_id} and would be missed by the sort otherwise).
     */
    Set<String> ids(String index) throws IOException, InterruptedException {
        refresh(index);
        Set<String> ids = new HashSet<>();
        List<Object> after = null;
        while (true) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("size", 10_000);
            body.put("_source", false);
            body.put("track_total_hits", false);
            body.put("sort", List.of(Map.of("_sync_id", Map.of("order", "asc", "missing", "_last"))));
            if (after != null) {
                body.put("search_after", after);
            }
            JsonNode hits = search(index, body).path("hits").path("hits");
            if (hits.isEmpty()) {
                break;
            }
            for (JsonNode hit : hits) {
                ids.add(hit.path("_id").asText());
            }
            JsonNode sort = hits.get(hits.size() - 1).path("sort");
            after = new ArrayList<>();
            for (JsonNode v : sort) {
                after.add(v.isNull() ? null : v.asText());
            }
        }
        long count = count(index);
        if (count != ids.size()) {
            throw new AssertionError("index " + index + " holds " + count + " documents but a scan by _sync_id found "
                    + ids.size() + " (documents without _sync_id?)");
        }
        return ids;
    }

    /** The indexed document's {@code _source}, if present. */
    Optional<JsonNode> document(String index, String id) throws IOException, InterruptedException {
        return getSource(index, id);
    }

    // ---------------------------------------------------------------- HTTP

    private Optional<JsonNode> getSource(String index, String id) throws IOException, InterruptedException {
        HttpResponse<String> r = send(request(index + "/_doc/" + URLEncoder.encode(id, StandardCharsets.UTF_8)).GET());
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        expect(r, "reading " + index + "/" + id);
        JsonNode doc = JSON.readTree(r.body());
        return doc.path("found").asBoolean(false) ? Optional.of(doc.path("_source")) : Optional.empty();
    }

    private JsonNode search(String index, Map<String, Object> body) throws IOException, InterruptedException {
        HttpResponse<String> r = send(request(index + "/_search")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
        expect(r, "searching " + index);
        return JSON.readTree(r.body());
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(REQUEST_TIMEOUT);
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return b;
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void expect(HttpResponse<String> r, String what) {
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(what + " answered " + r.statusCode() + ": " + r.body());
        }
    }
}
