package io.connectors.runtime.es;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.Refresh;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.transport.TransportOptions;
import co.elastic.clients.transport.http.TransportHttpClient;
import com.fasterxml.jackson.databind.JsonNode;
import io.connectors.elasticsearch.local.ElasticsearchEndpoint;
import io.connectors.runtime.config.ElasticsearchSettings;
import io.connectors.testkit.elasticsearch.TestElasticsearch;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The client on our transport against a real Elasticsearch from {@link TestElasticsearch} ({@code ES_URL},
 * {@code ES_USERNAME}, {@code ES_PASSWORD} point it at any cluster, e.g. a 9.x one).
 */
class ElasticsearchClientIT {

    private static final Logger log = LoggerFactory.getLogger(ElasticsearchClientIT.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int DOCS = 1_000;

    /** A document with a {@code java.time} field, to check dates go out as ISO-8601 strings. */
    record Doc(String title, int n, String parity, Instant at) {
    }

    private static ElasticsearchEndpoint endpoint;
    private static ElasticsearchSettings settings;
    private static ElasticsearchHandle es;

    @BeforeAll
    static void connect() {
        endpoint = TestElasticsearch.get();
        ElasticsearchSettings base = ElasticsearchSettings.defaults(endpoint.uri());
        settings = endpoint.hasCredentials() ? base.withBasicAuth(endpoint.username(), endpoint.password()) : base;
        es = ElasticsearchClients.create(settings);
    }

    @AfterAll
    static void close() {
        if (es != null) {
            es.close();
        }
    }

    private static String newIndex() {
        return "it-es-client-" + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
    }

    private static Mono<Void> deleteIndex(ElasticsearchHandle client, String index) {
        return Mono.fromFuture(() -> client.async().indices().delete(d -> d.index(index))).then();
    }

    @Test
    void pingNamesTheClusterAndItsVersion() {
        es.ping().as(StepVerifier::create)
                .assertNext(info -> {
                    log.info("Connected: {}", info);
                    assertThat(info.clusterName()).isNotBlank();
                    assertThat(info.status()).isIn("green", "yellow");
                    assertThat(info.version()).matches("\\d+\\.\\d+\\.\\d+.*");
                    String expected = System.getProperty("connectors.elasticsearch.version");
                    if (System.getenv("ES_URL") == null && expected != null) {
                        assertThat(info.version()).isEqualTo(expected);
                    }
                })
                .expectComplete()
                .verify(TIMEOUT);
    }

    @ParameterizedTest(name = "compression={0}")
    @ValueSource(booleans = {false, true})
    void bulkIndexesCountsAndSearches(boolean compression) {
        String index = newIndex();
        Instant at = Instant.parse("2025-03-01T12:00:00Z");
        try (ElasticsearchHandle client = ElasticsearchClients.create(settings.withCompression(compression))) {
            Mono<BulkResponse> create = Mono.fromFuture(() -> client.async().indices().create(c -> c.index(index)
                            .settings(s -> s.numberOfShards("1").numberOfReplicas("0"))
                            .mappings(m -> m.properties("title", p -> p.text(t -> t))
                                    .properties("n", p -> p.integer(i -> i))
                                    .properties("parity", p -> p.keyword(k -> k))
                                    .properties("at", p -> p.date(d -> d)))))
                    .then(Mono.empty());
            Flux<BulkResponse> bulks = Flux.range(0, DOCS / 250).concatMap(batch -> {
                List<BulkOperation> ops = IntStream.range(batch * 250, (batch + 1) * 250)
                        .mapToObj(n -> BulkOperation.of(op -> op.index(i -> i.id("doc-" + n)
                                .document(new Doc("document number " + n, n, n % 2 == 0 ? "even" : "odd",
                                        at.plusSeconds(n))))))
                        .toList();
                return Mono.fromFuture(() -> client.async().bulk(b -> b.index(index).operations(ops)));
            });

            create.thenMany(bulks)
                    .as(StepVerifier::create)
                    .thenConsumeWhile(r -> {
                        assertThat(r.errors()).as("bulk errors: %s", r.items()).isFalse();
                        assertThat(r.items()).hasSize(250);
                        return true;
                    })
                    .expectComplete()
                    .verify(TIMEOUT);

            Mono.fromFuture(() -> client.async().indices().refresh(r -> r.index(index)))
                    .then(Mono.fromFuture(() -> client.async().count(c -> c.index(index))))
                    .as(StepVerifier::create)
                    .assertNext(count -> assertThat(count.count()).isEqualTo(DOCS))
                    .expectComplete()
                    .verify(TIMEOUT);

            Mono.fromFuture(() -> client.async().search(s -> s.index(index)
                            .query(q -> q.bool(b -> b.filter(f -> f.term(t -> t.field("parity").value("even")))
                                    .filter(f -> f.range(r -> r.number(n -> n.field("n").gte(100.0).lt(200.0))))))
                            .size(100), JsonNode.class))
                    .as(StepVerifier::create)
                    .assertNext(response -> {
                        assertThat(response.hits().total().value()).isEqualTo(50);
                        assertThat(response.hits().hits()).hasSize(50)
                                .allSatisfy(hit -> assertThat(hit.source().get("parity").asText()).isEqualTo("even"));
                    })
                    .expectComplete()
                    .verify(TIMEOUT);

            Mono.fromFuture(() -> client.async().get(g -> g.index(index).id("doc-7"), Doc.class))
                    .as(StepVerifier::create)
                    .assertNext(doc -> assertThat(doc.source())
                            .isEqualTo(new Doc("document number 7", 7, "odd", at.plusSeconds(7))))
                    .expectComplete()
                    .verify(TIMEOUT);

            // Dates are stored as ISO strings, not epoch numbers.
            Mono.fromFuture(() -> client.async().get(g -> g.index(index).id("doc-7"), JsonNode.class))
                    .as(StepVerifier::create)
                    .assertNext(doc -> assertThat(doc.source().get("at").asText()).isEqualTo("2025-03-01T12:00:07Z"))
                    .expectComplete()
                    .verify(TIMEOUT);

            deleteIndex(client, index).as(StepVerifier::create).expectComplete().verify(TIMEOUT);
        }
    }

    @Test
    void headRequestsAndErrorResponsesMapToTheClientsTypes() {
        String missing = newIndex();
        Mono.fromFuture(() -> es.async().indices().exists(e -> e.index(missing)))
                .as(StepVerifier::create)
                .assertNext(exists -> assertThat(exists.value()).isFalse())
                .expectComplete()
                .verify(TIMEOUT);

        Mono.fromFuture(() -> es.async().get(g -> g.index(missing).id("1"), JsonNode.class))
                .as(StepVerifier::create)
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(ElasticsearchException.class, ee -> {
                    assertThat(ee.status()).isEqualTo(404);
                    assertThat(ee.error().type()).isEqualTo("index_not_found_exception");
                }))
                .verify(TIMEOUT);
    }

    @Test
    void answersInTheCompatibilityMediaTypeTheClientAsksFor() {
        ReactorNettyTransportHttpClient http = new ReactorNettyTransportHttpClient(settings);
        try {
            String mediaType = "application/vnd.elasticsearch+json; compatible-with=8";
            TransportHttpClient.Request request = new TransportHttpClient.Request("GET", "/_cluster/health",
                    Map.of(), Map.of("Accept", mediaType), null);
            Mono.fromFuture(() -> http.performRequestAsync("es/cluster.health", null, request,
                            (TransportOptions) null))
                    .as(StepVerifier::create)
                    .assertNext(response -> {
                        assertThat(response.statusCode()).isEqualTo(200);
                        assertThat(response.header("X-Elastic-Product")).isEqualTo("Elasticsearch");
                        assertThat(response.header("Content-Type")).contains("compatible-with=8");
                        try {
                            assertThat(StandardCharsets.UTF_8.decode(response.body().asByteBuffer()).toString())
                                    .contains("\"cluster_name\"");
                        } catch (java.io.IOException e) {
                            throw new AssertionError(e);
                        }
                    })
                    .expectComplete()
                    .verify(TIMEOUT);
        } finally {
            http.close();
        }
    }

    @Test
    void manyConcurrentRequestsShareASmallPool() {
        ElasticsearchSettings small = settings.withPool(4, settings.maxIdleTime(), settings.maxLifeTime(),
                settings.pendingAcquireTimeout());
        try (ElasticsearchHandle client = ElasticsearchClients.create(small)) {
            Flux.range(0, 64)
                    .flatMap(i -> Mono.fromFuture(() -> client.async().cluster().health()), 64)
                    .as(StepVerifier::create)
                    .expectNextCount(64)
                    .expectComplete()
                    .verify(TIMEOUT);
        }
    }

    @Test
    void wrongCredentialsAreReportedAsAuthenticationFailure() {
        assumeTrue(endpoint.hasCredentials(), "this Elasticsearch runs without security");
        try (ElasticsearchHandle client = ElasticsearchClients.create(
                settings.withBasicAuth(endpoint.username(), "wrong-" + endpoint.password()))) {
            client.ping().as(StepVerifier::create)
                    .expectErrorSatisfies(e -> assertThat(e)
                            .isInstanceOfSatisfying(ElasticsearchPingException.class, p -> {
                                assertThat(p.authenticationFailed()).isTrue();
                                assertThat(p.getMessage()).contains("authentication failed (HTTP 401)")
                                        .contains(endpoint.uri().getHost())
                                        .doesNotContain(endpoint.password());
                            }))
                    .verify(TIMEOUT);
        }
    }
}
