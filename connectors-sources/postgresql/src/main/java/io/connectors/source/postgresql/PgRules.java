package io.connectors.source.postgresql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connectors.spi.support.QueryRules;
import io.r2dbc.postgresql.api.PostgresqlException;
import io.r2dbc.spi.ColumnMetadata;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Row;
import io.r2dbc.spi.RowMetadata;
import io.r2dbc.spi.Statement;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;

/**
 * The PostgreSQL source's advanced sync rules: the queries whose rows are synced, instead of the configured tables.
 *
 * <pre>{@code
 * {"queries": [
 *   {"table": "orders_with_customer",
 *    "query": "SELECT o.id, o.total, c.name FROM shop.orders o JOIN shop.customers c ON c.id = o.customer_id",
 *    "key": ["id"]},
 *   {"table": "shop.customers", "query": "SELECT * FROM shop.customers WHERE active"}
 * ]}
 * }</pre>
 *
 * <p>{@code table} names the rows (document ids are {@code <table>/<key values>}) and is unique among the rules.
 * {@code key} lists the output columns that identify a row: unique, never null, orderable, since the query is read in
 * pages by keyset ({@link Resolved#pageSql}). It may be left out when {@code table} names a table with a primary key,
 * which the query then has to select.
 *
 * <p>Validation has two stages, each reporting every problem at once, each naming its path
 * ({@code queries[1].key: ...}). {@link #problems} needs no database: shapes, and a lexical reading of each query
 * ({@link PgSql}) that must find one read-only statement. {@link #check} asks the database, inside a read-only
 * transaction that is always rolled back: the plan must neither modify data (a data-modifying {@code WITH}) nor lock
 * rows, the output columns must have distinct names, the key must be among them and page the query. What a plan cannot
 * show, a function that writes when called, is the read-only transactions' to refuse, so the source reads in them too.
 */
final class PgRules {
    static final PgRules NONE = new PgRules(List.of());

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Forces the extended protocol on statements without parameters: it refuses a second statement in the SQL. */
    private static final int FETCH_SIZE = 1000;

    /**
     * A rule.
     *
     * @param table names the rows; a table name when {@code key} is empty
     * @param sql   the query, without trailing semicolons and comments
     * @param key   the output columns that identify a row; empty for the primary key of {@code table}
     */
    record Query(String table, String sql, List<String> key) {
        Query {
            key = List.copyOf(key);
        }
    }

    /**
     * A rule checked against the database, ready to sync.
     *
     * @param key      the output columns that identify a row (the table's primary key when the rule has none)
     * @param keyTypes their types as {@code format_type} writes them without a length ({@code bpchar}, not
     *                 {@code character}, which is {@code char(1)}), for the casts of {@link #pageSql}
     * @param columns  the query's output columns, in order
     */
    record Resolved(String table, String sql, List<String> key, List<String> keyTypes, List<PgColumn> columns) {
        Resolved {
            key = List.copyOf(key);
            keyTypes = List.copyOf(keyTypes);
            columns = List.copyOf(columns);
        }

        /**
         * A page of the query in key order: each row as a JSON object ({@code doc}), then its key values as text. With
         * {@code after}, it takes the last page's key values as parameters {@code $1...$n}, as text.
         *
         * <p>{@code to_jsonb(q.*)}, not {@code to_jsonb(q)}: a column named {@code q} would win over the row.
         */
        String pageSql(boolean after, int limit) {
            String columns = String.join(", ", key.stream().map(k -> "q." + PgSql.quoteIdent(k)).toList());
            StringBuilder sql = new StringBuilder("SELECT to_jsonb(q.*)::text AS doc");
            key.forEach(k -> sql.append(", q.").append(PgSql.quoteIdent(k)).append("::text"));
            sql.append(" FROM (").append(this.sql).append(") AS q");
            if (after) {
                List<String> parameters = new ArrayList<>();
                for (int i = 0; i < key.size(); i++) {
                    parameters.add("$" + (i + 1) + "::" + keyTypes.get(i));
                }
                sql.append(" WHERE (").append(columns).append(") > (").append(String.join(", ", parameters)).append(')');
            }
            return sql.append(" ORDER BY ").append(columns).append(" LIMIT ").append(limit).toString();
        }
    }

    private final List<Query> queries;

    private PgRules(List<Query> queries) {
        this.queries = List.copyOf(queries);
    }

    List<Query> queries() {
        return queries;
    }

    /** Whether there are no rules, so the configured tables are synced. */
    boolean isEmpty() {
        return queries.isEmpty();
    }

    /**
     * Parses advanced rules that {@link #problems} accepts.
     *
     * @throws IllegalArgumentException with all the problems, if there are any
     */
    static PgRules parse(Map<String, Object> advanced) {
        if (advanced == null || advanced.isEmpty()) {
            return NONE;
        }
        List<String> problems = problems(advanced);
        if (!problems.isEmpty()) {
            throw invalid(problems);
        }
        List<Query> queries = QueryRules.parse(advanced, PgSql::singleStatement).stream()
                .map(q -> new Query(q.table(), q.query(), q.key())).toList();
        return new PgRules(queries);
    }

    /** Every problem the rules show without a database, each naming its path; empty when there are none. */
    static List<String> problems(Map<String, Object> advanced) {
        return QueryRules.problems(advanced, PgRules::checkQuery);
    }

    private static void checkQuery(String sql, String at, List<String> problems) {
        PgSql.Statement statement;
        try {
            statement = PgSql.analyze(sql);
        } catch (IllegalArgumentException e) {
            problems.add(at + ": " + e.getMessage());
            return;
        }
        if (statement.firstKeyword() == null || !PgSql.READ_ONLY_KEYWORDS.contains(statement.firstKeyword())) {
            String found = statement.firstKeyword() == null ? statement.firstToken() : statement.firstKeyword();
            problems.add(at + ": must be a read-only query (SELECT, WITH, VALUES or TABLE), found '" + found + "'");
            return;
        }
        if (statement.selectInto()) {
            problems.add(at + ": SELECT ... INTO creates a table; sync rules only read");
        }
        if (statement.lockingClause() != null) {
            problems.add(at + ": " + statement.lockingClause() + " locks rows; sync rules only read");
        }
        if (statement.parameter() != null) {
            problems.add(at + ": has a parameter (" + statement.parameter() + "); rule queries take none");
        }
    }

    /**
     * Checks the rules against the database: every problem, each naming its path, or an empty list. The queries are
     * planned and described, never run, one by one, each in a read-only transaction that is rolled back whatever
     * happens (also on cancellation).
     *
     * @param connection   an open connection, not in a transaction; the caller owns it (it is not closed)
     * @param primaryKeyOf the primary key columns of a rule's {@code table}, for the rules without a key: empty when it
     *                     is not a table or has none. Called outside the read-only transactions.
     * @return lazily, the problems; an error only for what is not the rules' fault (a lost connection, a failing
     *         {@code primaryKeyOf})
     */
    Mono<List<String>> check(Connection connection, Function<String, Mono<List<String>>> primaryKeyOf) {
        return inspectAll(connection, primaryKeyOf)
                .map(checked -> checked.stream().flatMap(c -> c.problems().stream()).toList());
    }

    /**
     * Checks the rules as {@link #check} does and describes them for the sync.
     *
     * @return lazily, a description of each rule, in order; or an {@link IllegalArgumentException} with all the
     *         problems {@link #check} would report
     */
    Mono<List<Resolved>> resolve(Connection connection, Function<String, Mono<List<String>>> primaryKeyOf) {
        return inspectAll(connection, primaryKeyOf).flatMap(checked -> {
            List<String> problems = checked.stream().flatMap(c -> c.problems().stream()).toList();
            return problems.isEmpty() ? Mono.just(checked.stream().map(Checked::value).toList())
                    : Mono.error(invalid(problems));
        });
    }

    /** The result of a step of the checks: a value, or the problems that stop the next steps. */
    private record Checked<T>(T value, List<String> problems) {
        static <T> Checked<T> ok(T value) {
            return new Checked<>(value, List.of());
        }

        static <T> Checked<T> failed(List<String> problems) {
            return new Checked<>(null, List.copyOf(problems));
        }

        <U> Mono<Checked<U>> then(Function<T, Mono<Checked<U>>> next) {
            return problems.isEmpty() ? next.apply(value) : Mono.just(failed(problems));
        }
    }

    /** An output column of a query, as the server describes it. */
    private record Output(String name, long typeOid) {
    }

    private Mono<List<Checked<Resolved>>> inspectAll(Connection connection,
            Function<String, Mono<List<String>>> primaryKeyOf) {
        return Mono.defer(() -> {
            if (!connection.isAutoCommit()) {
                return Mono.error(new IllegalStateException(
                        "the connection has a transaction open: rules are checked in transactions of their own"));
            }
            return Flux.range(0, queries.size())
                    .concatMap(i -> inspect(connection, "queries[" + i + "]", queries.get(i), primaryKeyOf))
                    .collectList();
        });
    }

    private static Mono<Checked<Resolved>> inspect(Connection connection, String at, Query query,
            Function<String, Mono<List<String>>> primaryKeyOf) {
        Mono<List<String>> key = query.key().isEmpty()
                ? Mono.defer(() -> primaryKeyOf.apply(query.table())).defaultIfEmpty(List.of())
                : Mono.just(query.key());
        return key.flatMap(k -> k.isEmpty()
                ? Mono.just(Checked.failed(List.of(at + ".key: is required: '" + query.table()
                        + "' is not a table with a primary key")))
                : ReadOnlyTransaction.run(connection, tx -> inspect(tx, at, query, k)));
    }

    /** The checks that ask the server, in a transaction, each step only when the ones before it passed. */
    private static Mono<Checked<Resolved>> inspect(ReadOnlyTransaction tx, String at, Query query, List<String> key) {
        return plan(tx, at, query.sql())
                .flatMap(plan -> plan.then(ok -> outputs(tx, at, query.sql())))
                .flatMap(outputs -> outputs.then(o -> Mono.just(checkOutputs(at, query, key, o))))
                .flatMap(outputs -> outputs.then(o -> describeTypes(tx, o).map(described -> Checked.ok(
                        new Resolved(query.table(), query.sql(), key, key.stream().map(described.casts()::get).toList(),
                                described.columns())))))
                .flatMap(resolved -> resolved.then(r -> checkPaging(tx, at, r)));
    }

    /** What the plan shows the query would do besides reading: modify data, lock rows. */
    private static Mono<Checked<Boolean>> plan(ReadOnlyTransaction tx, String at, String sql) {
        return tx.rows(c -> c.createStatement("EXPLAIN (FORMAT JSON) " + sql).fetchSize(FETCH_SIZE),
                (row, meta) -> row.get(0, String.class))
                .map(plans -> {
                    Set<String> nodeTypes = new HashSet<>();
                    Set<String> modifications = new LinkedHashSet<>();
                    plans.forEach(plan -> walk(readJson(plan), node -> {
                        nodeTypes.add(node.path("Node Type").asText());
                        if (node.path("Node Type").asText().equals("ModifyTable")) {
                            modifications.add(node.path("Operation").asText().toUpperCase(Locale.ROOT)
                                    + (node.has("Relation Name") ? " on " + node.get("Relation Name").asText() : ""));
                        }
                    }));
                    List<String> problems = new ArrayList<>();
                    if (!modifications.isEmpty()) {
                        problems.add(at + ".query: modifies data (" + String.join(", ", modifications)
                                + "); sync rules only read");
                    }
                    if (nodeTypes.contains("LockRows")) {
                        problems.add(at + ".query: locks rows (FOR UPDATE or FOR SHARE); sync rules only read");
                    }
                    return problems.isEmpty() ? Checked.ok(true) : Checked.<Boolean>failed(problems);
                })
                .onErrorResume(PgRules::isQueryProblem,
                        e -> Mono.just(Checked.failed(List.of(at + ".query: " + serverError(e)))));
    }

    /** The query's output columns. */
    private static Mono<Checked<List<Output>>> outputs(ReadOnlyTransaction tx, String at, String sql) {
        // LIMIT 0 plans the query without running it; the outer join returns one row (of nulls) that carries the
        // columns' descriptions, which a result without rows does not expose.
        String described = "SELECT q.* FROM (VALUES (0)) AS one LEFT JOIN (SELECT * FROM (" + sql
                + ") AS q LIMIT 0) AS q ON true";
        return tx.rows(c -> c.createStatement(described).fetchSize(FETCH_SIZE), (row, meta) -> outputs(meta))
                .map(rows -> Checked.ok(rows.get(0)))
                .onErrorResume(PgRules::isQueryProblem,
                        e -> Mono.just(Checked.failed(List.of(at + ".query: " + serverError(e)))));
    }

    private static List<Output> outputs(RowMetadata meta) {
        List<Output> outputs = new ArrayList<>();
        for (ColumnMetadata column : meta.getColumnMetadatas()) {
            Object oid = column.getNativeTypeMetadata();
            outputs.add(new Output(column.getName(), oid instanceof Integer i ? Integer.toUnsignedLong(i)
                    : ((Number) oid).longValue()));
        }
        return outputs;
    }

    /** Distinct output names (to_jsonb would keep one of a kind), among them the key. */
    private static Checked<List<Output>> checkOutputs(String at, Query query, List<String> key, List<Output> outputs) {
        List<String> problems = new ArrayList<>();
        List<String> names = outputs.stream().map(Output::name).toList();
        Set<String> seen = new HashSet<>();
        names.stream().filter(name -> !seen.add(name)).distinct().forEach(name -> problems.add(at
                + ".query: has several output columns named '" + name
                + "' (only one would be synced): give them distinct aliases"));
        if (query.key().isEmpty()) {
            if (!names.containsAll(key)) {
                problems.add(at + ".key: the primary key of '" + query.table() + "' (" + String.join(", ", key)
                        + ") is not among the query's output columns (" + String.join(", ", names)
                        + "): select it, or give a key");
            }
        } else {
            for (int j = 0; j < key.size(); j++) {
                if (!names.contains(key.get(j))) {
                    problems.add(at + ".key[" + j + "]: '" + key.get(j) + "' is not an output column of the query ("
                            + String.join(", ", names) + ")");
                }
            }
        }
        return problems.isEmpty() ? Checked.ok(outputs) : Checked.failed(problems);
    }

    /** The output columns described by their types' oids, and the casts to their types. */
    private record Described(List<PgColumn> columns, Map<String, String> casts) {
    }

    private static Mono<Described> describeTypes(ReadOnlyTransaction tx, List<Output> outputs) {
        Long[] oids = outputs.stream().map(Output::typeOid).distinct().toArray(Long[]::new);
        // format_type(oid, NULL) writes bpchar as "character" and bit as "bit", which as casts mean char(1) and bit(1)
        // and would cut key values; with typmod -1 it writes the types without a length.
        String sql = "SELECT t.*, format_type(t.oid, -1) AS cast_type FROM (" + PgColumn.TYPES_SQL + ") AS t";
        return tx.rows(c -> c.createStatement(sql).bind(0, oids),
                (row, meta) -> Map.entry(((Number) row.get("oid")).longValue(),
                        Map.entry(PgColumn.from(row, ""), row.get("cast_type", String.class))))
                .map(rows -> {
                    Map<Long, Map.Entry<PgColumn, String>> types = new HashMap<>();
                    rows.forEach(e -> types.put(e.getKey(), e.getValue()));
                    List<PgColumn> columns = new ArrayList<>();
                    Map<String, String> casts = new HashMap<>();
                    for (Output o : outputs) {
                        PgColumn t = types.get(o.typeOid()).getKey();
                        columns.add(new PgColumn(o.name(), t.type(), t.typeName(), t.category(), t.elementTypeName(),
                                t.elementCategory()));
                        casts.put(o.name(), types.get(o.typeOid()).getValue());
                    }
                    return new Described(columns, casts);
                });
    }

    /** Plans the sync's own page query (LIMIT 0 runs nothing), to prove the key orders and compares. */
    private static Mono<Checked<Resolved>> checkPaging(ReadOnlyTransaction tx, String at, Resolved resolved) {
        return tx.rows(c -> {
            Statement page = c.createStatement(resolved.pageSql(true, 0));
            for (int i = 0; i < resolved.key().size(); i++) {
                page.bindNull(i, String.class);
            }
            return page;
        }, (row, meta) -> true)
                .thenReturn(Checked.ok(resolved))
                .onErrorResume(PgRules::isQueryProblem, e -> {
                    List<String> typed = new ArrayList<>();
                    for (int i = 0; i < resolved.key().size(); i++) {
                        typed.add(resolved.key().get(i) + " " + resolved.keyTypes().get(i));
                    }
                    return Mono.just(Checked.failed(List.of(at + ".key: cannot page the query by ("
                            + String.join(", ", typed) + "), a key must be orderable: " + serverError(e))));
                });
    }

    /**
     * A read-only transaction on a connection: statements are sent in it until it ends with its ROLLBACK, which is
     * always the last of them on the connection, and rolls back whatever else of it was sent.
     *
     * <p>The driver sends a statement even when its subscription is cancelled at once, and a cancelled
     * {@code usingWhen} may run its cleanup before the work has subscribed: without the gate, a BEGIN could follow
     * the ROLLBACK and leave the caller's connection in a transaction.
     */
    private static final class ReadOnlyTransaction {
        private final Connection connection;
        private boolean ended;

        private ReadOnlyTransaction(Connection connection) {
            this.connection = connection;
        }

        /** Runs {@code work} in a new transaction, ended after it completes, fails or is cancelled. */
        static <T> Mono<T> run(Connection connection, Function<ReadOnlyTransaction, Mono<T>> work) {
            return Mono.usingWhen(Mono.fromSupplier(() -> new ReadOnlyTransaction(connection)),
                    tx -> tx.execute(c -> c.createStatement("BEGIN READ ONLY")).then(work.apply(tx)),
                    ReadOnlyTransaction::end, (tx, error) -> tx.end(), ReadOnlyTransaction::end);
        }

        /** The rows of a statement created and sent at subscription, unless the transaction has ended. */
        <T> Mono<List<T>> rows(Function<Connection, Statement> statement, BiFunction<Row, RowMetadata, T> mapper) {
            return gated(statement, false).concatMap(result -> result.map(mapper)).collectList();
        }

        private Mono<Long> execute(Function<Connection, Statement> statement) {
            return gated(statement, false).concatMap(Result::getRowsUpdated).reduce(0L, Long::sum);
        }

        /** Ends the transaction: a ROLLBACK after everything sent in it, nothing sent in it after. */
        private Mono<Void> end() {
            return gated(c -> c.createStatement("ROLLBACK"), true).concatMap(Result::getRowsUpdated).then();
        }

        private Flux<Result> gated(Function<Connection, Statement> statement, boolean last) {
            Publisher<Result> results = subscriber -> {
                // Sent (queued on the connection) under the lock, so no statement slips in after the ROLLBACK.
                synchronized (this) {
                    if (!ended) {
                        ended = last;
                        Publisher<? extends Result> execution;
                        try {
                            execution = statement.apply(connection).execute();
                        } catch (RuntimeException e) {
                            Operators.error(subscriber, e);
                            return;
                        }
                        Flux.from(execution).cast(Result.class).subscribe(subscriber);
                        return;
                    }
                }
                Operators.complete(subscriber);
            };
            return Flux.from(results);
        }
    }

    /**
     * Whether the server refused the query for what it says (syntax, names, types, permissions...), as opposed to a
     * failure of the connection, the server or the transaction, which is no problem of the rules.
     */
    private static boolean isQueryProblem(Throwable e) {
        if (!(e instanceof R2dbcException r2dbc) || r2dbc.getSqlState() == null || r2dbc.getSqlState().length() != 5) {
            return false;
        }
        String state = r2dbc.getSqlState();
        String category = state.substring(0, 2);
        return state.equals("57014") || !Set.of("08", "40", "53", "57", "58", "XX").contains(category);
    }

    /** A server error as a problem: its message, its SQLSTATE and its hint. */
    private static String serverError(Throwable e) {
        StringBuilder s = new StringBuilder(e.getMessage()).append(" (").append(((R2dbcException) e).getSqlState())
                .append(')');
        if (e instanceof PostgresqlException pg) {
            pg.getErrorDetails().getHint().ifPresent(hint -> s.append(". ").append(hint));
        }
        return s.toString();
    }

    private static void walk(JsonNode node, Consumer<JsonNode> visitor) {
        if (node.isObject() && node.has("Node Type")) {
            visitor.accept(node);
        }
        node.forEach(child -> walk(child, visitor));
    }

    private static JsonNode readJson(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("EXPLAIN returned a plan that is not JSON", e);
        }
    }

    private static IllegalArgumentException invalid(List<String> problems) {
        return new IllegalArgumentException("invalid advanced sync rules: " + String.join("; ", problems));
    }
}
