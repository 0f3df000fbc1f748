package io.connectors.functional;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.elasticsearch.local.ElasticsearchEndpoint;
import io.connectors.testkit.elasticsearch.TestElasticsearch;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release tarball as a user without Maven installs it: {@code make dist-package} (what {@code make dist} ends with),
 * unpacked in a clean folder, run with a PATH that holds a Java runtime and basic shell tools but no Maven, a HOME with
 * no Maven repository, and no checkout around it.
 */
class DistTarballIT {
    private static final Path CHECKOUT = Path.of(System.getProperty("connectors.home", "..")).toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    private record Result(int exit, String out, String err) {
    }

    private static Result exec(Path dir, Map<String, String> env, boolean clearEnv, List<String> command) throws Exception {
        Path out = Files.createTempFile("dist-out", ".txt");
        Path err = Files.createTempFile("dist-err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        if (clearEnv) {
            pb.environment().clear();
        }
        pb.environment().putAll(env);
        Process p = pb.start();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("%s finished", command).isTrue();
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** A PATH of links to the tools the launcher uses and to java, and nothing else: no mvn. */
    private Path jreOnlyPath() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("path"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Files.createSymbolicLink(bin.resolve("java"), java);
        for (String tool : List.of("bash", "dirname", "ls", "tr", "cat", "env")) {
            Path found = Stream.of(System.getenv("PATH").split(File.pathSeparator)).map(d -> Path.of(d, tool))
                    .filter(Files::isExecutable).findFirst().orElseThrow(() -> new AssertionError(tool + " not on PATH"));
            Files.createSymbolicLink(bin.resolve(tool), found);
        }
        return bin;
    }

    @Test
    void theUnpackedTarballListsItsSourcesAndSyncsWithOnlyAJavaRuntime() throws Exception {
        Result packed = exec(CHECKOUT, Map.of(), false, List.of("make", "--no-print-directory", "dist-package"));
        assertThat(packed.exit()).as("make dist-package: %s %s", packed.out(), packed.err()).isZero();
        Matcher name = Pattern.compile("target/(connectors-[^ ]+)\\.tar\\.gz").matcher(packed.out());
        assertThat(name.find()).as(packed.out()).isTrue();
        Path tarball = CHECKOUT.resolve("target").resolve(name.group(1) + ".tar.gz");

        Path install = Files.createDirectories(tmp.resolve("install"));
        assertThat(exec(install, Map.of(), false, List.of("tar", "-xzf", tarball.toString())).exit()).isZero();
        Path home = install.resolve(name.group(1));
        assertThat(home.resolve("bin/connectors")).isExecutable();
        assertThat(home.resolve("config.yml")).exists();
        assertThat(home.resolve("lib")).isDirectoryContaining(p -> p.getFileName().toString().startsWith("connectors-runtime"));

        Path user = Files.createDirectories(tmp.resolve("user-home"));
        Map<String, String> env = new java.util.HashMap<>(Map.of("PATH", jreOnlyPath().toString(), "HOME", user.toString(),
                "CONNECTORS_JAVA_OPTS", "-Xmx256m"));
        Result sources = exec(home, env, true, List.of(home.resolve("bin/connectors").toString(), "sources"));
        assertThat(sources.exit()).as(sources.err()).isZero();
        assertThat(sources.out()).contains("directory (").contains("mongodb (").contains("postgresql (");

        // The release's own example: its docs/ folder, into an index of the test's Elasticsearch.
        ElasticsearchEndpoint es = TestElasticsearch.get();
        String index = "dist-tarball-docs";
        StringBuilder yaml = new StringBuilder("elasticsearch:\n  host: ").append(es.uri()).append('\n');
        if (es.username() != null) {
            yaml.append("  username: ").append(es.username()).append("\n  password: ${ES_TEST_PASSWORD}\n");
            env.put("ES_TEST_PASSWORD", es.password());
        }
        yaml.append("state:\n  index_prefix: dist-tarball-state\n");
        yaml.append("connectors:\n  - id: docs\n    type: directory\n    index: ").append(index)
                .append("\n    configuration:\n      path: docs\n      include: [\"**/*.md\"]\n");
        Files.writeString(home.resolve("release.yml"), yaml.toString());
        Result sync = exec(home, env, true, List.of(home.resolve("bin/connectors").toString(), "-c", "release.yml", "sync",
                "docs"));
        assertThat(sync.exit()).as(sync.out() + sync.err()).isZero();
        long markdown;
        try (Stream<Path> files = Files.walk(home.resolve("docs"))) {
            markdown = files.filter(f -> f.toString().endsWith(".md")).count();
        }
        assertThat(count(es, index)).isEqualTo(markdown).isPositive();
        assertThat(user.resolve(".m2")).as("nothing fetched through Maven").doesNotExist();
    }

    private static long count(ElasticsearchEndpoint es, String index) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(es.uri() + "/" + index + "/_count"));
        if (es.username() != null) {
            req.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (es.username() + ":" + es.password()).getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<String> r = HttpClient.newHttpClient().send(req.build(), HttpResponse.BodyHandlers.ofString());
        Matcher m = Pattern.compile("\"count\":(\\d+)").matcher(r.body());
        assertThat(m.find()).as(r.body()).isTrue();
        return Long.parseLong(m.group(1));
    }
}
