package io.connectors.runtime.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connectors.runtime.config.OpsSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class OpsServerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final OpsSettings EPHEMERAL = new OpsSettings(true, "127.0.0.1", 0);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DaemonMetrics metrics = new DaemonMetrics();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final List<OpsServer> servers = new ArrayList<>();

    @AfterEach
    void close() {
        servers.forEach(OpsServer::close);
        metrics.close();
    }

    private OpsServer start(Supplier<Mono<List<String>>> readiness) {
        return start(readiness, OpsServer.READINESS_TIMEOUT);
    }

    private OpsServer start(Supplier<Mono<List<String>>> readiness, Duration readinessTimeout) {
        OpsServer server = OpsServer.start(EPHEMERAL, readiness, metrics, readinessTimeout).block(TIMEOUT);
        servers.add(server);
        return server;
    }

    private HttpResponse<String> send(OpsServer server, String method, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(TIMEOUT)
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(OpsServer server, String path) throws Exception {
        return send(server, "GET", path);
    }

    @Test
    void healthIsUpWhileTheProcessRuns() throws Exception {
        OpsServer server = start(() -> Mono.just(List.of("Elasticsearch is not reachable")));

        HttpResponse<String> health = get(server, "/health");

        assertThat(server.port()).isPositive();
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(JSON.readTree(health.body())).isEqualTo(JSON.readTree("{\"status\":\"UP\",\"pid\":"
                + ProcessHandle.current().pid() + "}"));
    }

    @Test
    void readyAnswers200WhenThereIsNoReasonAndEvaluatesTheCheckOnEveryRequest() throws Exception {
        AtomicInteger checks = new AtomicInteger();
        OpsServer server = start(() -> Mono.fromSupplier(() -> {
            checks.incrementAndGet();
            return List.of();
        }));

        HttpResponse<String> first = get(server, "/ready");
        HttpResponse<String> second = get(server, "/ready?verbose");

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(first.body())).isEqualTo(JSON.readTree("{\"status\":\"READY\"}"));
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(checks.get()).isEqualTo(2);
    }

    @Test
    void readyAnswers503WithTheReasons() throws Exception {
        OpsServer server = start(() -> Mono.just(List.of("Elasticsearch is not reachable at http://127.0.0.1:9200",
                "state index .connectors-sync-jobs is missing")));

        HttpResponse<String> ready = get(server, "/ready");

        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(ready.body())).isEqualTo(JSON.readTree("""
                {"status":"NOT_READY","reasons":["Elasticsearch is not reachable at http://127.0.0.1:9200",
                 "state index .connectors-sync-jobs is missing"]}"""));
    }

    @Test
    void aSlowReadinessCheckIsNotReady() throws Exception {
        OpsServer server = start(Mono::never, Duration.ofMillis(50));

        HttpResponse<String> ready = get(server, "/ready");

        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(reasons(ready)).containsExactly("readiness check timed out");
    }

    @Test
    void aFailingOrSilentReadinessCheckIsNotReady() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        OpsServer server = start(() -> switch (calls.getAndIncrement()) {
            case 0 -> Mono.error(new IllegalStateException("state store closed"));
            case 1 -> throw new IllegalStateException("supplier broke");
            default -> Mono.empty();
        });

        assertThat(reasons(get(server, "/ready"))).containsExactly("readiness check failed: state store closed");
        assertThat(reasons(get(server, "/ready"))).containsExactly("readiness check failed: supplier broke");
        assertThat(reasons(get(server, "/ready"))).containsExactly("readiness check gave no answer");
    }

    @Test
    void metricsIsAPrometheusScrape() throws Exception {
        OpsServer server = start(() -> Mono.just(List.of()));
        metrics.jobStarted("docs", "full").progress(java.util.Map.of("indexed", 7L));

        HttpResponse<String> scrape = get(server, "/metrics");

        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(scrape.body())
                .contains("# TYPE connectors_documents_total counter")
                .contains("connectors_documents_total{connector=\"docs\",outcome=\"indexed\"} 7.0")
                .contains("connectors_jobs_running 1.0");
    }

    @Test
    void unknownPathsAre404AndOtherMethods405() throws Exception {
        OpsServer server = start(() -> Mono.just(List.of()));

        assertThat(get(server, "/").statusCode()).isEqualTo(404);
        assertThat(get(server, "/metrics/extra").statusCode()).isEqualTo(404);
        HttpResponse<String> post = send(server, "POST", "/health");
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).hasValue("GET");
        assertThat(send(server, "DELETE", "/ready").statusCode()).isEqualTo(405);
    }

    @Test
    void aPortInUseFailsNamingHostAndPort() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();

            OpsServer.start(new OpsSettings(true, "127.0.0.1", port), () -> Mono.just(List.of()), metrics)
                    .as(StepVerifier::create)
                    .expectErrorSatisfies(e -> assertThat(e)
                            .isInstanceOf(IllegalStateException.class)
                            .hasMessageStartingWith("Cannot start the operations endpoint on 127.0.0.1:" + port
                                    + " (daemon.http.host, daemon.http.port): ")
                            .hasMessageContaining("in use"))
                    .verify(TIMEOUT);
        }
    }

    @Test
    void disabledStartsNothing() {
        OpsServer.start(new OpsSettings(false, "127.0.0.1", 8090), () -> Mono.just(List.of()), metrics)
                .as(StepVerifier::create)
                .assertNext(server -> {
                    assertThat(server.port()).isEqualTo(-1);
                    server.close();
                })
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void closeStopsListening() throws Exception {
        OpsServer server = start(() -> Mono.just(List.of()));
        assertThat(get(server, "/health").statusCode()).isEqualTo(200);

        server.close();
        server.onClose().as(StepVerifier::create).expectComplete().verify(TIMEOUT);

        HttpClient fresh = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        assertThatThrownBy(() -> fresh.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/health")).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
    }

    @Test
    void settingsAreValidated() {
        assertThat(OpsSettings.defaults()).isEqualTo(new OpsSettings(true, "127.0.0.1", 8090));
        assertThatThrownBy(() -> new OpsSettings(true, " ", 8090)).hasMessageContaining("daemon.http.host");
    }

    private static List<String> reasons(HttpResponse<String> response) throws IOException {
        assertThat(response.statusCode()).isEqualTo(503);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("status").asText()).isEqualTo("NOT_READY");
        List<String> reasons = new ArrayList<>();
        body.path("reasons").forEach(r -> reasons.add(r.asText()));
        return reasons;
    }
}
