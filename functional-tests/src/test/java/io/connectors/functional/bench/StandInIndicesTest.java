package io.connectors.functional.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StandInIndicesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<String> unknown = new ArrayList<>();
    private final StandInIndices indices = new StandInIndices("target", unknown::add);

    @Test
    void rangesCompareInstantsWhateverTheirFractionOfASecond() throws Exception {
        StandInIndices.Index jobs = jobs();

        // As text, "…00Z" sorts after "…00.5Z"; as instants it is before.
        List<StandInIndices.Doc> stale = indices.search(jobs,
                json("{\"range\":{\"last_heartbeat_at\":{\"lt\":\"2026-01-01T00:00:00.500Z\"}}}"), null, 0, 10);

        assertThat(stale).extracting(StandInIndices.Doc::id).containsExactly("a");
    }

    @Test
    void sortsPutMissingValuesLastEitherWay() throws Exception {
        StandInIndices.Index jobs = jobs();

        assertThat(indices.search(jobs, null, json("[{\"completed_at\":{\"order\":\"desc\"}}]"), 0, 10))
                .extracting(StandInIndices.Doc::id).containsExactly("b", "a", "c");
        assertThat(indices.search(jobs, null, json("[{\"completed_at\":\"asc\"}]"), 0, 10))
                .extracting(StandInIndices.Doc::id).containsExactly("a", "b", "c");
    }

    @Test
    void pagesWithSearchAfterComeToAnEnd() throws Exception {
        StandInIndices.Index jobs = jobs();
        JsonNode sort = json("[{\"completed_at\":\"asc\"}, {\"_shard_doc\":\"asc\"}]");

        List<StandInIndices.Doc> first = indices.search(jobs, null, sort, null, 0, 2);
        JsonNode after = StandInIndices.sortValues(first.get(1), sort);
        List<StandInIndices.Doc> second = indices.search(jobs, null, sort, after, 0, 2);
        List<StandInIndices.Doc> third = indices.search(jobs, null, sort,
                StandInIndices.sortValues(second.get(0), sort), 0, 2);

        assertThat(first).extracting(StandInIndices.Doc::id).containsExactly("a", "b");
        assertThat(second).extracting(StandInIndices.Doc::id).containsExactly("c");
        assertThat(third).isEmpty();
    }

    @Test
    void boolFiltersTermsAndMustNot() throws Exception {
        StandInIndices.Index jobs = jobs();

        JsonNode query = json("{\"bool\":{\"filter\":[{\"terms\":{\"status\":[\"pending\",\"running\"]}},"
                + "{\"term\":{\"connector_id\":{\"value\":\"c1\"}}}],\"must_not\":{\"ids\":{\"values\":[\"c\"]}}}}");

        assertThat(indices.search(jobs, query, null, 0, 10)).extracting(StandInIndices.Doc::id).containsExactly("a");
        assertThat(indices.search(jobs, json("{\"wildcard\":{\"status\":\"p*\"}}"), null, 0, 10)).isEmpty();
        assertThat(unknown).as("reported for each document it was tried on").containsOnly("wildcard");
    }

    @Test
    void theTargetIndexIsAlwaysFreshAndKeepsOnlyACount() throws Exception {
        assertThat(indices.exists("target")).isFalse();
        assertThat(indices.create("target", json("{}"))).isTrue();
        assertThat(indices.exists("target")).as("reported missing, so the next sync creates it again").isFalse();
        StandInIndices.Index target = indices.find("target").orElseThrow();
        indices.put(target, "x", (ObjectNode) json("{\"a\":1}"), false, null);

        assertThat(target.docs).isEmpty();
        assertThat(indices.count(target, null)).isEqualTo(1);
        assertThat(indices.count(target, json("{\"ids\":{\"values\":[\"x\"]}}"))).isZero();
        assertThat(indices.create("target", json("{}"))).isTrue();
        assertThat(indices.count(indices.find("target").orElseThrow(), null)).isZero();
    }

    private StandInIndices.Index jobs() throws Exception {
        assertThat(indices.create("jobs-v1", json("{\"aliases\":{\"jobs\":{}}}"))).isTrue();
        StandInIndices.Index jobs = indices.find("jobs").orElseThrow();
        indices.put(jobs, "a", doc("{\"connector_id\":\"c1\",\"status\":\"pending\","
                + "\"last_heartbeat_at\":\"2026-01-01T00:00:00Z\",\"completed_at\":\"2026-01-01T00:00:01Z\"}"), true, null);
        indices.put(jobs, "b", doc("{\"connector_id\":\"c1\",\"status\":\"completed\","
                + "\"last_heartbeat_at\":\"2026-01-01T00:00:00.900Z\",\"completed_at\":\"2026-01-01T00:00:02.5Z\"}"), true, null);
        indices.put(jobs, "c", doc("{\"connector_id\":\"c1\",\"status\":\"running\"}"), true, null);
        return jobs;
    }

    private static ObjectNode doc(String json) throws Exception {
        return (ObjectNode) JSON.readTree(json);
    }

    private static JsonNode json(String json) throws Exception {
        return JSON.readTree(json);
    }
}
