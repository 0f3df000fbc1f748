package io.connectors.testkit.elasticsearch;

import io.connectors.elasticsearch.local.ElasticsearchEndpoint;
import java.net.URI;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.elasticsearch.ElasticsearchContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Elasticsearch in a container. The only class that touches Testcontainers, so that {@link TestElasticsearch}
 * loads it only once it knows Testcontainers is on the class path.
 */
final class TestcontainersElasticsearch {

    private static final Logger LOG = LoggerFactory.getLogger(TestcontainersElasticsearch.class);
    private static final String IMAGE = "docker.elastic.co/elasticsearch/elasticsearch";

    private TestcontainersElasticsearch() {
    }

    /** A started container, stopped at JVM exit; empty if no Docker engine answers. */
    @SuppressWarnings("resource") // Lives until JVM exit: the shutdown hook (and Testcontainers' reaper) stops it.
    static Optional<ElasticsearchEndpoint> start(String version) {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            return Optional.empty();
        }
        ElasticsearchContainer container = new ElasticsearchContainer(DockerImageName.parse(IMAGE).withTag(version))
                .withEnv("xpack.security.enabled", "false")
                .withEnv("ES_JAVA_OPTS", "-Xms512m -Xmx512m");
        container.start();
        Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "elasticsearch-container-shutdown"));
        URI uri = URI.create("http://" + container.getHttpHostAddress());
        LOG.info("Elasticsearch {} is up at {} (Testcontainers)", version, uri);
        return Optional.of(new ElasticsearchEndpoint(uri, null, null));
    }
}
