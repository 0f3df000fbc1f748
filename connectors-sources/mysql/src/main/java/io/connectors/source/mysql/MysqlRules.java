package io.connectors.source.mysql;

import io.asyncer.r2dbc.mysql.constant.MySqlType;
import io.connectors.spi.support.QueryRules;
import io.r2dbc.spi.ColumnMetadata;
import io.r2dbc.spi.Connection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The MySQL source's advanced sync rules: the queries whose rows are synced, instead of the configured tables.
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
 * pages by keyset. It may be left out when {@code table} names a table with a primary key ({@code db.table}, or a table
 * of the configured database), which the query then has to select.
 *
 * <p>Validation has two stages, each reporting every problem at once, each naming its path
 * ({@code queries[1].key: ...}). {@link #problems} needs no server: shapes, and a lexical reading of each query
 * ({@link MysqlSql}) that must find one statement that reads (SELECT, WITH, VALUES or TABLE) without {@code INTO}
 * or a locking clause. {@link #resolve} asks the server, inside a {@code READ ONLY} transaction that is always rolled
 * back: the query must run as a derived table ({@code SELECT * FROM (query) LIMIT 0}, which only a query can be), its
 * output columns must have distinct names, and the key must be among them with a type pages can follow. The source's
 * own sessions are read-only too, so a function that writes when called fails instead of writing.
 */
final class MysqlRules {
    static final MysqlRules NONE = new MysqlRules(List.of());


    /** A rule: {@code table} names its rows, {@code sql} is the query, {@code key} its key (empty: the table's). */
    record Query(String table, String sql, List<String> key) {
        Query {
            key = List.copyOf(key);
        }
    }

    private final List<Query> queries;

    private MysqlRules(List<Query> queries) {
        this.queries = List.copyOf(queries);
    }

    List<Query> queries() {
        return queries;
    }

    /**
     * Parses advanced rules that {@link #problems} accepts.
     *
     * @throws IllegalArgumentException with all the problems, if there are any
     */
    static MysqlRules parse(Map<String, Object> advanced) {
        if (advanced == null || advanced.isEmpty()) {
            return NONE;
        }
        List<String> problems = problems(advanced);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        List<Query> queries = QueryRules.parse(advanced, sql -> MysqlSql.analyze(sql).text()).stream()
                .map(q -> new Query(q.table(), q.query(), q.key())).toList();
        return new MysqlRules(queries);
    }

    /** Every problem the rules show without a server, each naming its path; empty when there are none. */
    static List<String> problems(Map<String, Object> advanced) {
        return QueryRules.problems(advanced, MysqlRules::checkQuery);
    }

    private static void checkQuery(String sql, String at, List<String> problems) {
        MysqlSql.Statement statement;
        try {
            statement = MysqlSql.analyze(sql);
        } catch (IllegalArgumentException e) {
            problems.add(at + ": " + e.getMessage());
            return;
        }
        String first = statement.first();
        if (first == null || !MysqlSql.READ_ONLY_KEYWORDS.contains(first)) {
            problems.add(at + ": must be a query that reads (SELECT, WITH, VALUES or TABLE), found '"
                    + (first == null ? statement.text() : first) + "'");
            return;
        }
        String writing = MysqlSql.writingClause(statement);
        if (writing != null) {
            problems.add(at + ": " + writing + "; sync rules only read");
        }
        if (questionOutsideStrings(statement.text())) {
            // A ? in a string is data; one outside would be a parameter the source cannot bind.
            problems.add(at + ": has a parameter (?); rule queries take none");
        }
    }

    private static boolean questionOutsideStrings(String sql) {
        char quote = 0;
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (quote != 0) {
                if (c == '\\' && quote != '`') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"' || c == '`') {
                quote = c;
            } else if (c == '?') {
                return true;
            }
        }
        return false;
    }

    /**
     * Checks the rules against the server and describes them for the sync: a target per rule, in order, or an
     * {@link IllegalArgumentException} with every problem.
     *
     * @param connection   an open connection of the caller's own, in autocommit, closed by the caller afterwards
     * @param primaryKeyOf the primary key columns of a rule's {@code table}, for rules without a key: empty when it is
     *                     not a table or has none
     */
    Mono<List<MysqlTarget>> resolve(Connection connection, Function<String, Mono<List<String>>> primaryKeyOf) {
        return inspectAll(connection, primaryKeyOf).flatMap(checked -> {
            List<String> problems = problems(checked);
            return problems.isEmpty() ? Mono.just(checked.stream().map(c -> c.target().orElseThrow()).toList())
                    : Mono.error(new IllegalArgumentException(String.join("; ", problems)));
        });
    }

    /** The problems {@link #resolve} finds, each naming its path; empty when there are none. */
    Mono<List<String>> check(Connection connection, Function<String, Mono<List<String>>> primaryKeyOf) {
        return inspectAll(connection, primaryKeyOf).map(MysqlRules::problems);
    }

    private Mono<List<Checked>> inspectAll(Connection connection, Function<String, Mono<List<String>>> primaryKeyOf) {
        return Flux.range(0, queries.size())
                .concatMap(i -> inspect(connection, "queries[" + i + "]", queries.get(i), primaryKeyOf))
                .collectList();
    }

    private static List<String> problems(List<Checked> checked) {
        return checked.stream().flatMap(c -> c.problems().stream()).toList();
    }

    private record Checked(Optional<MysqlTarget> target, List<String> problems) {
    }

    private static Mono<Checked> inspect(Connection c, String at, Query query,
                                         Function<String, Mono<List<String>>> primaryKeyOf) {
        Mono<List<String>> key = query.key().isEmpty()
                ? Mono.defer(() -> primaryKeyOf.apply(query.table())).defaultIfEmpty(List.of())
                : Mono.just(query.key());
        return key.flatMap(k -> k.isEmpty()
                ? Mono.just(new Checked(Optional.empty(), List.of(at + ".key: is required: '" + query.table()
                        + "' is not a table with a primary key")))
                : readOnly(c, describe(c, at, query, k)));
    }

    /**
     * {@code work} in a READ ONLY transaction, rolled back after it. On an error or a cancellation nothing more is
     * sent: the connection is the caller's own and closed right after, and the server rolls back a transaction whose
     * connection ends, so the error the work met is the one reported.
     */
    private static <T> Mono<T> readOnly(Connection c, Mono<T> work) {
        return Flux.from(c.createStatement("START TRANSACTION READ ONLY").execute()).flatMap(r -> r.getRowsUpdated())
                .then(work)
                .flatMap(v -> Flux.from(c.createStatement("ROLLBACK").execute()).flatMap(r -> r.getRowsUpdated())
                        .then(Mono.just(v)));
    }

    /**
     * Describes a query's output without running it: as a derived table with {@code LIMIT 0} (which only a query can
     * be, and which the server answers without reading), left-joined to one row, so that the result has exactly one
     * row whose metadata describes every column.
     */
    private static Mono<Checked> describe(Connection c, String at, Query query, List<String> key) {
        String sql = "SELECT `_q`.* FROM (SELECT 1) AS `_one` LEFT JOIN (SELECT * FROM (" + query.sql()
                + ") AS `_i` LIMIT 0) AS `_q` ON TRUE";
        return Flux.from(c.createStatement(sql).execute())
                .concatMap(r -> r.map((row, meta) -> {
                    List<MysqlColumn> columns = new ArrayList<>();
                    List<? extends ColumnMetadata> all = meta.getColumnMetadatas();
                    for (int i = 0; i < all.size(); i++) {
                        columns.add(column(all.get(i), i + 1));
                    }
                    return columns;
                }))
                .next()
                .map(columns -> checkOutputs(at, query, key, columns))
                .onErrorResume(io.r2dbc.spi.R2dbcException.class, e -> Mono.just(new Checked(Optional.empty(),
                        List.of(at + ".query: the server refused it: " + e.getMessage() + " (" + e.getErrorCode() + ")"))));
    }

    private static Checked checkOutputs(String at, Query query, List<String> key, List<MysqlColumn> columns) {
        List<String> problems = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (MysqlColumn column : columns) {
            if (!names.add(column.name().toLowerCase(Locale.ROOT))) {
                problems.add(at + ".query: names output column '" + column.name() + "' twice; give each a distinct name");
            }
        }
        List<MysqlColumn> keyColumns = new ArrayList<>();
        for (String k : key) {
            Optional<MysqlColumn> column = columns.stream().filter(c -> c.name().equalsIgnoreCase(k)).findFirst();
            if (column.isEmpty()) {
                problems.add(at + ".key: '" + k + "' is not an output column of the query (it has "
                        + columns.stream().map(MysqlColumn::name).toList() + ")");
            } else if (!column.get().keyable()) {
                problems.add(at + ".key: '" + k + "' is of type " + column.get().columnType() + ", which cannot order"
                        + " pages; choose a number, text, binary, date or time column");
            } else {
                keyColumns.add(column.get());
            }
        }
        if (!problems.isEmpty()) {
            return new Checked(Optional.empty(), problems);
        }
        return new Checked(Optional.of(new MysqlTarget(query.table(), "(" + query.sql() + ")", keyColumns, columns,
                Optional.empty(), Optional.empty(), -1, false, false)), List.of());
    }

    /** A column of a query's output, from the driver's description of its type. */
    static MysqlColumn column(ColumnMetadata meta, int ordinal) {
        MySqlType mysqlType = meta instanceof io.asyncer.r2dbc.mysql.api.MySqlReadableMetadata m ? m.getType() : null;
        String type = mysqlType == null ? "unknown" : mysqlType.name().toLowerCase(Locale.ROOT);
        boolean unsigned = type.endsWith("_unsigned");
        String data = unsigned ? type.substring(0, type.length() - "_unsigned".length()) : type;
        String charset = switch (data) {
            case "varbinary", "tinyblob", "blob", "mediumblob", "longblob" -> "binary";
            case "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set" -> "utf8mb4";
            default -> null;
        };
        Integer precision = meta.getPrecision();
        Integer scale = meta.getScale();
        String columnType = switch (data) {
            case "decimal" -> "decimal(" + (precision == null ? 65 : precision) + "," + (scale == null ? 0 : scale) + ")";
            case "bit" -> "bit(" + (precision == null ? 1 : precision) + ")";
            default -> data + (unsigned ? " unsigned" : "");
        };
        return new MysqlColumn(meta.getName(), ordinal, data, columnType, charset, false);
    }
}
