package io.connectors.runtime.sync;

import io.connectors.runtime.config.ConnectorConfig;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.json.JsonData;
import io.connectors.runtime.es.ElasticsearchHandle;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The indices the runtime creates, against a real Elasticsearch: documents of no fixed shape are stored whatever their
 * shape (the cases that were refused before: a 34-digit decimal after an integer, {@code Double.MAX_VALUE} after a
 * small fraction, an object where a string was and the reverse, a string in a number field, 20,000 fields), and
 * explicit mappings still refuse what does not fit them (a user's mapping is respected).
 */
class IndexPolicyIT {
    private static final Duration WAIT = Duration.ofMinutes(2);
    private static ElasticsearchHandle es;

    @BeforeAll
    static void connect() {
        es = TestClients.connect();
    }

    @AfterAll
    static void close() {
        es.close();
    }

    @Test
    void aSchemalessIndexStoresEveryShape() throws Exception {
        String index = "it-policy-schemaless";
        reset(index);
        assertThat(new TargetIndex(es.async(), index).ensure(TargetIndex.IndexMappings.dynamic()).block(WAIT)).isTrue();
        Map<String, Object> wide = new LinkedHashMap<>();
        for (int i = 0; i < 20_000; i++) {
            wide.put("f" + i, i);
        }
        List<Map<String, Object>> documents = List.of(
                Map.of("n", 5, "d", 0.5, "s", "text ".repeat(100), "o", Map.of("a", 1), "b", true),
                Map.of("n", new BigDecimal("1234567890123456789012345678901234"), "d", Double.MAX_VALUE,
                        "s", Map.of("now", "an object"), "o", "now a string", "b", "maybe"),
                Map.of("n", "not a number", "d", new BigDecimal("1E+400"), "o", List.of(1, Map.of("a", Map.of("deeper", 2)))),
                Map.of("wide", wide));

        BulkResponse response = bulk(index, documents);

        List<String> errors = response.items().stream().filter(i -> i.error() != null)
                .map(i -> i.id() + ": " + i.error().reason()).toList();
        assertThat(errors).as("no document refused").isEmpty();
        es.async().indices().refresh(r -> r.index(index)).get();
        var ignored = es.async().search(s -> s.index(index).query(q -> q.exists(e -> e.field("_ignored"))), Void.class).get();
        List<String> fields = new ArrayList<>();
        ignored.hits().hits().forEach(h -> fields.addAll(h.ignored()));
        assertThat(fields).as("what did not fit is listed, not lost").contains("n", "d", "b").anyMatch(f -> f.startsWith("wide.f"));
        Map<String, Long> byField = new TargetIndex(es.async(), index).ignoredFields(100).block(WAIT);
        assertThat(byField).containsEntry("n", 1L).containsKeys("d", "b").noneSatisfy((f, n) -> assertThat(f).endsWith(".keyword"));
        var mapping = es.async().indices().getMapping(g -> g.index(index)).get().result().get(index).mappings();
        assertThat(mapping.properties().get("d").isDouble()).as("fractions are doubles, not floats").isTrue();
        assertThat(mapping.properties().get("n").isDouble()).as("integers are doubles, which also hold fractions").isTrue();
    }

    @Test
    void aRefreshIntervalIsGivenToANewIndexAndToAnExistingOneOnlyWhenConfigured() throws Exception {
        String index = "it-policy-refresh";
        reset(index);
        TargetIndex target = new TargetIndex(es.async(), index);
        TargetIndex.IndexMappings mappings = TargetIndex.IndexMappings.dynamic();
        target.ensure(mappings.withRefresh(Optional.of(new ConnectorConfig.IndexRefresh(Duration.ofMillis(500), false))))
                .block(WAIT);
        assertThat(refreshInterval(index)).isEqualTo("500ms");
        target.ensure(mappings.withRefresh(Optional.of(new ConnectorConfig.IndexRefresh(Duration.ofSeconds(2), false))))
                .block(WAIT);
        assertThat(refreshInterval(index)).as("an existing index keeps its own").isEqualTo("500ms");
        target.ensure(mappings.withRefresh(Optional.of(new ConnectorConfig.IndexRefresh(Duration.ofSeconds(2), true))))
                .block(WAIT);
        assertThat(refreshInterval(index)).as("a configured one is applied").isEqualTo("2000ms");
    }

    private static String refreshInterval(String index) throws Exception {
        return es.async().indices().getSettings(g -> g.index(index)).get().result().get(index).settings().index()
                .refreshInterval().time();
    }

    @Test
    void anExplicitMappingIsRespected() throws Exception {
        String index = "it-policy-explicit";
        reset(index);
        new TargetIndex(es.async(), index).ensure(new TargetIndex.IndexMappings(Map.of("v", Map.of("type", "long")), false))
                .block(WAIT);

        BulkResponse response = bulk(index, List.of(Map.of("v", 1, "extra", 1.5), Map.of("v", Map.of("x", 1))));

        assertThat(response.items().get(0).error()).isNull();
        assertThat(response.items().get(1).error()).as("an object where the source's own mapping says long").isNotNull();
        var mapping = es.async().indices().getMapping(g -> g.index(index)).get().result().get(index).mappings();
        assertThat(mapping.subobjects()).isNull();
        assertThat(mapping.properties().get("extra").isDouble()).isTrue();
    }

    private static BulkResponse bulk(String index, List<Map<String, Object>> documents) throws Exception {
        List<co.elastic.clients.elasticsearch.core.bulk.BulkOperation> operations = new ArrayList<>();
        for (int i = 0; i < documents.size(); i++) {
            String id = String.valueOf(i);
            JsonData body = JsonData.of(documents.get(i));
            operations.add(co.elastic.clients.elasticsearch.core.bulk.BulkOperation.of(o -> o.index(x -> x.id(id).document(body))));
        }
        return es.async().bulk(b -> b.index(index).operations(operations)).get();
    }

    private static void reset(String index) throws Exception {
        if (es.async().indices().exists(e -> e.index(index)).get().value()) {
            es.async().indices().delete(d -> d.index(index)).get();
        }
    }

}
