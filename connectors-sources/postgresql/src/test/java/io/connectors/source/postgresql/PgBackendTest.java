package io.connectors.source.postgresql;

import io.connectors.elasticsearch.local.UnprivilegedUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connectors.source.postgresql.PgBackend.Origin;
import io.connectors.source.postgresql.PgBackend.PrivateCluster;
import io.connectors.source.postgresql.PgBackend.Server;
import io.r2dbc.spi.Connection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@link PgBackend}: {@code PG_URL}, the choice of server, a private cluster started for real (as {@code nobody} when
 * the tests run as root), and the helpers the source's tests use.
 */
class PgBackendTest {

    @TempDir
    Path temp;

    @Test
    void readsPgUrl() {
        assertThat(Server.parse("postgresql://alice:s3cret@db.example.com:6543/shop"))
                .isEqualTo(new Server("db.example.com", 6543, "alice", "s3cret", "shop", Origin.URL));
        assertThat(Server.parse(" postgres://bob@10.0.0.7/ "))
                .isEqualTo(new Server("10.0.0.7", 5432, "bob", null, "postgres", Origin.URL));
        assertThat(Server.parse("postgresql://localhost"))
                .isEqualTo(new Server("localhost", 5432, "postgres", null, "postgres", Origin.URL));
        assertThat(Server.parse("postgresql://carol:@[::1]:5433/d%C3%A9mo?sslmode=disable"))
                .isEqualTo(new Server("::1", 5433, "carol", null, "démo", Origin.URL));
        // A password holding : @ / % + and non-ASCII, percent-encoded.
        Server server = Server.parse("postgresql://u%40corp:p%3Aa%40s%2Fs%25+%C3%A9@h:1/x");
        assertThat(server.user()).isEqualTo("u@corp");
        assertThat(server.password()).isEqualTo("p:a@s/s%+é");
        assertThat(server.toString()).isEqualTo("postgresql://u@corp:***@h:1/x (url)").doesNotContain("p:a");

        assertThatThrownBy(() -> Server.parse("mysql://u:secret@h/x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("postgresql://").hasMessageNotContaining("secret");
        assertThatThrownBy(() -> Server.parse("postgresql:///x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no host");
        assertThatThrownBy(() -> Server.parse("postgresql://u:se cret@h/x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("se cret");
    }

    @Test
    void choosesTheForcedPrivateClusterThenPgUrlThenTheLocalServer() {
        AtomicBoolean asked = new AtomicBoolean();
        assertThat(PgBackend.choose("postgresql://h/x", "true", () -> asked.getAndSet(true))).isEqualTo(Origin.PRIVATE);
        assertThat(PgBackend.choose(null, " TRUE ", () -> asked.getAndSet(true))).isEqualTo(Origin.PRIVATE);
        assertThat(PgBackend.choose("postgresql://h/x", null, () -> asked.getAndSet(true))).isEqualTo(Origin.URL);
        assertThat(PgBackend.choose("postgresql://h/x", "false", () -> asked.getAndSet(true))).isEqualTo(Origin.URL);
        assertThat(asked).as("the local server is not probed when a variable decides").isFalse();
        assertThat(PgBackend.choose(" ", "", () -> true)).isEqualTo(Origin.LOCAL);
        assertThat(PgBackend.choose(null, null, () -> false)).isEqualTo(Origin.PRIVATE);
    }

    @Test
    void aServerFromPgUrlIsUsedAsIs() {
        Server shared = PgBackend.sharedServer();
        String url = "postgresql://" + shared.user() + (shared.password() == null ? "" : ":" + shared.password())
                + "@" + shared.host() + ":" + shared.port() + "/" + shared.database();
        Server server = PgBackend.locate(url, null);
        assertThat(server).isEqualTo(new Server(shared.host(), shared.port(), shared.user(), shared.password(),
                shared.database(), Origin.URL));
        try (PgBackend backend = server.create("pgurl")) {
            assertThat(backend.count("SELECT 1")).isEqualTo(1);
        }
    }

    @Test
    void findsTheNewestInstalledBinaries() throws IOException {
        for (String major : List.of("9.6", "13", "15", "16")) {
            Path bin = Files.createDirectories(temp.resolve(major).resolve("bin"));
            for (String tool : major.equals("16") ? List.of("initdb") : List.of("initdb", "pg_ctl")) {
                Files.createFile(bin.resolve(tool), PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwxr-xr-x")));
            }
        }
        // 16 lacks pg_ctl.
        assertThat(PrivateCluster.binaries(temp)).contains(temp.resolve("15").resolve("bin"));
        assertThat(PrivateCluster.compareVersions("9.6", "13")).isNegative();
        assertThat(PrivateCluster.compareVersions("15", "15.0")).isZero();
        assertThat(PrivateCluster.compareVersions("devel", "9")).isNegative();
    }

    @Test
    void nobodyNeedsTheSearchBitOnEveryFolderOnTheWay() throws IOException {
        Path closed = Files.createDirectory(temp.resolve("closed"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path inner = Files.createDirectory(closed.resolve("inner"));
        assertThat(UnprivilegedUser.canTraverse(inner, PrivateCluster.NOBODY, PrivateCluster.NOBODY)).isFalse();
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx--x--x"));
        assertThat(UnprivilegedUser.canTraverse(inner, PrivateCluster.NOBODY, PrivateCluster.NOBODY))
                .as("/tmp and above are searchable here").isTrue();
        assertThat(UnprivilegedUser.canTraverse(temp.resolve("missing"), PrivateCluster.NOBODY, PrivateCluster.NOBODY)).isFalse();
    }

    /** Path (c) for real, whatever server the other tests use: {@code initdb}, start, use, stop, delete. */
    @Test
    void startsAPrivateClusterRunningAsNobodyWhenRootAndDeletesIt() throws Exception {
        Path directory;
        int port;
        try (PrivateCluster cluster = PrivateCluster.start()) {
            directory = cluster.directory();
            Server server = cluster.server();
            port = server.port();
            assertThat(server.host()).isEqualTo("127.0.0.1");
            assertThat(server.origin()).isEqualTo(Origin.PRIVATE);
            assertThat(server.password()).isNull();
            assertThat(server.majorVersion()).isEqualTo(Integer.parseInt(cluster.bin().getParent().getFileName()
                    .toString().replaceAll("\\..*", "")));
            assertThat(Files.list(cluster.directory().resolve("run")).map(p -> p.getFileName().toString()))
                    .contains(".s.PGSQL." + port);

            String postmaster = Files.readAllLines(cluster.dataDirectory().resolve("postmaster.pid")).get(0).trim();
            String uid = Files.readAllLines(Path.of("/proc", postmaster, "status")).stream()
                    .filter(l -> l.startsWith("Uid:")).findFirst().orElseThrow().split("\\s+")[1];
            if (UnprivilegedUser.runningAsRoot()) {
                assertThat(uid).as("the server runs as nobody").isEqualTo("65534");
                assertThat(Files.getAttribute(cluster.dataDirectory(), "unix:uid")).isEqualTo(65534);
            } else {
                assertThat(uid).isEqualTo(String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid")));
            }

            try (PgBackend backend = server.create("pgbt")) {
                assertThat(backend.query("SELECT current_setting('wal_level'), current_user,"
                        + " current_setting('listen_addresses'), pg_encoding_to_char(encoding) FROM pg_database"
                        + " WHERE datname = current_database()", row -> Arrays.asList(row.get(0, String.class),
                        row.get(1, String.class), row.get(2, String.class), row.get(3, String.class))))
                        .containsExactly(List.of("logical", "postgres", "127.0.0.1", "UTF8"));
                helpersWork(backend);
            }
            assertThat(server.databases()).noneMatch(d -> d.startsWith("pgbt_"));
        }
        assertThat(directory).doesNotExist();
        assertThat(answers(port)).as("stopped").isFalse();
    }

    /** PG_PRIVATE=true: every database of the JVM on one private cluster, started at the first use. */
    @Test
    void pgPrivateForcesTheSharedPrivateCluster() {
        Server server = PgBackend.locate(null, "true");
        assertThat(server).isSameAs(PrivateCluster.shared().server()).isSameAs(PgBackend.locate("postgresql://h/x", "true"));
        assertThat(server.origin()).isEqualTo(Origin.PRIVATE);
        try (PgBackend backend = server.create("pgshared")) {
            assertThat(backend.count("SELECT count(*) FROM pg_settings WHERE name = 'wal_level' AND setting = 'logical'"))
                    .isEqualTo(1);
        }
    }

    @Test
    void helpersWorkOnTheSharedServer() {
        try (PgBackend backend = PgBackend.create("pgbt")) {
            helpersWork(backend);
        }
    }

    private static void helpersWork(PgBackend backend) {
        assertThat(backend.database()).matches("pgbt_[a-z0-9]{8}");
        assertThat(backend.server().databases()).contains(backend.database());
        assertThat(backend.connectorConfiguration()).containsExactly(
                java.util.Map.entry("host", backend.host()), java.util.Map.entry("port", backend.port()),
                java.util.Map.entry("database", backend.database()), java.util.Map.entry("user", backend.user()));

        backend.sql("CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t VALUES (1, 'a'), (2, NULL); "
                + "INSERT INTO t VALUES (3, 'c')");
        assertThat(backend.count("SELECT count(*) FROM t")).isEqualTo(3);
        assertThat(backend.execute("UPDATE t SET v = $1 WHERE id >= $2", "z", 2)).isEqualTo(2);
        assertThat(backend.query("SELECT v FROM t ORDER BY id", row -> row.get(0, String.class)))
                .containsExactly("a", "z", "z");
        assertThat(backend.query("SELECT NULL::text", row -> row.get(0, String.class))).containsExactly((String) null);
        assertThat(backend.query("SELECT current_setting('TimeZone'), current_setting('application_name')",
                row -> row.get(0, String.class) + " " + row.get(1, String.class)))
                .containsExactly("UTC " + PgBackend.APPLICATION_NAME);
        assertThatThrownBy(() -> backend.sql("SELECT nonsense")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("nonsense");

        List<Connection> victims = new ArrayList<>();
        try {
            for (int n = 0; n < 2; n++) {
                victims.add(PgBackend.await(Mono.from(backend.connectionFactory("victim").create()), Duration.ofSeconds(30)));
            }
            List<Integer> pids = new ArrayList<>();
            for (Connection c : victims) {
                pids.add(PgBackend.await(Flux.from(c.createStatement("SELECT pg_backend_pid()").execute())
                        .concatMap(r -> r.map((row, meta) -> row.get(0, Integer.class))).next(), Duration.ofSeconds(30)));
            }
            assertThat(backend.backendPids("victim")).containsExactlyInAnyOrderElementsOf(pids);
            assertThat(backend.backendPids("someone else")).isEmpty();
            assertThat(backend.terminateBackends("victim")).isEqualTo(2);
            assertThat(backend.backendPids("victim")).isEmpty();
            assertThat(backend.terminateBackends("victim")).isZero();
            assertThatThrownBy(() -> PgBackend.await(Flux.from(victims.get(0).createStatement("SELECT 1").execute())
                    .concatMap(r -> r.getRowsUpdated()).then(), Duration.ofSeconds(30)))
                    .isInstanceOf(IllegalStateException.class);
        } finally {
            victims.forEach(c -> {
                try {
                    PgBackend.await(Mono.from(c.close()), Duration.ofSeconds(10));
                } catch (RuntimeException e) {
                    // terminated already
                }
            });
        }

        // A connection left open does not stop the database from being dropped.
        Connection left = PgBackend.await(Mono.from(backend.connectionFactory("left").create()), Duration.ofSeconds(30));
        String database = backend.database();
        backend.close();
        backend.close();
        assertThat(backend.server().databases()).doesNotContain(database);
        PgBackend.await(Mono.from(left.close()).onErrorResume(e -> Mono.empty()), Duration.ofSeconds(10));
    }

    @Test
    void aDatabasePrefixIsAPlainIdentifier() {
        for (String prefix : List.of("", "1abc", "Abc", "a-b", "a\"b", "x".repeat(52))) {
            assertThatThrownBy(() -> PgBackend.create(prefix)).as(prefix).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(PgBackend.quoted("a\"b")).isEqualTo("\"a\"\"b\"");
    }

    private static boolean answers(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
