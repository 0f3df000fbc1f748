package io.connectors.runtime.es;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connectors.runtime.config.ElasticsearchSettings;
import io.connectors.runtime.es.ElasticsearchConnectionException.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.tcp.SslProvider;
import reactor.test.StepVerifier;

class ReactorNettyTransportTlsTest {

    private static final String PASSWORD = "tls-secret-never-printed";

    @TempDir
    static Path dir;

    private static TestCertificates certs;
    private static KeyManagerFactory rightName;
    private static KeyManagerFactory wrongName;

    @BeforeAll
    static void certificates() throws Exception {
        certs = TestCertificates.createCa(dir);
        rightName = certs.serverKeys("fake-es", "ip:127.0.0.1,dns:localhost");
        wrongName = certs.serverKeys("elsewhere", "dns:elsewhere.invalid");
    }

    private static FakeElasticsearch httpsServer(KeyManagerFactory keys) {
        SslProvider.GenericSslContextSpec<?> spec = Http11SslContextSpec.forServer(keys);
        return new FakeElasticsearch(http -> http.secure(ssl -> ssl.sslContext(spec)));
    }

    private static Mono<String> clusterName(ElasticsearchHandle es) {
        return Mono.fromFuture(() -> es.async().cluster().health()).map(h -> h.clusterName());
    }

    @Test
    void trustsTheServerThroughTheCaFile() {
        try (FakeElasticsearch server = httpsServer(rightName);
             ElasticsearchHandle es = ElasticsearchClients.create(ElasticsearchSettings.defaults(server.uri("https"))
                     .withTls(certs.caPem(), true).withBasicAuth("elastic", PASSWORD))) {
            clusterName(es).as(StepVerifier::create).expectNext("fake-cluster").verifyComplete();
        }
    }

    @Test
    void withoutTheCaFileTheHandshakeFailsClearly() {
        try (FakeElasticsearch server = httpsServer(rightName);
             ElasticsearchHandle es = ElasticsearchClients.create(ElasticsearchSettings.defaults(server.uri("https"))
                     .withBasicAuth("elastic", PASSWORD))) {
            clusterName(es).as(StepVerifier::create)
                    .expectErrorSatisfies(e -> assertThat(e)
                            .isInstanceOfSatisfying(ElasticsearchConnectionException.class, c -> {
                                assertThat(c.reason()).isEqualTo(Reason.TLS);
                                assertThat(c.getMessage())
                                        .contains("127.0.0.1:" + server.port())
                                        .contains("TLS handshake failed")
                                        .contains("certification path")
                                        .contains("no caFile configured")
                                        .doesNotContain(PASSWORD);
                            }))
                    .verify(Duration.ofSeconds(10));
        }
    }

    @Test
    void aCertificateForAnotherHostIsRejected() {
        try (FakeElasticsearch server = httpsServer(wrongName);
             ElasticsearchHandle es = ElasticsearchClients.create(ElasticsearchSettings.defaults(server.uri("https"))
                     .withTls(certs.caPem(), true))) {
            clusterName(es).as(StepVerifier::create)
                    .expectErrorSatisfies(e -> assertThat(e)
                            .isInstanceOfSatisfying(ElasticsearchConnectionException.class, c -> {
                                assertThat(c.reason()).isEqualTo(Reason.TLS);
                                assertThat(c.getMessage()).contains("127.0.0.1");
                            }))
                    .verify(Duration.ofSeconds(10));
        }
    }

    @Test
    void hostnameVerificationCanBeTurnedOff() {
        try (FakeElasticsearch server = httpsServer(wrongName);
             ElasticsearchHandle es = ElasticsearchClients.create(ElasticsearchSettings.defaults(server.uri("https"))
                     .withTls(certs.caPem(), false))) {
            clusterName(es).as(StepVerifier::create).expectNext("fake-cluster").verifyComplete();
        }
    }

    @Test
    void aCaFileThatIsNotPemIsAStartupErrorNamingIt() throws Exception {
        Path notPem = Files.writeString(dir.resolve("not-a-cert.pem"), "hello");
        ElasticsearchSettings settings = ElasticsearchSettings.defaults(java.net.URI.create("https://127.0.0.1:9200"))
                .withTls(notPem, true);
        assertThatThrownBy(() -> ElasticsearchClients.create(settings))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("elasticsearch.caFile")
                .hasMessageContaining(notPem.toString());
    }
}
