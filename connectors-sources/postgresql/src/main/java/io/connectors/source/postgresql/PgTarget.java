package io.connectors.source.postgresql;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One thing the source reads into documents: a table, or a rule's query.
 *
 * @param name          what document ids start with ({@code shop.orders}, or a rule's {@code table}), and the
 *                      {@code pg_table} field's value
 * @param from          the SQL it is read from: a quoted table name or a parenthesized query
 * @param key           the columns that identify a row, in order: the keyset the pages follow
 * @param keyTypes      their types, for the casts of the keyset parameters ({@code format_type} names)
 * @param columns       every column, in order
 * @param relation      the quoted qualified table name, for a table (statistics, estimates); empty for a query
 * @param estimatedRows the planner's estimate of the rows, or -1 when unknown
 * @param rowVersions   whether its rows carry {@code xmin}, the id of the transaction that wrote them: tables,
 *                      partitioned tables and materialized views. Views and queries have no {@code xmin}; foreign
 *                      tables have one that is always 0.
 * @param uniqueKey     whether the key is known to be unique (it is the primary key); otherwise full reads check it
 */
record PgTarget(String name, String from, List<String> key, List<String> keyTypes, List<PgColumn> columns,
                Optional<String> relation, long estimatedRows, boolean rowVersions, boolean uniqueKey) {

    PgTarget {
        key = List.copyOf(key);
        keyTypes = List.copyOf(keyTypes);
        columns = List.copyOf(columns);
        if (key.isEmpty() || key.size() != keyTypes.size()) {
            throw new IllegalArgumentException("target " + name + ": a key with a type for each column is needed");
        }
    }

    /** The column named {@code name}, if any. */
    Optional<PgColumn> column(String column) {
        return columns.stream().filter(c -> c.name().equals(column)).findFirst();
    }

    /** An alias for the row in queries that no column has (to_json(alias) would read a same-named column instead). */
    String alias() {
        String alias = "_row";
        int n = 0;
        while (column(alias).isPresent()) {
            alias = "_row" + ++n;
        }
        return alias;
    }

    /** The key column names, quoted and qualified by {@link #alias()}. */
    List<String> qualifiedKey() {
        List<String> out = new ArrayList<>();
        for (String k : key) {
            out.add(PgTarget.ident(alias()) + "." + PgTarget.ident(k));
        }
        return out;
    }

    /** An identifier, always quoted: {@code "a""b"}. */
    static String ident(String name) {
        return PgSql.quoteIdent(name);
    }
}
