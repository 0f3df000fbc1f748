package io.connectors.functional.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.connectors.elasticsearch.local.ElasticsearchEndpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stand-in for Elasticsearch, in the benchmark's JVM, that answers at once everything the daemon asks during
 * start-up and a full sync, so that a sync against it measures the daemon alone (the "daemon ceiling"), not a node
 * sharing its cores. Over HTTP/1.1 on 127.0.0.1 ({@code com.sun.net.httpserver}, a few threads):
 * <ul>
 *   <li>cluster health, node info, {@code GET /}, the security calls (every privilege granted), as
 *       {@link StandInCluster} shapes them;</li>
 *   <li>index administration: exists, create (with aliases), get, mappings, settings, refresh, count, delete;</li>
 *   <li>documents of the control-plane indices (connector and job records), kept in memory with sequence numbers,
 *       so conditional writes and the daemon's searches behave as in Elasticsearch ({@link StandInIndices});</li>
 *   <li>{@code _bulk} ({@link StandInBulk}): bodies read to the end and parsed only as far as the action lines;
 *       documents for the sync's target index are counted and dropped, every item answered {@code created} (201);</li>
 *   <li>{@code _mget}: nothing found in the target index; searches, with or without a point in time: no hits.</li>
 * </ul>
 * The target index is reported missing whenever the daemon asks, so every sync creates it and runs as a full sync
 * into a fresh index. Every request is counted by route ({@link #requests()}); a request it does not know is answered
 * 400 with an Elasticsearch-shaped error, logged once per route and counted in {@link #unknown()}, so a change in
 * what the daemon calls shows in the report instead of passing unnoticed. Thread-safe.
 */
public final class StandInElasticsearch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StandInElasticsearch.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int THREADS = 4;

    private final HttpServer server;
    private final ExecutorService executor;
    private final StandInIndices indices;
    private final Object lock = new Object();
    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> unknown = new ConcurrentHashMap<>();
    private final LongAdder bulkRequests = new LongAdder();
    private final LongAdder bulkItems = new LongAdder();
    private final LongAdder bulkBytes = new LongAdder();
    private final AtomicLong seqNo = new AtomicLong();
    private final AtomicInteger pits = new AtomicInteger();
    private final StandInBulk bulk;

    private StandInElasticsearch(HttpServer server, ExecutorService executor, String targetIndex) {
        this.server = server;
        this.executor = executor;
        this.indices = new StandInIndices(targetIndex, kind -> count(unknown, "query " + kind, "a search used a query of"
                + " kind [" + kind + "], which the stand-in does not evaluate (it matches nothing)"));
        this.bulk = new StandInBulk(indices, lock, seqNo);
    }

    /**
     * Starts a stand-in on a free port of 127.0.0.1.
     *
     * @param targetIndex the index the daemon syncs into: its documents are counted and dropped, and it is reported
     *                    missing whenever asked
     */
    public static StandInElasticsearch start(String targetIndex) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "stand-in-es-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        StandInElasticsearch standIn = new StandInElasticsearch(server, executor, targetIndex);
        server.createContext("/", standIn::handle);
        server.setExecutor(executor);
        server.start();
        LOG.info("Stand-in Elasticsearch listening at {} (documents for {} are counted and dropped)", standIn.uri(),
                targetIndex);
        return standIn;
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The address to give the daemon: no credentials. */
    public ElasticsearchEndpoint endpoint() {
        return new ElasticsearchEndpoint(uri(), null, null);
    }

    /** Requests answered so far, by route ({@code POST /{index}/_bulk}), in route order. */
    public Map<String, Long> requests() {
        return snapshot(requests);
    }

    /** Requests (and query kinds) the stand-in did not know, by route, in route order. */
    public Map<String, Long> unknown() {
        return snapshot(unknown);
    }

    public long bulkRequests() {
        return bulkRequests.sum();
    }

    /** Actions in the {@code _bulk} requests so far (index, create, update and delete). */
    public long bulkItems() {
        return bulkItems.sum();
    }

    /** Bytes of {@code _bulk} bodies so far, uncompressed. */
    public long bulkBytes() {
        return bulkBytes.sum();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private static Map<String, Long> snapshot(Map<String, LongAdder> counts) {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    private static void count(Map<String, LongAdder> counts, String route) {
        counts.computeIfAbsent(route, k -> new LongAdder()).increment();
    }

    private void count(Map<String, LongAdder> counts, String route, String why) {
        boolean first = !counts.containsKey(route);
        count(counts, route);
        if (first) {
            LOG.warn("Stand-in Elasticsearch: {} ({}); counted in the report", route, why);
        }
    }

    // ---- HTTP ------------------------------------------------------------------------------------------------------

    /** A request as the handlers see it. */
    private record Request(String method, List<String> path, Map<String, String> params, byte[] body) {
        String param(String name) {
            return params.get(name);
        }

        JsonNode json() throws IOException {
            return body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
        }
    }

    /** An answer: status and JSON body ({@code null} for none, as to a HEAD). */
    private record Answer(int status, byte[] body) {
        static Answer of(int status, Object json) {
            try {
                return new Answer(status, json == null ? null : JSON.writeValueAsBytes(json));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        static Answer ok(Object json) {
            return of(200, json);
        }

        static Answer error(int status, String type, String reason) {
            Map<String, Object> cause = new LinkedHashMap<>();
            cause.put("type", type);
            cause.put("reason", reason);
            Map<String, Object> error = new LinkedHashMap<>(cause);
            error.put("root_cause", List.of(cause));
            return of(status, Map.of("error", error, "status", status));
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Answer answer;
            try {
                Request request = read(exchange);
                answer = route(request);
            } catch (RuntimeException | IOException e) {
                LOG.warn("Stand-in Elasticsearch: {} {} failed: {}", exchange.getRequestMethod(),
                        exchange.getRequestURI(), e.toString());
                count(unknown, "failed " + exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
                answer = Answer.error(500, "stand_in_exception", e.toString());
            }
            exchange.getResponseHeaders().set("X-Elastic-Product", "Elasticsearch");
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            boolean head = exchange.getRequestMethod().equals("HEAD");
            if (head || answer.body() == null) {
                exchange.sendResponseHeaders(answer.status(), -1);
            } else {
                exchange.sendResponseHeaders(answer.status(), answer.body().length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer.body());
                }
            }
        }
    }

    private static Request read(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream raw = exchange.getRequestBody()) {
            String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
            InputStream in = encoding != null && encoding.toLowerCase(Locale.ROOT).contains("gzip")
                    ? new GZIPInputStream(raw, 65536) : raw;
            body = in.readAllBytes();
        }
        URI uri = exchange.getRequestURI();
        List<String> path = new ArrayList<>();
        for (String s : uri.getRawPath().split("/")) {
            if (!s.isEmpty()) {
                path.add(URLDecoder.decode(s, StandardCharsets.UTF_8));
            }
        }
        Map<String, String> params = new LinkedHashMap<>();
        String query = uri.getRawQuery();
        if (query != null) {
            for (String p : query.split("&")) {
                int eq = p.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? p : p.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(p.substring(eq + 1), StandardCharsets.UTF_8);
                params.put(k, v);
            }
        }
        return new Request(exchange.getRequestMethod(), path, params, body);
    }

    /**
     * The request's route for the counts: its method and path, with the index name of a per-index API as
     * {@code {index}}, document ids as {@code {id}} and alias names as {@code {name}}.
     */
    static String routeOf(String method, List<String> path) {
        StringBuilder route = new StringBuilder(method).append(' ');
        if (path.isEmpty()) {
            return route.append('/').toString();
        }
        boolean perIndex = !path.get(0).startsWith("_");
        for (int i = 0; i < path.size(); i++) {
            String previous = i == 0 ? "" : path.get(i - 1);
            String shown;
            if (i == 0 && perIndex) {
                shown = "{index}";
            } else if (previous.equals("_doc") || previous.equals("_create") || previous.equals("_update")
                    || previous.equals("_source")) {
                shown = "{id}";
            } else if (previous.equals("_alias") || previous.equals("_aliases")) {
                shown = "{name}";
            } else {
                shown = path.get(i);
            }
            route.append('/').append(shown);
        }
        return route.toString();
    }

    private Answer route(Request r) throws IOException {
        String route = routeOf(r.method(), r.path());
        count(requests, route);
        if (LOG.isDebugEnabled()) {
            LOG.debug("Stand-in Elasticsearch: {} /{} {} ({} bytes)", r.method(), String.join("/", r.path()), r.params(),
                    r.body().length);
        }
        List<String> p = r.path();
        String m = r.method();
        String first = p.isEmpty() ? "" : p.get(0);

        if (p.isEmpty()) {
            return m.equals("HEAD") ? Answer.ok(null) : Answer.ok(StandInCluster.rootInfo());
        }
        if (first.equals("_cluster") && p.size() >= 2 && p.get(1).equals("health")) {
            return Answer.ok(StandInCluster.health());
        }
        if (first.equals("_nodes")) {
            return Answer.ok(StandInCluster.nodes());
        }
        if (first.equals("_security")) {
            Optional<Map<String, Object>> answer = StandInCluster.security(p, r.json());
            return answer.isPresent() ? Answer.ok(answer.get()) : unknown(route);
        }
        if (first.equals("_license")) {
            return Answer.ok(Map.of("license", Map.of("status", "active", "uid", "stand-in", "type", "basic")));
        }
        if (first.equals("_alias") && p.size() == 2) {
            return alias(r, p.get(p.size() - 1));
        }
        if (first.equals("_bulk")) {
            return bulk(r, null);
        }
        if (first.equals("_mget")) {
            return mget(r, null);
        }
        if (first.equals("_search") || first.equals("_pit") || first.equals("_refresh") || first.equals("_count")) {
            return indexEndpoint(r, null, first, route);
        }
        if (first.startsWith("_")) {
            return unknown(route);
        }
        // /{index}...
        String index = first;
        if (p.size() == 1) {
            return indexItself(r, index, route);
        }
        String endpoint = p.get(1);
        if (p.size() == 3 && (endpoint.equals("_doc") || endpoint.equals("_create") || endpoint.equals("_update"))) {
            return document(r, index, endpoint, p.get(2), route);
        }
        if (p.size() == 2 && endpoint.equals("_doc") && m.equals("POST")) {
            return document(r, index, "_doc", "stand-in-" + seqNo.incrementAndGet(), route);
        }
        if (p.size() == 2 || p.size() == 3 && (endpoint.equals("_alias") || endpoint.equals("_mapping"))) {
            return indexEndpoint(r, index, endpoint, route);
        }
        return unknown(route);
    }

    private Answer unknown(String route) {
        count(unknown, route, "not answered by the stand-in, which answers 400");
        return Answer.error(400, "illegal_argument_exception", "the stand-in Elasticsearch of the benchmark does not"
                + " answer [" + route + "]");
    }

    // ---- indices -----------------------------------------------------------------------------------------------------

    private Answer alias(Request r, String alias) {
        synchronized (lock) {
            boolean exists = indices.aliasExists(alias);
            if (r.method().equals("HEAD")) {
                return exists ? Answer.ok(null) : Answer.of(404, null);
            }
            if (!exists) {
                return Answer.of(404, Map.of("error", "alias [" + alias + "] missing", "status", 404));
            }
            Map<String, Object> out = new LinkedHashMap<>();
            indices.aliasTargets(alias).forEach((index, a) -> out.put(index, Map.of("aliases", Map.of(a, Map.of()))));
            return Answer.ok(out);
        }
    }

    private Answer indexItself(Request r, String index, String route) throws IOException {
        synchronized (lock) {
            switch (r.method()) {
                case "HEAD":
                    return indices.exists(index) ? Answer.ok(null) : Answer.of(404, null);
                case "PUT": {
                    if (!indices.create(index, r.json())) {
                        return Answer.error(400, "resource_already_exists_exception", "index [" + index
                                + "/stand-in] already exists");
                    }
                    return Answer.ok(Map.of("acknowledged", true, "shards_acknowledged", true, "index", index));
                }
                case "GET": {
                    Optional<StandInIndices.Index> found = indices.find(index);
                    if (found.isEmpty()) {
                        return missing(index);
                    }
                    JsonNode body = found.get().body;
                    ObjectNode one = JSON.createObjectNode();
                    one.set("aliases", body.path("aliases").isObject() ? body.get("aliases") : JSON.createObjectNode());
                    one.set("mappings", body.path("mappings").isObject() ? body.get("mappings") : JSON.createObjectNode());
                    ObjectNode settings = JSON.createObjectNode();
                    settings.set("index", body.path("settings").path("index").isObject()
                            ? body.path("settings").get("index") : JSON.createObjectNode());
                    one.set("settings", settings);
                    return Answer.ok(Map.of(found.get().name, one));
                }
                case "DELETE":
                    return indices.delete(index) ? Answer.ok(Map.of("acknowledged", true)) : missing(index);
                default:
                    return unknown(route);
            }
        }
    }

    private static Answer missing(String index) {
        return Answer.error(404, "index_not_found_exception", "no such index [" + index + "]");
    }

    private static Map<String, Object> shards() {
        return Map.of("total", 1, "successful", 1, "skipped", 0, "failed", 0);
    }

    private Answer indexEndpoint(Request r, String index, String endpoint, String route) throws IOException {
        switch (endpoint) {
            case "_refresh":
            case "_flush":
                return Answer.ok(Map.of("_shards", Map.of("total", 1, "successful", 1, "failed", 0)));
            case "_mapping":
            case "_settings":
                if (r.method().equals("PUT") || r.method().equals("POST")) {
                    return Answer.ok(Map.of("acknowledged", true));
                }
                if (r.method().equals("GET") && index != null) {
                    synchronized (lock) {
                        Optional<StandInIndices.Index> found = indices.find(index);
                        if (found.isEmpty()) {
                            return missing(index);
                        }
                        String key = endpoint.equals("_mapping") ? "mappings" : "settings";
                        JsonNode part = found.get().body.path(key);
                        return Answer.ok(Map.of(found.get().name, Map.of(key, part.isObject() ? part : Map.of())));
                    }
                }
                return unknown(route);
            case "_bulk":
                return bulk(r, index);
            case "_mget":
                return mget(r, index);
            case "_count":
                synchronized (lock) {
                    long n = index == null ? 0 : indices.find(index)
                            .map(i -> indices.count(i, queryOf(r))).orElse(0L);
                    return Answer.ok(Map.of("count", n, "_shards", shards()));
                }
            case "_search":
                return search(r, index);
            case "_pit":
                if (r.method().equals("DELETE")) {
                    return Answer.ok(Map.of("succeeded", true, "num_freed", 1));
                }
                return Answer.ok(Map.of("id", "stand-in-pit-" + pits.incrementAndGet(), "_shards", shards()));
            default:
                return unknown(route);
        }
    }

    private JsonNode queryOf(Request r) {
        try {
            return r.json().path("query");
        } catch (IOException e) {
            return JSON.missingNode();
        }
    }

    // ---- documents ---------------------------------------------------------------------------------------------------

    private Answer document(Request r, String index, String endpoint, String id, String route) throws IOException {
        synchronized (lock) {
            String m = r.method();
            if (m.equals("GET") || m.equals("HEAD")) {
                Optional<StandInIndices.Doc> doc = indices.find(index).map(i -> i.docs.get(id));
                if (doc.isEmpty() && indices.find(index).isEmpty()) {
                    return missing(index);
                }
                ObjectNode out = JSON.createObjectNode().put("_index", concrete(index)).put("_id", id);
                if (doc.isEmpty()) {
                    return Answer.of(404, out.put("found", false));
                }
                out.put("_version", doc.get().seqNo() + 1).put("_seq_no", doc.get().seqNo())
                        .put("_primary_term", StandInIndices.PRIMARY_TERM).put("found", true);
                out.set("_source", doc.get().source());
                return Answer.ok(out);
            }
            if (m.equals("DELETE")) {
                Optional<StandInIndices.Index> i = indices.find(index);
                boolean removed = i.isPresent() && indices.remove(i.get(), id);
                return Answer.of(removed ? 200 : 404, written(concrete(index), id, removed ? "deleted" : "not_found",
                        seqNo.incrementAndGet()));
            }
            if (!m.equals("PUT") && !m.equals("POST")) {
                return unknown(route);
            }
            if (indices.find(index).isEmpty() && "true".equals(r.param("require_alias"))) {
                return Answer.error(404, "index_not_found_exception", "no such index [" + index
                        + "] and [require_alias] request flag is [true] and [" + index + "] is not an alias");
            }
            StandInIndices.Index target = indices.resolveForWrite(index);
            JsonNode body = r.json();
            ObjectNode source;
            if (endpoint.equals("_update")) {
                StandInIndices.Doc current = target.docs.get(id);
                if (current == null && !body.path("doc_as_upsert").asBoolean(false) && !body.has("upsert")) {
                    return Answer.error(404, "document_missing_exception", "[" + id + "]: document missing");
                }
                source = current == null ? (body.has("upsert") ? (ObjectNode) body.get("upsert").deepCopy()
                        : JSON.createObjectNode()) : current.source().deepCopy();
                if (body.path("doc").isObject()) {
                    StandInIndices.merge(source, (ObjectNode) body.get("doc"));
                }
            } else {
                source = body.isObject() ? (ObjectNode) body : JSON.createObjectNode();
            }
            boolean create = endpoint.equals("_create") || "create".equals(r.param("op_type"));
            Long ifSeqNo = r.param("if_seq_no") == null ? null : Long.parseLong(r.param("if_seq_no"));
            try {
                Map.Entry<StandInIndices.Doc, Boolean> written = indices.put(target, id, source, create, ifSeqNo);
                return Answer.of(written.getValue() ? 201 : 200, written(target.name, id,
                        written.getValue() ? "created" : "updated", written.getKey().seqNo()));
            } catch (StandInIndices.Conflict e) {
                return Answer.error(409, "version_conflict_engine_exception", e.getMessage());
            }
        }
    }

    private String concrete(String nameOrAlias) {
        return indices.find(nameOrAlias).map(i -> i.name).orElse(nameOrAlias);
    }

    private static Map<String, Object> written(String index, String id, String result, long seqNo) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("_index", index);
        out.put("_id", id);
        out.put("_version", seqNo + 1);
        out.put("result", result);
        out.put("_shards", Map.of("total", 1, "successful", 1, "failed", 0));
        out.put("_seq_no", seqNo);
        out.put("_primary_term", StandInIndices.PRIMARY_TERM);
        return out;
    }

    private Answer mget(Request r, String index) throws IOException {
        JsonNode body = r.json();
        List<String[]> wanted = new ArrayList<>();
        for (JsonNode id : body.path("ids")) {
            wanted.add(new String[] {index, id.asText()});
        }
        for (JsonNode d : body.path("docs")) {
            wanted.add(new String[] {d.path("_index").asText(index), d.path("_id").asText()});
        }
        ArrayNode docs = JSON.createArrayNode();
        synchronized (lock) {
            for (String[] w : wanted) {
                Optional<StandInIndices.Doc> doc = w[0] == null ? Optional.empty()
                        : indices.find(w[0]).map(i -> i.docs.get(w[1]));
                ObjectNode out = docs.addObject().put("_index", w[0] == null ? "" : concrete(w[0])).put("_id", w[1]);
                if (doc.isPresent()) {
                    out.put("_version", doc.get().seqNo() + 1).put("_seq_no", doc.get().seqNo())
                            .put("_primary_term", StandInIndices.PRIMARY_TERM).put("found", true);
                    out.set("_source", doc.get().source());
                } else {
                    out.put("found", false);
                }
            }
        }
        ObjectNode out = JSON.createObjectNode();
        out.set("docs", docs);
        return Answer.ok(out);
    }

    private Answer search(Request r, String index) throws IOException {
        JsonNode body = r.json();
        ObjectNode out = JSON.createObjectNode().put("took", 0).put("timed_out", false);
        out.set("_shards", JSON.valueToTree(shards()));
        if (body.has("pit")) {
            out.put("pit_id", body.path("pit").path("id").asText());
        }
        ObjectNode hits = out.putObject("hits");
        ArrayNode array = hits.putArray("hits");
        List<StandInIndices.Doc> found = List.of();
        String concrete = index;
        synchronized (lock) {
            Optional<StandInIndices.Index> target = index == null ? Optional.empty() : indices.find(index);
            if (index != null && target.isEmpty() && !indices.discards(index)) {
                return missing(index);
            }
            if (target.isPresent()) {
                concrete = target.get().name;
                found = indices.search(target.get(), body.path("query"), body.get("sort"), body.get("search_after"),
                        body.path("from").asInt(0), body.path("size").asInt(10));
                if (body.path("track_total_hits").asBoolean(true)) {
                    hits.putObject("total").put("value", indices.count(target.get(), body.path("query")))
                            .put("relation", "eq");
                }
            }
            for (StandInIndices.Doc d : found) {
                ObjectNode hit = array.addObject().put("_index", concrete).put("_id", d.id());
                hit.putNull("_score");
                if (body.path("seq_no_primary_term").asBoolean(false)) {
                    hit.put("_seq_no", d.seqNo()).put("_primary_term", StandInIndices.PRIMARY_TERM);
                }
                if (!body.path("_source").isBoolean() || body.path("_source").asBoolean()) {
                    hit.set("_source", d.source());
                }
                if (body.has("sort")) {
                    hit.set("sort", StandInIndices.sortValues(d, body.get("sort")));
                }
            }
            if (body.has("aggregations") || body.has("aggs")) {
                boolean typed = "true".equals(r.param("typed_keys"));
                ObjectNode aggs = out.putObject("aggregations");
                JsonNode asked = body.has("aggregations") ? body.get("aggregations") : body.get("aggs");
                List<StandInIndices.Doc> all = target.map(t -> indices.search(t, body.path("query"), null, 0,
                        Integer.MAX_VALUE)).orElse(List.of());
                asked.properties().forEach(a -> aggs.set((typed ? "sterms#" : "") + a.getKey(),
                        termsAggregation(all, a.getValue().path("terms").path("field").asText())));
            }
        }
        return Answer.ok(out);
    }

    private static ObjectNode termsAggregation(List<StandInIndices.Doc> docs, String field) {
        Map<String, Long> counts = new TreeMap<>();
        for (StandInIndices.Doc d : docs) {
            JsonNode v = StandInIndices.value(d, field);
            if (v != null && !v.isNull()) {
                counts.merge(v.asText(), 1L, Long::sum);
            }
        }
        ObjectNode agg = JSON.createObjectNode().put("doc_count_error_upper_bound", 0).put("sum_other_doc_count", 0);
        ArrayNode buckets = agg.putArray("buckets");
        counts.forEach((k, n) -> buckets.addObject().put("key", k).put("doc_count", n));
        return agg;
    }
    // ---- _bulk -------------------------------------------------------------------------------------------------------

    private Answer bulk(Request r, String defaultIndex) throws IOException {
        bulkRequests.increment();
        bulkBytes.add(r.body().length);
        StandInBulk.Result result = bulk.answer(r.body(), defaultIndex);
        bulkItems.add(result.items());
        return new Answer(200, result.answer());
    }
}
