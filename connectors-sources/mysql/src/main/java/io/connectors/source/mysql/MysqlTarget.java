package io.connectors.source.mysql;

import java.util.List;
import java.util.Optional;

/**
 * One thing the source reads into documents: a table or view, or an advanced rule's query.
 *
 * @param name          what document ids start with ({@code shop.orders}, or a rule's {@code table}), and the
 *                      {@code mysql_table} field's value
 * @param from          the SQL it is read from: a quoted table name or a parenthesized query
 * @param key           the columns that identify a row, in order: the keyset the pages follow
 * @param columns       every column, in order
 * @param schema        for a table or view, its database; empty for a query
 * @param table         for a table or view, its name; empty for a query
 * @param estimatedRows the server's estimate of the rows ({@code TABLE_ROWS}), or -1 when unknown
 * @param uniqueKey     whether the key is known to be unique (the primary key, or a unique index of NOT NULL columns);
 *                      otherwise full reads check it
 * @param baseTable     whether it is a base table, whose changes the binlog carries (not a view or a query)
 */
record MysqlTarget(String name, String from, List<MysqlColumn> key, List<MysqlColumn> columns, Optional<String> schema,
                   Optional<String> table, long estimatedRows, boolean uniqueKey, boolean baseTable) {

    /** The alias of the row in every query; a column of that name is still read as {@code `_row`.`_row`}. */
    static final String ALIAS = "`_row`";

    MysqlTarget {
        key = List.copyOf(key);
        columns = List.copyOf(columns);
        if (key.isEmpty()) {
            throw new IllegalArgumentException("target " + name + ": a key is needed");
        }
    }

    /** The column named {@code name} (case-insensitively, as MySQL compares column names), if any. */
    Optional<MysqlColumn> column(String column) {
        return columns.stream().filter(c -> c.name().equalsIgnoreCase(column)).findFirst();
    }

    /** Whether it is read as a listing of keys and versions, its rows fetched later by key (tables and views). */
    boolean listed() {
        return table.isPresent();
    }
}
