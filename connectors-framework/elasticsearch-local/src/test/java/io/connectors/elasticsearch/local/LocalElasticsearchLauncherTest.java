package io.connectors.elasticsearch.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalElasticsearchLauncherTest {

    @TempDir
    Path tmp;

    @Test
    void theDefaultVersionComesFromTheFilteredProperties() {
        assertThat(LocalElasticsearchLauncher.defaultVersion()).matches("\\d+\\.\\d+\\.\\d+.*");
    }

    @Test
    void settingsAreForOneLoopbackNodeWithSecurityOnlyWhenAsked() {
        Map<String, String> plain = NodeConfiguration.settings(8, 0, Path.of("/d"), false);
        assertThat(plain).containsEntry("discovery.type", "single-node")
                .containsEntry("network.host", "127.0.0.1")
                .containsEntry("http.port", "0")
                .containsEntry("node.portsfile", "true")
                .containsEntry("path.data", "/d/data")
                .containsEntry("path.logs", "/d/logs")
                .containsEntry("cluster.routing.allocation.disk.threshold_enabled", "false")
                .containsEntry("action.destructive_requires_name", "false")
                .containsEntry("xpack.security.enabled", "false")
                .containsEntry("xpack.ml.enabled", "false")
                .doesNotContainKey("xpack.security.http.ssl.enabled");

        Map<String, String> secured = NodeConfiguration.settings(8, 9250, Path.of("/d"), true);
        assertThat(secured).containsEntry("xpack.security.enabled", "true")
                .containsEntry("xpack.security.http.ssl.enabled", "false")
                .containsEntry("http.port", "9250");

        assertThat(NodeConfiguration.settings(9, 0, Path.of("/d"), false))
                .doesNotContainKey("xpack.ml.enabled");
    }

    @Test
    void extraSettingsGoOverTheLaunchersOwnAndLast() {
        Map<String, String> all = NodeConfiguration.withExtra(
                NodeConfiguration.settings(8, 0, Path.of("/d"), false),
                Map.of("http.port", "9299", "thread_pool.write.queue_size", "1"));

        assertThat(all).containsEntry("http.port", "9299").containsEntry("thread_pool.write.queue_size", "1")
                .containsEntry("discovery.type", "single-node");
        assertThat(List.copyOf(all.keySet()).subList(all.size() - 2, all.size()))
                .containsExactlyInAnyOrder("http.port", "thread_pool.write.queue_size");
        assertThat(NodeConfiguration.toYaml(all)).contains("thread_pool.write.queue_size: \"1\"\n");
    }

    @Test
    void yamlValuesAreQuoted() {
        assertThat(NodeConfiguration.toYaml(Map.of("path.data", "/a \"b\"\\c")))
                .endsWith("path.data: \"/a \\\"b\\\"\\\\c\"\n");
    }

    @Test
    void readsTheFirstAddressOfAPortsFile() throws IOException {
        Path ports = tmp.resolve("http.ports");
        assertThat(NodeProcesses.readPortsFile(ports)).isEmpty();

        Files.writeString(ports, "\n127.0.0.1:41234\n[::1]:41234\n");
        assertThat(NodeProcesses.readPortsFile(ports)).contains(URI.create("http://127.0.0.1:41234"));
    }

    @Test
    void theFallbackFolderIsStablePerRequestedPath() {
        Path a = LocalElasticsearchLauncher.fallbackFor(Path.of("/root/project/target/es"));

        assertThat(a).startsWithRaw(LocalElasticsearchLauncher.FALLBACK_ROOT)
                .isEqualTo(LocalElasticsearchLauncher.fallbackFor(Path.of("/root/project/target/./es")))
                .isNotEqualTo(LocalElasticsearchLauncher.fallbackFor(Path.of("/root/other/target/es")));
        assertThat(a.getFileName().toString()).matches("[0-9a-f]{16}");
    }

    @Test
    void theTailIsTheLastLines() throws IOException {
        Path log = tmp.resolve("console.log");
        Files.writeString(log,
                IntStream.rangeClosed(1, 100).mapToObj(i -> "line " + i).collect(Collectors.joining("\n")));

        String tail = NodeProcesses.tail(log, 40);
        assertThat(tail.lines()).hasSize(40).first().isEqualTo("line 61");
        assertThat(NodeProcesses.tail(tmp.resolve("missing"), 40)).contains("cannot read");
    }

    @Test
    void aPidFileOfADeadOrForeignProcessIsNotStale() throws IOException {
        Path pidFile = tmp.resolve("elasticsearch.pid");
        assertThat(NodeProcesses.staleProcess(pidFile)).isEmpty();

        Files.writeString(pidFile, "not a pid");
        assertThat(NodeProcesses.staleProcess(pidFile)).isEmpty();

        // This JVM is alive but is not Elasticsearch.
        Files.writeString(pidFile, Long.toString(ProcessHandle.current().pid()));
        assertThat(NodeProcesses.staleProcess(pidFile)).isEmpty();
    }

    @Test
    void theBuilderRejectsNonsense() {
        var builder = LocalElasticsearchLauncher.builder();
        assertThatThrownBy(() -> builder.heap("lots")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.httpPort(70000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.startupTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.security("a:b", "secret123")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.security("user", "two\nlines")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.version("main")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.setting(" ", "1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.setting("a: b", "1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.setting("a", "1\nb: 2")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.setting("a", null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void anUnstartedLauncherHasNoEndpointAndStopsQuietly() {
        LocalElasticsearchLauncher launcher = LocalElasticsearchLauncher.builder().build();

        assertThatThrownBy(launcher::endpoint).isInstanceOf(IllegalStateException.class);
        launcher.kill();
        launcher.stop();
        launcher.close();
    }

    @Test
    void theEndpointNeverPrintsItsPassword() {
        ElasticsearchEndpoint endpoint = new ElasticsearchEndpoint(URI.create("http://127.0.0.1:9200"), "u", "s3cret");

        assertThat(endpoint.toString()).contains("u").doesNotContain("s3cret");
        assertThat(endpoint.hasCredentials()).isTrue();
        assertThat(new ElasticsearchEndpoint(URI.create("http://h:1"), null, null).hasCredentials()).isFalse();
    }
}
