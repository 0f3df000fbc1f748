package io.connectors.source.postgresql;

import io.connectors.elasticsearch.local.UnprivilegedUser;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Row;
import io.r2dbc.spi.Statement;
import java.io.ByteArrayOutputStream;
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
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
 * A PostgreSQL for tests, and a database of its own for each user of it ({@link #create}), dropped at {@link #close}.
 *
 * <p>The server is found once per JVM, in this order:
 * <ol>
 *   <li>{@code PG_URL} when set: {@code postgresql://user:password@host:port/database} (password, port and database
 *       optional; the database is where the test databases are created from, {@code postgres} by default);</li>
 *   <li>the server at 127.0.0.1:5432 when it lets user {@code postgres} in without a password;</li>
 *   <li>else a private cluster from the installed binaries ({@link PrivateCluster}), stopped and deleted when the
 *       JVM exits.</li>
 * </ol>
 * {@code PG_PRIVATE=true} skips the first two: the private cluster always.
 *
 * <p>The helpers block (this is test code) without Reactor's {@code block()}, so a test may call them from a Reactor
 * thread too; never from the event loop of a connection they need, though. Parameters given to them must be non-null.
 */
final class PgBackend implements AutoCloseable {
    static final String URL_VARIABLE = "PG_URL";
    static final String PRIVATE_VARIABLE = "PG_PRIVATE";
    static final String LOCAL_HOST = "127.0.0.1";
    static final int DEFAULT_PORT = 5432;
    static final String DEFAULT_USER = "postgres";
    static final String DEFAULT_DATABASE = "postgres";
    /** The {@code application_name} of the helpers' own connections: never one a test counts or terminates. */
    static final String APPLICATION_NAME = "connectors-tests";
    static final Duration HELPER_TIMEOUT = Duration.ofMinutes(2);
    /** For {@link #sql}, which loads the fixture's million rows too. */
    static final Duration SQL_TIMEOUT = Duration.ofHours(1);

    private static final Logger LOG = LoggerFactory.getLogger(PgBackend.class);
    private static final Pattern PREFIX = Pattern.compile("[a-z_][a-z0-9_]{0,50}");
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    /** Databases created on a server this JVM does not own and not dropped yet: dropped at exit if a test forgot. */
    private static final Set<PgBackend> OPEN = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean DROP_HOOK = new AtomicBoolean();

    private static Server shared;
    private static RuntimeException sharedFailure;

    private final Server server;
    private final String database;
    private final ConnectionFactory connectionFactory;
    private final AtomicBoolean closed = new AtomicBoolean();

    private PgBackend(Server server, String database) {
        this.server = server;
        this.database = database;
        this.connectionFactory = server.connectionFactory(database, APPLICATION_NAME);
    }

    /** A new database {@code <prefix>_<8 random letters or digits>} on this JVM's {@link #sharedServer()}. */
    static PgBackend create(String prefix) {
        return sharedServer().create(prefix);
    }

    /** The server of this JVM, found (or started) at the first call; a failure to find one is final too. */
    static synchronized Server sharedServer() {
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

    static Server locate(String url, String forcePrivate) {
        Server local = new Server(LOCAL_HOST, DEFAULT_PORT, DEFAULT_USER, null, DEFAULT_DATABASE, Origin.LOCAL);
        String[] whyNotLocal = new String[1];
        Origin origin = choose(url, forcePrivate, () -> (whyNotLocal[0] = local.probe()) == null);
        return switch (origin) {
            case URL -> Server.parse(url);
            case LOCAL -> local;
            case PRIVATE -> {
                if (whyNotLocal[0] != null) {
                    LOG.info("No PostgreSQL for tests at {}:{} ({}): starting a private cluster", LOCAL_HOST,
                            DEFAULT_PORT, whyNotLocal[0]);
                }
                yield PrivateCluster.shared().server();
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

    /** The server the database is on. */
    Server server() {
        return server;
    }

    String host() {
        return server.host();
    }

    int port() {
        return server.port();
    }

    String user() {
        return server.user();
    }

    /** The password, or null when the server needs none. */
    String password() {
        return server.password();
    }

    String database() {
        return database;
    }

    /** Connections to this database, session time zone UTC, {@code application_name} {@value #APPLICATION_NAME}. */
    ConnectionFactory connectionFactory() {
        return connectionFactory;
    }

    /** Connections to this database with {@code applicationName}, e.g. to be found by {@link #backendPids} later. */
    ConnectionFactory connectionFactory(String applicationName) {
        return server.connectionFactory(database, applicationName);
    }

    /** The source's connection settings for this database: host, port, database, user, and password if any. */
    Map<String, Object> connectorConfiguration() {
        Map<String, Object> configuration = new LinkedHashMap<>();
        configuration.put("host", host());
        configuration.put("port", port());
        configuration.put("database", database);
        configuration.put("user", user());
        if (password() != null) {
            configuration.put("password", password());
        }
        return configuration;
    }

    /**
     * Runs {@code statements} in order on one connection, each in its own transaction unless it manages its own
     * (simple query protocol: a string may hold several statements; {@code VACUUM} works).
     */
    void sql(String... statements) {
        run(connectionFactory, c -> Flux.fromArray(statements)
                .concatMap(s -> Flux.from(c.createStatement(s).execute()).concatMap(Result::getRowsUpdated))
                .then(), SQL_TIMEOUT);
    }

    /**
     * Drops a replication slot of this database's tests; while the server still ends the session that streamed it
     * ("slot is active"), tries again for up to 20 s.
     */
    void dropSlot(String slot) {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (true) {
            try {
                query("SELECT pg_drop_replication_slot($1)", row -> row.get(0, Object.class), slot);
                return;
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline || !String.valueOf(e.getMessage()).contains("is active")) {
                    throw e;
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** Runs one statement with positional parameters ({@code $1}...) and returns the rows it changed. */
    long execute(String sql, Object... parameters) {
        Long updated = run(connectionFactory, c -> Flux.from(bind(c.createStatement(sql), parameters).execute())
                .concatMap(Result::getRowsUpdated)
                .reduce(0L, Long::sum), SQL_TIMEOUT);
        return updated == null ? 0 : updated;
    }

    /** The rows of a query with positional parameters ({@code $1}...), mapped. */
    <T> List<T> query(String sql, Function<Row, T> mapper, Object... parameters) {
        return query(connectionFactory, sql, mapper, parameters);
    }

    /** The number in the first column of the first row of {@code sql}, e.g. {@code SELECT count(*) FROM t}. */
    long count(String sql) {
        List<Long> counts = query(sql, row -> ((Number) row.get(0)).longValue());
        if (counts.isEmpty()) {
            throw new IllegalStateException("no row from: " + sql);
        }
        return counts.get(0);
    }

    /**
     * Terminates the other connections to this database with {@code applicationName} and waits (up to 5 seconds each,
     * PostgreSQL 14 and later) until they are gone.
     *
     * @return how many were terminated
     */
    int terminateBackends(String applicationName) {
        String terminate = server.majorVersion() >= 14 ? "pg_terminate_backend(pid, 5000)" : "pg_terminate_backend(pid)";
        return query(server.adminFactory(), "SELECT count(*) FILTER (WHERE " + terminate + ") FROM pg_stat_activity"
                + " WHERE datname = $1 AND application_name = $2 AND pid <> pg_backend_pid()",
                row -> ((Number) row.get(0)).intValue(), database, applicationName).get(0);
    }

    /** The process ids of the other connections to this database with {@code applicationName}, ascending. */
    List<Integer> backendPids(String applicationName) {
        return query(server.adminFactory(), "SELECT pid FROM pg_stat_activity WHERE datname = $1"
                + " AND application_name = $2 AND pid <> pg_backend_pid() ORDER BY pid",
                row -> ((Number) row.get(0)).intValue(), database, applicationName);
    }

    /** Drops the database, closing whatever connections remain to it. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                server.drop(database);
            } finally {
                OPEN.remove(this);
            }
        }
    }

    @Override
    public String toString() {
        return "PgBackend[" + database + " on " + server + "]";
    }

    // ---- blocking helpers -----------------------------------------------------------------------------------------

    static <T> List<T> query(ConnectionFactory factory, String sql, Function<Row, T> mapper, Object... parameters) {
        // Reactor carries no nulls: a null from the mapper travels as an empty Optional.
        List<Optional<T>> rows = run(factory, c -> Flux.from(bind(c.createStatement(sql), parameters).execute())
                .concatMap(r -> r.map((row, meta) -> Optional.ofNullable(mapper.apply(row))))
                .collectList(), HELPER_TIMEOUT);
        List<T> values = new ArrayList<>(rows.size());
        rows.forEach(o -> values.add(o.orElse(null)));
        return values;
    }

    private static Statement bind(Statement statement, Object... parameters) {
        for (int i = 0; i < parameters.length; i++) {
            statement.bind(i, parameters[i]);
        }
        return statement;
    }

    /** Runs {@code work} on a connection of its own, closed afterwards, and waits for its outcome. */
    static <T> T run(ConnectionFactory factory, Function<Connection, Mono<T>> work, Duration timeout) {
        return await(Mono.usingWhen(Mono.from(factory.create()), work, Connection::close), timeout);
    }

    static <T> T await(Mono<T> mono, Duration timeout) {
        try {
            return mono.toFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                // The caller's stack, for a test's failure message; the driver's as the cause.
                throw new IllegalStateException(cause.getMessage(), runtime);
            }
            throw new IllegalStateException(cause);
        } catch (TimeoutException e) {
            throw new IllegalStateException("no answer from PostgreSQL in " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static String quoted(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    // ---- the server -----------------------------------------------------------------------------------------------

    /** Where a server came from. */
    enum Origin {
        /** {@code PG_URL}. */
        URL,
        /** 127.0.0.1:5432. */
        LOCAL,
        /** A {@link PrivateCluster}. */
        PRIVATE
    }

    /**
     * A PostgreSQL server and the account tests use on it.
     *
     * @param database the database connected to for creating and dropping the test databases
     */
    record Server(String host, int port, String user, String password, String database, Origin origin) {

        /**
         * Reads {@code postgresql://user:password@host:port/database} ({@code postgres://} too); user, password,
         * port and database are optional ({@code postgres}, none, 5432, {@code postgres}), user and password
         * percent-encoded where they hold {@code :}, {@code @} or {@code /}.
         */
        static Server parse(String url) {
            String form = " (expected postgresql://user:password@host:port/database)";
            URI uri;
            try {
                uri = new URI(url.trim());
            } catch (URISyntaxException e) {
                // Not e.getMessage(): it quotes the URL, password included.
                throw new IllegalArgumentException(URL_VARIABLE + " is not a URL: " + e.getReason() + " at index "
                        + e.getIndex() + form);
            }
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("postgresql") || scheme.equalsIgnoreCase("postgres"))) {
                throw new IllegalArgumentException(URL_VARIABLE + " must start with postgresql://" + form);
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
                if (colon >= 0 && colon + 1 < userInfo.length()) {
                    password = percentDecoded(userInfo.substring(colon + 1));
                }
            }
            String path = uri.getRawPath();
            String database = path == null || path.length() <= 1 ? DEFAULT_DATABASE : percentDecoded(path.substring(1));
            return new Server(host, uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort(), user, password, database,
                    Origin.URL);
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

        /** A new database {@code <prefix>_<8 random letters or digits>}, UTF-8. */
        PgBackend create(String prefix) {
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
            String create = "CREATE DATABASE " + quoted(database) + " TEMPLATE template0 ENCODING 'UTF8'";
            try {
                run(adminFactory(), c -> Mono.from(c.createStatement(create).execute())
                        .flatMap(r -> Mono.from(r.getRowsUpdated())), HELPER_TIMEOUT);
            } catch (IllegalStateException e) {
                if (!String.valueOf(e.getMessage()).contains("incompatible with the encoding")) {
                    throw e;
                }
                // The cluster's default locale is not a UTF-8 one: C goes with every encoding.
                run(adminFactory(), c -> Mono.from(c.createStatement(create + " LC_COLLATE 'C' LC_CTYPE 'C'").execute())
                        .flatMap(r -> Mono.from(r.getRowsUpdated())), HELPER_TIMEOUT);
            }
            PgBackend backend = new PgBackend(this, database);
            if (origin != Origin.PRIVATE) {
                OPEN.add(backend);
                if (DROP_HOOK.compareAndSet(false, true)) {
                    Runtime.getRuntime().addShutdownHook(new Thread(PgBackend::dropForgotten, "pg-backend-drop"));
                }
            }
            return backend;
        }

        void drop(String database) {
            run(adminFactory(), c -> Mono.from(c.createStatement("DROP DATABASE IF EXISTS " + quoted(database)
                    + " WITH (FORCE)").execute()).flatMap(r -> Mono.from(r.getRowsUpdated())), HELPER_TIMEOUT);
        }

        /** The names of the databases on the server. */
        List<String> databases() {
            return query(adminFactory(), "SELECT datname FROM pg_database ORDER BY datname", row -> row.get(0, String.class));
        }

        int majorVersion() {
            return query(adminFactory(), "SELECT current_setting('server_version_num')::int / 10000",
                    row -> ((Number) row.get(0)).intValue()).get(0);
        }

        ConnectionFactory adminFactory() {
            return connectionFactory(database, APPLICATION_NAME);
        }

        PostgresqlConnectionFactory connectionFactory(String database, String applicationName) {
            PostgresqlConnectionConfiguration.Builder builder = PostgresqlConnectionConfiguration.builder()
                    .host(host)
                    .port(port)
                    .username(user)
                    .database(database)
                    .applicationName(applicationName)
                    .connectTimeout(Duration.ofSeconds(10))
                    .options(Map.of("TimeZone", "UTC"));
            if (password != null) {
                builder.password(password);
            }
            return new PostgresqlConnectionFactory(builder.build());
        }

        /** Null when user {@code user} gets in and runs a query, else why not. */
        String probe() {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), 1_000);
            } catch (IOException e) {
                return "nothing answers: " + e.getMessage();
            }
            try {
                run(adminFactory(), c -> Mono.from(c.createStatement("SELECT 1").execute())
                        .flatMap(r -> Mono.from(r.getRowsUpdated())), Duration.ofSeconds(15));
                return null;
            } catch (RuntimeException e) {
                return e.getMessage();
            }
        }

        @Override
        public String toString() {
            return "postgresql://" + user + (password == null ? "" : ":***") + "@" + host + ":" + port + "/"
                    + database + " (" + origin.name().toLowerCase(Locale.ROOT) + ")";
        }
    }

    private static void dropForgotten() {
        for (PgBackend backend : List.copyOf(OPEN)) {
            try {
                backend.server.drop(backend.database);
            } catch (RuntimeException e) {
                // Exiting anyway; the next run does not depend on it (names are random).
                System.err.println("Could not drop test database " + backend.database + ": " + e.getMessage());
            }
        }
    }

    // ---- the private cluster --------------------------------------------------------------------------------------

    /**
     * A PostgreSQL cluster of this JVM's own: {@code initdb} into a temporary folder (trust authentication, user
     * {@code postgres}, UTF-8, {@code wal_level=logical}, no fsync), listening on 127.0.0.1 at a free port with its
     * Unix socket in that folder; stopped ({@code pg_ctl stop -m immediate}) and deleted at {@link #close} or when the
     * JVM exits. PostgreSQL refuses to run as root: as root, the folder goes to {@code nobody} (uid and gid 65534) and
     * the binaries run through {@code setpriv} (or {@code runuser}), as Elasticsearch does in the test kit.
     *
     * <p>The binaries: the newest {@code /usr/lib/postgresql/<major>/bin} holding {@code initdb} (Debian's layout),
     * else {@code initdb} and {@code pg_ctl} on the {@code PATH}.
     */
    static final class PrivateCluster implements AutoCloseable {
        static final Path DEBIAN_ROOT = Path.of("/usr/lib/postgresql");
        static final int NOBODY = 65534;
        private static PrivateCluster shared;

        private final Path directory;
        private final Path bin;
        private final List<String> prefix;
        private final Server server;
        private final Thread hook;
        private final AtomicBoolean stopped = new AtomicBoolean();

        private PrivateCluster(Path directory, Path bin, List<String> prefix, int port) {
            this.directory = directory;
            this.bin = bin;
            this.prefix = prefix;
            this.server = new Server(LOCAL_HOST, port, DEFAULT_USER, null, DEFAULT_DATABASE, Origin.PRIVATE);
            this.hook = new Thread(this::stop, "pg-private-cluster-stop");
        }

        /** The cluster every {@link PgBackend} of this JVM shares when no other server is used. */
        static synchronized PrivateCluster shared() {
            if (shared == null) {
                shared = start();
            }
            return shared;
        }

        /** Starts a cluster of its own; the caller closes it (or the JVM's exit stops it). */
        static PrivateCluster start() {
            Path bin = binaries(DEBIAN_ROOT).orElseThrow(() -> new IllegalStateException("No PostgreSQL for tests:"
                    + " nothing lets user postgres in at " + LOCAL_HOST + ":" + DEFAULT_PORT + ", " + URL_VARIABLE
                    + " is not set, and no initdb is installed (" + DEBIAN_ROOT + "/<major>/bin, or on the PATH)."
                    + " Install PostgreSQL (apt-get install postgresql) or set " + URL_VARIABLE + "."));
            boolean root = UnprivilegedUser.runningAsRoot();
            List<String> prefix = root ? UnprivilegedUser.commandPrefix("PostgreSQL") : List.of();
            IllegalStateException failure = null;
            // A free port may be taken between the look and the bind: a few tries.
            for (int attempt = 0; attempt < 3; attempt++) {
                PrivateCluster cluster = null;
                try {
                    cluster = new PrivateCluster(temporaryDirectory(root), bin, prefix, freePort());
                    cluster.initAndStart(root);
                    return cluster;
                } catch (IllegalStateException e) {
                    failure = e;
                    if (cluster != null) {
                        cluster.close();
                    }
                    if (!String.valueOf(e.getMessage()).contains("could not bind")) {
                        break;
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            throw failure;
        }

        private void initAndStart(boolean root) throws IOException {
            Path data = directory.resolve("data");
            Path sockets = Files.createDirectories(directory.resolve("run"));
            if (root) {
                UnprivilegedUser.chown(directory);
            }
            exec(Duration.ofMinutes(2), "initdb.log", bin.resolve("initdb").toString(), "-D", data.toString(),
                    "-A", "trust", "-U", DEFAULT_USER, "-E", "UTF8", "--locale=C", "--no-sync");
            // Appended as root too: the file keeps its owner.
            Files.writeString(data.resolve("postgresql.conf"), String.join("\n", "",
                    "# " + PgBackend.class.getName() + ": a throwaway cluster for tests",
                    "listen_addresses = '" + LOCAL_HOST + "'",
                    "port = " + server.port(),
                    "unix_socket_directories = '" + sockets + "'",
                    "wal_level = logical",
                    "max_wal_senders = 10",
                    "max_replication_slots = 10",
                    "max_connections = 200",
                    "fsync = off",
                    "synchronous_commit = off",
                    "full_page_writes = off",
                    "max_wal_size = 2GB",
                    "checkpoint_timeout = 30min",
                    ""), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            Runtime.getRuntime().addShutdownHook(hook);
            exec(Duration.ofSeconds(90), "pg_ctl-start.log", bin.resolve("pg_ctl").toString(), "-D", data.toString(),
                    "-l", directory.resolve("server.log").toString(), "-w", "-t", "60", "start");
            LOG.info("Started a private PostgreSQL cluster ({}) at {}:{} in {}", bin, LOCAL_HOST, server.port(), directory);
        }

        Server server() {
            return server;
        }

        Path directory() {
            return directory;
        }

        Path dataDirectory() {
            return directory.resolve("data");
        }

        /** The folder the binaries come from. */
        Path bin() {
            return bin;
        }

        /** Stops the cluster at once and deletes its folder. Idempotent. */
        @Override
        public void close() {
            stop();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException | IllegalArgumentException e) {
                // exiting already, or never added
            }
        }

        private void stop() {
            if (!stopped.compareAndSet(false, true)) {
                return;
            }
            try {
                exec(Duration.ofSeconds(60), "pg_ctl-stop.log", bin.resolve("pg_ctl").toString(), "-D",
                        dataDirectory().toString(), "-m", "immediate", "-w", "stop");
            } catch (RuntimeException e) {
                killPostmaster();
            }
            deleteTree(directory);
        }

        /** When pg_ctl could not stop it: the postmaster by the pid in its pid file. */
        private void killPostmaster() {
            try {
                String pid = Files.readAllLines(dataDirectory().resolve("postmaster.pid")).get(0).trim();
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
            } catch (IOException | RuntimeException e) {
                // no pid file: no server
            }
        }

        /** Runs a PostgreSQL binary (as {@code nobody} when root), its output in {@code log} in the folder. */
        private void exec(Duration timeout, String log, String... command) {
            List<String> words = new ArrayList<>(prefix);
            words.addAll(List.of(command));
            Path output = directory.resolve(log);
            ProcessBuilder builder = new ProcessBuilder(words)
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            builder.environment().keySet().removeIf(k -> k.startsWith("PG"));
            builder.environment().put("LC_ALL", "C");
            try {
                Process process = builder.start();
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException("'" + String.join(" ", words) + "' took more than " + timeout
                            + ": " + tail(output));
                }
                if (process.exitValue() != 0) {
                    throw new IllegalStateException("'" + String.join(" ", words) + "' failed (exit "
                            + process.exitValue() + "): " + tail(output));
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot run " + words + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while running " + words, e);
            }
        }

        /** The end of a command's output, with the server's log when it has one (pg_ctl start refers to it). */
        private String tail(Path output) {
            StringBuilder text = new StringBuilder();
            for (Path file : List.of(output, directory.resolve("server.log"))) {
                try {
                    String s = Files.readString(file, StandardCharsets.UTF_8).strip();
                    text.append(s.length() > 2_000 ? "..." + s.substring(s.length() - 2_000) : s).append('\n');
                } catch (IOException e) {
                    // not written
                }
            }
            return text.toString().strip();
        }

        /**
         * The newest {@code <root>/<major>/bin} holding an executable {@code initdb} and {@code pg_ctl}, else the
         * folder of {@code initdb} on the {@code PATH} when {@code pg_ctl} is beside it.
         */
        static Optional<Path> binaries(Path root) {
            Comparator<Path> byVersion = Comparator.comparing(p -> p.getParent().getFileName().toString(),
                    PrivateCluster::compareVersions);
            try (Stream<Path> majors = Files.isDirectory(root) ? Files.list(root) : Stream.empty()) {
                Optional<Path> debian = majors.map(p -> p.resolve("bin"))
                        .filter(PrivateCluster::hasBinaries)
                        .max(byVersion);
                if (debian.isPresent()) {
                    return debian;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            String path = System.getenv("PATH");
            return path == null ? Optional.empty() : Stream.of(path.split(java.io.File.pathSeparator))
                    .filter(s -> !s.isEmpty())
                    .map(Path::of)
                    .filter(PrivateCluster::hasBinaries)
                    .findFirst();
        }

        private static boolean hasBinaries(Path bin) {
            return Files.isExecutable(bin.resolve("initdb")) && Files.isExecutable(bin.resolve("pg_ctl"));
        }

        /** {@code 9.6 < 10 < 15}: numerically, part by part; a part that is not a number sorts first. */
        static int compareVersions(String a, String b) {
            String[] x = a.split("\\.");
            String[] y = b.split("\\.");
            for (int i = 0; i < Math.max(x.length, y.length); i++) {
                long p = i < x.length ? number(x[i]) : 0;
                long q = i < y.length ? number(y[i]) : 0;
                if (p != q) {
                    return Long.compare(p, q);
                }
            }
            return 0;
        }

        private static long number(String s) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        /**
         * A new folder under the JVM's temporary folder, or under {@code /tmp} when {@code nobody} could not reach
         * that one (as root, a folder of root's with mode 700 on the way).
         */
        static Path temporaryDirectory(boolean root) throws IOException {
            Path base = Path.of(System.getProperty("java.io.tmpdir"));
            if (root && !UnprivilegedUser.canTraverse(base, NOBODY, NOBODY)) {
                base = Path.of("/tmp");
            }
            // Short: the Unix socket's path must fit in 107 bytes.
            return Files.createTempDirectory(base, "pg-");
        }

        static int freePort() throws IOException {
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(false);
                socket.bind(new InetSocketAddress(LOCAL_HOST, 0));
                return socket.getLocalPort();
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
