package io.connectors.elasticsearch.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without Maven, the distribution comes straight from a Maven repository over HTTP, checked against its SHA-1. */
class ElasticsearchDownloadTest {
    private static final String PATH = "/maven2/org/elasticsearch/distribution/integ-test-zip/elasticsearch/9.9.9/"
            + "elasticsearch-9.9.9.zip";
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private HttpServer server;

    @TempDir
    Path repository;

    @BeforeEach
    void serve() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = files.get(exchange.getRequestURI().getPath());
            exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
            if (body != null) {
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/maven2";
    }

    @Test
    void theZipLandsWhereMavenWouldPutItOnceItsChecksumMatches() throws Exception {
        byte[] zip = "not really a zip, but bytes".getBytes(StandardCharsets.UTF_8);
        files.put(PATH, zip);
        files.put(PATH + ".sha1", (HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(zip))
                + "  elasticsearch-9.9.9.zip\n").getBytes(StandardCharsets.UTF_8));

        ElasticsearchDistribution.download("9.9.9", repository, ElasticsearchDistribution.centralUrl(
                Map.of("CONNECTORS_MAVEN_URL", base())));

        assertThat(ElasticsearchDistribution.zipIn(repository, "9.9.9")).hasBinaryContent(zip);
    }

    @Test
    void aCorruptDownloadIsRefusedAndLeavesNothingBehind() throws Exception {
        files.put(PATH, "truncated".getBytes(StandardCharsets.UTF_8));
        files.put(PATH + ".sha1", "0000000000000000000000000000000000000000".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> ElasticsearchDistribution.download("9.9.9", repository, base()))
                .isInstanceOf(ElasticsearchLaunchException.class).hasMessageContaining("corrupt");
        try (Stream<Path> left = Files.walk(repository)) {
            assertThat(left.filter(Files::isRegularFile)).isEmpty();
        }
    }

    @Test
    void aMissingVersionSaysWhatToDoInstead() {
        assertThatThrownBy(() -> ElasticsearchDistribution.download("9.9.9", repository, base()))
                .isInstanceOf(ElasticsearchLaunchException.class)
                .hasMessageContaining("HTTP 404").hasMessageContaining("elasticsearch.host");
    }

    @Test
    void mavenCentralUnlessTold() {
        assertThat(ElasticsearchDistribution.centralUrl(Map.of())).isEqualTo("https://repo1.maven.org/maven2");
    }
}
