package io.connectors.source.postgresql;

import io.connectors.spi.DataSourceProvider;
import io.connectors.spi.SourceDocument;
import io.connectors.testkit.contract.DataSourceContractTest;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The contract suite against a real PostgreSQL ({@link PgBackend}). Open resources are the source's server sessions
 * ({@code pg_stat_activity} rows with its application name in the test database): the pool holds one while a read
 * is active, and none once the source is closed.
 */
class PgDataSourceContractTest extends DataSourceContractTest {
    private static PgBackend db;
    private static final Set<String> IDS = new TreeSet<>();
    /** Valid field by field; the invalid configurations change one field of it. */
    private static final Map<String, Object> BASE = Map.of("host", "127.0.0.1", "database", "db", "user", "u");

    @BeforeAll
    static void fill() {
        db = PgBackend.create("contract");
        db.sql("CREATE TABLE items (id int PRIMARY KEY, title text NOT NULL)",
                "CREATE TABLE lines (order_id int, line_no int, sku text, PRIMARY KEY (order_id, line_no))",
                "INSERT INTO items SELECT i, 'item ' || i FROM generate_series(1, 9) i",
                "INSERT INTO lines VALUES (1, 1, 'a/b'), (1, 2, 'c,d'), (2, 1, 'e')");
        for (int i = 1; i <= 9; i++) {
            IDS.add("public.items/" + i);
        }
        IDS.addAll(List.of("public.lines/1,1", "public.lines/1,2", "public.lines/2,1"));
    }

    @AfterAll
    static void stop() {
        db.close();
    }

    @Override
    protected DataSourceProvider provider() {
        return new PgDataSourceProvider();
    }

    @Override
    protected Map<String, Object> validConfiguration() {
        Map<String, Object> raw = new LinkedHashMap<>(db.connectorConfiguration());
        raw.put("fetch_size", 2);
        return raw;
    }

    @Override
    protected Set<String> expectedIds() {
        return IDS;
    }

    /** The same table, a key no row has (every key column 999). */
    @Override
    protected Optional<SourceDocument> vanishedItem(SourceDocument existing) {
        PgQueries.Listed listed = (PgQueries.Listed) existing.state();
        List<String> key = Collections.nCopies(listed.key().size(), "999");
        return Optional.of(SourceDocument.deferred(PgQueries.id(listed.target().name(), key), existing.version().orElseThrow(),
                new PgQueries.Listed(listed.target(), key)));
    }

    @Override
    protected Map<String, Object> unreachableConfiguration() {
        return Map.of("host", "127.0.0.1", "port", 1, "database", "db", "user", "connector", "password", "s3cr3t-pw",
                "connect_timeout", "2s");
    }

    @Override
    protected String unreachableMessageFragment() {
        return "127.0.0.1:1";
    }

    @Override
    protected List<InvalidConfiguration> invalidConfigurations() {
        return List.of(
                invalid("no host", without("host"), "host"),
                invalid("host with a space", with("host", "db host"), "host"),
                invalid("port out of range", with("port", 70_000), "port"),
                invalid("no database", without("database"), "database"),
                invalid("no user", without("user"), "user"),
                invalid("unknown ssl mode", with("ssl_mode", "always"), "ssl_mode"),
                invalid("missing root certificate", with("ssl_root_cert", "/nonexistent/ca.pem"), "ssl_root_cert"),
                invalid("empty schemas", with("schemas", List.of()), "schemas"),
                invalid("table twice", with("tables", List.of("a", "A")), "tables"),
                invalid("key columns without a table", with("key_columns", List.of("id")), "key_columns"),
                invalid("fetch size zero", with("fetch_size", 0), "fetch_size"),
                invalid("pool size not a number", with("pool_max_size", "many"), "pool_max_size"),
                invalid("life time not a duration", with("pool_max_life_time", "soon"), "pool_max_life_time"),
                invalid("negative overlap", with("cursor_overlap", "-5s"), "cursor_overlap"),
                invalid("misspelt field", with("tabels", List.of("items")), "tabels"));
    }

    // tag::open-resources[]
    @Override
    protected long openResourceCount() {
        return db.count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = '"
                + PgConfig.APPLICATION_NAME + "'");
    }
    // end::open-resources[]

    private static Map<String, Object> with(String key, Object value) {
        return with(BASE, key, value);
    }

    private static Map<String, Object> without(String key) {
        return without(BASE, key);
    }
}
