package io.connectors.source.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Result;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** The database stage of the rules, against the local PostgreSQL (127.0.0.1:5432, user postgres, trust). */
class PgRulesCheckTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String DATABASE = "rules_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    private static final String PRIMARY_KEY_SQL = """
            SELECT a.attname FROM pg_index i
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
            WHERE i.indrelid = to_regclass($1) AND i.indisprimary
            ORDER BY array_position(i.indkey::int2[], a.attnum)""";

    private Connection connection;
    private final AtomicInteger primaryKeyLookups = new AtomicInteger();

    @BeforeAll
    static void createDatabase() {
        Connection admin = connect("postgres");
        try {
            execute(admin, "CREATE DATABASE " + DATABASE);
        } finally {
            Mono.from(admin.close()).block(TIMEOUT);
        }
        Connection c = connect(DATABASE);
        try {
            for (String sql : List.of(
                    "CREATE SCHEMA shop",
                    "CREATE TYPE shop.mood AS ENUM ('sad', 'ok', 'happy')",
                    "CREATE TABLE shop.customers (id integer PRIMARY KEY, name text NOT NULL, email text,"
                            + " active boolean NOT NULL DEFAULT true)",
                    "CREATE TABLE shop.orders (id bigint PRIMARY KEY, customer_id integer REFERENCES shop.customers,"
                            + " total numeric(12,2), status varchar(20), payload json, placed_at timestamptz)",
                    "CREATE TABLE shop.order_lines (order_id bigint, line_no smallint, sku varchar(20), qty integer,"
                            + " PRIMARY KEY (order_id, line_no))",
                    "CREATE TABLE shop.feelings (who text PRIMARY KEY, mood shop.mood, tags text[], at point)",
                    "CREATE TABLE shop.nokey (a integer)",
                    "CREATE TABLE shop.codes (code char(5) PRIMARY KEY, flags bit(3))",
                    "INSERT INTO shop.codes VALUES ('AAAAA', B'101'), ('AAAAB', B'011'), ('AAAAC', B'111')",
                    "CREATE VIEW shop.active_customers AS SELECT * FROM shop.customers WHERE active",
                    "CREATE SEQUENCE shop.seq",
                    // Mislabelled IMMUTABLE, so the planner runs it while planning: only read-only transactions stop it.
                    "CREATE FUNCTION shop.sneaky() RETURNS bigint IMMUTABLE LANGUAGE plpgsql AS"
                            + " $$ BEGIN RETURN nextval('shop.seq'); END $$",
                    "CREATE FUNCTION shop.explained_only() RETURNS integer IMMUTABLE LANGUAGE plpgsql AS $$ BEGIN"
                            + " IF current_query() NOT LIKE 'EXPLAIN%' THEN RAISE EXCEPTION 'not explained'; END IF;"
                            + " RETURN 1; END $$",
                    "CREATE FUNCTION shop.slow() RETURNS integer IMMUTABLE LANGUAGE plpgsql AS"
                            + " $$ BEGIN PERFORM pg_sleep(1); RETURN 1; END $$",
                    "INSERT INTO shop.customers VALUES (1, 'Ada', 'ada@example.com', true), (2, 'Bob', NULL, false)",
                    "INSERT INTO shop.orders VALUES (10, 1, 12.50, 'paid', '{\"a\": 1}', now()),"
                            + " (11, 2, 3.00, 'cancelled', NULL, now())",
                    "INSERT INTO shop.order_lines VALUES (10, 1, 'X-1', 2), (10, 2, 'Y-2', 1)")) {
                execute(c, sql);
            }
        } finally {
            Mono.from(c.close()).block(TIMEOUT);
        }
    }

    @AfterAll
    static void dropDatabase() {
        Connection admin = connect("postgres");
        try {
            execute(admin, "DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
        } finally {
            Mono.from(admin.close()).block(TIMEOUT);
        }
    }

    @BeforeEach
    void open() {
        connection = connect(DATABASE);
    }

    @AfterEach
    void close() {
        // A connection the server terminated (aLostConnection...) may fail to close: nothing is left to release.
        Mono.from(connection.close()).onErrorComplete().block(TIMEOUT);
    }

    private static Connection connect(String database) {
        return new PostgresqlConnectionFactory(PostgresqlConnectionConfiguration.builder()
                .host("127.0.0.1").port(5432).username("postgres").database(database).build())
                .create().cast(Connection.class).block(TIMEOUT);
    }

    private static long execute(Connection c, String sql) {
        return Flux.from(c.createStatement(sql).execute()).concatMap(Result::getRowsUpdated)
                .reduce(0L, Long::sum).block(TIMEOUT);
    }

    private static List<String> column(Connection c, String sql) {
        return Flux.from(c.createStatement(sql).execute())
                .concatMap(r -> r.map((row, meta) -> String.valueOf(row.get(0))))
                .collectList().block(TIMEOUT);
    }

    /** The source's lookup: a table's primary key, bare names resolved in schema shop. */
    private Mono<List<String>> primaryKeyOf(String table) {
        primaryKeyLookups.incrementAndGet();
        String name = PgSql.splitQualified(table).size() == 1 ? "shop." + PgSql.quoteQualified(table)
                : PgSql.quoteQualified(table);
        return Flux.from(connection.createStatement(PRIMARY_KEY_SQL).bind(0, name).execute())
                .concatMap(r -> r.map((row, meta) -> row.get(0, String.class)))
                .collectList();
    }

    private static Map<String, Object> query(String table, String sql, String... key) {
        Map<String, Object> query = new LinkedHashMap<>();
        query.put("table", table);
        query.put("query", sql);
        if (key.length > 0) {
            query.put("key", List.of(key));
        }
        return query;
    }

    private static PgRules rules(Object... queries) {
        return PgRules.parse(Map.of("queries", List.of(queries)));
    }

    private List<String> check(PgRules rules) {
        List<String> problems = rules.check(connection, this::primaryKeyOf).block(TIMEOUT);
        assertUsable();
        return problems;
    }

    private List<String> problemsOf(String sql, String... key) {
        return check(rules(query("t", sql, key)));
    }

    /** Left as it was found: not in a transaction (let alone a read-only or failed one), able to write. */
    private void assertUsable() {
        assertThat(connection.isAutoCommit()).isTrue();
        assertThat(column(connection, "SHOW transaction_read_only")).containsExactly("off");
        execute(connection, "CREATE TEMP TABLE IF NOT EXISTS probe (x integer)");
        assertThat(execute(connection, "INSERT INTO probe VALUES (1)")).isEqualTo(1);
        assertThat(connection.isAutoCommit()).isTrue();
    }

    @Test
    void validQueriesPass() {
        PgRules rules = rules(
                query("orders_with_customer", "SELECT o.id, o.total, c.name FROM shop.orders o"
                        + " JOIN shop.customers c ON c.id = o.customer_id WHERE o.status <> 'cancelled';", "id"),
                query("shop.customers", "SELECT * FROM shop.customers WHERE active"),
                query("big_orders", "WITH big AS (SELECT * FROM shop.orders WHERE total > 10)"
                        + " SELECT b.id AS order_id, b.total FROM big b -- the big ones", "order_id"),
                query("pairs", "VALUES (1, 'a'), (2, 'b')", "column1"),
                query("order_lines", "TABLE shop.order_lines"),
                query("dollars", "SELECT $$it's; fine$$ AS s, E'\\x41' AS e, id FROM shop.customers", "id"),
                query("active_customers", "SELECT id, name FROM shop.active_customers", "id"),
                query("union", "(SELECT id FROM shop.customers) UNION (SELECT 3)", "id"));
        assertThat(check(rules)).isEmpty();
        assertThat(primaryKeyLookups).as("only the rules without a key look one up").hasValue(2);
    }

    @Test
    void resolveDescribesKeysAndColumns() {
        PgRules rules = rules(
                query("orders_with_customer", "SELECT o.id, o.total, c.name, o.payload, o.placed_at FROM shop.orders o"
                        + " JOIN shop.customers c ON c.id = o.customer_id", "id"),
                query("order_lines", "SELECT * FROM shop.order_lines"),
                query("feelings", "SELECT who, mood, tags FROM shop.feelings", "mood", "tags", "who"));
        rules.resolve(connection, this::primaryKeyOf).as(StepVerifier::create)
                .assertNext(resolved -> {
                    assertThat(resolved).hasSize(3);
                    PgRules.Resolved orders = resolved.get(0);
                    assertThat(orders.table()).isEqualTo("orders_with_customer");
                    assertThat(orders.key()).containsExactly("id");
                    assertThat(orders.keyTypes()).containsExactly("bigint");
                    assertThat(orders.columns()).containsExactly(
                            new PgColumn("id", "bigint", "int8", 'N', null, ' '),
                            new PgColumn("total", "numeric", "numeric", 'N', null, ' '),
                            new PgColumn("name", "text", "text", 'S', null, ' '),
                            new PgColumn("payload", "json", "json", 'U', null, ' '),
                            new PgColumn("placed_at", "timestamp with time zone", "timestamptz", 'D', null, ' '));

                    PgRules.Resolved lines = resolved.get(1);
                    assertThat(lines.sql()).isEqualTo("SELECT * FROM shop.order_lines");
                    assertThat(lines.key()).as("the table's composite primary key").containsExactly("order_id", "line_no");
                    assertThat(lines.keyTypes()).containsExactly("bigint", "smallint");
                    assertThat(lines.columns()).extracting(PgColumn::name)
                            .containsExactly("order_id", "line_no", "sku", "qty");
                    assertThat(lines.columns().get(2).type()).isEqualTo("character varying");

                    PgRules.Resolved feelings = resolved.get(2);
                    assertThat(feelings.keyTypes()).as("enums and arrays order")
                            .containsExactly("shop.mood", "text[]", "text");
                    assertThat(feelings.columns().get(2)).isEqualTo(new PgColumn("tags", "text[]", "_text", 'A', "text", 'S'));
                    assertThat(feelings.columns().get(1).category()).isEqualTo('E');
                })
                .expectComplete()
                .verify(TIMEOUT);
        assertUsable();
    }

    @Test
    void thePageQueryOfAResolvedRuleRuns() {
        PgRules.Resolved lines = rules(query("order_lines", "TABLE shop.order_lines"))
                .resolve(connection, this::primaryKeyOf).block(TIMEOUT).get(0);
        List<String> first = Flux.from(connection.createStatement(lines.pageSql(false, 1)).execute())
                .concatMap(r -> r.map((row, meta) -> row.get(0, String.class) + " " + row.get(1, String.class) + "/"
                        + row.get(2, String.class)))
                .collectList().block(TIMEOUT);
        assertThat(first).containsExactly("{\"qty\": 2, \"sku\": \"X-1\", \"line_no\": 1, \"order_id\": 10} 10/1");
        List<String> next = Flux.from(connection.createStatement(lines.pageSql(true, 10)).bind(0, "10").bind(1, "1")
                        .execute())
                .concatMap(r -> r.map((row, meta) -> row.get(1, String.class) + "/" + row.get(2, String.class)))
                .collectList().block(TIMEOUT);
        assertThat(next).containsExactly("10/2");
    }

    @Test
    void keysOfFixedLengthTypesAreCastWithoutTheirLength() {
        PgRules.Resolved codes = rules(query("codes", "SELECT code, flags FROM shop.codes", "flags", "code"))
                .resolve(connection, this::primaryKeyOf).block(TIMEOUT).get(0);
        assertThat(codes.keyTypes()).as("character and bit would be char(1) and bit(1)")
                .containsExactly("\"bit\"", "bpchar");
        assertThat(codes.columns()).extracting(PgColumn::type).containsExactly("character", "bit");
        List<String> after = Flux.from(connection.createStatement(codes.pageSql(true, 10)).bind(0, "011")
                        .bind(1, "AAAAB").execute())
                .concatMap(r -> r.map((row, meta) -> row.get(2, String.class)))
                .collectList().block(TIMEOUT);
        assertThat(after).containsExactly("AAAAA", "AAAAC");
    }

    @Test
    void theServerReportsUnknownNamesAndSyntaxErrors() {
        assertThat(problemsOf("SELECT * FROM shop.ordrs", "id")).containsExactly(
                "queries[0].query: relation \"shop.ordrs\" does not exist (42P01)");
        assertThat(problemsOf("SELECT nme FROM shop.customers", "id")).singleElement().asString()
                .startsWith("queries[0].query: column \"nme\" does not exist (42703)");
        assertThat(problemsOf("SELECT c.nme FROM shop.customers c", "id")).singleElement().asString()
                .isEqualTo("queries[0].query: column c.nme does not exist (42703). "
                        + "Perhaps you meant to reference the column \"c.name\".");
        assertThat(problemsOf("SELECT id, FROM shop.customers", "id")).containsExactly(
                "queries[0].query: syntax error at or near \"FROM\" (42601)");
        assertThat(problemsOf("SELECT no_such_function(1)", "x")).singleElement().asString()
                .startsWith("queries[0].query: function no_such_function(integer) does not exist (42883). ");
    }

    @Test
    void dataModifyingStatementsAreFoundInThePlan() {
        assertThat(problemsOf("WITH d AS (DELETE FROM shop.orders RETURNING id) SELECT id FROM d", "id"))
                .containsExactly("queries[0].query: modifies data (DELETE on orders); sync rules only read");
        assertThat(problemsOf("WITH d AS (SELECT 1) DELETE FROM shop.nokey", "a"))
                .containsExactly("queries[0].query: modifies data (DELETE on nokey); sync rules only read");
        assertThat(problemsOf("with u as (update shop.customers set name = 'x' returning id),"
                + " i as (insert into shop.nokey values (1) returning a) select id from u, i", "id"))
                .containsExactly("queries[0].query: modifies data (UPDATE on customers, INSERT on nokey);"
                        + " sync rules only read");
        assertThat(column(connection, "SELECT count(*) FROM shop.orders")).containsExactly("2");
        assertThat(column(connection, "SELECT count(*) FROM shop.nokey")).containsExactly("0");
    }

    @Test
    void lockingIsFoundInThePlan() {
        assertThat(problemsOf("SELECT * FROM (SELECT * FROM shop.customers FOR UPDATE) c", "id"))
                .containsExactly("queries[0].query: locks rows (FOR UPDATE or FOR SHARE); sync rules only read");
        assertThat(problemsOf("WITH c AS (SELECT * FROM shop.customers FOR KEY SHARE) SELECT * FROM c", "id"))
                .containsExactly("queries[0].query: locks rows (FOR UPDATE or FOR SHARE); sync rules only read");
    }

    @Test
    void whatTheLexerRefusesNeverReachesTheDatabase() {
        assertThatThrownBy(() -> rules(query("t", "SELECT * INTO shop.copy FROM shop.customers", "id")))
                .hasMessage("invalid advanced sync rules: queries[0].query: SELECT ... INTO creates a table;"
                        + " sync rules only read");
        assertThatThrownBy(() -> rules(query("t", "SELECT * FROM shop.customers FOR UPDATE", "id")))
                .hasMessageContaining("queries[0].query: FOR UPDATE locks rows");
        assertThatThrownBy(() -> rules(query("t", "SELECT 1; DROP TABLE shop.customers", "id")))
                .hasMessageContaining("queries[0].query: must be a single statement");
    }

    @Test
    void functionsThatWriteWhilePlannedAreStoppedByTheReadOnlyTransaction() {
        assertThat(problemsOf("SELECT id, shop.sneaky() AS s FROM shop.customers", "id")).containsExactly(
                "queries[0].query: cannot execute nextval() in a read-only transaction (25006)");
        assertThat(column(connection, "SELECT is_called FROM shop.seq")).containsExactly("false");
    }

    @Test
    void aQueryThatFailsWhenDescribedIsReported() {
        assertThat(problemsOf("SELECT shop.explained_only() AS a", "a")).containsExactly(
                "queries[0].query: not explained (P0001)");
    }

    @Test
    void theExtendedProtocolRefusesASecondStatement() {
        // The checks rely on it: what the lexer might misjudge (standard_conforming_strings off) cannot run.
        Flux.from(connection.createStatement("SELECT 1; SELECT 2").fetchSize(1000).execute())
                .concatMap(r -> r.map((row, meta) -> row.get(0)))
                .as(StepVerifier::create)
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("cannot insert multiple commands"))
                .verify(TIMEOUT);
        assertUsable();
    }

    @Test
    void outputColumnsHaveDistinctNames() {
        assertThat(problemsOf("SELECT c.id, o.id FROM shop.customers c JOIN shop.orders o ON o.customer_id = c.id",
                "id")).containsExactly("queries[0].query: has several output columns named 'id' (only one would be"
                        + " synced): give them distinct aliases");
        assertThat(problemsOf("SELECT 1, 2, 3", "x")).containsExactly(
                "queries[0].query: has several output columns named '?column?' (only one would be synced):"
                        + " give them distinct aliases",
                "queries[0].key[0]: 'x' is not an output column of the query (?column?, ?column?, ?column?)");
    }

    @Test
    void keyColumnsAreOutputColumns() {
        assertThat(problemsOf("SELECT id, name FROM shop.customers", "id", "Name", "email")).containsExactly(
                "queries[0].key[1]: 'Name' is not an output column of the query (id, name)",
                "queries[0].key[2]: 'email' is not an output column of the query (id, name)");
    }

    @Test
    void theDefaultKeyIsTheTablesPrimaryKey() {
        assertThat(check(rules(query("customers", "SELECT id, name FROM shop.customers")))).isEmpty();
        assertThat(check(rules(query("shop.order_lines", "SELECT line_no, qty FROM shop.order_lines")))).containsExactly(
                "queries[0].key: the primary key of 'shop.order_lines' (order_id, line_no) is not among the query's"
                        + " output columns (line_no, qty): select it, or give a key");
        assertThat(check(rules(query("shop.nokey", "SELECT a FROM shop.nokey")))).containsExactly(
                "queries[0].key: is required: 'shop.nokey' is not a table with a primary key");
        assertThat(check(rules(query("shop.active_customers", "SELECT * FROM shop.active_customers")))).containsExactly(
                "queries[0].key: is required: 'shop.active_customers' is not a table with a primary key");
        assertThat(check(rules(query("nowhere", "SELECT 1 AS a")))).containsExactly(
                "queries[0].key: is required: 'nowhere' is not a table with a primary key");
        Function<String, Mono<List<String>>> empty = table -> Mono.empty();
        rules(query("nowhere", "SELECT 1 AS a")).check(connection, empty).as(StepVerifier::create)
                .expectNext(List.of("queries[0].key: is required: 'nowhere' is not a table with a primary key"))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void keysMustOrder() {
        assertThat(problemsOf("SELECT id, payload FROM shop.orders", "payload")).containsExactly(
                "queries[0].key: cannot page the query by (payload json), a key must be orderable:"
                        + " operator does not exist: json > json (42883). No operator matches the given name and argument"
                        + " types. You might need to add explicit type casts.");
        assertThat(problemsOf("SELECT id, payload FROM shop.orders", "id", "payload")).singleElement().asString()
                .startsWith("queries[0].key: cannot page the query by (id bigint, payload json), a key must be orderable:"
                        + " operator does not exist: json > json (42883)");
        assertThat(problemsOf("SELECT box(at, at) AS b FROM shop.feelings", "b")).singleElement().asString()
                .startsWith("queries[0].key: cannot page the query by (b box), a key must be orderable:"
                        + " could not identify an ordering operator for type box (42883)");
        assertThat(problemsOf("SELECT xmlelement(name a) AS x", "x")).singleElement().asString()
                .startsWith("queries[0].key: cannot page the query by (x xml)");
    }

    @Test
    void everyProblemOfEveryRuleIsReportedAndResolveFailsWithThemAll() {
        PgRules rules = rules(
                query("a", "SELECT * FROM shop.ordrs", "id"),
                query("b", "SELECT id FROM shop.customers", "id"),
                query("c", "SELECT id, payload FROM shop.orders", "payload"),
                query("shop.nokey", "TABLE shop.nokey"),
                query("e", "WITH d AS (DELETE FROM shop.orders RETURNING id) SELECT id FROM d", "id"));
        List<String> problems = check(rules);
        assertThat(problems).hasSize(4);
        assertThat(problems.get(0)).startsWith("queries[0].query: relation");
        assertThat(problems.get(1)).startsWith("queries[2].key: cannot page");
        assertThat(problems.get(2)).startsWith("queries[3].key: is required");
        assertThat(problems.get(3)).startsWith("queries[4].query: modifies data");

        rules.resolve(connection, this::primaryKeyOf).as(StepVerifier::create)
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("invalid advanced sync rules: " + String.join("; ", problems)))
                .verify(TIMEOUT);
        assertUsable();
    }

    @Test
    void nothingHappensBeforeSubscription() {
        PgRules rules = rules(query("t", "SELECT 1 AS a"));
        rules.check(connection, table -> {
            throw new AssertionError("not called before subscription");
        });
        rules.resolve(connection, this::primaryKeyOf);
        assertThat(primaryKeyLookups).hasValue(0);
        assertUsable();
    }

    @Test
    void aConnectionInATransactionIsRefused() {
        execute(connection, "BEGIN");
        rules(query("t", "SELECT 1 AS a", "a")).check(connection, this::primaryKeyOf).as(StepVerifier::create)
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("transaction open"))
                .verify(TIMEOUT);
        assertThat(column(connection, "SELECT 1")).as("the caller's transaction is left alone").containsExactly("1");
        execute(connection, "ROLLBACK");
        assertUsable();
    }

    @Test
    void aFailingPrimaryKeyLookupIsAnErrorNotAProblem() {
        rules(query("t", "SELECT 1 AS a")).check(connection, table -> Mono.error(new IllegalStateException("boom")))
                .as(StepVerifier::create)
                .expectErrorMessage("boom")
                .verify(TIMEOUT);
        assertUsable();
    }

    @Test
    void aLostConnectionIsAnErrorNotAProblem() {
        Connection other = connect(DATABASE);
        try {
            String pid = column(connection, "SELECT pg_backend_pid()").get(0);
            execute(other, "SELECT pg_terminate_backend(" + pid + ")");
        } finally {
            Mono.from(other.close()).block(TIMEOUT);
        }
        rules(query("t", "SELECT 1 AS a", "a")).check(connection, this::primaryKeyOf).as(StepVerifier::create)
                .expectError()
                .verify(TIMEOUT);
    }

    @Test
    void cancellingAtAnyPointLeavesNoTransaction() {
        // Cancelled before, during and after the BEGIN, from the subscribing thread and from others: whatever was sent
        // is rolled back, and nothing is sent after the ROLLBACK. Known race: about once in several hundred
        // cancellations the driver still sends the BEGIN after the ROLLBACK; the source therefore runs checks on a
        // connection of its own, closed afterwards (PgDataSource.withOwnConnection), and this loop is kept short.
        PgRules rules = rules(query("t", "SELECT 1 AS a", "a"), query("u", "SELECT id FROM shop.customers", "id"));
        for (int i = 0; i < 30; i++) {
            Mono<List<String>> check = rules.check(connection, this::primaryKeyOf);
            switch (i % 3) {
                case 0 -> check.as(StepVerifier::create).thenCancel().verify(TIMEOUT);
                case 1 -> check.subscribeOn(Schedulers.parallel()).as(StepVerifier::create).thenCancel().verify(TIMEOUT);
                default -> check.timeout(Duration.ofNanos(100_000L * (i % 31))).onErrorComplete().block(TIMEOUT);
            }
            // Queued after the ROLLBACK, if any: the driver knows the transaction status from the replies.
            assertThat(column(connection, "SHOW transaction_read_only")).as("iteration %d", i).containsExactly("off");
            assertThat(connection.isAutoCommit()).as("iteration %d", i).isTrue();
        }
        assertUsable();
    }

    @Test
    void cancellingRollsBack() {
        PgRules rules = rules(query("t", "SELECT shop.slow() AS a", "a"));
        rules.check(connection, this::primaryKeyOf).as(StepVerifier::create)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(300))
                .thenCancel()
                .verify(TIMEOUT);
        // The rollback was queued on the connection at cancellation: what comes next runs after it.
        List<String> after = new ArrayList<>(column(connection, "SELECT 1"));
        assertThat(after).containsExactly("1");
        assertUsable();
    }
}
