package io.connectors.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connectors.elasticsearch.local.ElasticsearchEndpoint;
import io.connectors.runtime.config.ConfigLoader;
import io.connectors.runtime.config.ConnectorsConfig;
import io.connectors.runtime.config.OpsSettings;
import io.connectors.runtime.daemon.ConnectorControl;
import io.connectors.runtime.es.ElasticsearchClients;
import io.connectors.runtime.es.ElasticsearchHandle;
import io.connectors.runtime.ops.DaemonMetrics;
import io.connectors.runtime.ops.OpsServer;
import io.connectors.runtime.state.ConnectorRecord;
import io.connectors.runtime.state.ConnectorRecords;
import io.connectors.runtime.state.StateStore;
import io.connectors.testkit.elasticsearch.TestElasticsearch;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** The connector controls on the operations endpoint, against the connector records in a real Elasticsearch. */
class ConnectorControlsHttpIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ElasticsearchHandle es;
    private final HttpClient http = HttpClient.newHttpClient();
    private final DaemonMetrics metrics = new DaemonMetrics();
    private StateStore store;
    private String prefix;
    private OpsServer server;
    private static ElasticsearchEndpoint endpoint;

    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path tmp;

    @BeforeAll
    static void connect() {
        endpoint = TestElasticsearch.get();
        Map<String, Object> section = new HashMap<>();
        section.put("host", endpoint.uri().toString());
        if (endpoint.username() != null) {
            section.put("username", endpoint.username());
            section.put("password", endpoint.password());
        }
        ConnectorsConfig c = ConfigLoader.fromMap(Map.of("elasticsearch", section), "test", Map.of(),
                io.connectors.runtime.SourceRegistry.load());
        es = ElasticsearchClients.create(c.elasticsearch().settingsFor(c.elasticsearch().hosts()));
    }

    @AfterAll
    static void close() {
        es.close();
    }

    @BeforeEach
    void records() {
        prefix = "ctl-" + UUID.randomUUID().toString().substring(0, 8);
        store = new StateStore(es.async(), prefix);
        store.ensureIndices().block(TIMEOUT);
        for (String id : List.of("docs", "shop")) {
            store.create(StateStore.Kind.CONNECTORS, id, ConnectorRecord.empty(id).with(b -> {
                b.type = "directory";
                b.status = "connected";
            }).toJson(), true).block(TIMEOUT);
        }
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        metrics.close();
    }

    private OpsServer start(OpsSettings settings) {
        ConnectorControl control = new ConnectorControl(new ConnectorRecords(store), Clock.systemUTC());
        server = OpsServer.start(settings, () -> Mono.just(List.of()), metrics, RunCommand.controls(control)).block(TIMEOUT);
        return server;
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private ConnectorRecord record(String id) {
        return new ConnectorRecords(store).get(id).block(TIMEOUT).doc();
    }

    @Test
    void pauseResumeAndRestartOverHttpOnLoopbackChangeTheRecordEveryDaemonReads() throws Exception {
        start(new OpsSettings(true, "127.0.0.1", 0));

        HttpResponse<String> listed = send("GET", "/connectors");
        assertThat(listed.statusCode()).isEqualTo(200);
        JsonNode connectors = JSON.readTree(listed.body()).path("connectors");
        assertThat(connectors).hasSize(2);
        assertThat(connectors.get(0).path("state").asText()).isEqualTo("running");

        HttpResponse<String> paused = send("POST", "/connectors/docs/pause");
        assertThat(paused.statusCode()).as(paused.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(paused.body());
        assertThat(body.path("action").asText()).isEqualTo("pause");
        assertThat(body.path("state").path("state").asText()).isEqualTo("paused");
        assertThat(body.path("state").path("paused_by").asText()).startsWith("http 127.0.0.1");
        assertThat(record("docs").control().paused()).isTrue();
        assertThat(record("shop").control()).as("the other connector untouched").isNull();

        HttpResponse<String> restart = send("POST", "/connectors/docs/restart");
        assertThat(restart.statusCode()).as("refused while paused").isEqualTo(409);
        assertThat(JSON.readTree(restart.body()).path("error").asText()).contains("is paused");

        HttpResponse<String> resumed = send("POST", "/connectors/docs/resume");
        assertThat(resumed.statusCode()).isEqualTo(200);
        assertThat(record("docs").control().paused()).isFalse();
        assertThat(send("POST", "/connectors/docs/restart").statusCode()).isEqualTo(200);
        assertThat(record("docs").control().restartRequestedAt()).isNotNull();
    }

    @Test
    void unknownConnectorsActionsAndMethodsAreAnsweredPlainly() throws Exception {
        start(new OpsSettings(true, "127.0.0.1", 0));
        HttpResponse<String> unknown = send("POST", "/connectors/nope/pause");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).path("error").asText()).contains("no connector 'nope'").contains("docs");
        assertThat(send("POST", "/connectors/docs/explode").statusCode()).isEqualTo(404);
        HttpResponse<String> get = send("GET", "/connectors/docs/pause");
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("allow")).hasValue("POST");
        assertThat(send("DELETE", "/connectors").statusCode()).isEqualTo(405);
    }

    @Test
    void controlsAreRefusedOffLoopbackUnlessTurnedOnAndWhenTurnedOff() throws Exception {
        start(new OpsSettings(true, "0.0.0.0", 0));
        HttpResponse<String> refused = send("POST", "/connectors/docs/pause");
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(refused.body()).path("error").asText()).contains("daemon.http.controls");
        assertThat(send("GET", "/connectors").statusCode()).as("listing stays open").isEqualTo(200);
        assertThat(record("docs").control()).isNull();
        server.close();

        start(new OpsSettings(true, "127.0.0.1", 0, "off"));
        assertThat(send("POST", "/connectors/docs/pause").statusCode()).isEqualTo(403);
        server.close();

        start(new OpsSettings(true, "0.0.0.0", 0, "on"));
        assertThat(send("POST", "/connectors/docs/pause").statusCode()).isEqualTo(200);
        assertThat(record("docs").control().paused()).isTrue();
    }

    private record Cli(int exit, String out, String err) {
    }

    private Cli cli(String... args) throws Exception {
        StringBuilder yaml = new StringBuilder("elasticsearch:\n  host: ").append(endpoint.uri()).append('\n');
        if (endpoint.username() != null) {
            yaml.append("  username: ").append(endpoint.username()).append("\n  password: ").append(endpoint.password())
                    .append('\n');
        }
        yaml.append("state:\n  index_prefix: ").append(prefix).append("\nconnectors: []\n");
        java.nio.file.Path config = java.nio.file.Files.writeString(tmp.resolve("config.yml"), yaml.toString());
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        String[] all = new String[args.length + 2];
        all[0] = "-c";
        all[1] = config.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        int exit = Main.execute(new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true), all);
        return new Cli(exit, out.toString(), err.toString());
    }

    @Test
    void theCommandLinePausesResumesAndRestartsAConnectorItsConfigurationDoesNotHold() throws Exception {
        Cli paused = cli("pause", "shop", "--reason", "reindexing");
        assertThat(paused.exit()).as(paused.err()).isZero();
        assertThat(paused.out()).contains("Connector shop paused");
        assertThat(record("shop").control().reason()).isEqualTo("reindexing");
        assertThat(record("shop").control().pausedBy()).contains("@");

        Cli status = cli("status");
        assertThat(status.out()).containsPattern("shop\\s+directory\\s+paused").contains("reindexing");

        Cli restart = cli("restart", "shop");
        assertThat(restart.exit()).isEqualTo(1);
        assertThat(restart.err()).contains("is paused").contains("connectors resume shop");

        Cli unknown = cli("pause", "nope");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("no connector 'nope'").contains("shop");

        Cli resumed = cli("resume", "shop");
        assertThat(resumed.exit()).isZero();
        assertThat(resumed.out()).contains("Connector shop resumed");
        assertThat(record("shop").control().paused()).isFalse();
        assertThat(cli("restart", "shop").out()).contains("no job running");
    }
}
