package io.connectors.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connectors.elasticsearch.local.ElasticsearchEndpoint;
import io.connectors.runtime.ops.Logging;
import io.connectors.testkit.elasticsearch.TestElasticsearch;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** {@code CONNECTORS_LOG_FORMAT=ecs connectors sync}: progress and logs are ECS JSON lines with their facts as fields. */
class SyncEcsProgressIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void progressAndCompletionAreJsonLinesWithConnectorJobAndCounts() throws Exception {
        ElasticsearchEndpoint es = TestElasticsearch.get();
        Path data = Files.createDirectories(dir.resolve("data"));
        for (int i = 0; i < 2000; i++) {
            Files.writeString(data.resolve("f" + i + ".md"), "# note " + i + "\n");
        }
        String prefix = "ecs-" + UUID.randomUUID().toString().substring(0, 8);
        TestConfig config = TestConfig.empty().addConnector("notes", "directory", Map.of("path", data.toString()))
                .connector("index", prefix + "-notes")
                .set("elasticsearch.host", es.uri().toString()).set("state.index_prefix", prefix)
                .set("sync.progress_interval", "1ms")
                .set("daemon.sync_on_start", false).set("daemon.http.enabled", false);
        if (es.username() != null) {
            config.set("elasticsearch.username", es.username()).set("elasticsearch.password", es.password());
        }
        Path file = config.write(dir.resolve("config.yml"));

        PrintStream originalErr = System.err;
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit;
        System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
        try {
            Logging.configure(Map.of("CONNECTORS_LOG_FORMAT", "ecs"));
            exit = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "-c", file.toString(), "sync", "notes");
        } finally {
            System.setErr(originalErr);
            LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
            context.reset();
            new ContextInitializer(context).autoConfig();
        }

        assertThat(exit).as(err.toString()).isZero();
        // No plain progress line: the picocli error stream stays empty, every log line is JSON.
        assertThat(err.toString()).isEmpty();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : stderr.toString(StandardCharsets.UTF_8).split("\\R")) {
            assertThat(line).startsWith("{");
            lines.add(JSON.readTree(line));
        }
        List<JsonNode> progress = lines.stream()
                .filter(l -> l.path("log.logger").asText().equals("io.connectors.runtime.sync.progress")).toList();
        assertThat(progress).isNotEmpty();
        JsonNode p = progress.get(progress.size() - 1);
        assertThat(p.path("connector.id").asText()).isEqualTo("notes");
        assertThat(p.path("job.id").asText()).isNotEmpty();
        assertThat(p.path("job.type").asText()).isEqualTo("full");
        assertThat(p.has("sync.seen")).as(p.toString()).isTrue();
        assertThat(p.has("sync.indexed")).as(p.toString()).isTrue();
        assertThat(p.has("sync.elapsed_ms")).as(p.toString()).isTrue();

        JsonNode completed = lines.stream().filter(l -> l.path("message").asText().contains("sync completed"))
                .findFirst().orElseThrow(() -> new AssertionError("no completion line in " + lines));
        assertThat(completed.path("connector.id").asText()).isEqualTo("notes");
        assertThat(completed.path("job.id").asText()).isEqualTo(p.path("job.id").asText());
        assertThat(completed.path("sync.seen").asLong()).isEqualTo(2000);
        assertThat(completed.path("sync.indexed").asLong()).isEqualTo(2000);
    }
}
