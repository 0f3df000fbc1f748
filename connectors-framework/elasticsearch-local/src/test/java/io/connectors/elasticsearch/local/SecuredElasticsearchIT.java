package io.connectors.elasticsearch.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** A node with HTTPS, a file-realm role and a user that has it. */
class SecuredElasticsearchIT {

    @Test
    void servesHttpsWithItsCaAndKnowsTheRolesAndUsers() throws Exception {
        try (LocalElasticsearchLauncher es = LocalElasticsearchLauncher.builder()
                .security("admin", "admin-secret")
                .httpTls()
                .role("notes_reader", """
                        {"cluster": ["monitor"], "indices": [{"names": ["notes*"], "privileges": ["read"]}]}""")
                .user("reader", "reader-secret", "notes_reader")
                .build().start()) {
            ElasticsearchEndpoint endpoint = es.endpoint();
            assertThat(endpoint.uri().getScheme()).isEqualTo("https");
            assertThat(endpoint.caFile()).isRegularFile();

            HttpClient trusting = HttpClient.newBuilder().sslContext(HttpTlsFiles.trusting(endpoint.caFile()))
                    .connectTimeout(Duration.ofSeconds(5)).build();
            assertThat(send(trusting, endpoint.uri(), "admin", "admin-secret", "PUT", "/notes/_doc/1?refresh=true",
                    "{\"title\": \"a\"}").statusCode()).isEqualTo(201);
            assertThat(send(trusting, endpoint.uri(), "reader", "reader-secret", "GET", "/notes/_doc/1", null)
                    .body()).contains("\"found\":true");
            HttpResponse<String> refused = send(trusting, endpoint.uri(), "reader", "reader-secret", "PUT",
                    "/notes/_doc/2", "{\"title\": \"b\"}");
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(refused.body()).contains("security_exception").contains("reader");
            // localhost is in the certificate too.
            URI byName = URI.create("https://localhost:" + endpoint.uri().getPort());
            assertThat(send(trusting, byName, "reader", "reader-secret", "GET", "/_cluster/health", null).statusCode())
                    .isEqualTo(200);

            HttpClient jvmDefaults = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            assertThatThrownBy(() -> send(jvmDefaults, endpoint.uri(), "admin", "admin-secret", "GET", "/", null))
                    .isInstanceOf(SSLHandshakeException.class);
        }
    }

    /**
     * A second launcher on a secured node's folder uses it with the CA the owner made (read from the owner's record, no
     * password in it), given the superuser's credentials; without credentials it is refused, naming the superuser, and
     * the node is left running.
     */
    @Test
    void aSecondLauncherReusesTheOwnersCaAndNeedsTheCredentials(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        java.nio.file.Path home = tmp.resolve("es");
        try (LocalElasticsearchLauncher owner = LocalElasticsearchLauncher.builder().home(home)
                .security("admin", "admin-secret").httpTls().build().start()) {
            java.nio.file.Path record = owner.dataDir().resolve(NodeOwner.FILE);
            assertThat(java.nio.file.Files.readString(record)).contains("username=admin").contains("ca_file=")
                    .doesNotContain("admin-secret");

            try (LocalElasticsearchLauncher second = LocalElasticsearchLauncher.builder().home(home)
                    .security("admin", "admin-secret").build().start()) {
                assertThat(second.attached()).isTrue();
                ElasticsearchEndpoint endpoint = second.endpoint();
                assertThat(endpoint.uri()).isEqualTo(owner.endpoint().uri());
                assertThat(endpoint.caFile()).isEqualTo(owner.endpoint().caFile());
                HttpClient trusting = HttpClient.newBuilder().sslContext(HttpTlsFiles.trusting(endpoint.caFile()))
                        .connectTimeout(Duration.ofSeconds(5)).build();
                assertThat(send(trusting, endpoint.uri(), "admin", "admin-secret", "GET", "/_cluster/health", null)
                        .statusCode()).isEqualTo(200);
            }
            assertThatThrownBy(() -> LocalElasticsearchLauncher.builder().home(home).build().start())
                    .isInstanceOf(ElasticsearchLaunchException.class)
                    .hasMessageContaining("started by pid " + ProcessHandle.current().pid())
                    .hasMessageContaining("needs the credentials of its superuser 'admin'");
            assertThat(owner.processes()).allMatch(ProcessHandle::isAlive);
            assertThat(record).exists();
        }
    }

    private static HttpResponse<String> send(HttpClient client, URI base, String user, String password, String method,
            String path, String json) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json))
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
