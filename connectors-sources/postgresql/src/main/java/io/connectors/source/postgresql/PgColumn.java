package io.connectors.source.postgresql;

import io.r2dbc.spi.Row;
import java.util.Objects;

/**
 * A column of a table or of a rule's query, as the catalog describes it.
 *
 * @param name            the column's name
 * @param type            its declared type, as {@code format_type} writes it ({@code numeric(12,2)},
 *                        {@code timestamp with time zone}, {@code integer[]}, {@code shop.mood})
 * @param typeName        {@code pg_type.typname} of the type, domains resolved to their base type ({@code int4},
 *                        {@code _int4} for {@code integer[]}, {@code mood} for an enum)
 * @param category        {@code pg_type.typcategory} of that type: {@code A} array, {@code E} enum, {@code N} numeric,
 *                        {@code S} string, {@code D} date/time, {@code B} boolean, {@code U} user (uuid, json, bytea
 *                        ...), {@code I} network, {@code T} timespan, ...
 * @param elementTypeName for an array, {@code typname} of its element type (domains resolved), else null
 * @param elementCategory for an array, {@code typcategory} of its element type, else {@code ' '}
 */
record PgColumn(String name, String type, String typeName, char category, String elementTypeName, char elementCategory) {

    /**
     * Columns of tables, in order. One parameter: a {@code text[]} of {@code regclass}-castable qualified names
     * ({@code "shop"."orders"}). Columns: {@code schema}, {@code table}, then those {@link #from} reads.
     */
    static final String TABLE_COLUMNS_SQL = """
            SELECT n.nspname AS schema, c.relname AS table, a.attname AS name,
                   format_type(a.atttypid, a.atttypmod) AS type, t.typname AS type_name, t.typcategory::text AS category,
                   et.typname AS element_type_name, et.typcategory::text AS element_category
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_type dt ON dt.oid = a.atttypid
            JOIN pg_type t ON t.oid = CASE WHEN dt.typtype = 'd' THEN dt.typbasetype ELSE dt.oid END
            LEFT JOIN pg_type det ON det.oid = t.typelem AND t.typcategory = 'A'
            LEFT JOIN pg_type et ON et.oid = CASE WHEN det.typtype = 'd' THEN det.typbasetype ELSE det.oid END
            WHERE a.attrelid = ANY (SELECT unnest($1::text[])::regclass::oid) AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY n.nspname, c.relname, a.attnum""";

    /**
     * Describes types by oid, for the columns of a query. One parameter: an {@code oid[]}. Columns: {@code oid}, then
     * those {@link #from} reads except {@code name}.
     */
    static final String TYPES_SQL = """
            SELECT dt.oid AS oid, format_type(dt.oid, NULL) AS type, t.typname AS type_name,
                   t.typcategory::text AS category, et.typname AS element_type_name,
                   et.typcategory::text AS element_category
            FROM pg_type dt
            JOIN pg_type t ON t.oid = CASE WHEN dt.typtype = 'd' THEN dt.typbasetype ELSE dt.oid END
            LEFT JOIN pg_type det ON det.oid = t.typelem AND t.typcategory = 'A'
            LEFT JOIN pg_type et ON et.oid = CASE WHEN det.typtype = 'd' THEN det.typbasetype ELSE det.oid END
            WHERE dt.oid = ANY ($1::oid[])""";

    PgColumn {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(typeName, "typeName");
    }

    /** Reads a row of {@link #TABLE_COLUMNS_SQL} (or of {@link #TYPES_SQL}, with the name given). */
    static PgColumn from(Row row, String name) {
        String elementCategory = row.get("element_category", String.class);
        return new PgColumn(name, row.get("type", String.class), row.get("type_name", String.class),
                row.get("category", String.class).charAt(0), row.get("element_type_name", String.class),
                elementCategory == null || elementCategory.isEmpty() ? ' ' : elementCategory.charAt(0));
    }

    /** Whether this is an array column. */
    boolean isArray() {
        return category == 'A';
    }
}
