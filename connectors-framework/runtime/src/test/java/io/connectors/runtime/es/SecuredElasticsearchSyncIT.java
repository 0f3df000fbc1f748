package io.connectors.runtime.es;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.connectors.elasticsearch.local.ElasticsearchEndpoint;
import io.connectors.elasticsearch.local.LocalElasticsearchLauncher;
import io.connectors.runtime.cli.Main;
import io.connectors.runtime.config.ElasticsearchSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/**
 * {@code connectors sync} against a node with security on and HTTPS (its own node: the shared one is plain), as a
 * user that has only the documented least-privilege role; a user lacking one privilege, and a wrong CA, fail with
 * messages that say why. Passwords never appear in what the command prints.
 */
class SecuredElasticsearchSyncIT {
    private static final String PREFIX = "secured-state";
    private static final String INDEX = "secured-notes";
    private static final String SYNC_PASSWORD = "sync-Pa55word";
    private static final String NO_DELETE_PASSWORD = "nodelete-Pa55word";
    private static final String ADMIN_PASSWORD = "admin-Pa55word";

    private static LocalElasticsearchLauncher node;

    @TempDir
    Path dir;

    private record Result(int exit, String out, String err) {
        String all() {
            return out + err;
        }
    }

    @BeforeAll
    static void startSecuredNode() throws Exception {
        ObjectMapper json = new ObjectMapper();
        RequiredPrivileges role = RequiredPrivileges.of(PREFIX, List.of(INDEX));
        List<String> noDelete = new ArrayList<>(RequiredPrivileges.TARGET);
        noDelete.remove("delete");
        RequiredPrivileges lacking = new RequiredPrivileges(role.cluster(), List.of(role.indices().get(0),
                new RequiredPrivileges.IndexPrivileges(List.of(INDEX), noDelete)));
        node = LocalElasticsearchLauncher.builder()
                .security("admin", ADMIN_PASSWORD)
                .httpTls()
                .role("connectors_sync", json.writeValueAsString(role.roleDescriptor()))
                .role("connectors_sync_no_delete", json.writeValueAsString(lacking.roleDescriptor()))
                .user("sync", SYNC_PASSWORD, "connectors_sync")
                .user("sync_no_delete", NO_DELETE_PASSWORD, "connectors_sync_no_delete")
                .build().start();
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.stop();
        }
    }

    private Path config(URI host, String user, String password, Path caFile, Path data) throws Exception {
        Path file = Files.createTempFile(dir, "config", ".yml");
        Files.writeString(file, """
                elasticsearch:
                  host: %s
                  username: %s
                  password: %s
                  ca_file: %s
                state:
                  index_prefix: %s
                daemon:
                  sync_on_start: false
                  http:
                    enabled: false
                connectors:
                  - id: notes
                    type: directory
                    index: %s
                    configuration:
                      path: %s
                """.formatted(host, user, password, caFile, PREFIX, INDEX, data));
        return file;
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(exit, out.toString(), err.toString());
    }

    private long count() throws Exception {
        ElasticsearchEndpoint admin = node.endpoint();
        try (ElasticsearchHandle es = ElasticsearchClients.create(ElasticsearchSettings.defaults(admin.uri())
                .withBasicAuth("admin", ADMIN_PASSWORD).withTls(admin.caFile(), true))) {
            return Mono.fromFuture(() -> es.async().indices().refresh(r -> r.index(INDEX)))
                    .then(Mono.fromFuture(() -> es.async().count(c -> c.index(INDEX))))
                    .map(r -> r.count()).block();
        }
    }

    @Test
    void theLeastPrivilegedUserSyncsOverHttpsAndAMissingPrivilegeOrWrongCaIsNamed() throws Exception {
        ElasticsearchEndpoint es = node.endpoint();
        assertThat(es.uri().getScheme()).isEqualTo("https");
        Path data = Files.createDirectories(dir.resolve("data"));
        for (int i = 0; i < 5; i++) {
            Files.writeString(data.resolve("f" + i + ".md"), "# note " + i + "\n");
        }

        // The least-privilege user, over https with the node's CA and the host name checked (127.0.0.1, in the cert).
        Path good = config(es.uri(), "sync", SYNC_PASSWORD, es.caFile(), data);
        Result first = run("-c", good.toString(), "sync", "notes");
        assertThat(first.exit()).as(first.all()).isZero();
        assertThat(first.out()).contains("full sync completed").contains("5 indexed");
        assertThat(count()).isEqualTo(5);

        // Second sync: version lookups, a scan under a point in time, a deletion, refreshes; by name this time.
        Files.delete(data.resolve("f0.md"));
        URI byName = URI.create("https://localhost:" + es.uri().getPort());
        Result second = run("-c", config(byName, "sync", SYNC_PASSWORD, es.caFile(), data).toString(), "sync", "notes");
        assertThat(second.exit()).as(second.all()).isZero();
        assertThat(second.out()).contains("4 unchanged").contains("1 deleted").contains("0 failed");
        assertThat(count()).isEqualTo(4);

        // One privilege short: refused at start-up, naming it, before anything is written.
        Files.delete(data.resolve("f1.md"));
        Result noDelete = run("-c", config(es.uri(), "sync_no_delete", NO_DELETE_PASSWORD, es.caFile(), data).toString(),
                "sync", "notes");
        assertThat(noDelete.exit()).isEqualTo(1);
        assertThat(noDelete.err()).contains("Elasticsearch user 'sync_no_delete' lacks a privilege the connectors need:"
                + " index privilege 'delete' on '" + INDEX + "'").contains(RequiredPrivileges.DOCS)
                .doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(count()).isEqualTo(4);

        // A CA that did not sign the node's certificate.
        Path otherCa = TestCertificates.createCa(Files.createDirectories(dir.resolve("other-ca"))).caPem();
        Result wrongCa = run("-c", config(es.uri(), "sync", SYNC_PASSWORD, otherCa, data).toString(), "sync", "notes");
        assertThat(wrongCa.exit()).isEqualTo(1);
        assertThat(wrongCa.err()).contains("cannot be used").contains("TLS handshake failed")
                .contains("unable to find valid certification path").contains("trusting " + otherCa);

        for (Result r : List.of(first, second, noDelete, wrongCa)) {
            assertThat(r.all()).doesNotContain(SYNC_PASSWORD).doesNotContain(NO_DELETE_PASSWORD)
                    .doesNotContain(ADMIN_PASSWORD);
        }
        System.out.println("--- no delete privilege:\n" + noDelete.err() + "--- wrong CA:\n" + wrongCa.err());
    }
}
