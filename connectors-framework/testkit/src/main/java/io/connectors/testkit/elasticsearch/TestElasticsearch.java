package io.connectors.testkit.elasticsearch;

import io.connectors.elasticsearch.local.ElasticsearchEndpoint;
import io.connectors.elasticsearch.local.ElasticsearchLaunchException;
import io.connectors.elasticsearch.local.LocalElasticsearchLauncher;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Elasticsearch every integration test in a JVM shares. */
public final class TestElasticsearch {

    private static final Logger LOG = LoggerFactory.getLogger(TestElasticsearch.class);
    private static final String TESTCONTAINERS_PROBE = "org.testcontainers.DockerClientFactory";

    private static ElasticsearchEndpoint endpoint;
    private static RuntimeException failure;

    private TestElasticsearch() {
    }

    /**
     * Started once per JVM, stopped at JVM exit. Order: env {@code ES_URL} (with optional {@code ES_USERNAME} /
     * {@code ES_PASSWORD}) if set; else Testcontainers where a Docker engine answers (skipped at no cost when
     * Testcontainers is not on the class path or no Docker socket or {@code DOCKER_HOST} is configured); else a
     * {@link LocalElasticsearchLauncher} with a temporary home.
     *
     * <p>Blocks on the first call while Elasticsearch starts (15-30 s for a local process). A failure is remembered:
     * later calls throw it again at once instead of waiting for another start.
     *
     * @throws ElasticsearchLaunchException if no Elasticsearch could be had
     */
    public static synchronized ElasticsearchEndpoint get() {
        if (endpoint != null) {
            return endpoint;
        }
        if (failure != null) {
            throw failure;
        }
        try {
            endpoint = resolve(System.getenv(), TestElasticsearch::fromTestcontainers, TestElasticsearch::fromLauncher);
            return endpoint;
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        }
    }

    static ElasticsearchEndpoint resolve(Map<String, String> env, Supplier<Optional<ElasticsearchEndpoint>> containers,
            Supplier<ElasticsearchEndpoint> local) {
        String url = env.get("ES_URL");
        if (url != null && !url.isBlank()) {
            ElasticsearchEndpoint given = new ElasticsearchEndpoint(URI.create(url.trim()),
                    blankToNull(env.get("ES_USERNAME")), blankToNull(env.get("ES_PASSWORD")));
            LOG.info("Using the Elasticsearch at {} (ES_URL)", given.uri());
            return given;
        }
        return containers.get().orElseGet(local);
    }

    /** Worth asking Testcontainers only if it is on the class path and some Docker endpoint is configured. */
    static boolean dockerMayAnswer(Map<String, String> env, Path userHome) {
        if (isBlank(env.get("DOCKER_HOST")) && isBlank(env.get("TESTCONTAINERS_HOST_OVERRIDE"))
                && !Files.exists(Path.of("/var/run/docker.sock"))
                && !Files.exists(userHome.resolve(".docker/run/docker.sock"))
                && !Files.exists(userHome.resolve(".testcontainers.properties"))
                && (isBlank(env.get("XDG_RUNTIME_DIR"))
                        || !Files.exists(Path.of(env.get("XDG_RUNTIME_DIR"), "docker.sock")))) {
            return false;
        }
        try {
            Class.forName(TESTCONTAINERS_PROBE, false, TestElasticsearch.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static Optional<ElasticsearchEndpoint> fromTestcontainers() {
        if (!dockerMayAnswer(System.getenv(), Path.of(System.getProperty("user.home")))) {
            return Optional.empty();
        }
        try {
            return TestcontainersElasticsearch.start(LocalElasticsearchLauncher.defaultVersion());
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("Testcontainers could not start Elasticsearch ({}); falling back to a local process",
                    e.toString());
            return Optional.empty();
        }
    }

    private static ElasticsearchEndpoint fromLauncher() {
        return LocalElasticsearchLauncher.builder().build().start().endpoint();
    }

    private static String blankToNull(String value) {
        return isBlank(value) ? null : value;
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
