package io.connectors.runtime.state;

import co.elastic.clients.elasticsearch.ElasticsearchAsyncClient;
import co.elastic.clients.elasticsearch._types.OpType;
import co.elastic.clients.elasticsearch._types.Refresh;
import co.elastic.clients.elasticsearch._types.SortOptions;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.elasticsearch.core.search.Hit;
import co.elastic.clients.elasticsearch.indices.CreateIndexRequest;
import co.elastic.clients.elasticsearch.indices.PutMappingRequest;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connectors.runtime.es.JsonBody;
import io.connectors.runtime.util.Failures;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The control plane's storage: two indices in Elasticsearch, one document per connector and one per sync job,
 * each behind an alias ({@code <prefix>-connectors}, {@code <prefix>-jobs}). Every write that depends on what was
 * read is conditional ({@code if_seq_no}/{@code if_primary_term}), so several daemons can share the indices: a
 * write based on a stale read fails with {@link ConflictException} instead of overwriting someone else's change.
 * Writes require the alias ({@code require_alias}), so a write before the indices exist fails instead of
 * auto-creating a plain index under the alias's name.
 */
public final class StateStore {
    private static final Logger LOG = LoggerFactory.getLogger(StateStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_UPDATE_ATTEMPTS = 20;
    /** Version of the state indices' layout; a new layout gets new backing indices behind the same aliases. */
    static final String LAYOUT = "v1";

    /** The kinds of state documents. */
    public enum Kind {
        CONNECTORS("connectors"), JOBS("jobs"),
        /** The ids a split of a running full sync covered, in chunks, for its deletion pass ({@link SplitIds}). */
        SPLIT_IDS("split-ids");

        private final String suffix;

        Kind(String suffix) {
            this.suffix = suffix;
        }
    }

    /**
     * A document with the sequence number and primary term it was read or written with: as stored (a JSON map), or
     * decoded into its record type ({@link JobRecord}, {@link ConnectorRecord}).
     */
    public record Versioned<T>(String id, T doc, long seqNo, long primaryTerm) {
        /** The same version of the document, decoded or encoded by {@code codec}. */
        public <U> Versioned<U> map(Function<? super T, ? extends U> codec) {
            return new Versioned<>(id, codec.apply(doc), seqNo, primaryTerm);
        }
    }

    /** A conditional write lost to a concurrent one, or a create found the document already there. */
    public static final class ConflictException extends RuntimeException {
        public ConflictException(String message) {
            super(message, null, false, false);
        }
    }

    private final ElasticsearchAsyncClient client;
    private final String prefix;

    public StateStore(ElasticsearchAsyncClient client, String prefix) {
        this.client = client;
        this.prefix = prefix;
    }

    public String alias(Kind kind) {
        return prefix + "-" + kind.suffix;
    }

    /**
     * Creates each state index with its alias and explicit mappings if the alias is missing; otherwise applies
     * the current mappings (new fields only), so a newer daemon can add fields to older indices.
     */
    public Mono<Void> ensureIndices() {
        return Flux.fromArray(Kind.values()).concatMap(this::ensure).then();
    }

    private Mono<Void> ensure(Kind kind) {
        String alias = alias(kind);
        Map<String, Object> mappings = mappings(kind);
        return Mono.fromFuture(() -> client.indices().existsAlias(e -> e.name(alias)))
                .flatMap(exists -> exists.value() ? putMappings(alias, mappings) : create(kind, mappings));
    }

    private Mono<Void> create(Kind kind, Map<String, Object> mappings) {
        String alias = alias(kind);
        String index = alias + "-" + LAYOUT;
        Map<String, Object> body = Map.of(
                "settings", Map.of("index", Map.of("number_of_shards", 1, "auto_expand_replicas", "0-1", "hidden", true)),
                "aliases", Map.of(alias, Map.of("is_write_index", true, "is_hidden", true)),
                "mappings", mappings);
        return Mono.fromFuture(() -> client.indices().create(CreateIndexRequest.of(b -> b.index(index).withJson(JsonBody.of(body)))))
                .doOnNext(r -> LOG.info("Created state index {} behind alias {}", index, alias))
                .then()
                .onErrorResume(e -> Failures.isErrorType(e, "resource_already_exists_exception"), e -> putMappings(alias, mappings));
    }

    private Mono<Void> putMappings(String alias, Map<String, Object> mappings) {
        return Mono.fromFuture(() -> client.indices().putMapping(PutMappingRequest.of(b -> b.index(alias).withJson(JsonBody.of(mappings)))))
                .then();
    }

    /**
     * The aliases of the connectors and jobs indices that are missing (empty when both are there). The split-ids index
     * is not asked for: a daemon creates it when it starts, and nothing but a running full sync reads it.
     */
    public Mono<List<String>> missingIndices() {
        return Flux.just(Kind.CONNECTORS, Kind.JOBS)
                .concatMap(kind -> Mono.fromFuture(() -> client.indices().existsAlias(e -> e.name(alias(kind))))
                        .filter(exists -> !exists.value())
                        .map(exists -> alias(kind)))
                .collectList();
    }

    /** The document, read in real time; empty when there is none. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Mono<Versioned<Map<String, Object>>> get(Kind kind, String id) {
        return Mono.fromFuture(() -> client.get(g -> g.index(alias(kind)).id(id), Map.class))
                .filter(r -> r.found() && r.source() != null)
                .map(r -> new Versioned<>(id, (Map<String, Object>) r.source(), r.seqNo(), r.primaryTerm()));
    }

    /** Creates the document; fails with {@link ConflictException} when it exists. */
    public Mono<Versioned<Map<String, Object>>> create(Kind kind, String id, Map<String, Object> doc, boolean waitForRefresh) {
        return Mono.fromFuture(() -> client.index(i -> i.index(alias(kind)).id(id).opType(OpType.Create).requireAlias(true)
                        .refresh(waitForRefresh ? Refresh.WaitFor : Refresh.False).withJson(JsonBody.of(doc))))
                .map(r -> new Versioned<>(id, doc, r.seqNo(), r.primaryTerm()))
                .onErrorMap(StateStore::isConflict, e -> new ConflictException(kind.suffix + " document " + id + " already exists"));
    }

    /** Replaces the document if it is still at {@code seqNo}/{@code primaryTerm}; else {@link ConflictException}. */
    public Mono<Versioned<Map<String, Object>>> replace(Kind kind, Versioned<Map<String, Object>> current, Map<String, Object> doc) {
        return Mono.fromFuture(() -> client.index(i -> i.index(alias(kind)).id(current.id()).requireAlias(true)
                        .ifSeqNo(current.seqNo()).ifPrimaryTerm(current.primaryTerm()).withJson(JsonBody.of(doc))))
                .map(r -> new Versioned<>(current.id(), doc, r.seqNo(), r.primaryTerm()))
                .onErrorMap(StateStore::isConflict, e -> new ConflictException(kind.suffix + " document " + current.id()
                        + " was changed concurrently"));
    }

    /**
     * Read-modify-write with optimistic concurrency: reads the document, applies {@code change} to a copy and
     * writes it if nobody wrote in between, retrying from the read otherwise. {@code change} receives null when the
     * document does not exist (it is then created) and returns null to write nothing. Emits the document as
     * written, or as read when nothing was written; empty when it does not exist and nothing was created.
     */
    public Mono<Versioned<Map<String, Object>>> update(Kind kind, String id, Function<Map<String, Object>, Map<String, Object>> change) {
        return Mono.defer(() -> get(kind, id)
                        .map(java.util.Optional::of)
                        .defaultIfEmpty(java.util.Optional.empty())
                        .flatMap(current -> {
                            Map<String, Object> copy = current.map(v -> deepCopy(v.doc())).orElse(null);
                            Map<String, Object> changed = change.apply(copy);
                            if (changed == null) {
                                return Mono.justOrEmpty(current);
                            }
                            return current.isPresent()
                                    ? replace(kind, current.get(), changed)
                                    : create(kind, id, changed, false);
                        }))
                .retryWhen(retryOnConflict());
    }

    /**
     * How a read-modify-write that lost to a concurrent writer is retried: from the read, after a short random
     * pause so that competing daemons spread out, up to {@value #MAX_UPDATE_ATTEMPTS} times, then failing with the
     * last conflict.
     */
    static reactor.util.retry.Retry retryOnConflict() {
        return reactor.util.retry.Retry.max(MAX_UPDATE_ATTEMPTS)
                .filter(e -> e instanceof ConflictException)
                .doBeforeRetryAsync(s -> Mono.delay(Duration.ofMillis(ThreadLocalRandom.current().nextLong(5, 50))).then())
                .onRetryExhaustedThrow((spec, signal) -> signal.failure());
    }

    /** Documents matching {@code query}, with their versions; at most {@code size}. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Mono<List<Versioned<Map<String, Object>>>> search(Kind kind, Query query, List<SortOptions> sort, int size) {
        return Mono.fromFuture(() -> client.search(s -> s.index(alias(kind)).query(query).sort(sort).size(size)
                        .seqNoPrimaryTerm(true).trackTotalHits(t -> t.enabled(false)), Map.class))
                .map(r -> {
                    List<Versioned<Map<String, Object>>> out = new ArrayList<>(r.hits().hits().size());
                    for (Hit<Map> hit : r.hits().hits()) {
                        out.add(new Versioned<>(hit.id(), (Map<String, Object>) hit.source(),
                                hit.seqNo() == null ? -1 : hit.seqNo(), hit.primaryTerm() == null ? -1 : hit.primaryTerm()));
                    }
                    return out;
                });
    }

    /**
     * Every document matching {@code query}, sorted by the keyword {@code sortField} (unique per document), in pages of
     * {@code pageSize} read with {@code search_after}; emits (id, source) pairs lazily, page by page.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Flux<Versioned<Map<String, Object>>> scan(Kind kind, Query query, String sortField, int pageSize) {
        record Page(List<Versioned<Map<String, Object>>> hits, String last) {
        }
        java.util.function.Function<String, Mono<Page>> page = after -> Mono.fromFuture(() -> client.search(s -> {
                    s.index(alias(kind)).query(query).size(pageSize)
                            .sort(o -> o.field(f -> f.field(sortField).order(co.elastic.clients.elasticsearch._types.SortOrder.Asc)));
                    if (after != null) {
                        s.searchAfter(co.elastic.clients.elasticsearch._types.FieldValue.of(after));
                    }
                    return s;
                }, Map.class))
                .map(r -> {
                    List<Versioned<Map<String, Object>>> out = new ArrayList<>();
                    String last = null;
                    for (Hit<Map> hit : r.hits().hits()) {
                        out.add(new Versioned<>(hit.id(), (Map<String, Object>) hit.source(), -1, -1));
                        last = hit.sort().isEmpty() ? null : hit.sort().get(hit.sort().size() - 1).stringValue();
                    }
                    return new Page(out, last);
                });
        return page.apply(null)
                .expand(p -> p.hits().size() < pageSize || p.last() == null ? Mono.empty() : page.apply(p.last()))
                .concatMapIterable(Page::hits);
    }

    /** Deletes documents by id in one bulk request; emits how many were deleted. */
    public Mono<Integer> delete(Kind kind, List<String> ids) {
        return Mono.fromFuture(() -> client.bulk(b -> {
                    for (String id : ids) {
                        b.operations(o -> o.delete(d -> d.index(alias(kind)).id(id)));
                    }
                    return b;
                }))
                .map(r -> (int) r.items().stream().filter(i -> i.error() == null && "deleted".equals(i.result())).count());
    }

    /** Jobs per status, over the whole jobs index. */
    public Mono<Map<String, Long>> jobCountsByStatus() {
        return Mono.fromFuture(() -> client.search(s -> s.index(alias(Kind.JOBS)).size(0)
                        .aggregations("status", a -> a.terms(t -> t.field("status").size(20))), Void.class))
                .map(r -> {
                    Map<String, Long> counts = new LinkedHashMap<>();
                    for (JobStatus st : JobStatus.values()) {
                        counts.put(st.value(), 0L);
                    }
                    r.aggregations().get("status").sterms().buckets().array()
                            .forEach(b -> counts.put(b.key().stringValue(), b.docCount()));
                    return counts;
                });
    }

    /** Makes recent writes visible to searches. */
    public Mono<Void> refresh(Kind kind) {
        return Mono.fromFuture(() -> client.indices().refresh(r -> r.index(alias(kind)))).then();
    }

    private static boolean isConflict(Throwable e) {
        return Failures.isStatus(e, 409);
    }

    /** A deep, mutable copy of a JSON document. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> deepCopy(Map<String, Object> doc) {
        return JSON.convertValue(doc, LinkedHashMap.class);
    }

    private static Map<String, Object> mappings(Kind kind) {
        String resource = "state/" + kind.suffix + "-mappings.json";
        try (InputStream in = StateStore.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> m = JSON.readValue(in, LinkedHashMap.class);
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
