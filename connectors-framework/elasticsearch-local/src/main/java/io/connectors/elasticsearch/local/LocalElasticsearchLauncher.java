package io.connectors.elasticsearch.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts and stops a single-node Elasticsearch from the {@code integ-test-zip} distribution, as a child process on
 * 127.0.0.1. Used by the tests (through {@code io.connectors.testkit.elasticsearch.TestElasticsearch}) and by {@code make run}.
 *
 * <pre>{@code
 * try (var es = LocalElasticsearchLauncher.builder().build().start()) {
 *     URI uri = es.endpoint().uri();
 *     ...
 * }
 * }</pre>
 *
 * <p>What {@link #start()} does: finds the zip in the local Maven repository (running {@code mvn dependency:get} if
 * it is missing), unpacks it once per version into {@code <home>/elasticsearch-<version>/}, writes a per-instance
 * configuration into the data folder (so several launchers can share one unpacked distribution), stops an
 * Elasticsearch that an earlier launcher left running on the same data folder, starts the node and waits until
 * its cluster health is yellow.
 *
 * <p><b>Ownership.</b> The process that starts a node owns it: it records itself ({@code owner.properties}: its pid
 * and start time, the node's pid, address, data folder, start time, the superuser's name and the CA file, never a
 * password) and stops the node at its exit. A launcher started on the same data folder while the owner is alive
 * <em>attaches</em> to the running node: it neither starts nor stops one, and leaves the node running at its own
 * {@link #stop()}. Only a node whose owner is dead (killed with {@code kill -9}, say) is left over and stopped before
 * a new one starts. Launchers starting at once on one folder take turns ({@code launcher.lock}).
 *
 * <p>Data folder layout: {@code config/} (rewritten on every start), {@code data/}, {@code logs/} (the node's logs,
 * {@code console.log} with everything the process printed, {@code http.ports}), {@code tmp/},
 * {@code elasticsearch.pid} (the node), {@code launcher.pid} (the process this class started),
 * {@code owner.properties} and {@code launcher.lock}.
 *
 * <p>Started as root, the launcher gives the distribution and data folders to {@code nobody} (uid 65534) and runs
 * Elasticsearch as that user, because Elasticsearch refuses to run as root. If {@code nobody} cannot reach a
 * folder (a parent such as {@code /root} is private), that folder moves to
 * {@code /var/tmp/connectors-elasticsearch/<hash of the requested path>}, and the log says so.
 *
 * <p>With {@code security(...)}, the node can also serve HTTPS with a CA made on start ({@code httpTls()}) and
 * have file-realm roles and users besides the superuser ({@code role(...)}, {@code user(...)}).
 *
 * <p>Thread-safe; {@link #start()} and {@link #stop()} block (this is a process launcher, not reactive code).
 */
public final class LocalElasticsearchLauncher implements AutoCloseable {

    /** System property that overrides the default version (failsafe sets it from the build). */
    static final String VERSION_PROPERTY = "connectors.elasticsearch.version";
    static final String PID_FILE = "elasticsearch.pid";
    static final String LAUNCHER_PID_FILE = "launcher.pid";
    static final String CONSOLE_LOG = "console.log";
    static final Path FALLBACK_ROOT = Path.of("/var/tmp/connectors-elasticsearch");

    private static final Logger LOG = LoggerFactory.getLogger(LocalElasticsearchLauncher.class);
    private static final String PROPERTIES_RESOURCE = "/connectors-elasticsearch-local.properties";
    private static final Pattern HEAP = Pattern.compile("[1-9][0-9]*[kKmMgG]?");

    /** Why {@code heap} is not a JVM heap size the node accepts ({@code 512m}, {@code 1g}), if it is not. */
    public static java.util.Optional<String> heapProblem(String heap) {
        return heap != null && HEAP.matcher(heap).matches() ? java.util.Optional.empty()
                : java.util.Optional.of("expected a JVM heap size such as 512m or 1g, got '" + heap + "'");
    }
    private static final int LOG_TAIL_LINES = 40;
    private static final Duration POLL_INTERVAL = Duration.ofMillis(250);
    private static final Duration KILL_TIMEOUT = NodeProcesses.KILL_TIMEOUT;
    /** How long a node started by a live owner may take to answer before a launcher gives up attaching to it. */
    private static final Duration ATTACH_TIMEOUT = Duration.ofSeconds(30);

    private final String version;
    private final Path requestedHome;
    private final Path requestedDataDir;
    private final boolean keepData;
    private final String heap;
    private final int httpPort;
    private final Path requestedJavaHome;
    private final String username;
    private final String password;
    private final Duration startupTimeout;
    private final boolean httpTls;
    private final Map<String, String> roles;
    private final List<NodeSecurity.FileRealmUser> users;
    private final Map<String, String> extraSettings;
    private final boolean fallbackToFreePort;

    // Everything below is guarded by "this".
    private boolean asRoot;
    private Path home;
    private boolean temporaryHome;
    private Path homeFallback;
    private Path installDir;
    private Path dataDir;
    private Process process;
    private ElasticsearchEndpoint endpoint;
    private Thread shutdownHook;
    private Path caFile;
    /** The node this launcher uses but another process started and owns; {@code null} when none. */
    private NodeOwner attachedTo;
    /** Whether this launcher may delete the data folder: it found no live owner there. */
    private boolean ownsDataDir;

    private LocalElasticsearchLauncher(Builder builder) {
        this.version = builder.version != null ? builder.version : defaultVersion();
        this.requestedHome = builder.home;
        this.requestedDataDir = builder.dataDir;
        this.keepData = builder.keepData;
        this.heap = builder.heap;
        this.httpPort = builder.httpPort;
        this.requestedJavaHome = builder.javaHome;
        this.username = builder.username;
        this.password = builder.password;
        this.startupTimeout = builder.startupTimeout;
        this.httpTls = builder.httpTls;
        this.roles = Map.copyOf(builder.roles);
        this.users = List.copyOf(builder.users);
        this.extraSettings = Map.copyOf(builder.extraSettings);
        this.fallbackToFreePort = builder.fallbackToFreePort;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The version started when none is given: the {@value #VERSION_PROPERTY} system property if set, else the one
     * this build was made with ({@code elasticsearch.version} in the root pom).
     */
    public static String defaultVersion() {
        String fromProperty = System.getProperty(VERSION_PROPERTY);
        if (fromProperty != null && !fromProperty.isBlank()) {
            return fromProperty.trim();
        }
        Properties properties = new Properties();
        try (InputStream in = LocalElasticsearchLauncher.class.getResourceAsStream(PROPERTIES_RESOURCE)) {
            if (in == null) {
                throw new ElasticsearchLaunchException(PROPERTIES_RESOURCE + " is missing from the class path");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + PROPERTIES_RESOURCE, e);
        }
        String value = properties.getProperty("elasticsearch.version", "").trim();
        if (value.isEmpty() || value.startsWith("${")) {
            throw new ElasticsearchLaunchException(PROPERTIES_RESOURCE + " has no filtered elasticsearch.version");
        }
        return value;
    }

    /**
     * Starts Elasticsearch and waits until it answers with a yellow or green cluster health, or attaches to the node a
     * live process started on the same data folder (see the class comment). Does nothing if it is already running.
     * Registers a JVM shutdown hook that calls {@link #stop()} when it started the node.
     *
     * @return this launcher, for chaining
     * @throws ElasticsearchLaunchException if it cannot be prepared, exits early or is not ready within the
     *                                      startup timeout (the message ends with the tail of its console log), or
     *                                      when the node of a live owner cannot be used (the message names the owner)
     */
    public synchronized LocalElasticsearchLauncher start() {
        if (process != null || attachedTo != null) {
            return this;
        }
        long started = System.nanoTime();
        try {
            locateFolders();
            StartLock lock = StartLock.acquire(dataDir);
            try {
                Optional<NodeOwner> owner = NodeOwner.read(dataDir).filter(NodeOwner::ownerAlive);
                if (owner.isPresent()) {
                    attach(owner.get());
                    return this;
                }
                ownsDataDir = true;
                Path javaHome = prepare();
                launch(javaHome);
                URI uri = awaitReady();
                endpoint = new ElasticsearchEndpoint(uri, username, password, caFile);
                NodeOwner.current(process.pid(), uri, dataDir, username, caFile).write();
            } finally {
                lock.close();
            }
        } catch (IOException e) {
            stop();
            throw new ElasticsearchLaunchException("Cannot prepare Elasticsearch " + version + " under " + home
                    + ": " + e, e);
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
        LOG.info("Elasticsearch {} is up at {} in {} s (pid {}, data in {})", version, endpoint.uri(),
                (System.nanoTime() - started) / 1_000_000_000, process.pid(), dataDir);
        return this;
    }

    /** Uses the node {@code owner} started: checks it answers to this launcher's credentials, starts nothing. */
    private void attach(NodeOwner owner) {
        String who = "the local Elasticsearch on " + dataDir + " (started by pid " + owner.ownerPid() + ", still running)";
        if (!owner.nodeAlive()) {
            throw new ElasticsearchLaunchException("Cannot use " + who + ": its node (pid " + owner.nodePid()
                    + ") has exited; pid " + owner.ownerPid() + " stops using it at its exit, after which a new one can"
                    + " start here");
        }
        if (owner.username() != null && username == null) {
            throw new ElasticsearchLaunchException("Cannot use " + who + ": it has security on and needs the"
                    + " credentials of its superuser '" + owner.username() + "'");
        }
        HttpClient.Builder clientBuilder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2));
        if (owner.caFile() != null) {
            clientBuilder.sslContext(HttpTlsFiles.trusting(owner.caFile()));
        }
        HttpClient client = clientBuilder.build();
        // Recorded once it was ready; a node busy for a moment gets a few seconds.
        long deadline = System.nanoTime() + ATTACH_TIMEOUT.toNanos();
        String problem;
        while (true) {
            try {
                HttpResponse<String> response = client.send(healthRequest(owner.uri()), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    break;
                }
                problem = "_cluster/health answered " + response.statusCode()
                        + (response.statusCode() == 401 ? " (the credentials given here are not the node's)" : "");
                if (response.statusCode() == 401 || response.statusCode() == 403) {
                    throw new ElasticsearchLaunchException("Cannot use " + who + " at " + owner.uri() + ": " + problem);
                }
            } catch (IOException e) {
                problem = "_cluster/health failed: " + e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ElasticsearchLaunchException("Interrupted while waiting for Elasticsearch", e);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new ElasticsearchLaunchException("Cannot use " + who + " at " + owner.uri() + ": " + problem
                        + "; it is not stopped, because pid " + owner.ownerPid() + " owns it");
            }
            pause();
        }
        attachedTo = owner;
        endpoint = new ElasticsearchEndpoint(owner.uri(), username, password, owner.caFile());
        LOG.info("Using the local Elasticsearch started by pid {} at {} (data in {}); it keeps running when this"
                + " process exits", owner.ownerPid(), owner.uri(), dataDir);
    }

    /**
     * The local node running on {@code home}'s data folder ({@code <home>/data}, or its fallback when started as
     * root; see the class comment), if its owner and the node are alive: what a command that only reads and writes
     * needs to find it, on whatever port it took.
     */
    public static Optional<RunningNode> findRunning(Path home) {
        Path requested = home.toAbsolutePath().normalize();
        for (Path dataDir : List.of(requested.resolve("data"), fallbackFor(requested).resolve("data"))) {
            Optional<NodeOwner> owner = NodeOwner.read(dataDir).filter(o -> o.ownerAlive() && o.nodeAlive());
            if (owner.isPresent()) {
                NodeOwner o = owner.get();
                return Optional.of(new RunningNode(o.uri(), o.ownerPid(), dataDir, o.username(), o.caFile()));
            }
        }
        return Optional.empty();
    }

    /**
     * A local node another process started and owns.
     *
     * @param uri      where it answers
     * @param ownerPid the process that started it and stops it at its exit
     * @param dataDir  its data folder
     * @param username its superuser, {@code null} when security is off (the password is never recorded)
     * @param caFile   the CA certificate to trust, {@code null} for plain HTTP
     */
    public record RunningNode(URI uri, long ownerPid, Path dataDir, String username, Path caFile) {
    }

    /** Whether this launcher uses a node another live process started (and leaves it running at {@link #stop()}). */
    public synchronized boolean attached() {
        return attachedTo != null;
    }

    /**
     * Where the running node answers.
     *
     * @throws IllegalStateException if it is not running
     */
    public synchronized ElasticsearchEndpoint endpoint() {
        if (endpoint == null) {
            throw new IllegalStateException("Elasticsearch is not running; call start() first");
        }
        return endpoint;
    }

    /**
     * Stops Elasticsearch: SIGTERM, up to 30 s for a clean shutdown, then a kill. Then deletes the data folder
     * (and a temporary home) unless {@code keepData} was set. Idempotent; safe to call when not started.
     */
    public synchronized void stop() {
        removeShutdownHook();
        if (attachedTo != null) {
            LOG.debug("Leaving the local Elasticsearch at {} running: pid {} started it", attachedTo.uri(),
                    attachedTo.ownerPid());
            attachedTo = null;
            endpoint = null;
            return;
        }
        boolean gone = true;
        if (process != null) {
            List<ProcessHandle> tree = new ArrayList<>();
            tree.add(process.toHandle());
            tree.addAll(process.descendants().toList());
            gone = NodeProcesses.terminate(tree);
            if (gone) {
                LOG.info("Elasticsearch at {} stopped", endpoint != null ? endpoint.uri() : dataDir);
                deleteOwnerQuietly();
            }
        }
        process = null;
        endpoint = null;
        if (!gone) {
            LOG.warn("Elasticsearch (data in {}) did not exit; leaving its files in place", dataDir);
            return;
        }
        if (dataDir != null && !keepData && ownsDataDir) {
            FileTrees.deleteQuietly(dataDir);
        }
        if (temporaryHome && !keepData && home != null) {
            FileTrees.deleteQuietly(home);
            if (homeFallback != null) {
                FileTrees.deleteQuietly(homeFallback);
            }
            home = null;
            homeFallback = null;
        }
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    // ---- fault injection (chaos tests): extra node settings, SIGKILL and restart -----------------------------

    /**
     * Kills the node with SIGKILL, as a crash or the OOM killer would: no clean shutdown, and its data folder is
     * kept, so that {@link #start()} brings the same node back with its data (on the same port when
     * {@link Builder#httpPort(int)} fixed one). Returns once every process of the node has exited. Does nothing
     * when it is not running.
     *
     * @throws ElasticsearchLaunchException if a process survives SIGKILL
     */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        removeShutdownHook();
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroyForcibly);
        if (!NodeProcesses.awaitExit(tree, KILL_TIMEOUT)) {
            throw new ElasticsearchLaunchException("Elasticsearch (data in " + dataDir + ") survived SIGKILL for "
                    + KILL_TIMEOUT);
        }
        deleteOwnerQuietly();
        LOG.info("Elasticsearch at {} killed (SIGKILL); its data stays in {}", endpoint != null ? endpoint.uri() : "?",
                dataDir);
        process = null;
        endpoint = null;
    }


    // ---- preparation -------------------------------------------------------------------------------------------

    /** Finds (and creates) the home, install and data folders; starts nothing, stops nothing. */
    private void locateFolders() throws IOException {
        asRoot = UnprivilegedUser.runningAsRoot();
        if (home == null) {
            temporaryHome = requestedHome == null;
            home = temporaryHome ? Files.createTempDirectory("connectors-es-") : requestedHome.toAbsolutePath();
            if (temporaryHome) {
                // createTempDirectory makes it private to us, and the node may run as another user.
                Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        Files.createDirectories(home);
        Path data = requestedDataDir != null ? requestedDataDir.toAbsolutePath().normalize() : home.resolve("data");
        Files.createDirectories(data.getParent());
        Path installParent = reachable(home, "home folder");
        if (temporaryHome && !installParent.equals(home)) {
            homeFallback = installParent;
        }
        installDir = installParent.resolve("elasticsearch-" + version);
        dataDir = reachable(data.getParent(), "parent of the data folder").resolve(data.getFileName().toString());
        Files.createDirectories(dataDir);
    }

    /** Unpacks the distribution, stops a node left over on the data folder and writes the node's configuration. */
    private Path prepare() throws IOException {
        Path javaHome = javaHome();
        Path zip = ElasticsearchDistribution.locate(version, MavenLocalRepository.resolve());
        DistributionUnpacker.unpackOnce(zip, installDir);
        stopStaleProcesses();
        writeInstanceConfig();
        if (asRoot) {
            UnprivilegedUser.chown(installDir, dataDir);
        }
        if (username != null) {
            NodeSecurity.createSuperuser(tools(javaHome), username, password);
        }
        caFile = NodeSecurity.prepareFiles(tools(javaHome), dataDir, httpTls, roles, users);
        return javaHome;
    }

    private Path javaHome() {
        int required = JavaHomeSelector.requiredFeature(version);
        if (requestedJavaHome != null) {
            Path home = requestedJavaHome.toAbsolutePath();
            if (!JavaHomeSelector.hasJavaExecutable(home)) {
                throw new ElasticsearchLaunchException("javaHome " + home + " has no executable bin/java");
            }
            int feature = JavaHomeSelector.featureVersionOf(home).orElse(required);
            if (feature < required) {
                throw new ElasticsearchLaunchException("Elasticsearch " + version + " needs Java " + required
                        + " or newer, but javaHome " + home + " is Java " + feature);
            }
            if (asRoot && !UnprivilegedUser.canTraverse(home, UnprivilegedUser.UID, UnprivilegedUser.GID)) {
                throw new ElasticsearchLaunchException("javaHome " + home + " is not reachable by "
                        + UnprivilegedUser.NAME + ", the user Elasticsearch runs as");
            }
            return home;
        }
        Path current = Path.of(System.getProperty("java.home"));
        return JavaHomeSelector.select(required, current, Runtime.version().feature(),
                        JavaHomeSelector.DEFAULT_SEARCH_ROOT, this::usableJavaHome)
                .orElseThrow(() -> new ElasticsearchLaunchException("Elasticsearch " + version + " needs Java "
                        + required + " or newer: this JVM is Java " + Runtime.version().feature()
                        + (asRoot ? " (or not reachable by " + UnprivilegedUser.NAME + ")" : "") + " and no such JDK"
                        + " is under " + JavaHomeSelector.DEFAULT_SEARCH_ROOT + ". Set javaHome(...)."));
    }

    private boolean usableJavaHome(Path home) {
        return JavaHomeSelector.hasJavaExecutable(home)
                && (!asRoot || UnprivilegedUser.canTraverse(home, UnprivilegedUser.UID, UnprivilegedUser.GID));
    }

    /**
     * {@code dir} if the node's user can pass through it and every parent (always, when not running as root),
     * else a folder under {@link #FALLBACK_ROOT} named after a hash of {@code dir}: the same one on every run.
     */
    private Path reachable(Path dir, String what) throws IOException {
        if (!asRoot || UnprivilegedUser.canTraverse(dir, UnprivilegedUser.UID, UnprivilegedUser.GID)) {
            return dir;
        }
        Path fallback = fallbackFor(dir);
        Files.createDirectories(fallback);
        for (Path p : List.of(FALLBACK_ROOT, fallback)) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        if (!UnprivilegedUser.canTraverse(fallback, UnprivilegedUser.UID, UnprivilegedUser.GID)) {
            throw new ElasticsearchLaunchException("Neither " + dir + " nor " + fallback + " is reachable by "
                    + UnprivilegedUser.NAME + ", the user Elasticsearch runs as");
        }
        LOG.info("The {} {} is not reachable by {} (uid {}), who runs Elasticsearch: using {} instead", what, dir,
                UnprivilegedUser.NAME, UnprivilegedUser.UID, fallback);
        return fallback;
    }

    static Path fallbackFor(Path requested) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(requested.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
            return FALLBACK_ROOT.resolve(HexFormat.of().formatHex(digest, 0, 8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    private void writeInstanceConfig() throws IOException {
        Path config = dataDir.resolve("config");
        FileTrees.delete(config);
        FileTrees.copy(installDir.resolve("config"), config);
        for (String dir : List.of("data", "logs", "tmp")) {
            Files.createDirectories(dataDir.resolve(dir));
        }
        Path logs = dataDir.resolve("logs");
        Files.deleteIfExists(logs.resolve("http.ports"));
        Files.deleteIfExists(logs.resolve("transport.ports"));
        int port = httpPort;
        if (port != 0 && fallbackToFreePort && !portFree(port)) {
            LOG.warn("Port {} is taken; the local Elasticsearch will listen on another free port", port);
            port = 0;
        }
        Map<String, String> settings = NodeConfiguration.settings(JavaHomeSelector.majorOf(version), port, dataDir, username != null);
        if (httpTls) {
            settings.putAll(HttpTlsFiles.settings());
        }
        Files.writeString(config.resolve("elasticsearch.yml"), NodeConfiguration.toYaml(NodeConfiguration.withExtra(settings, extraSettings)));
    }



    private static boolean portFree(int port) {
        try (java.net.ServerSocket socket = new java.net.ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private NodeTools tools(Path javaHome) {
        return new NodeTools(installDir, dataDir, asRoot, javaHome);
    }

    // ---- process ------------------------------------------------------------------------------------------------

    private void launch(Path javaHome) {
        List<String> command = new ArrayList<>(asRoot ? UnprivilegedUser.commandPrefix() : List.of());
        command.add(installDir.resolve("bin").resolve("elasticsearch").toString());
        command.add("-p");
        command.add(dataDir.resolve(PID_FILE).toString());
        ProcessBuilder builder = new ProcessBuilder(command).directory(dataDir.toFile()).redirectErrorStream(true)
                .redirectOutput(consoleLog().toFile());
        NodeTools.environment(builder.environment(), javaHome, dataDir);
        builder.environment().put("ES_JAVA_OPTS", "-Xms" + heap + " -Xmx" + heap);
        try {
            process = builder.start();
            // The node never reads its standard input; closing it keeps nothing of ours attached.
            process.getOutputStream().close();
            Files.writeString(dataDir.resolve(LAUNCHER_PID_FILE), Long.toString(process.pid()));
        } catch (IOException e) {
            throw new ElasticsearchLaunchException("Cannot start " + String.join(" ", command) + ": " + e, e);
        }
        shutdownHook = new Thread(this::stop, "elasticsearch-launcher-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        LOG.info("Starting Elasticsearch {} (pid {}{}, Java {}, heap {}, data in {})", version, process.pid(),
                asRoot ? ", as " + UnprivilegedUser.NAME : "", javaHome, heap, dataDir);
    }

    private URI awaitReady() {
        HttpClient.Builder clientBuilder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2));
        if (caFile != null) {
            clientBuilder.sslContext(HttpTlsFiles.trusting(caFile));
        }
        HttpClient client = clientBuilder.build();
        Path portsFile = dataDir.resolve("logs").resolve("http.ports");
        long deadline = System.nanoTime() + startupTimeout.toNanos();
        URI uri = null;
        String lastProblem = "the node has not written " + portsFile + " yet";
        while (true) {
            if (!process.isAlive()) {
                throw failure("Elasticsearch exited with code " + process.exitValue() + " before it was ready");
            }
            if (uri == null) {
                uri = NodeProcesses.readPortsFile(portsFile, httpTls ? "https" : "http").orElse(null);
            }
            if (uri != null) {
                try {
                    HttpResponse<String> response =
                            client.send(healthRequest(uri), HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 200) {
                        return uri;
                    }
                    lastProblem = "_cluster/health answered " + response.statusCode() + ": "
                            + abbreviate(response.body());
                } catch (IOException e) {
                    lastProblem = "_cluster/health failed: " + e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ElasticsearchLaunchException("Interrupted while waiting for Elasticsearch", e);
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw failure("Elasticsearch was not ready within " + startupTimeout + " (" + lastProblem + ")");
            }
            pause();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(POLL_INTERVAL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ElasticsearchLaunchException("Interrupted while waiting for Elasticsearch", e);
        }
    }

    private HttpRequest healthRequest(URI base) {
        URI health = base.resolve("/_cluster/health?wait_for_status=yellow&timeout=1s");
        HttpRequest.Builder request = HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(10)).GET();
        if (username != null) {
            String token = Base64.getEncoder()
                    .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
            request.header("Authorization", "Basic " + token);
        }
        return request.build();
    }



    private ElasticsearchLaunchException failure(String message) {
        return new ElasticsearchLaunchException(message + "\n--- last " + LOG_TAIL_LINES + " lines of "
                + consoleLog() + " ---\n" + NodeProcesses.tail(consoleLog(), LOG_TAIL_LINES));
    }

    private Path consoleLog() {
        return dataDir.resolve("logs").resolve(CONSOLE_LOG);
    }


    private static String abbreviate(String text) {
        String oneLine = text.replaceAll("\\s+", " ").trim();
        return oneLine.length() <= 300 ? oneLine : oneLine.substring(0, 300) + "...";
    }

    // ---- stopping ------------------------------------------------------------------------------------------------

    private void stopStaleProcesses() throws IOException {
        // By pid: the node is both a descendant of the launcher process and named by its own pid file.
        Map<Long, ProcessHandle> stale = new LinkedHashMap<>();
        for (String name : List.of(LAUNCHER_PID_FILE, PID_FILE)) {
            NodeProcesses.staleProcess(dataDir.resolve(name)).ifPresent(handle -> {
                stale.putIfAbsent(handle.pid(), handle);
                handle.descendants().forEach(child -> stale.putIfAbsent(child.pid(), child));
            });
        }
        if (!stale.isEmpty()) {
            String pids = stale.keySet().stream().map(String::valueOf).collect(Collectors.joining(", "));
            LOG.warn("An earlier launcher left Elasticsearch running on {} (pids {}) and has exited: stopping it", dataDir,
                    pids);
            if (!NodeProcesses.terminate(List.copyOf(stale.values()))) {
                throw new ElasticsearchLaunchException("Cannot stop the Elasticsearch left running on " + dataDir
                        + " (pids " + pids + ")");
            }
        }
        Files.deleteIfExists(dataDir.resolve(LAUNCHER_PID_FILE));
        Files.deleteIfExists(dataDir.resolve(PID_FILE));
        NodeOwner.delete(dataDir);
    }

    private void deleteOwnerQuietly() {
        if (dataDir == null) {
            return;
        }
        try {
            NodeOwner.delete(dataDir);
        } catch (IOException e) {
            LOG.debug("Cannot delete {}: {}", dataDir.resolve(NodeOwner.FILE), e.toString());
        }
    }




    private void removeShutdownHook() {
        if (shutdownHook == null) {
            return;
        }
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // The JVM is already shutting down; the hook (or this call) stops the node.
            }
        }
        shutdownHook = null;
    }

    /** The processes of the running node (its launcher and the node), for tests. */
    synchronized List<ProcessHandle> processes() {
        if (process == null) {
            return List.of();
        }
        List<ProcessHandle> all = new ArrayList<>();
        all.add(process.toHandle());
        all.addAll(process.descendants().toList());
        return all;
    }

    /** The data folder actually used (it may be a fallback), for tests. */
    synchronized Path dataDir() {
        return dataDir;
    }

    /**
     * Configures a {@link LocalElasticsearchLauncher}. Every setting has a default: {@code builder().build()}
     * gives a launcher of the build's Elasticsearch version, in a temporary folder, on a free port, security off.
     */
    public static final class Builder {

        private String version;
        private Path home;
        private Path dataDir;
        private boolean keepData;
        private String heap = "512m";
        private int httpPort;
        private Path javaHome;
        private String username;
        private String password;
        private Duration startupTimeout = Duration.ofSeconds(120);
        private final Map<String, String> extraSettings = new LinkedHashMap<>();
        private boolean fallbackToFreePort;

        private Builder() {
        }

        /**
         * An extra node setting for {@code elasticsearch.yml}, set over the launcher's own (a tiny write thread
         * pool to provoke 429s: {@code setting("thread_pool.write.queue_size", "1")}). An unknown key makes the
         * node refuse to start.
         */
        public Builder setting(String key, String value) {
            if (key == null || key.isBlank() || key.contains(":") || key.contains("\n")) {
                throw new IllegalArgumentException("a setting key must be non-blank, without ':' or a line break, not '"
                        + key + "'");
            }
            Objects.requireNonNull(value, "value");
            if (value.contains("\n") || value.contains("\r")) {
                throw new IllegalArgumentException("the value of setting " + key + " must be on one line");
            }
            extraSettings.put(key.trim(), value);
            return this;
        }

        /** The Elasticsearch version; default {@link LocalElasticsearchLauncher#defaultVersion()}. */
        public Builder version(String version) {
            JavaHomeSelector.majorOf(Objects.requireNonNull(version, "version"));
            this.version = version.trim();
            return this;
        }

        /**
         * The folder that holds the unpacked distribution ({@code elasticsearch-<version>/}, reused by later
         * launchers) and, unless {@link #dataDir(Path)} is set, the data folder ({@code data/}). Default: a new
         * temporary folder, deleted on stop unless {@link #keepData(boolean)} is set.
         */
        public Builder home(Path home) {
            this.home = Objects.requireNonNull(home, "home");
            return this;
        }

        /** The folder for this node's configuration, data, logs and pid files. Default: {@code <home>/data}. */
        public Builder dataDir(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
            return this;
        }

        /** Keep the data folder (and a temporary home) after stop. Default false: they are deleted. */
        public Builder keepData(boolean keepData) {
            this.keepData = keepData;
            return this;
        }

        /** The JVM heap, as {@code -Xms}/{@code -Xmx} take it ({@code 512m}, {@code 1g}). Default {@code 512m}. */
        public Builder heap(String heap) {
            if (heap == null || !HEAP.matcher(heap).matches()) {
                throw new IllegalArgumentException("heap must look like 512m or 1g, not '" + heap + "'");
            }
            this.heap = heap;
            return this;
        }

        /** The HTTP port on 127.0.0.1; 0 (the default) lets the node pick a free one. */
        public Builder httpPort(int httpPort) {
            if (httpPort < 0 || httpPort > 65535) {
                throw new IllegalArgumentException("httpPort must be 0..65535, not " + httpPort);
            }
            this.httpPort = httpPort;
            return this;
        }

        /**
         * When {@link #httpPort(int)} is taken by another program as the node starts, listen on a free port instead
         * (and log it) rather than fail. Default false. A node this launcher attaches to keeps its own port.
         */
        public Builder fallbackToFreePort(boolean fallbackToFreePort) {
            this.fallbackToFreePort = fallbackToFreePort;
            return this;
        }

        /**
         * The JDK that runs Elasticsearch. Default: this JVM's {@code java.home} if it is new enough (17+ for 8.x,
         * 21+ for 9.x), else the oldest new-enough JDK under {@code /usr/lib/jvm}.
         */
        public Builder javaHome(Path javaHome) {
            this.javaHome = Objects.requireNonNull(javaHome, "javaHome");
            return this;
        }

        /**
         * Turns security on (HTTP stays plain unless {@link #httpTls()}) with one superuser. {@code elastic} is the built-in superuser and
         * gets {@code password} through the keystore's {@code bootstrap.password}; any other name is created in
         * the file realm with {@code bin/elasticsearch-users}, which wants at least 6 characters.
         */
        public Builder security(String username, String password) {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
            if (username.isBlank() || username.contains(":")) {
                throw new IllegalArgumentException("username must be non-blank and without ':'");
            }
            if (password.isEmpty() || password.contains("\n") || password.contains("\r")) {
                throw new IllegalArgumentException("password must be non-empty and on one line");
            }
            this.username = username;
            this.password = password;
            return this;
        }

        /** How long {@link #start()} waits for a yellow cluster. Default 120 s. */
        public Builder startupTimeout(Duration startupTimeout) {
            if (startupTimeout == null || startupTimeout.isNegative() || startupTimeout.isZero()) {
                throw new IllegalArgumentException("startupTimeout must be positive");
            }
            this.startupTimeout = startupTimeout;
            return this;
        }

        // ---- HTTP TLS, file-realm roles and users (they need security(...)) ----

        private boolean httpTls;
        private final Map<String, String> roles = new LinkedHashMap<>();
        private final List<NodeSecurity.FileRealmUser> users = new ArrayList<>();

        /**
         * Serves HTTP over TLS: on start, {@code bin/elasticsearch-certutil} makes a CA and a certificate for
         * {@code 127.0.0.1} and {@code localhost} (PEM); the endpoint's URI is {@code https://127.0.0.1:<port>} and
         * its {@link ElasticsearchEndpoint#caFile()} the CA to trust. Needs {@link #security(String, String)}.
         */
        public Builder httpTls() {
            this.httpTls = true;
            return this;
        }

        /**
         * A file-realm role, written to {@code roles.yml}: {@code definition} is the role's body in YAML, or in
         * the JSON the role API takes (JSON is YAML), e.g.
         * {@code {"cluster": ["monitor"], "indices": [{"names": ["a-*"], "privileges": ["read"]}]}}. Needs
         * {@link #security(String, String)}.
         */
        public Builder role(String name, String definition) {
            Objects.requireNonNull(definition, "definition");
            this.roles.put(checkedName(name, "role name"), definition);
            return this;
        }

        /**
         * A file-realm user with these roles (built-in ones such as {@code superuser} or {@code viewer}, or ones
         * given with {@link #role}), created with {@code bin/elasticsearch-users}; passwords need at least 6
         * characters. Needs {@link #security(String, String)}.
         */
        public Builder user(String name, String password, String... roles) {
            Objects.requireNonNull(password, "password");
            if (password.isEmpty() || password.contains("\n") || password.contains("\r")) {
                throw new IllegalArgumentException("password must be non-empty and on one line");
            }
            List<String> roleNames = Stream.of(roles).map(r -> checkedName(r, "role name")).toList();
            this.users.add(new NodeSecurity.FileRealmUser(checkedName(name, "username"), password, roleNames));
            return this;
        }

        private static String checkedName(String name, String what) {
            if (name == null || name.isBlank() || !name.equals(name.strip()) || name.contains(":")
                    || name.contains(",") || name.contains("\n")) {
                throw new IllegalArgumentException(what + " must be non-blank, without spaces around it and without"
                        + " ':' or ',', not '" + name + "'");
            }
            return name;
        }

        /** A launcher with these settings; nothing happens until {@link LocalElasticsearchLauncher#start()}. */
        public LocalElasticsearchLauncher build() {
            if (username == null && (httpTls || !roles.isEmpty() || !users.isEmpty())) {
                throw new IllegalStateException("httpTls(), role(...) and user(...) need security(username, password)");
            }
            return new LocalElasticsearchLauncher(this);
        }
    }
}
