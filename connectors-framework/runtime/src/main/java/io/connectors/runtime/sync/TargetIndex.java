package io.connectors.runtime.sync;

import co.elastic.clients.elasticsearch.ElasticsearchAsyncClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.SortOptions;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import co.elastic.clients.elasticsearch.indices.CreateIndexRequest;
import co.elastic.clients.elasticsearch.indices.PutMappingRequest;
import io.connectors.runtime.es.JsonBody;
import io.connectors.runtime.util.Failures;
import io.connectors.runtime.util.PermissionDenied;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The index a connector writes to, and the reads the sync engine needs from it: stored version stamps, and a
 * sorted scan of its ids under a point in time.
 */
public final class TargetIndex {
    private static final Logger LOG = LoggerFactory.getLogger(TargetIndex.class);
    private static final String KEEP_ALIVE = "5m";
    /** Slices of the point in time a stamps scan reads at once: Elasticsearch fetches each on its own thread. */
    private static final int STAMP_SLICES = 2;
    private static final List<co.elastic.clients.elasticsearch._types.query_dsl.FieldAndFormat> DOC_VALUES = List.of(
            co.elastic.clients.elasticsearch._types.query_dsl.FieldAndFormat.of(f -> f.field(DocumentSerializer.ID_FIELD)),
            co.elastic.clients.elasticsearch._types.query_dsl.FieldAndFormat.of(f -> f.field(DocumentSerializer.VERSION_FIELD)));

    private final ElasticsearchAsyncClient client;
    private final String name;

    public TargetIndex(ElasticsearchAsyncClient client, String name) {
        this.client = client;
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** The mapping properties the runtime adds to every index (also used by the benchmark and the chaos tests). */
    public static Map<String, Object> bookkeepingProperties() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put(DocumentSerializer.ID_FIELD, Map.of("type", "keyword"));
        // Read from doc values (never _source) when deciding what changed: see storedStamps and scanStamps.
        p.put(DocumentSerializer.VERSION_FIELD, Map.of("type", "keyword", "index", false, "doc_values", true));
        return p;
    }

    /**
     * What the index is created with: the source's explicit mapping {@code properties}, and whether its documents have
     * no fixed shape (then the schemaless policy applies; see {@link io.connectors.spi.MappingContributor}).
     */
    public record IndexMappings(Map<String, Object> properties, boolean schemaless,
                                Optional<io.connectors.runtime.config.ConnectorConfig.IndexRefresh> refresh) {
        public IndexMappings {
            properties = Map.copyOf(properties);
            java.util.Objects.requireNonNull(refresh, "refresh");
        }

        /** With Elasticsearch's own refresh interval. */
        public IndexMappings(Map<String, Object> properties, boolean schemaless) {
            this(properties, schemaless, Optional.empty());
        }

        /** These mappings, the index refreshed as {@code refresh} says (see {@code ConnectorConfig.indexRefresh}). */
        public IndexMappings withRefresh(Optional<io.connectors.runtime.config.ConnectorConfig.IndexRefresh> refresh) {
            return new IndexMappings(properties, schemaless, refresh);
        }

        /** The mappings of a source that contributes none: schemaless. */
        public static IndexMappings dynamic() {
            return new IndexMappings(Map.of(), true);
        }
    }

    /**
     * The body of the create-index request for these mappings: the runtime's settings and mappings, documented in
     * {@link io.connectors.spi.MappingContributor} and docs/elasticsearch.md. Used by the benchmark and the tests too.
     */
    public static Map<String, Object> createBody(IndexMappings mappings) {
        Map<String, Object> properties = new LinkedHashMap<>(mappings.properties());
        properties.putAll(bookkeepingProperties());
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("auto_expand_replicas", "0-1");
        // Fields past total_fields.limit stay in _source and are listed in _ignored instead of refusing the document.
        index.put("mapping.total_fields.ignore_dynamic_beyond_limit", true);
        mappings.refresh().ifPresent(r -> index.put("refresh_interval", r.setting()));
        if (mappings.schemaless()) {
            index.put("mapping.ignore_malformed", true);
        }
        Map<String, Object> mapping = new LinkedHashMap<>();
        mapping.put("dynamic", true);
        if (mappings.schemaless()) {
            mapping.put("subobjects", false);
        }
        // JSON integers would be mapped long (refusing 1.5 later, truncating it with coerce) and fractions float
        // (refusing a double past 3.4e38): double holds both, and _source keeps every digit.
        mapping.put("dynamic_templates", List.of(
                Map.of("sync_numbers_as_double", Map.of("match_mapping_type", "long", "mapping", Map.of("type", "double"))),
                Map.of("sync_fractions_as_double", Map.of("match_mapping_type", "double", "mapping", Map.of("type", "double")))));
        mapping.put("properties", properties);
        return Map.of("settings", Map.of("index", index), "mappings", mapping);
    }

    /**
     * Creates the index with the runtime's settings and mappings (see {@link #createBody}) if it is missing; if it
     * exists, adds the source's mappings for fields it does not map yet, and says when the index lacks the policy the
     * source needs. Emits {@code true} when the index was created.
     */
    public Mono<Boolean> ensure(IndexMappings mappings) {
        Map<String, Object> body = createBody(mappings);
        @SuppressWarnings("unchecked")
        Map<String, Object> properties = (Map<String, Object>) ((Map<String, Object>) body.get("mappings")).get("properties");
        Mono<Boolean> existing = putMapping(properties).then(checkPolicy(mappings)).then(enforceRefresh(mappings))
                .thenReturn(false);
        return Mono.fromFuture(() -> client.indices().exists(e -> e.index(name)))
                .flatMap(exists -> exists.value() ? existing : Mono.fromFuture(() -> client.indices().create(
                                CreateIndexRequest.of(b -> b.index(name).withJson(JsonBody.of(body)))))
                        .doOnNext(r -> LOG.info("Created index {} with explicit mappings for {} fields{}", name,
                                properties.size(), mappings.schemaless()
                                        ? " and the schemaless policy (subobjects: false, ignore_malformed)" : ""))
                        .thenReturn(true)
                        .onErrorResume(e -> Failures.isErrorType(e, "resource_already_exists_exception"),
                                e -> putMapping(properties).thenReturn(false)));
    }

    /** An existing index without {@code subobjects: false} may refuse a schemaless source's documents: said once per sync. */
    private Mono<Void> checkPolicy(IndexMappings mappings) {
        if (!mappings.schemaless()) {
            return Mono.empty();
        }
        return Mono.fromFuture(() -> client.indices().getMapping(g -> g.index(name)))
                .doOnNext(r -> r.result().values().stream().findFirst().ifPresent(m -> {
                    if (!"false".equals(String.valueOf(m.mappings().subobjects()).toLowerCase(java.util.Locale.ROOT))) {
                        LOG.warn("Index {} was not created by this version's schemaless policy (subobjects: false,"
                                + " index.mapping.ignore_malformed): documents whose fields are an object in one place and"
                                + " a value in another, or do not fit a field's first type, may be refused. Delete the"
                                + " index (or sync into a new one) to let the runtime create it", name);
                    }
                }))
                .then()
                .onErrorResume(e -> {
                    LOG.debug("Index {}: reading its mapping failed: {}", name, e.toString());
                    return Mono.empty();
                });
    }

    /** A configured refresh interval, applied to the existing index too (the configuration owns it). */
    private Mono<Void> enforceRefresh(IndexMappings mappings) {
        return mappings.refresh().filter(io.connectors.runtime.config.ConnectorConfig.IndexRefresh::enforced)
                .map(r -> Mono.fromFuture(() -> client.indices().putSettings(p -> p.index(name)
                                .settings(s -> s.refreshInterval(t -> t.time(r.setting())))))
                        .then()
                        .onErrorResume(ElasticsearchException.class, e -> {
                            LOG.warn("Index {}: refresh_interval {} could not be applied: {}", name, r.setting(),
                                    e.getMessage());
                            return Mono.empty();
                        }))
                .orElse(Mono.empty());
    }

    private Mono<Void> putMapping(Map<String, Object> properties) {
        Map<String, Object> body = Map.of("properties", properties);
        return Mono.fromFuture(() -> client.indices().putMapping(PutMappingRequest.of(b -> b.index(name).withJson(JsonBody.of(body)))))
                .then()
                .onErrorResume(ElasticsearchException.class, e -> {
                    // A field already mapped differently keeps its mapping; documents still index.
                    LOG.warn("Index {}: the source's mappings could not all be applied: {}", name, e.getMessage());
                    return Mono.empty();
                });
    }

    /**
     * The stored version stamps of those of {@code ids} that are in the index, read from doc values: Elasticsearch
     * neither loads nor decompresses any stored {@code _source}.
     */
    public Mono<Map<String, String>> storedStamps(List<String> ids) {
        if (ids.isEmpty()) {
            return Mono.just(Map.of());
        }
        Query query = Query.of(q -> q.ids(i -> i.values(ids)));
        return Mono.fromFuture(() -> client.search(s -> s.index(name)
                                .size(ids.size())
                                .query(query)
                                .source(src -> src.fetch(false))
                                .storedFields("_none_")
                                .docvalueFields(DOC_VALUES)
                                .trackTotalHits(t -> t.enabled(false)),
                        Void.class))
                .map(response -> {
                    Map<String, String> stamps = new HashMap<>(ids.size() * 2);
                    for (Hit<Void> hit : response.hits().hits()) {
                        String id = docValue(hit, DocumentSerializer.ID_FIELD);
                        String stamp = docValue(hit, DocumentSerializer.VERSION_FIELD);
                        if (id != null && stamp != null) {
                            stamps.put(id, stamp);
                        }
                    }
                    return stamps;
                })
                .onErrorMap(ElasticsearchException.class, e -> new IllegalStateException("looking up stored versions in "
                        + name + " failed: " + PermissionDenied.describe(e.getMessage()).orElse(e.getMessage()), e));
    }

    /** One document written by the runtime, with the stamp it was written with ({@code null} for an older format). */
    public record StoredStamp(String syncId, String stamp) {
    }

    /**
     * A page of {@link #scanStamps}.
     *
     * @param total the number of documents the whole scan returns, on the first page; {@code -1} on the others
     */
    public record StampPage(long total, List<StoredStamp> stamps) {
    }

    /**
     * Every document written by the runtime (it has {@code _sync_id}) with its stamp, in no particular order, read
     * from doc values under a point in time: the cheapest full read of an index, neither sorted nor touching
     * {@code _source}. The first page tells the exact number of such documents under the point in time.
     */
    public Flux<StampPage> scanStamps(int pageSize) {
        Query query = Query.of(q -> q.exists(e -> e.field(DocumentSerializer.ID_FIELD)));
        return pages(query, pageSize, true, STAMP_SLICES)
                .map(r -> {
                    List<StoredStamp> stamps = new java.util.ArrayList<>(r.hits().hits().size());
                    for (Hit<Void> hit : r.hits().hits()) {
                        stamps.add(new StoredStamp(docValue(hit, DocumentSerializer.ID_FIELD),
                                docValue(hit, DocumentSerializer.VERSION_FIELD)));
                    }
                    return new StampPage(r.hits().total() != null ? r.hits().total().value() : -1, stamps);
                })
                .onErrorMap(ElasticsearchException.class, this::describeScanFailure);
    }

    private Throwable describeScanFailure(ElasticsearchException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("fielddata") || message.contains("doc_values") || message.contains("doc values")) {
            return new IllegalStateException("index " + name + " maps " + DocumentSerializer.VERSION_FIELD + " or "
                    + DocumentSerializer.ID_FIELD + " without doc values, so the stored versions cannot be read: map both"
                    + " as keyword with doc_values true, or delete the index and let the runtime create it (" + message + ")", e);
        }
        return new IllegalStateException("reading the stored versions of " + name + " failed: "
                + PermissionDenied.describe(message).orElse(message), e);
    }

    private static String docValue(Hit<Void> hit, String field) {
        co.elastic.clients.json.JsonData values = hit.fields().get(field);
        if (values == null) {
            return null;
        }
        jakarta.json.JsonValue v = values.toJson();
        if (v instanceof jakarta.json.JsonArray a && !a.isEmpty() && a.get(0) instanceof jakarta.json.JsonString str) {
            return str.getString();
        }
        return null;
    }

    /** Documents in the index that the runtime did not write (no {@code _sync_id}); they are not in any source. */
    public Flux<String> scanForeignIds(int pageSize) {
        Query query = Query.of(q -> q.bool(b -> b.mustNot(m -> m.exists(e -> e.field(DocumentSerializer.ID_FIELD)))));
        return pages(query, pageSize, false).concatMapIterable(r -> r.hits().hits()).map(Hit::id);
    }

    /**
     * Every page of the documents matching {@code query}, in index order ({@code _shard_doc}, the cheapest), under a
     * point in time. With {@code stamps}, hits carry the runtime's doc values and no stored field, and the first page
     * counts the matches exactly.
     */
    private Flux<SearchResponse<Void>> pages(Query query, int pageSize, boolean stamps) {
        return pages(query, pageSize, stamps, 1);
    }

    /**
     * As above, read as {@code slices} slices of the point in time at once (Elasticsearch fetches each on its own
     * thread); with several, a first response of no hits counts the matches exactly, then the slices' pages come as
     * they arrive.
     */
    private Flux<SearchResponse<Void>> pages(Query query, int pageSize, boolean stamps, int slices) {
        SortOptions sort = SortOptions.of(s -> s.field(f -> f.field("_shard_doc").order(SortOrder.Asc)));
        return Flux.usingWhen(
                Mono.fromFuture(() -> client.openPointInTime(o -> o.index(name).keepAlive(k -> k.time(KEEP_ALIVE))))
                        .map(r -> new String[] {r.id()}),
                pit -> {
                    if (slices <= 1) {
                        return slicePages(pit, query, sort, pageSize, stamps, stamps, -1, 1);
                    }
                    Flux<SearchResponse<Void>> count = stamps
                            ? Flux.from(Mono.fromFuture(() -> client.search(s -> s.pit(p -> p.id(pit[0]).keepAlive(k -> k.time(KEEP_ALIVE)))
                                    .size(0).trackTotalHits(t -> t.enabled(true)).query(query), Void.class)))
                            : Flux.empty();
                    return count.concatWith(Flux.merge(java.util.stream.IntStream.range(0, slices)
                            .mapToObj(i -> slicePages(pit, query, sort, pageSize, stamps, false, i, slices)).toList()));
                },
                pit -> closePit(pit[0]));
    }

    /** Every page of one slice ({@code slice} -1: the whole point in time). */
    private Flux<SearchResponse<Void>> slicePages(String[] pit, Query query, SortOptions sort, int pageSize,
                                                  boolean stamps, boolean countFirst, int slice, int slices) {
        return page(pit, query, sort, pageSize, null, stamps, countFirst, slice, slices)
                .expand(r -> {
                    List<Hit<Void>> hits = r.hits().hits();
                    if (hits.size() < pageSize) {
                        return Mono.empty();
                    }
                    return page(pit, query, sort, pageSize, hits.get(hits.size() - 1).sort(), stamps, false, slice, slices);
                });
    }

    private Mono<Void> closePit(String id) {
        return Mono.fromFuture(() -> client.closePointInTime(c -> c.id(id)))
                .then()
                .onErrorResume(e -> {
                    // Harmless: a point in time expires by itself after KEEP_ALIVE.
                    LOG.debug("Closing a point in time on {} failed (it expires by itself): {}", name, e.toString());
                    return Mono.empty();
                });
    }

    private Mono<SearchResponse<Void>> page(String[] pit, Query query, SortOptions sort, int pageSize, List<FieldValue> after,
                                            boolean stamps, boolean count, int slice, int slices) {
        return Mono.fromFuture(() -> client.search(s -> {
                    s.pit(p -> p.id(pit[0]).keepAlive(k -> k.time(KEEP_ALIVE)))
                            .size(pageSize)
                            .source(src -> src.fetch(false))
                            .trackTotalHits(t -> t.enabled(count))
                            .query(query)
                            .sort(sort);
                    if (stamps) {
                        // From doc values: no stored field (not even _id) is loaded.
                        s.storedFields("_none_").docvalueFields(DOC_VALUES);
                    }
                    if (slice >= 0) {
                        s.slice(sl -> sl.id(String.valueOf(slice)).max(slices));
                    }
                    if (after != null) {
                        s.searchAfter(after);
                    }
                    return s;
                }, Void.class))
                .doOnNext(r -> {
                    if (r.pitId() != null) {
                        pit[0] = r.pitId();
                    }
                });
    }

    public Mono<Void> refresh() {
        return Mono.fromFuture(() -> client.indices().refresh(r -> r.index(name))).then();
    }

    /**
     * The fields in which documents hold a value Elasticsearch kept in {@code _source} without indexing it (it did not
     * fit its field's type under {@code ignore_malformed}, or the field was past the total-fields limit), with how many
     * documents each, the {@code max} commonest first; each such document lists them in {@code _ignored}. A text's
     * {@code .keyword} subfield past {@code ignore_above} is left out: the text itself is indexed.
     */
    public Mono<Map<String, Long>> ignoredFields(int max) {
        return Mono.fromFuture(() -> client.search(s -> s.index(name).size(0)
                                .query(q -> q.exists(e -> e.field("_ignored")))
                                .aggregations("fields", a -> a.terms(t -> t.field("_ignored").size(max)
                                        .exclude(x -> x.regexp(".*\\.keyword")))),
                        Void.class))
                .map(r -> {
                    Map<String, Long> fields = new LinkedHashMap<>();
                    r.aggregations().get("fields").sterms().buckets().array()
                            .forEach(b -> fields.put(b.key().stringValue(), b.docCount()));
                    return fields;
                });
    }

    public Mono<Long> count() {
        return Mono.fromFuture(() -> client.count(c -> c.index(name))).map(r -> r.count());
    }
}
