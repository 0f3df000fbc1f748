package io.connectors.functional;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.Refresh;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import io.connectors.elasticsearch.local.ElasticsearchEndpoint;
import io.connectors.runtime.sync.DocIds;
import io.connectors.runtime.sync.DocumentSerializer;
import io.connectors.testkit.elasticsearch.TestElasticsearch;
import io.connectors.testkit.functional.SourceFixture;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The verifier against a real index, with a fixture whose digest is the {@code content} field itself. */
class IndexVerifierIT {
    private static final String INDEX = "ftest-verifier-it";
    private static final String LONG_ID = "folder/" + "x".repeat(600);
    private static ElasticsearchEndpoint es;

    @BeforeAll
    static void elasticsearch() {
        es = TestElasticsearch.get();
    }

    @AfterEach
    void deleteIndex() throws Exception {
        try (ElasticsearchSession session = ElasticsearchSession.open(es)) {
            session.deleteIndex(INDEX);
        }
    }

    /** Source ids and contents; ground truth in unsigned UTF-8 order (ASCII and é here, so String order agrees). */
    private record StubFixture(TreeMap<String, String> documents) implements SourceFixture {
        @Override
        public String type() {
            return "stub";
        }

        @Override
        public void start(Path workDir) {
        }

        @Override
        public void load(int count) {
        }

        @Override
        public Map<String, Object> connectorConfiguration() {
            return Map.of();
        }

        @Override
        public TypeZoo loadTypeZoo() {
            throw new UnsupportedOperationException("not needed here");
        }

        @Override
        public Mutation mutate(int adds, int updates, int deletes) {
            throw new UnsupportedOperationException("not needed here");
        }

        @Override
        public Iterator<Truth> groundTruth() {
            return documents.entrySet().stream().map(e -> new Truth(e.getKey(), e.getValue())).iterator();
        }

        @Override
        public String digestOfIndexed(Map<String, Object> source) {
            return String.valueOf(source.get("content"));
        }

        @Override
        public List<String> digestFields() {
            return List.of("content");
        }

        @Override
        public long readAllWithOwnDriver() {
            return documents.size();
        }

        @Override
        public void close() {
        }
    }

    private static void index(Map<String, String> byId, String foreignId) throws Exception {
        try (ElasticsearchSession session = ElasticsearchSession.open(es)) {
            ElasticsearchClient client = session.client();
            client.indices().create(c -> c.index(INDEX).withJson(new StringReader(
                    "{\"mappings\":{\"properties\":{\"" + DocumentSerializer.ID_FIELD + "\":{\"type\":\"keyword\"},"
                            + "\"content\":{\"type\":\"text\"}}}}")));
            BulkRequest.Builder bulk = new BulkRequest.Builder().index(INDEX).refresh(Refresh.True);
            byId.forEach((sourceId, content) -> {
                String id = DocIds.normalize(sourceId);
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("content", content);
                doc.put(DocumentSerializer.ID_FIELD, id);
                bulk.operations(o -> o.index(i -> i.id(id).document(doc)));
            });
            if (foreignId != null) {
                bulk.operations(o -> o.index(i -> i.id(foreignId).document(Map.of("content", "not from the connector"))));
            }
            assertThat(client.bulk(bulk.build()).errors()).isFalse();
        }
    }

    private static TreeMap<String, String> truth() {
        TreeMap<String, String> truth = new TreeMap<>();
        truth.put("a.txt", "alpha");
        truth.put("b.txt", "beta");
        truth.put("c.txt", "gamma");
        truth.put(LONG_ID, "long");
        truth.put("zé.txt", "accent");
        return truth;
    }

    @Test
    void anIndexEqualToTheSourceLongIdsIncluded() throws Exception {
        index(truth(), null);
        Verification v = IndexVerifier.verify(es, INDEX, new StubFixture(truth()));
        assertThat(v.equal()).as(v.summary() + " " + v.firstDifferences()).isTrue();
        assertThat(v.expected()).isEqualTo(5);
        assertThat(v.actual()).isEqualTo(5);
        assertThat(v.firstDifferences()).isEmpty();
    }

    @Test
    void reportsMissingExtraAndChangedDocuments() throws Exception {
        Map<String, String> indexed = new TreeMap<>(truth());
        indexed.remove("c.txt");
        indexed.remove("zé.txt");
        indexed.put("b.txt", "beta, edited");
        indexed.put("d.txt", "deleted from the source");
        index(indexed, "foreign-1");

        Verification v = IndexVerifier.verify(es, INDEX, new StubFixture(truth()));

        assertThat(v.equal()).isFalse();
        assertThat(v.expected()).isEqualTo(5);
        assertThat(v.actual()).isEqualTo(5);
        assertThat(v.missing()).isEqualTo(2);
        assertThat(v.extra()).isEqualTo(2);
        assertThat(v.digestDiffers()).isEqualTo(1);
        assertThat(v.firstDifferences()).containsExactly(
                "digest differs b.txt",
                "missing c.txt",
                "extra d.txt",
                "missing zé.txt",
                "extra foreign-1 (not written by the connector: no _sync_id)");
        assertThat(v.summary()).contains("2 missing, 2 extra, 1 with a different digest");
    }

    @Test
    void listsAtMost20Differences() throws Exception {
        TreeMap<String, String> many = new TreeMap<>();
        for (int i = 0; i < 30; i++) {
            many.put(String.format("doc-%02d", i), "content " + i);
        }
        index(Map.of("doc-00", "content 0"), null);
        Verification v = IndexVerifier.verify(es, INDEX, new StubFixture(many));
        assertThat(v.missing()).isEqualTo(29);
        assertThat(v.firstDifferences()).hasSize(IndexVerifier.MAX_DIFFERENCES).first().isEqualTo("missing doc-01");
        List<String> expectedFirst = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            expectedFirst.add(String.format("missing doc-%02d", i));
        }
        assertThat(v.firstDifferences()).containsExactlyElementsOf(expectedFirst);
    }
}
