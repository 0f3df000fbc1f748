package io.connectors.source.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.spi.BaseDataSource;
import io.connectors.spi.DataSourceProvider;
import io.connectors.spi.DeferredSource;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SourceException;
import io.connectors.testkit.contract.DataSourceContractTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * The contract suite against a real MySQL or MariaDB ({@link MysqlServer}). Open resources are the source's server
 * sessions in the test database ({@code information_schema.PROCESSLIST}, the counting session left out): the pool
 * holds one while a read is active, and none once the source is closed.
 */
class MysqlDataSourceContractTest extends DataSourceContractTest {
    private static MysqlServer.Database db;
    private static final Set<String> IDS = new TreeSet<>();
    /** A loopback port nothing listens on: the backend is unreachable there. */
    private static final int CLOSED_PORT = closedPort();
    /** Valid field by field; the invalid configurations change one field of it. */
    private static final Map<String, Object> BASE = Map.of("host", "127.0.0.1", "database", "db", "user", "u");

    @BeforeAll
    static void fill() {
        db = MysqlServer.shared().create("contract");
        db.sql("CREATE TABLE items (id int PRIMARY KEY, title varchar(100) NOT NULL)",
                "CREATE TABLE `lines` (order_id int, line_no int, sku varchar(20), PRIMARY KEY (order_id, line_no))",
                "INSERT INTO items VALUES (1, 'item 1'), (2, 'item 2'), (3, 'item 3'), (4, 'item 4'), (5, 'item 5'),"
                        + " (6, 'item 6'), (7, 'item 7'), (8, 'item 8'), (9, 'item 9')",
                "INSERT INTO `lines` VALUES (1, 1, 'a/b'), (1, 2, 'c,d'), (2, 1, 'e')");
        for (int i = 1; i <= 9; i++) {
            IDS.add(db.name() + ".items/" + i);
        }
        IDS.addAll(List.of(db.name() + ".lines/1,1", db.name() + ".lines/1,2", db.name() + ".lines/2,1"));
    }

    @AfterAll
    static void stop() {
        db.close();
    }

    @Override
    protected DataSourceProvider provider() {
        return new MysqlDataSourceProvider();
    }

    @Override
    protected Map<String, Object> validConfiguration() {
        Map<String, Object> raw = new LinkedHashMap<>(db.config());
        raw.put("fetch_size", 2);
        return raw;
    }

    @Override
    protected Set<String> expectedIds() {
        return IDS;
    }

    @Override
    protected long openResourceCount() {
        return db.count("SELECT count(*) FROM information_schema.PROCESSLIST WHERE DB = '" + db.name()
                + "' AND ID <> CONNECTION_ID()");
    }

    /** The same table, a key no row has (every key column 999). */
    @Override
    protected Optional<SourceDocument> vanishedItem(SourceDocument existing) {
        MysqlDataSource.Listed listed = (MysqlDataSource.Listed) existing.state();
        List<String> key = Collections.nCopies(listed.key().size(), "999");
        return Optional.of(SourceDocument.deferred(MysqlQueries.id(listed.target().name(), key),
                existing.version().orElseThrow(), new MysqlDataSource.Listed(listed.target(), key)));
    }

    @Override
    protected Map<String, Object> unreachableConfiguration() {
        return Map.of("host", "127.0.0.1", "port", CLOSED_PORT, "database", "db", "user", "connector", "password",
                "s3cr3t-pw", "connect_timeout", "2s");
    }

    @Override
    protected String unreachableMessageFragment() {
        return "127.0.0.1:" + CLOSED_PORT;
    }

    @Override
    protected List<InvalidConfiguration> invalidConfigurations() {
        return List.of(
                invalid("no host", without(BASE, "host"), "host"),
                invalid("host with a scheme", with(BASE, "host", "http://example.com"), "host"),
                invalid("port out of range", with(BASE, "port", 70_000), "port"),
                invalid("port not a number", with(BASE, "port", "http"), "port"),
                invalid("no database", without(BASE, "database"), "database"),
                invalid("no user", without(BASE, "user"), "user"),
                invalid("unknown ssl mode", with(BASE, "ssl_mode", "always"), "ssl_mode"),
                invalid("missing certificate authority", with(BASE, "ssl_ca", "/nonexistent/ca.pem"), "ssl_ca"),
                invalid("table twice", with(BASE, "tables", List.of("a", "A")), "tables"),
                invalid("key columns without a table", with(BASE, "key_columns", List.of("id")), "key_columns"),
                invalid("fetch size zero", with(BASE, "fetch_size", 0), "fetch_size"),
                invalid("server id too large", with(BASE, "server_id", 1L << 33), "server_id"),
                invalid("negative overlap", with(BASE, "cursor_overlap", "-5s"), "cursor_overlap"),
                invalid("misspelt field", with(BASE, "tabels", List.of("items")), "tabels"));
    }

    /** A batch that cannot be read fails, never completes with items missing (they would be taken for deleted ones). */
    @Test
    void fetchFailsWhenUnreachable() {
        BaseDataSource source = createSource(unreachableConfiguration());
        try {
            StepVerifier.create(((DeferredSource) source).fetch(List.of(SourceDocument.deferred("some-item", "1",
                            new MysqlDataSource.Listed(new MysqlTarget("db.t", "`db`.`t`", List.of(new MysqlColumn("id",
                                    1, "int", "int(11)", null, false)), List.of(new MysqlColumn("id", 1, "int", "int(11)",
                                    null, false)), Optional.of("db"), Optional.of("t"), 1, true, true), List.of("1"))))))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(SourceException.class)
                            .hasMessageContaining(unreachableMessageFragment()).hasMessageNotContaining("s3cr3t-pw"))
                    .verify(stepTimeout());
        } finally {
            StepVerifier.create(source.close()).expectComplete().verify(stepTimeout());
        }
    }

    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }
}
