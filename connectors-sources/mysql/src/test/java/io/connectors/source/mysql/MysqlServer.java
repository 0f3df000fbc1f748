package io.connectors.source.mysql;

import io.asyncer.r2dbc.mysql.MySqlConnectionConfiguration;
import io.asyncer.r2dbc.mysql.MySqlConnectionFactory;
import io.asyncer.r2dbc.mysql.constant.SslMode;
import io.connectors.elasticsearch.local.UnprivilegedUser;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Row;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A MySQL or MariaDB for tests, and a database of its own for each user of it ({@link #create}), dropped at
 * {@link Database#close}.
 *
 * <p>{@link #shared()} is found once per JVM, in this order:
 * <ol>
 *   <li>{@code MYSQL_URL} when set: {@code mysql://user:password@host:port} (password and port optional, user and
 *       password percent-encoded where they hold {@code :}, {@code @} or {@code /});</li>
 *   <li>the server at 127.0.0.1:3306 when {@code root} gets in with an empty password;</li>
 *   <li>else a {@link PrivateInstance} started from the installed binaries, stopped and deleted when the JVM exits.</li>
 * </ol>
 * {@code MYSQL_PRIVATE=true} skips the first two. {@link #binlog()} is always a private instance of its own, with the
 * binlog on in ROW format, whatever the shared server is.
 *
 * <p>The helpers block (this is test code) without Reactor's {@code block()}; never call them from the event loop of a
 * connection they need.
 */
final class MysqlServer {
    static final String URL_VARIABLE = "MYSQL_URL";
    static final String PRIVATE_VARIABLE = "MYSQL_PRIVATE";
    static final String LOCAL_HOST = "127.0.0.1";
    static final int DEFAULT_PORT = 3306;
    static final String DEFAULT_USER = "root";
    static final Duration HELPER_TIMEOUT = Duration.ofMinutes(2);

    private static final Logger LOG = LoggerFactory.getLogger(MysqlServer.class);
    private static final Pattern PREFIX = Pattern.compile("[a-z_][a-z0-9_]{0,50}");
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private static MysqlServer shared;
    private static RuntimeException sharedFailure;
    private static MysqlServer binlog;
    private static RuntimeException binlogFailure;

    enum Origin { URL, LOCAL, PRIVATE }

    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final Origin origin;

    MysqlServer(String host, int port, String user, String password, Origin origin) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password == null || password.isEmpty() ? null : password;
        this.origin = origin;
    }

    /** The server of this JVM, found (or started) at the first call; a failure to find one is final too. */
    static synchronized MysqlServer shared() {
        if (sharedFailure != null) {
            throw new IllegalStateException(sharedFailure.getMessage(), sharedFailure);
        }
        if (shared == null) {
            try {
                shared = locate(System.getenv(URL_VARIABLE), System.getenv(PRIVATE_VARIABLE));
            } catch (RuntimeException e) {
                sharedFailure = e;
                throw e;
            }
        }
        return shared;
    }

    /** A private instance of this JVM's with {@code log_bin} on, {@code binlog_format=ROW}, row image FULL. */
    static synchronized MysqlServer binlog() {
        if (binlogFailure != null) {
            throw new IllegalStateException(binlogFailure.getMessage(), binlogFailure);
        }
        if (binlog == null) {
            try {
                binlog = PrivateInstance.start(true).server();
            } catch (RuntimeException e) {
                binlogFailure = e;
                throw e;
            }
        }
        return binlog;
    }

    static MysqlServer locate(String url, String forcePrivate) {
        MysqlServer local = new MysqlServer(LOCAL_HOST, DEFAULT_PORT, DEFAULT_USER, null, Origin.LOCAL);
        String[] whyNotLocal = new String[1];
        Origin origin = choose(url, forcePrivate, () -> (whyNotLocal[0] = local.probe()) == null);
        return switch (origin) {
            case URL -> parse(url);
            case LOCAL -> local;
            case PRIVATE -> {
                if (whyNotLocal[0] != null) {
                    LOG.info("No MySQL for tests at {}:{} ({}): starting a private instance", LOCAL_HOST, DEFAULT_PORT,
                            whyNotLocal[0]);
                }
                yield PrivateInstance.start(false).server();
            }
        };
    }

    /** Which server to use; {@code localAnswers} is asked only when neither variable decides. */
    static Origin choose(String url, String forcePrivate, BooleanSupplier localAnswers) {
        if (forcePrivate != null && Boolean.parseBoolean(forcePrivate.trim())) {
            return Origin.PRIVATE;
        }
        if (url != null && !url.isBlank()) {
            return Origin.URL;
        }
        return localAnswers.getAsBoolean() ? Origin.LOCAL : Origin.PRIVATE;
    }

    /**
     * Reads {@code mysql://user:password@host:port} ({@code mariadb://} too); user, password and port are optional
     * ({@code root}, none, 3306). A path, if any, is ignored: each test creates its own database.
     */
    static MysqlServer parse(String url) {
        String form = " (expected mysql://user:password@host:port)";
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            // Not e.getMessage(): it quotes the URL, password included.
            throw new IllegalArgumentException(URL_VARIABLE + " is not a URL: " + e.getReason() + " at index "
                    + e.getIndex() + form);
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("mysql") || scheme.equalsIgnoreCase("mariadb"))) {
            throw new IllegalArgumentException(URL_VARIABLE + " must start with mysql://" + form);
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException(URL_VARIABLE + " names no host" + form);
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        String user = DEFAULT_USER;
        String password = null;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null && !userInfo.isEmpty()) {
            int colon = userInfo.indexOf(':');
            user = percentDecoded(colon < 0 ? userInfo : userInfo.substring(0, colon));
            if (colon >= 0) {
                password = percentDecoded(userInfo.substring(colon + 1));
            }
        }
        return new MysqlServer(host, uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort(), user, password, Origin.URL);
    }

    static String percentDecoded(String s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length() && isHex(s.charAt(i + 1)) && isHex(s.charAt(i + 2))) {
                bytes.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0;
    }

    String host() {
        return host;
    }

    int port() {
        return port;
    }

    String user() {
        return user;
    }

    /** The password, or null when the server needs none. */
    String password() {
        return password;
    }

    Origin origin() {
        return origin;
    }

    /** A new database {@code <prefix>_<8 random letters or digits>}, utf8mb4, dropped at {@link Database#close}. */
    Database create(String prefix) {
        if (prefix == null || !PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("a database prefix is lowercase letters, digits and _, at most 51,"
                    + " not starting with a digit: " + prefix);
        }
        StringBuilder name = new StringBuilder(prefix).append('_');
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 8; i++) {
            name.append(ALPHABET[random.nextInt(ALPHABET.length)]);
        }
        String database = name.toString();
        execute(connectionFactory(null), "CREATE DATABASE " + quoted(database)
                + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        return new Database(database);
    }

    /** Runs statements outside any test database, e.g. {@code FLUSH BINARY LOGS}. */
    void sql(String... statements) {
        ConnectionFactory factory = connectionFactory(null);
        for (String statement : statements) {
            execute(factory, statement);
        }
    }

    /** The rows of a query run outside any test database, mapped. */
    <T> List<T> query(String sql, Function<Row, T> mapper) {
        return query(connectionFactory(null), sql, mapper);
    }

    /** Connections to {@code database} (none when null), session time zone UTC and utf8mb4. */
    MySqlConnectionFactory connectionFactory(String database) {
        MySqlConnectionConfiguration.Builder builder = MySqlConnectionConfiguration.builder()
                .host(host)
                .port(port)
                .user(user)
                .sslMode(SslMode.DISABLED)
                .connectTimeout(Duration.ofSeconds(10))
                .sessionVariables("time_zone='+00:00'", "character_set_client=utf8mb4",
                        "character_set_connection=utf8mb4", "character_set_results=utf8mb4");
        if (password != null) {
            builder.password(password);
        }
        if (database != null) {
            builder.database(database);
        }
        return MySqlConnectionFactory.from(builder.build());
    }

    /** Null when the user gets in and runs a query, else why not. */
    String probe() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 1_000);
        } catch (IOException e) {
            return "nothing answers: " + e.getMessage();
        }
        try {
            query(connectionFactory(null), "SELECT 1", row -> row.get(0));
            return null;
        } catch (RuntimeException e) {
            return e.getMessage();
        }
    }

    @Override
    public String toString() {
        return "mysql://" + user + (password == null ? "" : ":***") + "@" + host + ":" + port + " ("
                + origin.name().toLowerCase(Locale.ROOT) + ")";
    }

    static String quoted(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }

    // ---- a database of a test's own --------------------------------------------------------------------------------

    /** A database of one test's own on this server; {@link #close} drops it. */
    final class Database implements AutoCloseable {
        private final String name;
        private final MySqlConnectionFactory factory;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Database(String name) {
            this.name = name;
            this.factory = MysqlServer.this.connectionFactory(name);
        }

        String host() {
            return host;
        }

        int port() {
            return port;
        }

        String user() {
            return user;
        }

        /** The password, or null when the server needs none. */
        String password() {
            return password;
        }

        /** The database's name. */
        String name() {
            return name;
        }

        MysqlServer server() {
            return MysqlServer.this;
        }

        /** Connections to this database, session time zone UTC, utf8mb4. */
        ConnectionFactory connectionFactory() {
            return factory;
        }

        /** The source's connection settings for this database: host, port, user, password if any, database. */
        Map<String, Object> config() {
            Map<String, Object> configuration = new LinkedHashMap<>();
            configuration.put("host", host);
            configuration.put("port", port);
            configuration.put("user", user);
            if (password != null) {
                configuration.put("password", password);
            }
            configuration.put("database", name);
            return configuration;
        }

        /** Runs {@code statements} in order, on one connection (so a {@code SET} holds for those after it). */
        void sql(String... statements) {
            run(factory, c -> Flux.fromArray(statements)
                    .concatMap(s -> Flux.from(c.createStatement(s).execute()).concatMap(Result::getRowsUpdated))
                    .then(), HELPER_TIMEOUT.multipliedBy(5));
        }

        /** The rows of a query, mapped (a null from the mapper is kept). */
        <T> List<T> query(String sql, Function<Row, T> mapper) {
            return MysqlServer.query(factory, sql, mapper);
        }

        /** The number in the first column of the first row of {@code sql}, e.g. {@code SELECT count(*) FROM t}. */
        long count(String sql) {
            List<Long> counts = query(sql, row -> ((Number) row.get(0)).longValue());
            if (counts.isEmpty()) {
                throw new IllegalStateException("no row from: " + sql);
            }
            return counts.get(0);
        }

        /** Drops the database. Idempotent. */
        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                execute(MysqlServer.this.connectionFactory(null), "DROP DATABASE IF EXISTS " + quoted(name));
            }
        }

        @Override
        public String toString() {
            return "Database[" + name + " on " + MysqlServer.this + "]";
        }
    }

    // ---- blocking helpers ------------------------------------------------------------------------------------------

    static void execute(ConnectionFactory factory, String sql) {
        run(factory, c -> Flux.from(c.createStatement(sql).execute()).concatMap(Result::getRowsUpdated).then(),
                HELPER_TIMEOUT);
    }

    static <T> List<T> query(ConnectionFactory factory, String sql, Function<Row, T> mapper) {
        // Reactor carries no nulls: a null from the mapper travels as an empty Optional.
        List<Optional<T>> rows = run(factory, c -> Flux.from(c.createStatement(sql).execute())
                .concatMap(r -> r.map((row, meta) -> Optional.ofNullable(mapper.apply(row))))
                .collectList(), HELPER_TIMEOUT);
        List<T> values = new ArrayList<>(rows.size());
        rows.forEach(o -> values.add(o.orElse(null)));
        return values;
    }

    /** Runs {@code work} on a connection of its own, closed afterwards, and waits for its outcome. */
    static <T> T run(ConnectionFactory factory, Function<Connection, Mono<T>> work, Duration timeout) {
        return await(Mono.usingWhen(Mono.from(factory.create()), work, Connection::close), timeout);
    }

    /**
     * Waits for {@code mono} without Reactor's {@code block()} (so a test may call this from a Reactor thread), at most
     * {@code timeout}; its failure, a timeout and an interruption become an {@link IllegalStateException}.
     */
    static <T> T await(Mono<T> mono, Duration timeout) {
        CompletableFuture<T> future = mono.toFuture();
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new IllegalStateException(String.valueOf(cause.getMessage()), cause);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new IllegalStateException("no answer from MySQL in " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    // ---- the private instance --------------------------------------------------------------------------------------

    /**
     * A MariaDB (or MySQL) of this JVM's own: {@code mariadb-install-db} into a temporary folder (root gets in from
     * 127.0.0.1 with an empty password: {@code --auth-root-authentication-method=normal}), {@code mariadbd} on a free
     * port bound to 127.0.0.1, its socket in that folder; stopped and deleted when the JVM exits. As root, the folder
     * goes to {@code nobody} and the binaries run as {@code nobody}, as the PostgreSQL tests do.
     */
    static final class PrivateInstance {
        static final Path SERVER = Path.of("/usr/sbin/mariadbd");
        static final Path INSTALL = Path.of("/usr/bin/mariadb-install-db");

        private final Path directory;
        private final List<String> prefix;
        private final int port;
        private final AtomicBoolean stopped = new AtomicBoolean();
        private Process process;

        private PrivateInstance(Path directory, List<String> prefix, int port) {
            this.directory = directory;
            this.prefix = prefix;
            this.port = port;
        }

        static PrivateInstance start(boolean binlog) {
            if (!Files.isExecutable(SERVER) || !Files.isExecutable(INSTALL)) {
                throw new IllegalStateException("No MySQL for tests: " + URL_VARIABLE + " is not set, nothing lets"
                        + " root in at " + LOCAL_HOST + ":" + DEFAULT_PORT + ", and " + SERVER + " or " + INSTALL
                        + " is missing. Install MariaDB (apt-get install mariadb-server) or set " + URL_VARIABLE + ".");
            }
            boolean root = UnprivilegedUser.runningAsRoot();
            List<String> prefix = root ? UnprivilegedUser.commandPrefix("MariaDB") : List.of();
            IllegalStateException failure = null;
            // A free port may be taken between the look and the bind: a few tries.
            for (int attempt = 0; attempt < 3; attempt++) {
                PrivateInstance instance = null;
                try {
                    instance = new PrivateInstance(temporaryDirectory(root), prefix, freePort());
                    instance.installAndStart(root, binlog);
                    return instance;
                } catch (IllegalStateException e) {
                    failure = e;
                    if (instance != null) {
                        instance.stop();
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            throw failure;
        }

        private void installAndStart(boolean root, boolean binlog) throws IOException {
            Path data = directory.resolve("data");
            if (root) {
                UnprivilegedUser.chown(directory);
            }
            Process install = launch("install.log", INSTALL.toString(), "--no-defaults", "--datadir=" + data,
                    "--auth-root-authentication-method=normal", "--skip-test-db", "--skip-name-resolve");
            try {
                if (!install.waitFor(2, TimeUnit.MINUTES) || install.exitValue() != 0) {
                    install.destroyForcibly();
                    throw new IllegalStateException("mariadb-install-db failed: " + tail("install.log"));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            List<String> command = new ArrayList<>(List.of(SERVER.toString(), "--no-defaults", "--datadir=" + data,
                    "--port=" + port, "--bind-address=" + LOCAL_HOST, "--socket=" + directory.resolve("s.sock"),
                    "--pid-file=" + directory.resolve("server.pid"), "--skip-name-resolve",
                    "--innodb-buffer-pool-size=64M", "--innodb-flush-log-at-trx-commit=0", "--skip-innodb-doublewrite",
                    "--max-connections=200", "--character-set-server=utf8mb4", "--collation-server=utf8mb4_bin"));
            if (binlog) {
                command.addAll(List.of("--log-bin=" + data.resolve("binlog"), "--binlog-format=ROW",
                        "--binlog-row-image=FULL", "--server-id=1", "--max-binlog-size=4M", "--sync-binlog=0"));
            }
            process = launch("server.log", command.toArray(String[]::new));
            Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "mysql-private-instance-stop"));
            MysqlServer server = server();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            String why = null;
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("mariadbd exited (" + process.exitValue() + "): "
                            + tail("server.log"));
                }
                why = server.probe();
                if (why == null) {
                    LOG.info("Started a private MariaDB{} at {}:{} in {}", binlog ? " with the binlog on" : "",
                            LOCAL_HOST, port, directory);
                    return;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
            throw new IllegalStateException("mariadbd did not answer in 90 s (" + why + "): " + tail("server.log"));
        }

        MysqlServer server() {
            return new MysqlServer(LOCAL_HOST, port, DEFAULT_USER, null, Origin.PRIVATE);
        }

        private Process launch(String log, String... command) throws IOException {
            List<String> words = new ArrayList<>(prefix);
            words.addAll(List.of(command));
            ProcessBuilder builder = new ProcessBuilder(words)
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(directory.resolve(log).toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().keySet().removeIf(k -> k.startsWith("MYSQL") || k.startsWith("MARIADB"));
            return builder.start();
        }

        /** Stops the server (SIGTERM, then SIGKILL after 30 s) and deletes its folder. Idempotent. */
        void stop() {
            if (!stopped.compareAndSet(false, true)) {
                return;
            }
            if (process != null && process.isAlive()) {
                process.destroy();
                try {
                    if (!process.waitFor(30, TimeUnit.SECONDS)) {
                        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    process.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }
            deleteTree(directory);
        }

        private String tail(String log) {
            try {
                String s = Files.readString(directory.resolve(log), StandardCharsets.UTF_8).strip();
                return s.length() > 2_000 ? "..." + s.substring(s.length() - 2_000) : s;
            } catch (IOException e) {
                return "(no " + log + ")";
            }
        }

        static Path temporaryDirectory(boolean root) throws IOException {
            Path base = Path.of(System.getProperty("java.io.tmpdir"));
            if (root && !UnprivilegedUser.canTraverse(base, UnprivilegedUser.UID, UnprivilegedUser.GID)) {
                base = Path.of("/tmp");
            }
            // Short: the Unix socket's path must fit in 107 bytes.
            return Files.createTempDirectory(base, "my-");
        }

        static int freePort() throws IOException {
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(false);
                socket.bind(new InetSocketAddress(LOCAL_HOST, 0));
                return socket.getLocalPort();
            }
        }

        /** A port nothing listens on, most likely. */
        static int freePortQuietly() {
            try {
                return freePort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        static void deleteTree(Path root) {
            if (!Files.exists(root)) {
                return;
            }
            try (Stream<Path> paths = Files.walk(root)) {
                for (Path p : paths.sorted(Collections.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                LOG.warn("Could not delete {}: {}", root, e.toString());
            }
        }
    }
}
