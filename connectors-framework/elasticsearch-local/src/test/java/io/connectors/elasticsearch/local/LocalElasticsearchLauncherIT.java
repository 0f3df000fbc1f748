package io.connectors.elasticsearch.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalElasticsearchLauncherIT {

    @TempDir
    Path tmp;

    @Test
    void twoNodesRunSideBySideServeDocumentsAndLeaveNothingBehind() throws Exception {
        // The second node's home sits under a private folder, as a CI checkout under /root does: run as root, the
        // launcher must move it somewhere the node's user can reach.
        Path privateParent = Files.createDirectories(tmp.resolve("private"));
        Files.setPosixFilePermissions(privateParent, PosixFilePermissions.fromString("rwx------"));
        Path requestedData = privateParent.resolve("home/node-b");

        try (LocalElasticsearchLauncher a = LocalElasticsearchLauncher.builder().build();
                LocalElasticsearchLauncher b = LocalElasticsearchLauncher.builder()
                        .home(privateParent.resolve("home")).dataDir(requestedData).heap("384m").build()) {
            CompletableFuture<LocalElasticsearchLauncher> startA = CompletableFuture.supplyAsync(a::start);
            CompletableFuture<LocalElasticsearchLauncher> startB = CompletableFuture.supplyAsync(b::start);
            CompletableFuture.allOf(startA, startB).get(5, TimeUnit.MINUTES);

            assertThat(a.endpoint().uri()).isNotEqualTo(b.endpoint().uri());
            assertThat(a.endpoint().username()).isNull();
            for (LocalElasticsearchLauncher node : List.of(a, b)) {
                assertIndexesAndGets(node.endpoint());
            }
            if (UnprivilegedUser.runningAsRoot()) {
                assertThat(b.dataDir()).startsWith(LocalElasticsearchLauncher.FALLBACK_ROOT);
            } else {
                assertThat(b.dataDir()).isEqualTo(requestedData);
            }

            List<ProcessHandle> processes = List.of(a.processes(), b.processes()).stream().flatMap(List::stream)
                    .toList();
            // Each launcher runs Elasticsearch's CLI, which runs the node.
            assertThat(processes).hasSizeGreaterThanOrEqualTo(4).allMatch(ProcessHandle::isAlive);
            List<Integer> ports = List.of(a.endpoint().uri().getPort(), b.endpoint().uri().getPort());
            Path dataA = a.dataDir();
            Path dataB = b.dataDir();

            a.stop();
            b.stop();
            a.stop();

            assertThat(processes).noneMatch(ProcessHandle::isAlive);
            assertThat(ports).allMatch(EsHttp::portIsFree);
            assertThat(dataA).doesNotExist();
            assertThat(dataB).doesNotExist();
        } finally {
            deleteFallback(privateParent.resolve("home"));
        }
    }

    @Test
    void securityRequiresTheConfiguredUser() {
        try (LocalElasticsearchLauncher launcher = LocalElasticsearchLauncher.builder()
                .security("connector", "s3cret-pw").build().start()) {
            ElasticsearchEndpoint endpoint = launcher.endpoint();
            assertThat(endpoint.username()).isEqualTo("connector");
            assertThat(endpoint.password()).isEqualTo("s3cret-pw");

            assertThat(EsHttp.send(endpoint.uri(), null, null, "GET", "/_cluster/health", null).statusCode())
                    .isEqualTo(401);
            assertThat(EsHttp.send(endpoint.uri(), "connector", "wrong-pw", "GET", "/_cluster/health", null)
                    .statusCode()).isEqualTo(401);
            assertThat(EsHttp.send(endpoint, "GET", "/_cluster/health", null).statusCode()).isEqualTo(200);
            // A superuser can write, too.
            assertIndexesAndGets(endpoint);
        }
    }

    @Test
    void theBuiltInElasticUserWorksToo() {
        try (LocalElasticsearchLauncher launcher = LocalElasticsearchLauncher.builder()
                .security("elastic", "changeme").build().start()) {
            ElasticsearchEndpoint endpoint = launcher.endpoint();

            assertThat(EsHttp.send(endpoint.uri(), null, null, "GET", "/_cluster/health", null).statusCode())
                    .isEqualTo(401);
            assertThat(EsHttp.send(endpoint, "GET", "/_security/_authenticate", null).body())
                    .contains("\"username\":\"elastic\"").contains("superuser");
        }
    }

    @Test
    void aNodeLeftRunningByAKilledLauncherIsStoppedBeforeTheNextStart() throws Exception {
        Path home = tmp.resolve("stale-home");
        Path data = home.resolve("data");
        Process daemon = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), StaleLauncherMain.class.getName(), home.toString(),
                data.toString()).redirectErrorStream(true).start();
        URI staleUri;
        List<ProcessHandle> staleProcesses;
        try {
            String ready = CompletableFuture.supplyAsync(() -> StaleLauncherMain.awaitReadyLine(daemon))
                    .get(5, TimeUnit.MINUTES);
            staleUri = URI.create(ready.substring(StaleLauncherMain.READY.length()).trim());
        } finally {
            // kill -9: no shutdown hook runs, so the node outlives the JVM that started it.
            daemon.destroyForcibly();
            assertThat(daemon.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        Path actualData = StaleLauncherMain.dataDirOf(home, data);
        staleProcesses = List.of(pidIn(actualData.resolve(LocalElasticsearchLauncher.LAUNCHER_PID_FILE)),
                pidIn(actualData.resolve(LocalElasticsearchLauncher.PID_FILE)));
        assertThat(staleProcesses).allMatch(ProcessHandle::isAlive);
        assertThat(EsHttp.send(staleUri, null, null, "GET", "/_cluster/health", null).statusCode()).isEqualTo(200);

        try (LocalElasticsearchLauncher launcher = LocalElasticsearchLauncher.builder().home(home).dataDir(data)
                .build().start()) {
            assertThat(staleProcesses).noneMatch(ProcessHandle::isAlive);
            assertIndexesAndGets(launcher.endpoint());
        } finally {
            deleteFallback(home);
        }
    }

    @Test
    void aNodeWhoseOwnerIsAliveIsUsedAndLeftRunning() throws Exception {
        Path home = tmp.resolve("owned-home");
        Path data = home.resolve("data");
        Process owner = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), StaleLauncherMain.class.getName(), home.toString(),
                data.toString()).redirectErrorStream(true).start();
        try {
            String ready = CompletableFuture.supplyAsync(() -> StaleLauncherMain.awaitReadyLine(owner))
                    .get(5, TimeUnit.MINUTES);
            URI uri = URI.create(ready.substring(StaleLauncherMain.READY.length()).trim());
            Path actualData = StaleLauncherMain.dataDirOf(home, data);
            List<ProcessHandle> node = List.of(pidIn(actualData.resolve(LocalElasticsearchLauncher.LAUNCHER_PID_FILE)),
                    pidIn(actualData.resolve(LocalElasticsearchLauncher.PID_FILE)));
            assertThat(LocalElasticsearchLauncher.findRunning(home)).hasValueSatisfying(running -> {
                assertThat(running.uri()).isEqualTo(uri);
                assertThat(running.ownerPid()).isEqualTo(owner.pid());
            });

            // Without keepData, on the owner's folder: it must neither stop the node nor delete its data.
            try (LocalElasticsearchLauncher second = LocalElasticsearchLauncher.builder().home(home).dataDir(data)
                    .build().start()) {
                assertThat(second.attached()).isTrue();
                assertThat(second.endpoint().uri()).isEqualTo(uri);
                assertIndexesAndGets(second.endpoint());
            }

            assertThat(node).allMatch(ProcessHandle::isAlive);
            assertThat(EsHttp.send(uri, null, null, "GET", "/_cluster/health", null).statusCode()).isEqualTo(200);
            assertThat(actualData.resolve(NodeOwner.FILE)).exists();

            owner.destroy(); // SIGTERM: its shutdown hook stops the node it owns
            assertThat(owner.waitFor(90, TimeUnit.SECONDS)).isTrue();
            assertThat(node).noneMatch(ProcessHandle::isAlive);
            assertThat(actualData.resolve(NodeOwner.FILE)).doesNotExist();
            assertThat(LocalElasticsearchLauncher.findRunning(home)).isEmpty();
        } finally {
            owner.destroyForcibly();
            owner.waitFor(30, TimeUnit.SECONDS);
            deleteFallback(home);
        }
    }

    @Test
    void aKilledNodeComesBackOnTheSamePortWithItsDataAndExtraSettings() throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        try (LocalElasticsearchLauncher launcher = LocalElasticsearchLauncher.builder().httpPort(port)
                .setting("thread_pool.write.queue_size", "7").build().start()) {
            ElasticsearchEndpoint before = launcher.endpoint();
            assertThat(before.uri().getPort()).isEqualTo(port);
            assertThat(EsHttp.send(before, "GET", "/_nodes/_local/settings?filter_path=**.thread_pool", null).body())
                    .contains("\"queue_size\":\"7\"");
            assertThat(EsHttp.send(before, "PUT", "/kept/_doc/1?refresh=true", "{\"title\":\"acknowledged\"}")
                    .statusCode()).isEqualTo(201);
            List<ProcessHandle> processes = launcher.processes();
            Path data = launcher.dataDir();

            launcher.kill();

            assertThat(processes).noneMatch(ProcessHandle::isAlive);
            assertThat(EsHttp.portIsFree(port)).isTrue();
            assertThat(data.resolve("data")).isDirectory();
            assertThatThrownBy(launcher::endpoint).isInstanceOf(IllegalStateException.class);
            launcher.kill();

            launcher.start();

            assertThat(launcher.endpoint().uri()).isEqualTo(before.uri());
            assertThat(EsHttp.send(launcher.endpoint(), "GET", "/kept/_doc/1", null).body())
                    .contains("\"found\":true").contains("acknowledged");
        }
    }

    /** A fallback folder outlives the test's temporary folder; it holds a whole distribution, so remove it. */
    private static void deleteFallback(Path requested) {
        FileTrees.deleteQuietly(LocalElasticsearchLauncher.fallbackFor(requested));
    }

    @Test
    void aNodeThatCannotStartFailsWithTheReasonFromItsLog() {
        LocalElasticsearchLauncher launcher = LocalElasticsearchLauncher.builder().heap("1m").build();

        assertThatThrownBy(launcher::start).isInstanceOf(ElasticsearchLaunchException.class)
                .hasMessageContaining("exited with code")
                .hasMessageContaining("console.log")
                .hasMessageContaining("Too small maximum heap");
        assertThatThrownBy(launcher::endpoint).isInstanceOf(IllegalStateException.class);
    }

    private static ProcessHandle pidIn(Path pidFile) throws IOException {
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        return ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no process " + pid + " from " + pidFile));
    }

    static void assertIndexesAndGets(ElasticsearchEndpoint endpoint) {
        HttpResponse<String> health = EsHttp.send(endpoint, "GET", "/_cluster/health?wait_for_status=yellow", null);
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).containsPattern("\"status\":\"(yellow|green)\"");

        // A fresh index each time: the shared cluster may be someone's own (ES_URL).
        String index = "/launcher-it-" + UUID.randomUUID();
        HttpResponse<String> indexed = EsHttp.send(endpoint, "PUT", index + "/_doc/1?refresh=true",
                "{\"title\":\"hello from the launcher\"}");
        assertThat(indexed.statusCode()).as(indexed.body()).isEqualTo(201);

        HttpResponse<String> fetched = EsHttp.send(endpoint, "GET", index + "/_doc/1", null);
        assertThat(fetched.statusCode()).isEqualTo(200);
        assertThat(fetched.body()).contains("\"found\":true").contains("hello from the launcher");
        assertThat(EsHttp.send(endpoint, "DELETE", index, null).statusCode()).isEqualTo(200);
    }
}
