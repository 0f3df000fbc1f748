package io.connectors.elasticsearch.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's HTTP TLS, roles and users, without starting a node (LocalElasticsearchLauncherIT starts one). */
class LocalElasticsearchLauncherSecurityTest {

    @TempDir
    Path tmp;

    @Test
    void rolesAreIndentedUnderTheirNamesInNameOrder() {
        Map<String, String> roles = new LinkedHashMap<>();
        roles.put("writer", "cluster: [monitor]\nindices:\n  - names: [\"a-*\"]\n    privileges: [write]");
        roles.put("reader", "{\"indices\": [{\"names\": [\"a\"], \"privileges\": [\"read\"]}]}");
        assertThat(NodeConfiguration.rolesYaml(roles)).endsWith("""
                reader:
                  {"indices": [{"names": ["a"], "privileges": ["read"]}]}
                writer:
                  cluster: [monitor]
                  indices:
                    - names: ["a-*"]
                      privileges: [write]
                """);
    }

    @Test
    void tlsRolesAndUsersNeedSecurity() {
        assertThatThrownBy(() -> LocalElasticsearchLauncher.builder().httpTls().build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("security(username, password)");
        assertThatThrownBy(() -> LocalElasticsearchLauncher.builder().role("r", "cluster: [monitor]").build())
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> LocalElasticsearchLauncher.builder().user("u", "secret1", "r").build())
                .isInstanceOf(IllegalStateException.class);
        assertThat(LocalElasticsearchLauncher.builder().security("admin", "secret1").httpTls()
                .role("r", "cluster: [monitor]").user("u", "secret1", "r", "viewer").build()).isNotNull();
    }

    @Test
    void namesAndPasswordsAreChecked() {
        LocalElasticsearchLauncher.Builder builder = LocalElasticsearchLauncher.builder();
        for (String bad : new String[] {"", " r", "a:b", "a,b", "a\nb"}) {
            assertThatThrownBy(() -> builder.role(bad, "{}")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("role name");
            assertThatThrownBy(() -> builder.user(bad, "secret1")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("username");
        }
        assertThatThrownBy(() -> builder.user("u", "secret1", "a,b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.user("u", "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.user("u", "two\nlines")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tlsSettingsPointAtTheCertsFolder() {
        assertThat(HttpTlsFiles.settings()).containsEntry("xpack.security.http.ssl.enabled", "true")
                .containsEntry("xpack.security.http.ssl.key", "certs/http.key")
                .containsEntry("xpack.security.http.ssl.certificate", "certs/http.crt")
                .containsEntry("xpack.security.http.ssl.certificate_authorities", "certs/ca.crt");
    }

    @Test
    void aTlsNodeIsReachedOverHttps() throws IOException {
        Path ports = tmp.resolve("http.ports");
        Files.writeString(ports, "127.0.0.1:9443\n");
        assertThat(NodeProcesses.readPortsFile(ports, "https")).contains(URI.create("https://127.0.0.1:9443"));
    }

    @Test
    void extractsOneFileOfACertutilZip() throws IOException {
        Path zip = tmp.resolve("bundle.zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            out.putNextEntry(new ZipEntry("http/"));
            out.putNextEntry(new ZipEntry("http/http.crt"));
            out.write("CERT".getBytes(StandardCharsets.US_ASCII));
            out.closeEntry();
        }
        Path target = tmp.resolve("config/certs/http.crt");
        HttpTlsFiles.extract(zip, "http.crt", target);
        assertThat(target).hasContent("CERT");
        assertThatThrownBy(() -> HttpTlsFiles.extract(zip, "http.key", tmp.resolve("k")))
                .isInstanceOf(ElasticsearchLaunchException.class).hasMessageContaining("has no http.key");
    }

    @Test
    void aCaFileWithoutCertificatesIsRefused() throws IOException {
        Path empty = Files.writeString(tmp.resolve("empty.pem"), "");
        assertThatThrownBy(() -> HttpTlsFiles.trusting(empty)).isInstanceOf(ElasticsearchLaunchException.class)
                .hasMessageContaining(empty.toString());
        Path missing = tmp.resolve("missing.pem");
        assertThatThrownBy(() -> HttpTlsFiles.trusting(missing)).isInstanceOf(ElasticsearchLaunchException.class)
                .hasMessageContaining("Cannot read the CA certificate");
    }

    @Test
    void theEndpointShowsItsCaFileButNeverThePassword() {
        ElasticsearchEndpoint endpoint = new ElasticsearchEndpoint(URI.create("https://127.0.0.1:9200"), "u",
                "s3cret", Path.of("/c/ca.crt"));
        assertThat(endpoint.toString()).contains("/c/ca.crt").doesNotContain("s3cret");
        assertThat(new ElasticsearchEndpoint(URI.create("http://h:1"), null, null).caFile()).isNull();
    }
}
