package io.connectors.functional;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.elasticsearch.local.ElasticsearchEndpoint;
import io.connectors.testkit.elasticsearch.TestElasticsearch;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The distribution as a user runs it: `bin/connectors` in its own process, against a real Elasticsearch. */
class DistributionIT {
    private static final Path HOME = Path.of(System.getProperty("connectors.home", "..")).toAbsolutePath().normalize();
    private static ElasticsearchEndpoint es;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path tmp;

    @BeforeAll
    static void elasticsearch() {
        es = TestElasticsearch.get();
    }

    private record Result(int exit, String out, String err) {
    }

    private Process start(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(HOME.resolve("bin/connectors").toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectOutput(tmp.resolve("out.txt").toFile())
                .redirectError(tmp.resolve("err.txt").toFile());
        pb.environment().put("CONNECTORS_HOME", HOME.toString());
        pb.environment().put("CONNECTORS_JAVA_OPTS", "-Xmx256m");
        return pb.start();
    }

    private Result run(String... args) throws Exception {
        Process p = start(args);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("connectors %s finished", List.of(args)).isTrue();
        return new Result(p.exitValue(), Files.readString(tmp.resolve("out.txt")), Files.readString(tmp.resolve("err.txt")));
    }

    private Path config(Path data, String index, String extra) throws IOException {
        StringBuilder yaml = new StringBuilder("elasticsearch:\n  host: ").append(es.uri()).append('\n');
        if (es.username() != null) {
            yaml.append("  username: ").append(es.username()).append("\n  password: ${ES_TEST_PASSWORD}\n");
        }
        yaml.append(extra);
        if (!extra.contains("daemon:")) {
            yaml.append("daemon:\n  http:\n    port: 0\n");
        }
        yaml.append("connectors:\n  - id: files\n    type: directory\n    index: ").append(index)
                .append("\n    configuration:\n      path: ").append(data).append('\n');
        Path file = tmp.resolve("config.yml");
        Files.writeString(file, yaml.toString());
        return file;
    }

    private Path files(int n) throws IOException {
        Path data = Files.createDirectories(tmp.resolve("data"));
        for (int i = 0; i < n; i++) {
            Files.writeString(data.resolve("f" + i + ".md"), "# File " + i + "\nsome words\n");
        }
        return data;
    }

    private long count(String index) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(es.uri() + "/" + index + "/_count"));
        if (es.username() != null) {
            req.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (es.username() + ":" + es.password()).getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<String> r = HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 404) {
            return -1;
        }
        Matcher m = Pattern.compile("\"count\":(\\d+)").matcher(r.body());
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    @Test
    void sourcesListsEverySourceOfTheDistribution() throws Exception {
        Result r = run("sources");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("directory");
    }

    @Test
    void syncCommandIndexesAndSummarizes() throws Exception {
        Path cfg = config(files(500), "ft-sync", "");
        Result r = run("-c", cfg.toString(), "sync", "files");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("full sync completed").contains("500 indexed").contains("docs/s")
                .contains("curl -s '" + es.uri());
        assertThat(count("ft-sync")).isEqualTo(500);
        Result again = run("-c", cfg.toString(), "sync", "files");
        assertThat(again.out()).contains("0 indexed").contains("500 unchanged");
    }

    @Test
    void badConfigurationExitsWith2AndNamesTheKey() throws Exception {
        Path cfg = config(files(1), "ft-bad", "bulk:\n  max_actions: lots\n");
        Result r = run("-c", cfg.toString(), "config", "check");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("bulk.max_actions: expected a whole number, got 'lots'");
    }

    @Test
    void daemonSyncsOnStartAndStopsCleanlyOnSigterm() throws Exception {
        Path cfg = config(files(300), "ft-daemon", "");
        Process daemon = start("-c", cfg.toString(), "run");
        try {
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (count("ft-daemon") != 300 && System.nanoTime() < deadline && daemon.isAlive()) {
                TimeUnit.MILLISECONDS.sleep(500);
            }
            assertThat(count("ft-daemon")).as(Files.readString(tmp.resolve("err.txt"))).isEqualTo(300);
            daemon.destroy(); // SIGTERM
            assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).as("daemon stopped after SIGTERM").isTrue();
            assertThat(Files.readString(tmp.resolve("err.txt"))).contains("Stopped");
        } finally {
            daemon.destroyForcibly();
        }
    }

    @Test
    void aSyncStoppedWithSigtermIsRecordedAsCanceled() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("many"));
        String filler = "words ".repeat(400);
        for (int i = 0; i < 30_000; i++) {
            Path dir = Files.createDirectories(data.resolve("d" + (i / 1000)));
            Files.writeString(dir.resolve("f" + i + ".md"), "# File " + i + "\n" + filler);
        }
        Path cfg = config(data, "ft-sigterm", "state:\n  index_prefix: ft-sigterm-state\n");
        Process sync = start("-c", cfg.toString(), "sync", "files");
        try {
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (count("ft-sigterm") <= 0 && System.nanoTime() < deadline && sync.isAlive()) {
                TimeUnit.MILLISECONDS.sleep(100);
            }
            assertThat(sync.isAlive()).as("the sync is still running when stopped").isTrue();
            sync.destroy(); // SIGTERM, as Ctrl-C would
            assertThat(sync.waitFor(60, TimeUnit.SECONDS)).isTrue();
            // Searches see writes after a refresh; the record was written before the process exited.
            HttpRequest.Builder refresh = HttpRequest.newBuilder(URI.create(es.uri() + "/ft-sigterm-state-jobs/_refresh"))
                    .POST(HttpRequest.BodyPublishers.noBody());
            HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(es.uri() + "/ft-sigterm-state-jobs/_search?q=connector_id:files"));
            if (es.username() != null) {
                req.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (es.username() + ":" + es.password()).getBytes(StandardCharsets.UTF_8)));
            }
            if (es.username() != null) {
                refresh.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (es.username() + ":" + es.password()).getBytes(StandardCharsets.UTF_8)));
            }
            HTTP.send(refresh.build(), HttpResponse.BodyHandlers.ofString());
            String body = HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(body).as(Files.readString(tmp.resolve("err.txt"))).contains("\"status\":\"canceled\"")
                    .contains("\"trigger\":\"on_demand\"");
        } finally {
            sync.destroyForcibly();
        }
    }
}
