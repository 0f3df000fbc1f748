package io.connectors.source.postgresql;

import io.connectors.spi.config.FieldError;
import io.r2dbc.spi.Connection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What the catalog says about the configured tables: which exist, their columns, primary keys and estimated sizes.
 * Tables are named as the catalog stores them (unquoted SQL names are folded to lower case by PostgreSQL, so
 * {@code Orders} created without quotes is {@code orders}).
 */
final class PgCatalog {
    /** Tables of schemas: relkind r (table), p (partitioned table); partitions are read through their parent. */
    private static final String SCHEMA_TABLES_SQL = """
            SELECT n.nspname AS schema, c.relname AS table
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY ($1::text[])
            ORDER BY array_position($1::text[], n.nspname::text), c.relname""";

    /** One named relation (table, partitioned table, view, materialized view, foreign table) in given schemas. */
    private static final String FIND_SQL = """
            SELECT n.nspname AS schema, c.relname AS table
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND c.relname = $1 AND n.nspname = ANY ($2::text[])
            ORDER BY array_position($2::text[], n.nspname::text)
            LIMIT 1""";

    /**
     * Primary key columns, the row estimate of relations, and whether their rows carry a meaningful {@code xmin}
     * (tables, partitioned tables and materialized views; not views, and not foreign tables, whose xmin reads 0), by
     * quoted qualified name.
     */
    private static final String KEYS_SQL = """
            SELECT n.nspname AS schema, c.relname AS table, c.reltuples::bigint AS estimate,
                   c.relkind IN ('r', 'p', 'm') AS row_versions,
                   (SELECT array_agg(a.attname::text ORDER BY k.ord)
                    FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                    WHERE i.indrelid = c.oid AND i.indisprimary) AS pk
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.oid = ANY (SELECT unnest($1::text[])::regclass::oid)""";

    private final PgConfig config;

    PgCatalog(PgConfig config) {
        this.config = config;
    }

    /** The outcome of resolving the configured tables. */
    record Resolution(List<PgTarget> targets, List<String> skipped, List<FieldError> errors) {
    }

    /**
     * Resolves the configured tables: each must exist (a missing one is an error naming {@code tables}), and each
     * needs a primary key or configured key columns (a table with neither is skipped, and said so).
     */
    Mono<Resolution> resolve(Connection c) {
        return names(c).flatMap(found -> {
            List<FieldError> errors = new ArrayList<>(found.errors);
            if (found.tables.isEmpty()) {
                if (errors.isEmpty()) {
                    errors.add(new FieldError(PgConfig.SCHEMAS, "no table found in schemas " + config.schemas() + " of "
                            + config.where()));
                }
                return Mono.just(new Resolution(List.of(), List.of(), errors));
            }
            List<String> relations = found.tables.stream().map(PgCatalog::quoted).toList();
            String[] array = relations.toArray(String[]::new);
            Mono<Map<String, List<PgColumn>>> columns = Flux.from(c.createStatement(PgColumn.TABLE_COLUMNS_SQL)
                            .bind("$1", array).execute())
                    .flatMap(r -> r.map((row, meta) -> Map.entry(quoted(new String[] {row.get("schema", String.class),
                            row.get("table", String.class)}), PgColumn.from(row, row.get("name", String.class)))))
                    .collect(LinkedHashMap::new, (m, e) -> m.computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                            .add(e.getValue()));
            return Flux.from(c.createStatement(KEYS_SQL).bind("$1", array).execute())
                    .flatMap(r -> r.map((row, meta) -> new Keys(quoted(new String[] {row.get("schema", String.class),
                            row.get("table", String.class)}),
                            Optional.ofNullable(row.get("estimate", Long.class)).orElse(-1L),
                            Boolean.TRUE.equals(row.get("row_versions", Boolean.class)), primaryKey(row))))
                    .collectList()
                    .zipWith(columns)
                    .map(both -> build(found.tables, both.getT1(), both.getT2(), errors));
        });
    }

    private Resolution build(List<String[]> tables, List<Keys> keys, Map<String, List<PgColumn>> columns,
                             List<FieldError> errors) {
        List<PgTarget> targets = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        Map<String, List<String>> configuredKeys = new LinkedHashMap<>(config.keyColumns());
        for (String[] table : tables) {
            String relation = quoted(table);
            String name = table[0] + "." + table[1];
            List<PgColumn> cols = columns.getOrDefault(relation, List.of());
            Keys k = keys.stream().filter(x -> x.relation.equals(relation)).findFirst()
                    .orElse(new Keys(relation, -1, false, List.of()));
            List<String> key = configuredKeys.containsKey(name) ? configuredKeys.remove(name)
                    : configuredKeys.containsKey(table[1]) ? configuredKeys.remove(table[1]) : k.pk;
            if (key.isEmpty()) {
                skipped.add(name + " has no primary key: set its key columns in `key_columns` to sync it");
                continue;
            }
            List<String> types = new ArrayList<>();
            for (String column : key) {
                Optional<PgColumn> col = cols.stream().filter(x -> x.name().equals(column)).findFirst();
                if (col.isEmpty()) {
                    errors.add(new FieldError(PgConfig.KEY_COLUMNS, "table " + name + " has no column '" + column + "'"));
                } else {
                    types.add(col.get().type());
                }
            }
            if (types.size() == key.size()) {
                // A key named in key_columns is only unique if it is the primary key: the others are checked as read.
                targets.add(new PgTarget(name, relation, key, types, cols, Optional.of(relation), k.estimate,
                        k.rowVersions, key.equals(k.pk)));
            }
        }
        for (String unused : configuredKeys.keySet()) {
            errors.add(new FieldError(PgConfig.KEY_COLUMNS, "names table '" + unused + "', which is not synced"));
        }
        return new Resolution(targets, skipped, errors);
    }

    /** The primary key columns of a relation named bare (looked up in the schemas) or qualified; empty if none. */
    Mono<List<String>> primaryKey(Connection c, String table) {
        return find(c, table).flatMap(found -> Flux.from(c.createStatement(KEYS_SQL)
                        .bind("$1", new String[] {quoted(found)}).execute())
                .flatMap(r -> r.map((row, meta) -> primaryKey(row)))
                .next())
                .defaultIfEmpty(List.of());
    }

    /** The {@code pk} column of a {@link #KEYS_SQL} row: the primary key's columns, empty when there is none. */
    private static List<String> primaryKey(io.r2dbc.spi.Row row) {
        return Optional.ofNullable(row.get("pk", String[].class)).map(List::of).orElse(List.of());
    }

    private record Keys(String relation, long estimate, boolean rowVersions, List<String> pk) {
    }

    private record Names(List<String[]> tables, List<FieldError> errors) {
    }

    private Mono<Names> names(Connection c) {
        if (config.tables().isEmpty()) {
            return Flux.from(c.createStatement(SCHEMA_TABLES_SQL).bind("$1", config.schemas().toArray(String[]::new))
                            .execute())
                    .flatMap(r -> r.map((row, meta) -> new String[] {row.get("schema", String.class),
                            row.get("table", String.class)}))
                    .collectList()
                    .map(list -> new Names(list, List.of()));
        }
        return Flux.fromIterable(config.tables())
                .concatMap(name -> find(c, name)
                        .map(found -> Map.entry(name, Optional.of(found)))
                        .defaultIfEmpty(Map.entry(name, Optional.empty())))
                .collectList()
                .map(entries -> {
                    List<String[]> tables = new ArrayList<>();
                    List<FieldError> errors = new ArrayList<>();
                    for (Map.Entry<String, Optional<String[]>> e : entries) {
                        if (e.getValue().isEmpty()) {
                            errors.add(new FieldError(PgConfig.TABLES, "table '" + e.getKey() + "' does not exist"
                                    + (e.getKey().contains(".") ? "" : " in schemas " + config.schemas()) + " of "
                                    + config.where()));
                        } else if (tables.stream().anyMatch(t -> quoted(t).equals(quoted(e.getValue().get())))) {
                            errors.add(new FieldError(PgConfig.TABLES, "names table " + e.getValue().get()[0] + "."
                                    + e.getValue().get()[1] + " twice"));
                        } else {
                            tables.add(e.getValue().get());
                        }
                    }
                    return new Names(tables, errors);
                });
    }

    /** Finds a relation named bare or {@code schema.table}; empty when there is none. */
    private Mono<String[]> find(Connection c, String name) {
        int dot = name.indexOf('.');
        String table = dot < 0 ? name : name.substring(dot + 1);
        String[] schemas = dot < 0 ? config.schemas().toArray(String[]::new) : new String[] {name.substring(0, dot)};
        return Flux.from(c.createStatement(FIND_SQL).bind("$1", table).bind("$2", schemas).execute())
                .flatMap(r -> r.map((row, meta) -> new String[] {row.get("schema", String.class),
                        row.get("table", String.class)}))
                .next();
    }

    /** {@code "schema"."table"}. */
    static String quoted(String[] table) {
        return PgTarget.ident(table[0]) + "." + PgTarget.ident(table[1]);
    }
}
