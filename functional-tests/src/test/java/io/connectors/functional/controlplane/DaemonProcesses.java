package io.connectors.functional.controlplane;

import io.connectors.elasticsearch.local.ElasticsearchEndpoint;
import io.connectors.elasticsearch.local.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Starts {@code bin/connectors} processes (daemons and CLI commands) from the distribution this build produced, as
 * users run them, for the control-plane tests.
 *
 * <p>The launcher runs {@code $CONNECTORS_HOME/target/connectors/lib}. The build copies jars to the {@code dist.lib}
 * property, which is {@code <repo>/target/connectors/lib} whatever {@code build.dir.name} says, so builds of several
 * people in one checkout would share it. The lib folder used here is, in order: the system property
 * {@code connectors.dist.lib} or {@code dist.lib} (a build run with {@code -Ddist.lib=...} passes it on to failsafe),
 * {@code <repo>/<build.dir.name>/connectors/lib} if it holds a runtime jar, else {@code <repo>/target/connectors/lib}.
 * The processes get a home of their own, {@code <work>/home}, whose {@code target/connectors/lib} is a symbolic link
 * to that folder; neither the launcher nor the pom is touched.
 */
final class DaemonProcesses {
    /** The daemons' JVM options: enough heap for a 50k-file sync, and an exit rather than a limp on OOM. */
    static final String DAEMON_JAVA_OPTS = "-Xmx512m -XX:+ExitOnOutOfMemoryError";
    /** CLI commands start faster with C1 only and need little heap. */
    static final String CLI_JAVA_OPTS = "-Xmx128m -XX:TieredStopAtLevel=1";
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final AtomicInteger CLI_RUNS = new AtomicInteger();

    private final Path repo;
    private final Path lib;
    private final Path home;
    private final Path logs;
    private final ElasticsearchEndpoint es;

    private DaemonProcesses(Path repo, Path lib, Path home, Path logs, ElasticsearchEndpoint es) {
        this.repo = repo;
        this.lib = lib;
        this.home = home;
        this.logs = logs;
        this.es = es;
    }

    /**
     * A home under {@code work} pointing at the distribution's lib folder (see the class comment). Configuration
     * files, daemon logs and CLI output go to {@code <build dir>/controlplane/<name>/} (emptied first), so they
     * outlive a failed run.
     */
    static DaemonProcesses create(Path work, ElasticsearchEndpoint es, String name) throws IOException {
        Path repo = Path.of(System.getProperty("connectors.home", "..")).toAbsolutePath().normalize();
        Path lib = distributionLib(repo);
        Path home = work.resolve("home");
        Files.createDirectories(home.resolve("target/connectors"));
        Path link = home.resolve("target/connectors/lib");
        if (!Files.exists(link)) {
            Files.createSymbolicLink(link, lib);
        }
        Path logs = Path.of(System.getProperty("build.dir.name", "target"), "controlplane", name).toAbsolutePath();
        FileTrees.delete(logs);
        Files.createDirectories(logs);
        System.out.printf("[control-plane] distribution: %s (home %s); logs in %s%n", lib, home, logs);
        return new DaemonProcesses(repo, lib, home, logs, es);
    }

    static Path distributionLib(Path repo) {
        List<Path> candidates = new ArrayList<>();
        for (String property : new String[] {"connectors.dist.lib", "dist.lib"}) {
            String value = System.getProperty(property);
            if (value != null && !value.isBlank()) {
                candidates.add(Path.of(value.trim()));
            }
        }
        String buildDir = System.getProperty("build.dir.name");
        if (buildDir != null && !buildDir.isBlank()) {
            candidates.add(repo.resolve(buildDir.trim()).resolve("connectors/lib"));
        }
        candidates.add(repo.resolve("target/connectors/lib"));
        for (Path c : candidates) {
            if (hasRuntimeJar(c)) {
                return c.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("No distribution with a connectors-runtime jar in " + candidates
                + "; build one, e.g. mvn -Dbuild.dir.name=target-proc -Ddist.lib=" + repo + "/target-proc/connectors/lib"
                + " -pl connectors-framework/runtime,connectors-sources/directory -am install -DskipTests");
    }

    private static boolean hasRuntimeJar(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().startsWith("connectors-runtime-"));
        } catch (IOException e) {
            return false;
        }
    }

    Path lib() {
        return lib;
    }

    // ---------------------------------------------------------------- configuration

    /** A connector of type {@code directory} for the configuration file. */
    static Map<String, Object> directoryConnector(String id, String index, Path path, String fullSchedule) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("id", id);
        c.put("type", "directory");
        c.put("index", index);
        if (fullSchedule != null) {
            c.put("schedule", Map.of("full", fullSchedule));
        }
        c.put("configuration", Map.of("path", path.toAbsolutePath().toString()));
        return c;
    }

    /**
     * Writes a configuration file: Elasticsearch (the password as {@code ${ES_PASSWORD}}, never in the file), the
     * given top-level sections ({@code daemon}, {@code state}, {@code sync}...) and connectors.
     */
    Path writeConfig(String name, Map<String, Object> sections, List<Map<String, Object>> connectors) throws IOException {
        Map<String, Object> elasticsearch = new LinkedHashMap<>();
        elasticsearch.put("host", es.uri().toString());
        if (es.hasCredentials()) {
            elasticsearch.put("username", es.username());
            elasticsearch.put("password", "${ES_PASSWORD}");
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("elasticsearch", elasticsearch);
        sections.forEach((k, v) -> {
            if ("elasticsearch".equals(k) && v instanceof Map<?, ?> m) {
                m.forEach((kk, vv) -> elasticsearch.put(kk.toString(), vv));
            } else {
                root.put(k, v);
            }
        });
        root.put("connectors", connectors);
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        Path file = logs.resolve(name + ".yml");
        Files.writeString(file, "# Written by " + DaemonProcesses.class.getName() + "\n" + new Yaml(options).dump(root));
        return file;
    }

    // ---------------------------------------------------------------- processes

    private ProcessBuilder builder(String javaOpts, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(repo.resolve("bin/connectors").toString());
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).directory(logs.toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("CONNECTORS_"));
        env.put("CONNECTORS_HOME", home.toString());
        env.put("CONNECTORS_JAVA_OPTS", javaOpts + " -Duser.timezone=UTC");
        env.put("CONNECTORS_LOG_LEVEL", "INFO");
        env.put("TZ", "UTC");
        env.put("LANG", "C.UTF-8");
        if (es.hasCredentials() && es.password() != null) {
            env.put("ES_PASSWORD", es.password());
        }
        return pb;
    }

    /** Starts {@code bin/connectors -c config run}; everything it prints goes to {@code <logs>/<name>.log}. */
    Daemon startDaemon(String name, Path config) throws IOException {
        Path log = logs.resolve(name + ".log");
        Process p = builder(DAEMON_JAVA_OPTS, List.of("-c", config.toString(), "run"))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        Daemon d = new Daemon(name, p, log);
        System.out.printf("[control-plane] started daemon %s, pid %d, log %s%n", name, p.pid(), log);
        return d;
    }

    /** What a CLI command did. */
    record CliResult(int exit, String out, String err, Duration took) {
        String firstLine() {
            return out.lines().findFirst().orElse("").trim();
        }
    }

    /** Runs {@code bin/connectors -c config <args>} to its end (at most {@code timeout}). */
    CliResult cli(Path config, Duration timeout, String... args) throws IOException, InterruptedException {
        int n = CLI_RUNS.incrementAndGet();
        Path out = logs.resolve("cli-" + n + ".out");
        Path err = logs.resolve("cli-" + n + ".err");
        List<String> all = new ArrayList<>(List.of("-c", config.toString()));
        all.addAll(List.of(args));
        long start = System.nanoTime();
        Process p = builder(CLI_JAVA_OPTS, all).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException("connectors " + List.of(args) + " did not end within " + timeout
                    + "; stderr:\n" + Files.readString(err));
        }
        return new CliResult(p.exitValue(), Files.readString(out), Files.readString(err),
                Duration.ofNanos(System.nanoTime() - start));
    }

    /** A daemon process. {@link #close()} stops it (SIGTERM, then SIGKILL after 60 s) if it still runs. */
    static final class Daemon implements AutoCloseable {
        private final String name;
        private final Process process;
        private final Path log;
        private final Thread hook;

        private Daemon(String name, Process process, Path log) {
            this.name = name;
            this.process = process;
            this.log = log;
            // An aborted test run must not leave the daemon behind: this kills exactly the process started here.
            this.hook = new Thread(process::destroyForcibly, "stop-daemon-" + process.pid());
            Runtime.getRuntime().addShutdownHook(hook);
        }

        long pid() {
            return process.pid();
        }

        String name() {
            return name;
        }

        boolean isAlive() {
            return process.isAlive();
        }

        String log() {
            try {
                return Files.readString(log, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The last {@code lines} lines of the log, for failure messages. */
        String tail(int lines) {
            List<String> all = log().lines().toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        }

        /** Waits until the log contains {@code text}; fails (with the log's tail) if the daemon exits first. */
        Instant awaitLog(String text, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                if (log().contains(text)) {
                    return Instant.now();
                }
                if (!process.isAlive()) {
                    throw new AssertionError("daemon " + name + " exited (" + process.exitValue() + ") before logging '"
                            + text + "':\n" + tail(40));
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("daemon " + name + " did not log '" + text + "' within " + timeout + ":\n" + tail(40));
                }
                TimeUnit.MILLISECONDS.sleep(100);
            }
        }

        /** Waits until the daemon logged that it started (its state indices ready, its connectors recorded). */
        Instant awaitStarted(String workerId) throws InterruptedException {
            return awaitLog("Daemon " + workerId + " started", Duration.ofSeconds(90));
        }

        /** SIGTERM ({@link Process#destroy()} on Linux). */
        void sigterm() {
            process.destroy();
        }

        /** SIGKILL: no shutdown hook runs, nothing is recorded. */
        void kill9() throws InterruptedException {
            process.destroyForcibly();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new AssertionError("daemon " + name + " survived SIGKILL");
            }
        }

        /** Waits for the process to exit; returns its exit code, or fails after {@code timeout}. */
        int awaitExit(Duration timeout) throws InterruptedException {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("daemon " + name + " still runs " + timeout + " after being stopped:\n" + tail(30));
            }
            return process.exitValue();
        }

        /** The targets of the process's open file descriptors ({@code /proc/<pid>/fd}). */
        FdSnapshot fds() {
            Path dir = Path.of("/proc", Long.toString(pid()), "fd");
            List<String> targets = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path fd : entries) {
                    try {
                        targets.add(Files.readSymbolicLink(fd).toString());
                    } catch (NoSuchFileException e) {
                        // closed between the listing and the read
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + dir, e);
            }
            return new FdSnapshot(Instant.now(), List.copyOf(targets));
        }

        @Override
        public void close() throws InterruptedException {
            try {
                if (process.isAlive()) {
                    process.destroy();
                    if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                        process.waitFor(10, TimeUnit.SECONDS);
                    }
                }
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // the JVM is shutting down: the hook runs anyway
                }
            }
        }

        @Override
        public String toString() {
            return "daemon " + name + " (pid " + pid() + ", log " + log + ")";
        }
    }

    /**
     * A process's open file descriptors at one time, by the target of each {@code /proc/<pid>/fd} link:
     * {@code socket:[inode]}, {@code pipe:[inode]}, {@code anon_inode:[eventpoll]} or a path.
     */
    record FdSnapshot(Instant at, List<String> targets) {
        int total() {
            return targets.size();
        }

        int sockets() {
            return (int) targets.stream().filter(t -> t.startsWith("socket:")).count();
        }

        /**
         * Jar files: the class loader opens a jar of the class path the first time it searches it and keeps it open
         * for the life of the JVM, so a sync that loads classes for the first time adds some. Not a leak.
         */
        int jars() {
            return (int) targets.stream().filter(t -> t.endsWith(".jar")).count();
        }

        /** Every descriptor but jar files. */
        int withoutJars() {
            return total() - jars();
        }

        /** Descriptors of files or folders at or below any of {@code roots} (compared by their real paths). */
        List<String> under(Path... roots) {
            List<String> prefixes = Stream.of(roots).map(FdSnapshot::realPath).toList();
            return targets.stream()
                    .filter(t -> prefixes.stream().anyMatch(r -> t.equals(r) || t.startsWith(r + "/")))
                    .toList();
        }

        private static String realPath(Path p) {
            try {
                return p.toRealPath().toString();
            } catch (IOException e) {
                return p.toAbsolutePath().normalize().toString();
            }
        }

        @Override
        public String toString() {
            return total() + " fds (" + sockets() + " sockets, " + jars() + " jars)";
        }
    }
}
