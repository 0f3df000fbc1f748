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
