package io.connectors.testkit.elasticsearch;

import io.connectors.elasticsearch.local.ElasticsearchEndpoint;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestElasticsearchTest {

    private static final ElasticsearchEndpoint CONTAINER =
            new ElasticsearchEndpoint(URI.create("http://localhost:32768"), null, null);
    private static final ElasticsearchEndpoint LOCAL =
            new ElasticsearchEndpoint(URI.create("http://127.0.0.1:40000"), null, null);

    private final AtomicInteger containerCalls = new AtomicInteger();
    private final AtomicInteger localCalls = new AtomicInteger();

    @Test
    void esUrlWinsAndNothingIsStarted() {
        ElasticsearchEndpoint endpoint = TestElasticsearch.resolve(
                Map.of("ES_URL", " https://es.example:9243 ", "ES_USERNAME", "elastic", "ES_PASSWORD", "pw"),
                containers(Optional.of(CONTAINER)), local());

        assertThat(endpoint)
                .isEqualTo(new ElasticsearchEndpoint(URI.create("https://es.example:9243"), "elastic", "pw"));
        assertThat(containerCalls).hasValue(0);
        assertThat(localCalls).hasValue(0);
    }

    @Test
    void esUrlWithoutCredentialsMeansSecurityOff() {
        ElasticsearchEndpoint endpoint = TestElasticsearch.resolve(
                Map.of("ES_URL", "http://127.0.0.1:9200", "ES_USERNAME", ""), containers(Optional.empty()), local());

        assertThat(endpoint.username()).isNull();
        assertThat(endpoint.password()).isNull();
    }

    @Test
    void aContainerComesBeforeALocalProcess() {
        assertThat(TestElasticsearch.resolve(Map.of(), containers(Optional.of(CONTAINER)), local()))
                .isEqualTo(CONTAINER);
        assertThat(localCalls).hasValue(0);
    }

    @Test
    void withoutDockerTheLocalProcessIsUsed() {
        assertThat(TestElasticsearch.resolve(Map.of("ES_URL", " "), containers(Optional.empty()), local()))
                .isEqualTo(LOCAL);
        assertThat(containerCalls).hasValue(1);
        assertThat(localCalls).hasValue(1);
    }

    @Test
    void dockerIsNotConsideredWithoutAnyDockerEndpoint(@TempDir Path home) {
        // Holds on machines without /var/run/docker.sock, like the build machines.
        if (!Files.exists(Path.of("/var/run/docker.sock"))) {
            assertThat(TestElasticsearch.dockerMayAnswer(Map.of(), home)).isFalse();
        }
        assertThat(TestElasticsearch.dockerMayAnswer(Map.of("DOCKER_HOST", "tcp://127.0.0.1:1"), home)).isTrue();
    }

    private Supplier<Optional<ElasticsearchEndpoint>> containers(Optional<ElasticsearchEndpoint> result) {
        return () -> {
            containerCalls.incrementAndGet();
            return result;
        };
    }

    private Supplier<ElasticsearchEndpoint> local() {
        return () -> {
            localCalls.incrementAndGet();
            return LOCAL;
        };
    }
}
