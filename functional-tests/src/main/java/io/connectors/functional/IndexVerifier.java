package io.connectors.functional;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.SortOptions;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.connectors.elasticsearch.local.ElasticsearchEndpoint;
import io.connectors.elasticsearch.local.FileTrees;
import io.connectors.runtime.sync.DocumentSerializer;
import io.connectors.testkit.functional.SourceFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Checks that an index holds exactly a source's documents: the same ids, each with the same content digest, nothing
 * missing, nothing extra (so deletions are checked too).
 *
 * <p>Both sides are streamed in the same order and merged: the index scanned under a point in time sorted by
 * {@code _sync_id} (the runtime's copy of the {@code _id}, a keyword, so sorted as unsigned UTF-8 bytes), fetching
 * only the fixture's {@link SourceFixture#digestFields() digest fields}; the fixture's ground truth in the order of
 * the {@code _id}s the runtime derives from its ids ({@link SortedTruth}). Documents the runtime did not write (no
 * {@code _sync_id}) are scanned separately and are all extra. Memory stays bounded at any number of documents.
 */
public final class IndexVerifier {
    /** The most differences a {@link Verification} lists. */
    public static final int MAX_DIFFERENCES = 20;
    private static final int PAGE_SIZE = 1_000;
    private static final int SPILL_CHUNK = 100_000;
    private static final String KEEP_ALIVE = "5m";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };

    private IndexVerifier() {
    }

    /**
     * Compares {@code index} with {@code fixture}'s ground truth.
     *
     * @throws IllegalStateException if the ground truth is not in ascending order of id
     */
    public static Verification verify(ElasticsearchEndpoint es, String index, SourceFixture fixture) throws Exception {
        Path temp = Files.createTempDirectory("ftest-verify-");
        try (ElasticsearchSession session = ElasticsearchSession.open(es);
             SortedTruth truth = SortedTruth.of(fixture.groundTruth(), temp, SPILL_CHUNK)) {
            ElasticsearchClient client = session.client();
            client.indices().refresh(r -> r.index(index));
            Differences differences = new Differences();
            long actual;
            Query written = Query.of(q -> q.exists(e -> e.field(DocumentSerializer.ID_FIELD)));
            SortOptions byId = SortOptions.of(s -> s.field(f -> f.field(DocumentSerializer.ID_FIELD).order(SortOrder.Asc)));
            try (Scan scan = new Scan(client, index, written, byId, fixture.digestFields())) {
                merge(truth, scan, fixture, differences);
                actual = scan.count;
            }
            Query foreign = Query.of(q -> q.bool(b -> b.mustNot(m -> m.exists(e -> e.field(DocumentSerializer.ID_FIELD)))));
            SortOptions byShardDoc = SortOptions.of(s -> s.field(f -> f.field("_shard_doc").order(SortOrder.Asc)));
            try (Scan scan = new Scan(client, index, foreign, byShardDoc, List.of())) {
                while (scan.hasNext()) {
                    differences.extra(scan.next().id() + " (not written by the connector: no " + DocumentSerializer.ID_FIELD + ")");
                }
                actual += scan.count;
            }
            return new Verification(differences.none(), truth.count(), actual, differences.first, differences.missing,
                    differences.extra, differences.digestDiffers);
        } finally {
            FileTrees.delete(temp);
        }
    }

    private static void merge(SortedTruth truth, Scan scan, SourceFixture fixture, Differences differences) {
        SortedTruth.Entry t = truth.hasNext() ? truth.next() : null;
        Hit<ObjectNode> d = scan.hasNext() ? scan.next() : null;
        byte[] previous = null;
        while (t != null || d != null) {
            byte[] indexed = d == null ? null : d.sort().get(0).stringValue().getBytes(StandardCharsets.UTF_8);
            if (indexed != null && previous != null && Arrays.compareUnsigned(previous, indexed) > 0) {
                throw new IllegalStateException("The scan of the index is not in ascending order of "
                        + DocumentSerializer.ID_FIELD + " as UTF-8 bytes at " + d.id());
            }
            int c = t == null ? 1 : d == null ? -1 : Arrays.compareUnsigned(t.key(), indexed);
            if (c < 0) {
                differences.missing(describe(t));
                t = truth.hasNext() ? truth.next() : null;
            } else if (c > 0) {
                differences.extra(d.id());
                previous = indexed;
                d = scan.hasNext() ? scan.next() : null;
            } else {
                Map<String, Object> source = d.source() == null ? Map.of() : JSON.convertValue(d.source(), MAP);
                String digest = fixture.digestOfIndexed(source);
                if (!t.digest().equals(digest)) {
                    differences.digestDiffers(describe(t));
                }
                previous = indexed;
                t = truth.hasNext() ? truth.next() : null;
                d = scan.hasNext() ? scan.next() : null;
            }
        }
    }

    private static String describe(SortedTruth.Entry t) {
        if (!t.normalized()) {
            return t.id();
        }
        String source = t.sourceId().length() > 80 ? t.sourceId().substring(0, 80) + "..." : t.sourceId();
        return t.id() + " (source id " + source + ")";
    }

    /** The differences found: counts of each kind, and the first few. */
    private static final class Differences {
        final List<String> first = new ArrayList<>();
        long missing;
        long extra;
        long digestDiffers;

        void missing(String id) {
            missing++;
            note("missing " + id);
        }

        void extra(String id) {
            extra++;
            note("extra " + id);
        }

        void digestDiffers(String id) {
            digestDiffers++;
            note("digest differs " + id);
        }

        boolean none() {
            return missing == 0 && extra == 0 && digestDiffers == 0;
        }

        private void note(String difference) {
            if (first.size() < MAX_DIFFERENCES) {
                first.add(difference);
            }
        }
    }

    /** A search under a point in time, paged with {@code search_after}, one hit at a time. */
    private static final class Scan implements Iterator<Hit<ObjectNode>>, AutoCloseable {
        private final ElasticsearchClient client;
        private final Query query;
        private final SortOptions sort;
        private final List<String> fields;
        private final Deque<Hit<ObjectNode>> page = new ArrayDeque<>();
        private String pit;
        private List<FieldValue> after;
        private boolean exhausted;
        long count;

        Scan(ElasticsearchClient client, String index, Query query, SortOptions sort, List<String> fields) throws IOException {
            this.client = client;
            this.query = query;
            this.sort = sort;
            this.fields = fields;
            this.pit = client.openPointInTime(o -> o.index(index).keepAlive(k -> k.time(KEEP_ALIVE))).id();
        }

        @Override
        public boolean hasNext() {
            if (page.isEmpty() && !exhausted) {
                try {
                    fetch();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return !page.isEmpty();
        }

        @Override
        public Hit<ObjectNode> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            count++;
            return page.removeFirst();
        }

        private void fetch() throws IOException {
            SearchResponse<ObjectNode> response = client.search(s -> {
                s.pit(p -> p.id(pit).keepAlive(k -> k.time(KEEP_ALIVE)))
                        .size(PAGE_SIZE)
                        .trackTotalHits(t -> t.enabled(false))
                        .query(query)
                        .sort(sort);
                if (fields.isEmpty()) {
                    s.source(src -> src.fetch(false));
                } else {
                    s.source(src -> src.filter(f -> f.includes(fields)));
                }
                if (after != null) {
                    s.searchAfter(after);
                }
                return s;
            }, ObjectNode.class);
            if (response.pitId() != null) {
                pit = response.pitId();
            }
            List<Hit<ObjectNode>> hits = response.hits().hits();
            page.addAll(hits);
            if (hits.size() < PAGE_SIZE) {
                exhausted = true;
            } else {
                after = hits.get(hits.size() - 1).sort();
            }
        }

        @Override
        public void close() {
            try {
                client.closePointInTime(c -> c.id(pit));
            } catch (IOException | RuntimeException e) {
                // it expires by itself
            }
        }
    }
}
