package io.connectors.source.mysql;

import io.connectors.spi.config.FieldError;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Resolves the configured tables against {@code information_schema}: which tables and views they are, their columns
 * and their keys. The key of a table is its primary key, else its first unique index whose columns are all NOT NULL
 * and whole (no prefix), else the configured {@code key_columns}; configured key columns win over both.
 */
final class MysqlCatalog {

    /**
     * The outcome of a resolution.
     *
     * @param targets what can be synced, in configuration order (or by name, for a whole database)
     * @param skipped why each table that cannot be synced is left out (no key)
     * @param errors  configuration errors: tables that do not exist, key columns that are not columns
     */
    record Resolution(List<MysqlTarget> targets, List<String> skipped, List<FieldError> errors) {
    }

    /** A table or view as {@code information_schema.TABLES} lists it. */
    private record Table(String schema, String name, boolean base, long rows) {
        String qualified() {
            return schema + "." + name;
        }
    }

    private final MysqlConfig config;

    MysqlCatalog(MysqlConfig config) {
        this.config = config;
    }

    /** Whether the server is MariaDB (its JSON columns are LONGTEXT with a check; its status statements differ). */
    static Mono<Boolean> isMariaDb(Connection c) {
        return rows(c, "SELECT VERSION() AS v", row -> row.get("v", String.class)).next()
                .map(v -> v.toLowerCase(Locale.ROOT).contains("mariadb"));
    }

    Mono<Resolution> resolve(Connection c) {
        return isMariaDb(c).flatMap(maria -> tables(c).flatMap(found -> {
            List<FieldError> errors = new ArrayList<>();
            List<Table> chosen = choose(found, errors);
            Set<String> schemas = new LinkedHashSet<>();
            chosen.forEach(t -> schemas.add(t.schema()));
            if (chosen.isEmpty()) {
                return Mono.just(new Resolution(List.of(), List.of(), errors));
            }
            return columns(c, schemas, maria).zipWith(indexes(c, schemas)).map(catalog -> {
                List<MysqlTarget> targets = new ArrayList<>();
                List<String> skipped = new ArrayList<>();
                for (Table t : chosen) {
                    List<MysqlColumn> columns = catalog.getT1().getOrDefault(t.qualified(), List.of());
                    target(t, columns, catalog.getT2().getOrDefault(t.qualified(), Map.of()), skipped, errors)
                            .ifPresent(targets::add);
                }
                configuredKeysForOtherTables(chosen, errors);
                return new Resolution(List.copyOf(targets), List.copyOf(skipped), List.copyOf(errors));
            });
        }));
    }

    /** Primary key columns of a table (for a rule naming a table without a key); empty when it has none. */
    Mono<List<String>> primaryKey(Connection c, String schema, String table) {
        return indexes(c, Set.of(schema)).map(byTable -> {
            Map<String, List<IndexColumn>> indexes = byTable.getOrDefault(schema + "." + table, Map.of());
            List<IndexColumn> primary = indexes.get("PRIMARY");
            return primary == null ? List.<String>of() : primary.stream().map(IndexColumn::column).toList();
        });
    }

    private Mono<List<Table>> tables(Connection c) {
        Set<String> schemas = new LinkedHashSet<>();
        schemas.add(config.database());
        for (String name : config.tables()) {
            int dot = name.indexOf('.');
            if (dot > 0) {
                schemas.add(name.substring(0, dot).trim());
            }
        }
        String sql = "SELECT TABLE_SCHEMA AS s, TABLE_NAME AS n, TABLE_TYPE AS t, TABLE_ROWS AS r FROM"
                + " information_schema.TABLES WHERE TABLE_SCHEMA IN (" + marks(schemas.size()) + ")"
                + " ORDER BY TABLE_SCHEMA, TABLE_NAME";
        return rows(c, sql, row -> new Table(row.get("s", String.class), row.get("n", String.class),
                "BASE TABLE".equals(row.get("t", String.class)), number(row.get("r"))), schemas.toArray())
                .collectList();
    }

    private List<Table> choose(List<Table> found, List<FieldError> errors) {
        if (config.tables().isEmpty()) {
            List<Table> all = found.stream().filter(t -> t.schema().equals(config.database()) && t.base()).toList();
            if (all.isEmpty() && found.stream().noneMatch(t -> t.schema().equals(config.database()))) {
                errors.add(new FieldError(MysqlConfig.DATABASE, "database '" + config.database() + "' has no tables"
                        + " (or the user may not see them)"));
            }
            return all;
        }
        List<Table> chosen = new ArrayList<>();
        for (String name : config.tables()) {
            String trimmed = name.trim();
            int dot = trimmed.indexOf('.');
            String schema = dot > 0 ? trimmed.substring(0, dot).trim() : config.database();
            String table = dot > 0 ? trimmed.substring(dot + 1).trim() : trimmed;
            Optional<Table> match = found.stream().filter(t -> t.schema().equals(schema) && t.name().equals(table))
                    .findFirst()
                    .or(() -> found.stream().filter(t -> t.schema().equalsIgnoreCase(schema)
                            && t.name().equalsIgnoreCase(table)).findFirst());
            if (match.isEmpty()) {
                errors.add(new FieldError(MysqlConfig.TABLES, "table '" + table + "' does not exist in database '"
                        + schema + "' (or the user may not see it)"));
            } else if (!chosen.contains(match.get())) {
                chosen.add(match.get());
            }
        }
        return chosen;
    }

    private Optional<MysqlTarget> target(Table t, List<MysqlColumn> columns, Map<String, List<IndexColumn>> indexes,
                                         List<String> skipped, List<FieldError> errors) {
        Optional<List<String>> configured = configuredKey(t);
        List<String> keyNames;
        boolean unique;
        if (configured.isPresent()) {
            keyNames = configured.get();
            List<String> missing = keyNames.stream().filter(k -> columns.stream().noneMatch(col -> col.name()
                    .equalsIgnoreCase(k))).toList();
            if (!missing.isEmpty()) {
                errors.add(new FieldError(MysqlConfig.KEY_COLUMNS, "table " + t.qualified() + " has no column "
                        + String.join(", ", missing.stream().map(m -> "'" + m + "'").toList())));
                return Optional.empty();
            }
            unique = indexes.values().stream().anyMatch(index -> uniqueWhole(index)
                    && index.stream().map(i -> i.column().toLowerCase(Locale.ROOT)).toList()
                    .equals(keyNames.stream().map(k -> k.toLowerCase(Locale.ROOT)).toList()));
        } else {
            Optional<List<IndexColumn>> key = Optional.ofNullable(indexes.get("PRIMARY"))
                    .or(() -> new TreeMap<>(indexes).values().stream().filter(MysqlCatalog::uniqueWhole).findFirst());
            if (key.isEmpty()) {
                skipped.add((t.base() ? "table " : "view ") + t.qualified() + " has no primary key"
                        + (t.base() ? " nor a unique index of NOT NULL columns" : "") + ": name its key in key_columns"
                        + " (\"" + t.name() + ": <column>, ...\")");
                return Optional.empty();
            }
            keyNames = key.get().stream().map(IndexColumn::column).toList();
            unique = true;
        }
        List<MysqlColumn> key = new ArrayList<>();
        for (String name : keyNames) {
            MysqlColumn column = columns.stream().filter(col -> col.name().equalsIgnoreCase(name)).findFirst()
                    .orElseThrow();
            if (!column.keyable()) {
                skipped.add("table " + t.qualified() + ": key column " + column.name() + " is of type "
                        + column.columnType() + ", which cannot order pages; name other key columns in key_columns");
                return Optional.empty();
            }
            key.add(column);
        }
        String from = MysqlColumn.ident(t.schema()) + "." + MysqlColumn.ident(t.name());
        return Optional.of(new MysqlTarget(t.qualified(), from, key, columns, Optional.of(t.schema()),
                Optional.of(t.name()), t.rows(), unique, t.base()));
    }

    private Optional<List<String>> configuredKey(Table t) {
        for (Map.Entry<String, List<String>> e : config.keyColumns().entrySet()) {
            String name = e.getKey();
            boolean matches = name.contains(".") ? name.equalsIgnoreCase(t.qualified())
                    : name.equalsIgnoreCase(t.name()) && t.schema().equals(config.database());
            if (matches) {
                return Optional.of(e.getValue());
            }
        }
        return Optional.empty();
    }

    private void configuredKeysForOtherTables(List<Table> chosen, List<FieldError> errors) {
        for (String name : config.keyColumns().keySet()) {
            boolean used = chosen.stream().anyMatch(t -> name.contains(".") ? name.equalsIgnoreCase(t.qualified())
                    : name.equalsIgnoreCase(t.name()) && t.schema().equals(config.database()));
            if (!used) {
                errors.add(new FieldError(MysqlConfig.KEY_COLUMNS, "names table '" + name + "', which is not synced"));
            }
        }
    }

    private static boolean uniqueWhole(List<IndexColumn> index) {
        return index.stream().allMatch(i -> i.unique() && !i.nullable() && !i.prefix());
    }

    /** One column of an index, as {@code information_schema.STATISTICS} lists it. */
    private record IndexColumn(String column, boolean unique, boolean nullable, boolean prefix) {
    }

    /** Columns by qualified table name, in order. */
    private static Mono<Map<String, List<MysqlColumn>>> columns(Connection c, Set<String> schemas, boolean maria) {
        String sql = "SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, COLUMN_NAME AS n, ORDINAL_POSITION AS o,"
                + " DATA_TYPE AS d, COLUMN_TYPE AS ct, CHARACTER_SET_NAME AS cs FROM information_schema.COLUMNS"
                + " WHERE TABLE_SCHEMA IN (" + marks(schemas.size()) + ") ORDER BY TABLE_SCHEMA, TABLE_NAME,"
                + " ORDINAL_POSITION";
        Mono<Set<String>> json = maria ? jsonColumns(c, schemas) : Mono.just(Set.of());
        return json.flatMap(jsonColumns -> rows(c, sql, row -> {
            String table = row.get("s", String.class) + "." + row.get("t", String.class);
            String name = row.get("n", String.class);
            return Map.entry(table, new MysqlColumn(name, (int) number(row.get("o")), row.get("d", String.class),
                    row.get("ct", String.class), row.get("cs", String.class), jsonColumns.contains(table + "." + name)));
        }, schemas.toArray()).collect(LinkedHashMap<String, List<MysqlColumn>>::new,
                (map, e) -> map.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue())));
    }

    /** MariaDB's JSON columns: LONGTEXT with the check {@code json_valid(`column`)} it adds for the alias. */
    private static Mono<Set<String>> jsonColumns(Connection c, Set<String> schemas) {
        String sql = "SELECT CONSTRAINT_SCHEMA AS s, TABLE_NAME AS t, CHECK_CLAUSE AS cc FROM"
                + " information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA IN (" + marks(schemas.size()) + ")";
        return rows(c, sql, row -> {
            String clause = row.get("cc", String.class).trim();
            String lower = clause.toLowerCase(Locale.ROOT);
            if (lower.startsWith("json_valid(`") && lower.endsWith("`)")) {
                String column = clause.substring("json_valid(`".length(), clause.length() - 2).replace("``", "`");
                return row.get("s", String.class) + "." + row.get("t", String.class) + "." + column;
            }
            return "";
        }, schemas.toArray()).filter(s -> !s.isEmpty()).collect(java.util.stream.Collectors.toSet());
    }

    /** Indexes by qualified table name, then index name, their columns in order. */
    private static Mono<Map<String, Map<String, List<IndexColumn>>>> indexes(Connection c, Set<String> schemas) {
        String sql = "SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, INDEX_NAME AS i, NON_UNIQUE AS nu, COLUMN_NAME AS n,"
                + " NULLABLE AS nl, SUB_PART AS sp FROM information_schema.STATISTICS WHERE TABLE_SCHEMA IN ("
                + marks(schemas.size()) + ") AND COLUMN_NAME IS NOT NULL ORDER BY TABLE_SCHEMA, TABLE_NAME, INDEX_NAME,"
                + " SEQ_IN_INDEX";
        return rows(c, sql, row -> new Object[] {row.get("s", String.class) + "." + row.get("t", String.class),
                row.get("i", String.class), new IndexColumn(row.get("n", String.class), number(row.get("nu")) == 0,
                "YES".equalsIgnoreCase(row.get("nl", String.class)), row.get("sp") != null)}, schemas.toArray())
                .collect(LinkedHashMap<String, Map<String, List<IndexColumn>>>::new, (map, r) -> map
                        .computeIfAbsent((String) r[0], k -> new LinkedHashMap<>())
                        .computeIfAbsent((String) r[1], k -> new ArrayList<>()).add((IndexColumn) r[2]));
    }

    static String marks(int n) {
        return String.join(", ", java.util.Collections.nCopies(n, "?"));
    }

    static long number(Object value) {
        return value == null ? -1 : value instanceof Number n ? n.longValue() : Long.parseLong(value.toString());
    }

    /** The rows of a query with positional parameters. */
    static <T> Flux<T> rows(Connection c, String sql, Function<io.r2dbc.spi.Row, T> mapper, Object... parameters) {
        Statement statement = c.createStatement(sql);
        for (int i = 0; i < parameters.length; i++) {
            statement.bind(i, parameters[i]);
        }
        return Flux.from(statement.execute()).flatMap(r -> r.map((row, meta) -> mapper.apply(row)));
    }
}
