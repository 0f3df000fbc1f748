package io.connectors.functional.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connectors.runtime.es.ClusterInfo;
import io.connectors.runtime.es.ElasticsearchClients;
import io.connectors.runtime.es.ElasticsearchHandle;
import io.connectors.runtime.config.ElasticsearchSettings;
import io.connectors.runtime.es.PrivilegeCheck;
import io.connectors.runtime.es.RequiredPrivileges;
import io.connectors.runtime.sink.BulkOp;
import io.connectors.runtime.sink.ElasticsearchBulkClient;
import io.connectors.runtime.sink.ItemResult;
import io.connectors.runtime.state.JobRecord;
import io.connectors.runtime.state.JobRecords;
import io.connectors.runtime.state.JobStatus;
import io.connectors.runtime.state.JobType;
import io.connectors.runtime.state.StateStore;
import io.connectors.runtime.sync.TargetIndex;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The stand-in Elasticsearch, driven by the runtime's own client code where it can be, else over plain HTTP. */
class StandInElasticsearchTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(10);

    private StandInElasticsearch standIn;
    private ElasticsearchHandle handle;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        standIn = StandInElasticsearch.start("target");
        handle = ElasticsearchClients.create(ElasticsearchSettings.defaults(standIn.uri()));
    }

    @AfterEach
    void stop() {
        handle.close();
        standIn.close();
    }

    @Test
    void aBulkBodyIsAnsweredItemByItemAndCounted() throws Exception {
        String body = """
                {"index":{"_index":"target","_id":"a"}}
                {"title":"first","content":"x\\ny"}
                {"index":{"_id":"b"}}
                {"title":"second"}
                {"delete":{"_id":"c"}}
                {"create":{"_id":"d"}}
                {}
                """;

        HttpResponse<String> response = post("/target/_bulk", body);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Elastic-Product")).contains("Elasticsearch");
        JsonNode answer = JSON.readTree(response.body());
        assertThat(answer.path("errors").asBoolean(true)).isFalse();
        assertThat(answer.path("items")).hasSize(4);
        JsonNode first = answer.path("items").get(0).path("index");
        assertThat(first.path("_index").asText()).isEqualTo("target");
        assertThat(first.path("_id").asText()).isEqualTo("a");
        assertThat(first.path("result").asText()).isEqualTo("created");
        assertThat(first.path("status").asInt()).isEqualTo(201);
        assertThat(answer.path("items").get(1).path("index").path("_id").asText()).isEqualTo("b");
        assertThat(answer.path("items").get(2).path("delete").path("status").asInt()).isEqualTo(200);
        assertThat(answer.path("items").get(3).path("create").path("_id").asText()).isEqualTo("d");
        assertThat(standIn.bulkRequests()).isEqualTo(1);
        assertThat(standIn.bulkItems()).isEqualTo(4);
        assertThat(standIn.bulkBytes()).isEqualTo(body.getBytes(StandardCharsets.UTF_8).length);
        assertThat(standIn.requests()).containsEntry("POST /{index}/_bulk", 1L);
        assertThat(standIn.unknown()).isEmpty();
    }

    @Test
    void aFailedItemSetsErrors() throws Exception {
        HttpResponse<String> response = post("/_bulk", """
                {"index":{"_id":"no-index"}}
                {"a":1}
                {"index":{"_index":"target","_id":"fine"}}
                {"a":2}
                """);

        JsonNode answer = JSON.readTree(response.body());
        assertThat(answer.path("errors").asBoolean(false)).isTrue();
        assertThat(answer.path("items").get(0).path("index").path("status").asInt()).isEqualTo(400);
        assertThat(answer.path("items").get(0).path("index").path("error").path("type").asText())
                .isEqualTo("action_request_validation_exception");
        assertThat(answer.path("items").get(1).path("index").path("status").asInt()).isEqualTo(201);
    }

    @Test
    void theRuntimesBulkClientReadsTheAnswer() {
        ElasticsearchBulkClient client = new ElasticsearchBulkClient(handle.async(), "target", null);

        List<ItemResult> items = client.bulk(List.of(
                new BulkOp.Index("one", "{\"a\":1}".getBytes(StandardCharsets.UTF_8)),
                new BulkOp.Index("two", "{\"a\":2}".getBytes(StandardCharsets.UTF_8)),
                new BulkOp.Delete("three"))).block(WAIT);

        assertThat(items).extracting(ItemResult::id).containsExactly("one", "two", "three");
        assertThat(items).allMatch(ItemResult::succeeded);
        assertThat(standIn.bulkItems()).isEqualTo(3);
        TargetIndex index = new TargetIndex(handle.async(), "target");
        assertThat(index.count().block(WAIT)).as("two written, one deleted").isEqualTo(1L);
        assertThat(index.storedStamps(List.of("one")).block(WAIT)).as("nothing is kept to be found").isEmpty();
    }

    @Test
    void theDaemonsStartUpCallsAreAnswered() {
        ClusterInfo info = handle.ping().block(WAIT);
        assertThat(info).isNotNull();
        assertThat(info.version()).isEqualTo(StandInCluster.VERSION);

        PrivilegeCheck.check(handle.async(), RequiredPrivileges.of("connectors", List.of("target"))).block(WAIT);

        assertThat(standIn.requests()).containsKeys("GET /_cluster/health", "POST /_security/user/_has_privileges");
        assertThat(standIn.unknown()).isEmpty();
    }

    @Test
    void theTargetIndexIsFreshForEverySyncAndHoldsNothing() {
        TargetIndex index = new TargetIndex(handle.async(), "target");

        assertThat(index.ensure(new TargetIndex.IndexMappings(Map.of("title", Map.of("type", "text")), false)).block(WAIT)).isTrue();
        assertThat(index.ensure(TargetIndex.IndexMappings.dynamic()).block(WAIT)).as("reported missing again: the next sync is fresh too").isTrue();
        assertThat(index.storedStamps(List.of("a", "b")).block(WAIT)).isEmpty();
        assertThat(index.scanStamps(100).flatMapIterable(TargetIndex.StampPage::stamps).collectList().block(WAIT)).isEmpty();
        assertThat(index.scanForeignIds(100).collectList().block(WAIT)).isEmpty();
        index.refresh().block(WAIT);

        assertThat(standIn.requests()).containsKeys("HEAD /{index}", "PUT /{index}", "POST /{index}/_search",
                "POST /{index}/_pit", "POST /_search", "DELETE /_pit", "POST /{index}/_refresh");
        assertThat(standIn.unknown()).isEmpty();
    }

    @Test
    void controlPlaneRecordsAreKeptWithSequenceNumbersAndFoundBySearches() {
        StateStore store = new StateStore(handle.async(), "state");
        store.ensureIndices().block(WAIT);
        assertThat(store.missingIndices().block(WAIT)).isEmpty();
        store.ensureIndices().block(WAIT); // existing aliases: mappings updated

        JobRecords jobs = new JobRecords(store);
        Map<String, Object> connector = Map.of("id", "c1");
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        jobs.create(JobRecords.newJob("j1", connector, JobType.FULL, JobRecord.Trigger.SCHEDULED, JobStatus.PENDING, null, null, now),
                true).block(WAIT);
        jobs.create(JobRecords.newJob("j0", connector, JobType.FULL, JobRecord.Trigger.SCHEDULED, JobStatus.PENDING, null, null,
                now.minusSeconds(1)), true).block(WAIT);
        jobs.create(JobRecords.newJob("j2", Map.of("id", "c2"), JobType.FULL, JobRecord.Trigger.SCHEDULED, JobStatus.PENDING, null,
                null, now), false).block(WAIT);

        assertThat(jobs.claimable(List.of("c1"), 10).block(WAIT)).extracting(StateStore.Versioned::id)
                .containsExactly("j0", "j1");
        assertThatThrownBy(() -> jobs.create(JobRecords.newJob("j1", connector, JobType.FULL, JobRecord.Trigger.SCHEDULED,
                JobStatus.PENDING, null, null, now), false).block(WAIT)).isInstanceOf(StateStore.ConflictException.class);

        StateStore.Versioned<Map<String, Object>> read = store.get(StateStore.Kind.JOBS, "j1").block(WAIT);
        StateStore.Versioned<Map<String, Object>> written = store.replace(StateStore.Kind.JOBS, read, Map.of("job_id", "j1",
                "connector_id", "c1", "status", "running")).block(WAIT);
        assertThat(written.seqNo()).isGreaterThan(read.seqNo());
        assertThatThrownBy(() -> store.replace(StateStore.Kind.JOBS, read, Map.of("status", "stale")).block(WAIT))
                .as("a write based on a stale read").isInstanceOf(StateStore.ConflictException.class);
        assertThat(jobs.claimable(List.of("c1"), 10).block(WAIT)).extracting(StateStore.Versioned::id)
                .containsExactly("j0");
        assertThat(store.jobCountsByStatus().block(WAIT)).containsEntry("pending", 2L).containsEntry("running", 1L);
        assertThat(store.delete(StateStore.Kind.JOBS, List.of("j0", "nope")).block(WAIT)).isEqualTo(1);
        assertThat(standIn.unknown()).isEmpty();
    }

    @Test
    void anUnknownEndpointIsAClearErrorAndCounted() throws Exception {
        HttpResponse<String> response = post("/target/_rollover", "{}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("stand-in", "_rollover");
        assertThat(standIn.unknown()).containsOnlyKeys("POST /{index}/_rollover");
    }

    @Test
    void routesNameIndicesIdsAndAliasesByPlaceholders() {
        assertThat(StandInElasticsearch.routeOf("PUT", List.of("state-jobs", "_doc", "job-1")))
                .isEqualTo("PUT /{index}/_doc/{id}");
        assertThat(StandInElasticsearch.routeOf("HEAD", List.of("_alias", "state-jobs"))).isEqualTo("HEAD /_alias/{name}");
        assertThat(StandInElasticsearch.routeOf("GET", List.of())).isEqualTo("GET /");
        assertThat(StandInElasticsearch.routeOf("GET", List.of("_nodes", "_local", "_none")))
                .isEqualTo("GET /_nodes/_local/_none");
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(standIn.uri() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
