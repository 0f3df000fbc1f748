package io.connectors.runtime.es;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.runtime.config.ElasticsearchSettings;
import io.connectors.runtime.es.FakeElasticsearch.Reply;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class ElasticsearchHandleTest {

    private static final String PASSWORD = "ping-secret-never-printed";

    @Test
    void pingReportsClusterNameStatusAndVersion() {
        try (FakeElasticsearch server = new FakeElasticsearch();
             ElasticsearchHandle es = ElasticsearchClients.create(ElasticsearchSettings.defaults(server.uri()))) {
            es.ping().as(StepVerifier::create)
                    .assertNext(info -> {
                        assertThat(info).isEqualTo(
                                new ClusterInfo(server.uri().toString(), "fake-cluster", "green", 1, "8.19.21"));
                        assertThat(info.toString()).isEqualTo("cluster 'fake-cluster' at " + server.uri()
                                + ": status green, 1 node, version 8.19.21");
                    })
                    .verifyComplete();
            assertThat(server.requests()).extracting(FakeElasticsearch.Recorded::uri)
                    .containsExactly("/_cluster/health", "/_nodes/_local/_none");
        }
    }

    @Test
    void pingSaysAuthenticationFailedOn401() {
        try (FakeElasticsearch server = new FakeElasticsearch()
                .script(r -> Mono.just(Reply.json(401, FakeElasticsearch.UNAUTHORIZED)));
             ElasticsearchHandle es = ElasticsearchClients.create(
                     ElasticsearchSettings.defaults(server.uri()).withBasicAuth("elastic", PASSWORD))) {
            es.ping().as(StepVerifier::create)
                    .expectErrorSatisfies(e -> assertThat(e)
                            .isInstanceOfSatisfying(ElasticsearchPingException.class, p -> {
                                assertThat(p.authenticationFailed()).isTrue();
                                assertThat(p.statusCode()).isEqualTo(401);
                                assertThat(p.url()).isEqualTo(server.uri().toString());
                                assertThat(p.getMessage())
                                        .startsWith("Elasticsearch at " + server.uri()
                                                + ": authentication failed (HTTP 401); check username and password")
                                        .contains("security_exception")
                                        .doesNotContain(PASSWORD);
                            }))
                    .verify(Duration.ofSeconds(10));
        }
    }

    @Test
    void pingSaysAuthenticationFailedWhenAProxyAnswers401WithoutJson() {
        try (FakeElasticsearch server = new FakeElasticsearch()
                .script(r -> Mono.just(new Reply(401, "text/html", "<html>401</html>", Map.of())));
             ElasticsearchHandle es = ElasticsearchClients.create(ElasticsearchSettings.defaults(server.uri()))) {
            es.ping().as(StepVerifier::create)
                    .expectErrorSatisfies(e -> assertThat(e)
                            .isInstanceOf(ElasticsearchPingException.class)
                            .hasMessageContaining("authentication failed (HTTP 401)")
                            .hasMessageContaining("none are configured"))
                    .verify(Duration.ofSeconds(10));
        }
    }

    @Test
    void pingSaysUnreachableAndNamesTheUrl() {
        FakeElasticsearch gone = new FakeElasticsearch();
        URI uri = gone.uri();
        gone.close();
        try (ElasticsearchHandle es = ElasticsearchClients.create(
                ElasticsearchSettings.defaults(uri).withApiKey("a2V5LW5ldmVyLXByaW50ZWQ="))) {
            es.ping().as(StepVerifier::create)
                    .expectErrorSatisfies(e -> assertThat(e)
                            .isInstanceOfSatisfying(ElasticsearchPingException.class, p -> {
                                assertThat(p.statusCode()).isZero();
                                assertThat(p.getMessage())
                                        .startsWith("Elasticsearch at " + uri + " is unreachable")
                                        .contains("127.0.0.1:" + uri.getPort())
                                        .contains("connection refused")
                                        .doesNotContain("a2V5LW5ldmVyLXByaW50ZWQ=");
                            }))
                    .verify(Duration.ofSeconds(10));
        }
    }

    @Test
    void pingNamesTheStatusOfOtherErrors() {
        try (FakeElasticsearch server = new FakeElasticsearch().script(r -> Mono.just(Reply.json(503, """
                {"error":{"type":"master_not_discovered_exception","reason":"no master"},"status":503}"""
        )));
             ElasticsearchHandle es = ElasticsearchClients.create(ElasticsearchSettings.defaults(server.uri()))) {
            es.ping().as(StepVerifier::create)
                    .expectErrorSatisfies(e -> assertThat(e)
                            .isInstanceOf(ElasticsearchPingException.class)
                            .hasMessage("Elasticsearch at " + server.uri()
                                    + " answered HTTP 503: master_not_discovered_exception: no master"))
                    .verify(Duration.ofSeconds(10));
        }
    }

    @Test
    void pingRejectsSomethingThatIsNotElasticsearch() {
        try (FakeElasticsearch server = new FakeElasticsearch()
                .script(r -> Mono.just(new Reply(200, "application/json", FakeElasticsearch.HEALTH, Map.of())));
             ElasticsearchHandle es = ElasticsearchClients.create(ElasticsearchSettings.defaults(server.uri()))) {
            es.ping().as(StepVerifier::create)
                    .expectErrorSatisfies(e -> assertThat(e)
                            .isInstanceOf(ElasticsearchPingException.class)
                            .hasMessageContaining("unexpected answer")
                            .hasMessageContaining("X-Elastic-Product"))
                    .verify(Duration.ofSeconds(10));
        }
    }

    @Test
    void pingStillSucceedsWhenTheVersionCannotBeRead() {
        try (FakeElasticsearch server = new FakeElasticsearch().script(r -> Mono.just(
                r.uri().startsWith("/_nodes") ? Reply.json(403, """
                        {"error":{"type":"security_exception",
                         "reason":"action [cluster:monitor/nodes/info] is unauthorized"},
                         "status":403}""") : Reply.health()));
             ElasticsearchHandle es = ElasticsearchClients.create(ElasticsearchSettings.defaults(server.uri()))) {
            es.ping().as(StepVerifier::create)
                    .assertNext(info -> {
                        assertThat(info.version()).isNull();
                        assertThat(info.clusterName()).isEqualTo("fake-cluster");
                    })
                    .verifyComplete();
        }
    }
}
