package io.connectors.functional;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.elasticsearch.local.FileTrees;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's newcomer path: the daemon started as {@code make run} starts it ({@code bin/connectors run} on a
 * {@code config.yml} without {@code elasticsearch.host}, so it launches its own local Elasticsearch), then, in a
 * second process each, every command of the README's tour and CLI section, {@code bin/connectors sync docs} as
 * written included, a second {@code run}, a one-off sync with another configuration of the daemon's connector, and a
 * job started from a configuration that does not have the connector. The daemon stays healthy ({@code /ready} 200)
 * throughout and after.
 *
 * <p>The configuration is the repository's {@code config.yml} with three changes that keep CI's runs apart: its own
 * Elasticsearch home (under the build folder, so the unpacked distribution is reused), free ports for Elasticsearch
 * and the operations endpoint, and a second connector, {@code shop}, which the other configuration lacks.
 */
class NewcomerPathIT {
    private static final Path HOME = Path.of(System.getProperty("connectors.home", "..")).toAbsolutePath().normalize();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** CLI commands start faster with C1 only and need little heap. */
    private static final String CLI_JAVA_OPTS = "-Xmx128m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC";

    @TempDir
    Path tmp;

    private record Result(int exit, String out, String err) {
    }

    @Test
    void theReadmeTourLeavesTheDaemonHealthy() throws Exception {
        int esPort = freePort();
        int opsPort = freePort();
        Path esHome = Path.of(System.getProperty("build.dir.name", "target"), "newcomer-elasticsearch").toAbsolutePath();
        FileTrees.delete(esHome.resolve("data"));
        Path shopFiles = Files.createDirectories(tmp.resolve("shop"));
        Files.writeString(shopFiles.resolve("item.md"), "# An item\n");
        Path work = Files.createDirectories(tmp.resolve("work"));
        String docs = "  - id: docs\n    type: directory\n    index: connectors-docs\n    schedule:\n"
                + "      full: \"0 0/5 * * * ?\"\n    configuration:\n      path: " + HOME.resolve("docs")
                + "\n      include: [\"**/*.md\"]\n";
        String elasticsearch = "elasticsearch:\n  host: \"\"\n  embedded:\n    home: " + esHome + "\n    port: " + esPort
                + "\n    heap: 512m\ndaemon:\n  http:\n    port: " + opsPort + "\n";
        Files.writeString(work.resolve("config.yml"), elasticsearch + "connectors:\n" + docs
                + "  - id: shop\n    type: directory\n    index: connectors-shop\n    configuration:\n      path: "
                + shopFiles + "\n");
        // Another configuration: docs elsewhere and on another schedule; no shop.
        Files.writeString(work.resolve("other.yml"), elasticsearch + "connectors:\n" + docs
                .replace(HOME.resolve("docs").toString(), shopFiles.toString()).replace("0/5", "0/7"));
        Files.writeString(work.resolve("docs-only.yml"), elasticsearch + "connectors:\n" + docs);

        Process daemon = start(work, "daemon", List.of("run"), Map.of());
        URI ops = URI.create("http://127.0.0.1:" + opsPort);
        URI es = URI.create("http://127.0.0.1:" + esPort);
        List<String> notReady = new CopyOnWriteArrayList<>();
        AtomicBoolean watching = new AtomicBoolean(true);
        AtomicInteger probes = new AtomicInteger();
        Thread watch = new Thread(() -> {
            while (watching.get()) {
                int status = status(ops.resolve("/ready"));
                probes.incrementAndGet();
                if (status != 200) {
                    notReady.add(status + " at " + java.time.Instant.now());
                }
                pause(250);
            }
        }, "ready-watch");
        try {
            awaitTrue(() -> status(ops.resolve("/ready")) == 200, Duration.ofMinutes(3), daemon, work, "the daemon is ready");
            watch.start();
            // The start-up sync of docs, as the tour's `jobs list` shows it: completed.
            awaitTrue(() -> body(es.resolve("/connectors-state-jobs/_search?q=connector_id:docs%20AND%20status:completed"))
                    .contains("full-start"), Duration.ofMinutes(1), daemon, work, "the start-up sync completed");

            Result sources = cli(work, List.of("sources"), Map.of());
            assertThat(sources.exit()).as(sources.err()).isZero();
            assertThat(sources.out()).contains("directory (Directory)");

            Result list = cli(work, List.of("jobs", "list"), Map.of());
            assertThat(list.exit()).as(list.err()).isZero();
            assertThat(list.out()).containsPattern("docs-full-start-\\S+\\s+docs\\s+full\\s+scheduled\\s+completed");

            assertThat(body(es.resolve("/connectors-docs/_search?q=content:backpressure&pretty&size=3")))
                    .contains("\"_sync_stamp\"");
            assertThat(body(ops.resolve("/metrics")))
                    .contains("connectors_documents_total{connector=\"docs\",outcome=\"indexed\"}");

            // The tour's sync, pointed at the daemon's Elasticsearch.
            Result pointed = cli(work, List.of("sync", "docs"), Map.of("CONNECTORS_ELASTICSEARCH_HOST", es.toString()));
            assertThat(pointed.exit()).as(pointed.err()).isZero();
            assertThat(pointed.out()).contains("full sync completed").contains("0 indexed");

            // The CLI section's sync, as written: it uses the daemon's Elasticsearch and leaves it running.
            Result asWritten = cli(work, List.of("sync", "docs"), Map.of());
            assertThat(asWritten.exit()).as(asWritten.err()).isZero();
            assertThat(asWritten.err()).contains("Using the local Elasticsearch started by pid " + daemon.pid() + " at " + es)
                    .doesNotContain("stopping it");
            assertThat(asWritten.out()).contains("full sync completed")
                    .contains("Search it: curl -s '" + es + "/connectors-docs/_search");
            assertThat(status(es.resolve("/_cluster/health"))).as("the daemon's Elasticsearch still answers").isEqualTo(200);

            Result started = cli(work, List.of("jobs", "start", "docs", "--wait"), Map.of());
            assertThat(started.exit()).as(started.err()).isZero();
            assertThat(started.out()).contains("completed");

            Result view = cli(work, List.of("jobs", "view", started.out().lines().findFirst().orElseThrow().trim()), Map.of());
            assertThat(view.exit()).as(view.err()).isZero();
            assertThat(view.out()).contains("\"status\" : \"completed\"");

            // The README's controls: pause, then resume, leave the daemon ready throughout.
            Result paused = cli(work, List.of("pause", "docs"), Map.of());
            assertThat(paused.exit()).as(paused.err()).isZero();
            assertThat(paused.out()).contains("Connector docs paused");
            assertThat(cli(work, List.of("status"), Map.of()).out()).containsPattern("docs\\s+directory\\s+paused");
            Result resumed = cli(work, List.of("resume", "docs"), Map.of());
            assertThat(resumed.exit()).as(resumed.err()).isZero();
            assertThat(resumed.out()).contains("Connector docs resumed");

            Result help = cli(work, List.of("help", "jobs", "start"), Map.of());
            assertThat(help.exit()).isZero();
            assertThat(help.out()).startsWith("Usage: connectors jobs start");

            Result check = cli(work, List.of("config", "check"), Map.of());
            assertThat(check.exit()).as(check.out() + check.err()).isZero();
            assertThat(check.out()).contains("the local one started by pid " + daemon.pid() + " runs at " + es);

            // A second daemon is refused before it starts anything, naming the port and the daemon holding it.
            Result second = cli(work, List.of("run"), Map.of());
            assertThat(second.exit()).isEqualTo(1);
            assertThat(second.err()).contains("the operations port 127.0.0.1:" + opsPort + " (daemon.http) is in use by the"
                    + " connectors daemon with pid " + daemon.pid()).doesNotContain("Elasticsearch");
            assertThat(daemon.isAlive()).isTrue();

            // A one-off sync of the daemon's connector with another configuration is refused: the record is the
            // daemon's, and status shows no error.
            Result other = cli(work, List.of("-c", "other.yml", "sync", "docs"), Map.of());
            assertThat(other.exit()).as(other.out()).isEqualTo(1);
            assertThat(other.err()).contains("connector docs is served by daemon").contains("would overwrite it");
            Result status = cli(work, List.of("status", "--json"), Map.of());
            assertThat(status.exit()).as(status.err()).isZero();
            assertThat(status.out()).contains(HOME.resolve("docs").toString()).contains("0 0/5 * * * ?")
                    .doesNotContain("\"status\" : \"error\"");
            Result table = cli(work, List.of("status"), Map.of());
            assertThat(table.out()).containsPattern("docs\\s+directory\\s+connected").containsPattern("shop\\s+directory");

            // A job for a connector the daemon serves, from a configuration that does not have it.
            Result shop = cli(work, List.of("-c", "docs-only.yml", "jobs", "start", "shop", "--wait"), Map.of());
            assertThat(shop.exit()).as(shop.err()).isZero();
            assertThat(shop.out()).contains("completed");
            Result queued = cli(work, List.of("-c", "docs-only.yml", "jobs", "start", "shop"), Map.of());
            assertThat(queued.exit()).as(queued.err()).isZero();
            Result cancel = cli(work, List.of("-c", "docs-only.yml", "jobs", "cancel", queued.out().trim()), Map.of());
            assertThat(cancel.exit() == 0 || cancel.err().contains("already ended as completed"))
                    .as(cancel.out() + cancel.err()).isTrue();

            assertThat(status(ops.resolve("/ready"))).isEqualTo(200);
            watching.set(false);
            watch.join(5_000);
            assertThat(probes.get()).isPositive();
            assertThat(notReady).as("/ready answers that were not 200 while the tour ran").isEmpty();
            daemon.destroy(); // SIGTERM, as Ctrl-C
            assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(status(es.resolve("/_cluster/health"))).as("the daemon stopped its Elasticsearch").isEqualTo(-1);

            // With no daemon, sync starts its own node on the same data, stops it at its exit, and says so rather than
            // printing a search URL for a node that is gone.
            Result alone = cli(work, List.of("sync", "docs"), Map.of("CONNECTORS_JAVA_OPTS", "-Xmx256m"));
            assertThat(alone.exit()).as(alone.err()).isZero();
            assertThat(alone.err()).doesNotContain("Using the local Elasticsearch").doesNotContain("stopping it");
            assertThat(alone.out()).contains(docsCount() + " unchanged")
                    .contains("The local Elasticsearch this command started stops with it").doesNotContain("Search it:");
        } finally {
            watching.set(false);
            daemon.destroyForcibly();
            daemon.waitFor(60, TimeUnit.SECONDS);
        }
    }

    // ---------------------------------------------------------------- processes

    private Process start(Path work, String name, List<String> args, Map<String, String> env) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(HOME.resolve("bin/connectors").toString());
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile())
                .redirectOutput(work.resolve(name + ".out").toFile())
                .redirectError(work.resolve(name + ".err").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("CONNECTORS_"));
        pb.environment().put("CONNECTORS_HOME", HOME.toString());
        if (!"daemon".equals(name)) {
            pb.environment().put("CONNECTORS_JAVA_OPTS", CLI_JAVA_OPTS);
        }
        pb.environment().putAll(env);
        return pb.start();
    }

    private final AtomicInteger runs = new AtomicInteger();

    private Result cli(Path work, List<String> args, Map<String, String> env) throws Exception {
        String name = "cli-" + runs.incrementAndGet();
        Process p = start(work, name, args, env);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("connectors %s finished", args).isTrue();
        Result r = new Result(p.exitValue(), Files.readString(work.resolve(name + ".out")),
                Files.readString(work.resolve(name + ".err")));
        System.out.printf("[newcomer] connectors %s -> %d%n%s%s", String.join(" ", args), r.exit(), r.out(), r.err());
        return r;
    }

    /** The Markdown files under docs/, which the docs connector syncs. */
    private static long docsCount() throws IOException {
        try (java.util.stream.Stream<Path> files = Files.walk(HOME.resolve("docs"))) {
            return files.filter(f -> Files.isRegularFile(f) && f.getFileName().toString().endsWith(".md")).count();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static int status(URI uri) {
        try {
            return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String body(URI uri) {
        try {
            return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, Duration timeout, Process daemon, Path work,
                                  String what) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (!daemon.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("Waiting until " + what + " failed (daemon alive: " + daemon.isAlive() + "); its log:\n"
                        + Files.readString(work.resolve("daemon.err")) + Files.readString(work.resolve("daemon.out")));
            }
            pause(250);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
