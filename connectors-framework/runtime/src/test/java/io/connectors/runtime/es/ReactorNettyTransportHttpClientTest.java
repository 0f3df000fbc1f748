package io.connectors.runtime.es;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import co.elastic.clients.elasticsearch._types.Refresh;
import co.elastic.clients.elasticsearch.cluster.HealthResponse;
import co.elastic.clients.transport.DefaultTransportOptions;
import co.elastic.clients.transport.http.TransportHttpClient;
import io.connectors.runtime.config.ElasticsearchSettings;
import io.connectors.runtime.es.ElasticsearchConnectionException.Reason;
import io.connectors.runtime.es.FakeElasticsearch.Reply;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

class ReactorNettyTransportHttpClientTest {

    private static final String PASSWORD = "pa55-w0rd-never-printed";
    private static final String API_KEY = "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==";

    private static Mono<HealthResponse> health(ElasticsearchHandle es) {
        return Mono.fromFuture(() -> es.async().cluster().health());
    }

    @Test
    void sendsBasicAuth() {
        try (FakeElasticsearch server = new FakeElasticsearch();
             ElasticsearchHandle es = ElasticsearchClients.create(
                     ElasticsearchSettings.defaults(server.uri()).withBasicAuth("elastic", PASSWORD))) {
            health(es).as(StepVerifier::create)
                    .assertNext(h -> assertThat(h.clusterName()).isEqualTo("fake-cluster"))
                    .verifyComplete();
            String expected = "Basic " + Base64.getEncoder()
                    .encodeToString(("elastic:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
            assertThat(server.lastRequest().header("Authorization")).isEqualTo(expected);
        }
    }

    @Test
    void sendsApiKeyAsGiven() {
        try (FakeElasticsearch server = new FakeElasticsearch();
             ElasticsearchHandle es = ElasticsearchClients.create(
                     ElasticsearchSettings.defaults(server.uri()).withApiKey(API_KEY))) {
            health(es).as(StepVerifier::create).expectNextCount(1).verifyComplete();
            assertThat(server.lastRequest().header("Authorization")).isEqualTo("ApiKey " + API_KEY);
        }
    }

    @Test
    void sendsNoAuthorizationWithoutCredentials() {
        try (FakeElasticsearch server = new FakeElasticsearch();
             ElasticsearchHandle es = ElasticsearchClients.create(ElasticsearchSettings.defaults(server.uri()))) {
            health(es).as(StepVerifier::create).expectNextCount(1).verifyComplete();
            assertThat(server.lastRequest().header("Authorization")).isNull();
        }
    }

    @Test
    void sendsTheClientsCompatibilityHeadersPathAndQuery() {
        try (FakeElasticsearch server = new FakeElasticsearch().script(r -> Mono.just(Reply.json(201, """
                {"_index":"my-index","_id":"a b/c","_version":1,"result":"created",
                 "_shards":{"total":1,"successful":1,"failed":0},"_seq_no":0,"_primary_term":1}""")));
             ElasticsearchHandle es = ElasticsearchClients.create(ElasticsearchSettings.defaults(server.uri()))) {

            Mono.fromFuture(() -> es.async().index(i -> i.index("my-index").id("a b/c")
                            .document(Map.of("title", "héllo")).refresh(Refresh.True)))
                    .as(StepVerifier::create)
                    .assertNext(r -> assertThat(r.id()).isEqualTo("a b/c"))
                    .verifyComplete();

            FakeElasticsearch.Recorded request = server.lastRequest();
            assertThat(request.method()).isEqualTo("PUT");
            assertThat(request.uri()).isEqualTo("/my-index/_doc/a%20b%2Fc?refresh=true");
            String compatible = "application/vnd.elasticsearch+json; compatible-with=8";
            assertThat(request.header("Accept")).isEqualTo(compatible);
            assertThat(request.header("Content-Type")).isEqualTo(compatible);
            assertThat(request.header("User-Agent")).startsWith("elastic-java/8.19");
            assertThat(request.header("X-Elastic-Client-Meta")).contains("es=8.19");
            assertThat(request.header("Content-Length")).isEqualTo(String.valueOf(request.body().length));
            assertThat(request.header("Content-Encoding")).isNull();
            assertThat(request.bodyText()).isEqualTo("{\"title\":\"héllo\"}");
        }
    }

    @Test
    void transportOptionsAddHeadersAndParameters() {
        try (FakeElasticsearch server = new FakeElasticsearch();
             ElasticsearchHandle es = ElasticsearchClients.create(
                     ElasticsearchSettings.defaults(server.uri()).withApiKey(API_KEY))) {
            Mono.fromFuture(() -> es.async()
                            .withTransportOptions(o -> o.addHeader("X-Opaque-Id", "job-42")
                                    .addHeader("Authorization", "ApiKey other")
                                    .setParameter("filter_path", "cluster_name,status,a b"))
                            .cluster().health())
                    .as(StepVerifier::create)
                    .expectNextCount(1)
                    .verifyComplete();
            FakeElasticsearch.Recorded request = server.lastRequest();
            assertThat(request.header("X-Opaque-Id")).isEqualTo("job-42");
            assertThat(request.headers().getAll("Authorization")).containsExactly("ApiKey other");
            assertThat(request.uri()).isEqualTo("/_cluster/health?filter_path=cluster_name%2Cstatus%2Ca%20b");
        }
    }

    @Test
    void gzipsRequestBodiesAndAcceptsGzipWhenCompressionIsOn() throws IOException {
        try (FakeElasticsearch server = new FakeElasticsearch(http -> http.compress(true))
                .script(r -> Mono.just(Reply.json(200, """
                        {"took":3,"errors":false,"items":[{"index":{"_index":"i","_id":"1","status":201,
                         "result":"created","_version":1,"_shards":{"total":1,"successful":1,"failed":0},
                         "_seq_no":0,"_primary_term":1}}]}""")));
             ElasticsearchHandle es = ElasticsearchClients.create(
                     ElasticsearchSettings.defaults(server.uri()).withCompression(true))) {

            Mono.fromFuture(() -> es.async().bulk(b -> b.operations(op -> op.index(
                            i -> i.index("i").id("1").document(Map.of("n", 1))))))
                    .as(StepVerifier::create)
                    .assertNext(r -> assertThat(r.items()).hasSize(1))
                    .verifyComplete();

            FakeElasticsearch.Recorded request = server.lastRequest();
            assertThat(request.header("Content-Encoding")).isEqualTo("gzip");
            assertThat(request.header("Accept-Encoding")).contains("gzip");
            assertThat(request.header("Content-Length")).isEqualTo(String.valueOf(request.body().length));
            String unzipped;
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(request.body()))) {
                unzipped = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            assertThat(unzipped).isEqualTo("{\"index\":{\"_id\":\"1\",\"_index\":\"i\"}}\n{\"n\":1}\n");
        }
    }

    @Test
    void noGzipWhenCompressionIsOff() {
        try (FakeElasticsearch server = new FakeElasticsearch(http -> http.compress(true));
             ElasticsearchHandle es = ElasticsearchClients.create(ElasticsearchSettings.defaults(server.uri()))) {
            health(es).as(StepVerifier::create).expectNextCount(1).verifyComplete();
            assertThat(server.lastRequest().header("Accept-Encoding")).isNull();
        }
    }

    @Test
    void spreadsRequestsRoundRobinOverHosts() {
        try (FakeElasticsearch first = new FakeElasticsearch();
             FakeElasticsearch second = new FakeElasticsearch();
             ElasticsearchHandle es = ElasticsearchClients.create(
                     ElasticsearchSettings.defaults(first.uri()).withHosts(List.of(first.uri(), second.uri())))) {
            Flux.range(0, 6).concatMap(i -> health(es))
                    .as(StepVerifier::create).expectNextCount(6).verifyComplete();
            assertThat(first.requests()).hasSize(3);
            assertThat(second.requests()).hasSize(3);
        }
    }

    @Test
    void reusesPooledConnections() {
        try (FakeElasticsearch server = new FakeElasticsearch();
             ElasticsearchHandle es = ElasticsearchClients.create(ElasticsearchSettings.defaults(server.uri()))) {
            // The short pause lets the event loop put the connection back before the next request: the response
            // is handed over just before the release, so back-to-back requests may open a second connection.
            Flux.range(0, 5).concatMap(i -> health(es).delayElement(Duration.ofMillis(20)))
                    .as(StepVerifier::create).expectNextCount(5).verifyComplete();
            assertThat(server.connectionsOpened()).isEqualTo(1);
        }
    }

    @Test
    void recyclesConnectionsOlderThanMaxLifeTime() {
        ElasticsearchSettings defaults = ElasticsearchSettings.defaults(URI.create("http://127.0.0.1"));
        try (FakeElasticsearch server = new FakeElasticsearch();
             ElasticsearchHandle es = ElasticsearchClients.create(ElasticsearchSettings.defaults(server.uri())
                     .withPool(4, defaults.maxIdleTime(), Duration.ofMillis(1), defaults.pendingAcquireTimeout()))) {
            Flux.range(0, 5).concatMap(i -> health(es).delayElement(Duration.ofMillis(20)))
                    .as(StepVerifier::create).expectNextCount(5).verifyComplete();
            assertThat(server.connectionsOpened()).isEqualTo(5);
        }
    }

    @Test
    void neverOpensMoreThanMaxConnections() {
        ElasticsearchSettings defaults = ElasticsearchSettings.defaults(URI.create("http://127.0.0.1"));
        try (FakeElasticsearch server = new FakeElasticsearch()
                .script(r -> Mono.delay(Duration.ofMillis(50)).thenReturn(Reply.health()));
             ElasticsearchHandle es = ElasticsearchClients.create(ElasticsearchSettings.defaults(server.uri())
                     .withPool(3, defaults.maxIdleTime(), defaults.maxLifeTime(), defaults.pendingAcquireTimeout()))) {
            Flux.range(0, 24).flatMap(i -> health(es), 24)
                    .as(StepVerifier::create).expectNextCount(24).verifyComplete();
            assertThat(server.mostOpenAtOnce()).isEqualTo(3);
            assertThat(server.connectionsOpened()).isEqualTo(3);
        }
    }

    @Test
    void failsClearlyWhenNoPooledConnectionFreesUpInTime() {
        try (FakeElasticsearch server = new FakeElasticsearch()
                .script(r -> Mono.delay(Duration.ofMillis(1500)).thenReturn(Reply.health()));
             ElasticsearchHandle es = ElasticsearchClients.create(ElasticsearchSettings.defaults(server.uri())
                     .withPool(1, Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofMillis(200)))) {
            Flux.range(0, 2)
                    .flatMap(i -> health(es).<Object>map(h -> "ok").onErrorResume(Mono::just))
                    .collectList()
                    .as(StepVerifier::create)
                    .assertNext(outcomes -> {
                        assertThat(outcomes).contains("ok");
                        assertThat(outcomes).anySatisfy(o -> assertThat(o)
                                .isInstanceOfSatisfying(ElasticsearchConnectionException.class, e -> {
                                    assertThat(e.reason()).isEqualTo(Reason.POOL_ACQUIRE_TIMEOUT);
                                    assertThat(e.getMessage()).contains("127.0.0.1:" + server.port())
                                            .contains("pendingAcquireTimeout").contains("maxConnections=1");
                                }));
                    })
                    .verifyComplete();
        }
    }

    @Test
    void responseTimeoutNamesHostAndPort() {
        try (FakeElasticsearch server = new FakeElasticsearch().script(r -> Mono.never());
             ElasticsearchHandle es = ElasticsearchClients.create(ElasticsearchSettings.defaults(server.uri())
                     .withBasicAuth("elastic", PASSWORD)
                     .withTimeouts(Duration.ofSeconds(5), Duration.ofMillis(300)))) {
            health(es).as(StepVerifier::create)
                    .expectErrorSatisfies(e -> assertThat(e)
                            .isInstanceOfSatisfying(ElasticsearchConnectionException.class, c -> {
                                assertThat(c.reason()).isEqualTo(Reason.RESPONSE_TIMEOUT);
                                assertThat(c.hostAndPort()).isEqualTo("127.0.0.1:" + server.port());
                                assertThat(c.getMessage())
                                        .isEqualTo("Elasticsearch request GET /_cluster/health to 127.0.0.1:"
                                                + server.port() + " failed: no response within PT0.3S (requestTimeout)")
                                        .doesNotContain(PASSWORD);
                            }))
                    .verify(Duration.ofSeconds(10));
        }
    }

    @Test
    void connectionRefusedNamesHostAndPortButNoCredentials() {
        FakeElasticsearch gone = new FakeElasticsearch();
        URI uri = gone.uri();
        gone.close();
        try (ElasticsearchHandle es = ElasticsearchClients.create(
                ElasticsearchSettings.defaults(uri).withBasicAuth("elastic", PASSWORD))) {
            health(es).as(StepVerifier::create)
                    .expectErrorSatisfies(e -> assertThat(e)
                            .isInstanceOfSatisfying(ElasticsearchConnectionException.class, c -> {
                                assertThat(c.reason()).isEqualTo(Reason.CONNECTION_REFUSED);
                                assertThat(c.getMessage())
                                        .contains("127.0.0.1:" + uri.getPort())
                                        .contains("connection refused")
                                        .doesNotContain(PASSWORD).doesNotContain("elastic:");
                            }))
                    .verify(Duration.ofSeconds(10));
        }
    }

    @Test
    void cancellingAbortsTheRequest() {
        try (FakeElasticsearch server = new FakeElasticsearch().script(r -> Mono.never());
             ElasticsearchHandle es = ElasticsearchClients.create(ElasticsearchSettings.defaults(server.uri()))) {
            Disposable inFlight = health(es).subscribe();
            server.events().filter(e -> e.startsWith("request")).next().block(Duration.ofSeconds(5));
            inFlight.dispose();
            assertThat(server.events().filter("closed"::equals).next().block(Duration.ofSeconds(5)))
                    .isEqualTo("closed");
        }
    }

    @Test
    void nothingIsSentBeforeSubscription() {
        try (FakeElasticsearch server = new FakeElasticsearch();
             ElasticsearchHandle es = ElasticsearchClients.create(ElasticsearchSettings.defaults(server.uri()))) {
            Mono<HealthResponse> health = health(es);
            Mono<ClusterInfo> ping = es.ping();
            assertThat(server.requests()).isEmpty();
            Mono.when(health, ping).as(StepVerifier::create).verifyComplete();
            assertThat(server.requests()).hasSize(3);
        }
    }

    @Test
    void completesOffTheEventLoop() {
        try (FakeElasticsearch server = new FakeElasticsearch();
             ElasticsearchHandle es = ElasticsearchClients.create(ElasticsearchSettings.defaults(server.uri()))) {
            health(es).map(h -> Thread.currentThread().getName())
                    .as(StepVerifier::create)
                    // Completed on a parallel thread, or on the subscriber's when the answer came first: never on a
                    // Netty event loop (a race made this check of "parallel-" alone fail now and then).
                    .assertNext(thread -> assertThat(thread).doesNotStartWith("reactor-http"))
                    .verifyComplete();
        }
    }

    @Test
    void blockingPathWorksOffReactorThreadsAndRefusesOnThem() throws IOException {
        try (FakeElasticsearch server = new FakeElasticsearch()) {
            ReactorNettyTransportHttpClient http =
                    new ReactorNettyTransportHttpClient(ElasticsearchSettings.defaults(server.uri()));
            try {
                TransportHttpClient.Request request = new TransportHttpClient.Request(
                        "GET", "/_cluster/health", Map.of(), Map.of(), null);
                TransportHttpClient.Response response =
                        http.performRequest("es/cluster.health", null, request, DefaultTransportOptions.EMPTY);
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.header("x-elastic-product")).isEqualTo("Elasticsearch");
                assertThat(new String(response.body().asByteBuffer().array(), StandardCharsets.UTF_8))
                        .contains("fake-cluster");
                assertThat(response.node().uri()).isEqualTo(URI.create(server.uri() + "/"));

                Mono.fromCallable(() -> http.performRequest("es/cluster.health", null, request, null))
                        .subscribeOn(Schedulers.parallel())
                        .as(StepVerifier::create)
                        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalStateException.class)
                                .hasMessageContaining("non-blocking thread"))
                        .verify(Duration.ofSeconds(5));
            } finally {
                http.close();
            }
        }
    }

    @Test
    void hostPathPrefixIsKept() {
        try (FakeElasticsearch server = new FakeElasticsearch();
             ElasticsearchHandle es = ElasticsearchClients.create(
                     ElasticsearchSettings.defaults(URI.create(server.uri() + "/es/")))) {
            health(es).as(StepVerifier::create).expectNextCount(1).verifyComplete();
            assertThat(server.lastRequest().uri()).isEqualTo("/es/_cluster/health");
        }
    }

    @Test
    void unreadableCaFileIsAStartupError() {
        ElasticsearchSettings settings = ElasticsearchSettings.defaults(URI.create("https://127.0.0.1:9200"))
                .withTls(java.nio.file.Path.of("/nonexistent/ca.pem"), true);
        assertThatThrownBy(() -> ElasticsearchClients.create(settings))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/nonexistent/ca.pem");
    }
}
