package io.connectors.functional.chaos;

import io.connectors.elasticsearch.local.ElasticsearchEndpoint;
import io.connectors.elasticsearch.local.LocalElasticsearchLauncher;
import io.connectors.functional.DaemonProcess;
import io.connectors.functional.FixtureLoader;
import io.connectors.functional.SyncOutcome;
import io.connectors.testkit.functional.SourceFixture;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Secrets never reach logs, job records, error messages or {@code config check} output. A run uses credentials for
 * everything: Elasticsearch with security on (basic auth), PostgreSQL with a password, MongoDB with a user and
 * password in its connection string, and MySQL with a password (the in-process MongoDB server refuses to
 * authenticate, and so does MySQL, whose test user has no password, so the error paths run too).
 * The daemon logs at TRACE (every library included), then the command line runs {@code config check} (online and
 * offline), {@code sync}, {@code status}, {@code jobs list} and {@code jobs view} of every job. Every byte they
 * printed and every document of the state and target indices is scanned for each secret, raw, URL-encoded and in
 * basic-auth base64. As a control, the scanner must find the secrets in the configuration file itself.
 */
final class SecretsScanScenario implements ChaosScenario {
    private static final String ES_USER = "chaos_admin";
    private static final String ES_SECRET = "es-S3cret:4f1d9a!";
    private static final String PG_SECRET = "pg-S3cret/82bc@1e";
    private static final String MONGO_USER = "mongo_app";
    private static final String MONGO_SECRET = "mg-S3cret@c07e/55";
    private static final String MYSQL_SECRET = "my-S3cret:9e2b@7a/";
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    @Override
    public String name() {
        return "secrets-scan";
    }

    @Override
    public String fault() {
        return "A run with credentials for Elasticsearch, PostgreSQL, MongoDB and MySQL (two failing to authenticate), daemon"
                + " logging at TRACE; logs, CLI output, error messages and job records scanned for the secrets";
    }

    @Override
    public ChaosResult run(ChaosContext context) throws Exception {
        Path work = context.work(name());
        ChaosResult.Builder result = ChaosResult.builder();
        List<AutoCloseable> open = new ArrayList<>();
        LocalElasticsearchLauncher launcher = FaultKit.elasticsearch(context, work).security(ES_USER, ES_SECRET).build();
        try {
            ElasticsearchEndpoint es = launcher.start().endpoint();
            Map<String, Map<String, Object>> connectors = new LinkedHashMap<>();
            for (String type : List.of("directory", "postgresql", "mongodb", "mysql")) {
                SourceFixture fixture = FixtureLoader.load(type);
                open.add(0, fixture);
                fixture.start(Files.createDirectories(work.resolve("backend-" + type)));
                fixture.load(200);
                Map<String, Object> configuration = new LinkedHashMap<>(fixture.connectorConfiguration());
                if (type.equals("postgresql")) {
                    configuration.put("password", PG_SECRET);
                } else if (type.equals("mysql")) {
                    configuration.put("password", MYSQL_SECRET);
                } else if (type.equals("mongodb")) {
                    String uri = String.valueOf(configuration.get("connection_string"));
                    configuration.put("connection_string",
                            uri.replaceFirst("^mongodb://", "mongodb://" + MONGO_USER + ":"
                                    + URLEncoder.encode(MONGO_SECRET, StandardCharsets.UTF_8) + "@"));
                    configuration.put("server_selection_timeout", "5s");
                }
                connectors.put(type, configuration);
            }
            Path config = writeConfig(work.resolve("config.yml"), es, connectors);

            Instant start = Instant.now();
            DaemonProcess daemon = DaemonProcess.start(context.home(), config, work.resolve("daemon.log"),
                    context.daemonJavaOpts(), Map.of("CONNECTORS_LOG_LEVEL", "TRACE"));
            try {
                for (String type : connectors.keySet()) {
                    SyncOutcome outcome = daemon.awaitSync("secrets-" + type, start, TIMEOUT);
                    boolean refused = type.equals("mongodb") || type.equals("mysql");
                    boolean expected = refused ? !outcome.ranToEnd() : outcome.completed();
                    result.check("the " + type + " sync " + (refused ? "failed (authentication refused)"
                            : "completed"), expected, outcome.status() + (outcome.error() == null ? ""
                            : ": " + FaultKit.abbreviate(outcome.error(), 200)));
                }
            } finally {
                daemon.stop();
            }

            Cli cli = new Cli(context.home(), work, Map.of());
            Duration t = Duration.ofMinutes(2);
            String c = config.toString();
            List<Cli.Result> runs = new ArrayList<>();
            runs.add(cli.run(t, "-c", c, "config", "check", "--offline"));
            runs.add(cli.run(t, "-c", c, "config", "check", "--timeout", "20s"));
            runs.add(cli.run(t, "-c", c, "sync", "secrets-mongodb"));
            runs.add(cli.run(t, "-c", c, "status"));
            runs.add(cli.run(t, "-c", c, "status", "--json"));
            Cli.Result list = cli.run(t, "-c", c, "jobs", "list", "--json");
            runs.add(list);
            List<String> jobIds = new ArrayList<>();
            java.util.regex.Matcher m = Pattern.compile("\"job_id\"\\s*:\\s*\"([^\"]+)\"").matcher(list.out());
            while (m.find()) {
                jobIds.add(m.group(1));
            }
            for (String id : jobIds) {
                runs.add(cli.run(t, "-c", c, "jobs", "view", id));
            }
            result.check("the command line ran (config check, sync, status, jobs list, " + jobIds.size() + " jobs viewed)",
                    runs.get(0).exit() == 0 && jobIds.size() >= 3 && runs.get(2).exit() == 1,
                    "config check --offline exit " + runs.get(0).exit() + ", sync of the failing connector exit "
                            + runs.get(2).exit());
            Files.writeString(work.resolve("indices.json"), dumpIndices(es));

            List<String> secrets = forms();
            List<Path> scanned;
            try (Stream<Path> files = Files.walk(work)) {
                // The node's own files and the backends' data are not ours to scan; the configuration file is the control.
                scanned = files.filter(Files::isRegularFile)
                        .filter(p -> !p.startsWith(work.resolve("elasticsearch"))
                                && !work.relativize(p).getName(0).toString().startsWith("backend-"))
                        .filter(p -> !p.equals(config))
                        .toList();
            }
            long bytes = 0;
            List<String> hits = new ArrayList<>();
            for (Path file : scanned) {
                String text = Files.readString(file, StandardCharsets.ISO_8859_1);
                bytes += text.length();
                for (String secret : secrets) {
                    if (text.contains(secret)) {
                        hits.add(work.relativize(file) + " contains " + secret.substring(0, 4) + "...");
                    }
                }
            }
            String configText = Files.readString(config);
            long controlHits = Stream.of(ES_SECRET, PG_SECRET, URLEncoder.encode(MONGO_SECRET, StandardCharsets.UTF_8),
                    MYSQL_SECRET).filter(configText::contains).count();
            result.check("control: the scanner finds the 4 secrets in the configuration file", controlHits == 4,
                    controlHits + " of 4 found");
            long logLines = Files.readAllLines(work.resolve("daemon.log"), StandardCharsets.ISO_8859_1).size();
            result.check("the daemon logged at TRACE", logLines > 1_000, logLines + " lines");
            result.check("no secret in " + scanned.size() + " files (" + (bytes >> 10) + " KiB: daemon log at TRACE, CLI"
                    + " output, job and connector records, indexed documents)", hits.isEmpty(),
                    hits.isEmpty() ? secrets.size() + " forms of 4 secrets searched" : String.join("; ", hits.subList(0,
                            Math.min(10, hits.size()))));
            return result.outcome(hits.isEmpty()
                            ? "no secret found in " + scanned.size() + " files, " + (bytes >> 20) + " MiB ("
                            + logLines + " log lines at TRACE)"
                            : hits.size() + " secret(s) found: " + hits.get(0))
                    .documentsLost(0).build();
        } finally {
            for (AutoCloseable c : open) {
                try {
                    c.close();
                } catch (Exception e) {
                    context.say(name(), "closing %s failed: %s", c, e);
                }
            }
            launcher.stop();
        }
    }

    /**
     * Each secret raw, URL-encoded, and as basic-auth headers carry them. The secrets hold {@code : / @ !} so that the
     * encoded forms differ from the raw ones.
     */
    static List<String> forms() {
        List<String> forms = new ArrayList<>();
        for (String s : List.of(ES_SECRET, PG_SECRET, MONGO_SECRET, MYSQL_SECRET)) {
            forms.add(s);
            forms.add(URLEncoder.encode(s, StandardCharsets.UTF_8));
        }
        forms.add(Base64.getEncoder().encodeToString((ES_USER + ":" + ES_SECRET).getBytes(StandardCharsets.UTF_8)));
        forms.add(Base64.getEncoder().encodeToString((MONGO_USER + ":" + MONGO_SECRET).getBytes(StandardCharsets.UTF_8)));
        return forms.stream().distinct().toList();
    }

    private static Path writeConfig(Path file, ElasticsearchEndpoint es, Map<String, Map<String, Object>> connectors)
            throws IOException {
        List<Map<String, Object>> list = new ArrayList<>();
        connectors.forEach((type, configuration) -> {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("id", "secrets-" + type);
            c.put("type", type);
            c.put("index", "secrets-" + type);
            c.put("configuration", configuration);
            list.add(c);
        });
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("elasticsearch", Map.of("host", es.uri().toString(), "username", ES_USER, "password", ES_SECRET));
        root.put("daemon", Map.of("sync_on_start", true, "http", Map.of("port", 0)));
        root.put("sync", Map.of("progress_interval", "1s"));
        root.put("connectors", list);
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        Files.writeString(file, new Yaml(options).dump(root));
        return file;
    }

    /** Every document of every index (state and targets), hidden ones included, as Elasticsearch returns them. */
    private static String dumpIndices(ElasticsearchEndpoint es) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        String auth = "Basic " + Base64.getEncoder().encodeToString((es.username() + ":" + es.password())
                .getBytes(StandardCharsets.UTF_8));
        URI uri = es.uri().resolve("/_all/_search?size=10000&expand_wildcards=all");
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).header("Authorization", auth).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + uri + " answered " + r.statusCode() + ": " + FaultKit.abbreviate(r.body(), 200));
        }
        return r.body();
    }
}
