package io.connectors.source.postgresql;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The SQL of the source's reads, and the rows they return.
 *
 * <p>Every read is one page: {@code SELECT to_json(row)::text, key::text ... FROM target row WHERE key > last
 * ORDER BY key LIMIT n}. Keys travel as text and are cast back to their column types in the comparison, so the order
 * is the column type's own (numbers as numbers, text by its collation) whatever the type, and a page starts exactly
 * after the last row of the one before. Rows whose key has a NULL are never read (a configured key column of a
 * table without primary key may hold NULLs).
 */
final class PgQueries {
    private static final Set<String> TIME_TYPES = Set.of("timestamp", "timestamptz", "date");

    private PgQueries() {
    }

    /** A page query. */
    record Page(String sql) {
    }

    /**
     * One row of a page.
     *
     * @param json   the row as {@code to_json} wrote it
     * @param key    its key values, as text
     * @param cursor its cursor column value, as text (incremental reads only)
     */
    record Row(String json, List<String> key, String cursor) {
        static Row read(io.r2dbc.spi.Row row, int keySize) {
            List<String> key = new ArrayList<>(keySize);
            for (int i = 0; i < keySize; i++) {
                key.add(row.get("k" + i, String.class));
            }
            String cursor = row.getMetadata().contains("cursor") ? row.get("cursor", String.class) : null;
            return new Row(row.get("doc", String.class), List.copyOf(key), cursor);
        }
    }

    /**
     * A page of a full read: the first page ({@code after} false) or the one after a key given as parameters
     * {@code $1..$n} (text, cast to the key types).
     */
    static Page fullPage(PgTarget target, boolean after, int limit) {
        List<String> key = target.qualifiedKey();
        StringBuilder sql = select(target, null);
        sql.append(" WHERE ").append(notNull(key));
        if (after) {
            sql.append(" AND (").append(String.join(", ", key)).append(") > (").append(params(target.keyTypes(), 1))
                    .append(')');
        }
        sql.append(" ORDER BY ").append(String.join(", ", key)).append(" LIMIT ").append(limit);
        return new Page(sql.toString());
    }

    /**
     * A page of an incremental read, ordered by the cursor column then the key.
     *
     * @param from     whether the read starts from a saved position ({@code $1}, text cast to the column's type)
     * @param overlaps whether that position is moved back by an interval ({@code $2}, text): reads {@code >=} it
     * @param after    whether this page continues after a row: {@code (cursor, key) > ($1, $2..)}
     */
    static String changesPage(PgTarget target, PgColumn cursor, boolean from, boolean overlaps, boolean after, int limit) {
        String alias = PgTarget.ident(target.alias());
        String c = alias + "." + PgTarget.ident(cursor.name());
        List<String> key = target.qualifiedKey();
        StringBuilder sql = select(target, c);
        sql.append(" WHERE ").append(c).append(" IS NOT NULL AND ").append(notNull(key));
        if (after) {
            List<String> types = new ArrayList<>();
            types.add(cursor.type());
            types.addAll(target.keyTypes());
            sql.append(" AND (").append(c).append(", ").append(String.join(", ", key)).append(") > (")
                    .append(params(types, 1)).append(')');
        } else if (from && overlaps) {
            sql.append(" AND ").append(c).append(" >= ($1::").append(cursor.type()).append(" - $2::interval)");
        } else if (from) {
            sql.append(" AND ").append(c).append(" > $1::").append(cursor.type());
        }
        sql.append(" ORDER BY ").append(c).append(", ").append(String.join(", ", key)).append(" LIMIT ").append(limit);
        return sql.toString();
    }

    /** Whether a cursor column holds times, so that re-reading an overlap before the saved position makes sense. */
    static boolean isTime(PgColumn column) {
        return TIME_TYPES.contains(column.typeName());
    }

    /**
     * A document id: the target's name, {@code /}, then the key values joined by {@code ,}, each with {@code %},
     * {@code ,} and {@code /} percent-encoded so that distinct keys give distinct ids.
     */
    static String id(String target, List<String> key) {
        StringBuilder id = new StringBuilder(target).append('/');
        for (int i = 0; i < key.size(); i++) {
            if (i > 0) {
                id.append(',');
            }
            id.append(encode(key.get(i)));
        }
        return id.toString();
    }

    static String encode(String value) {
        return value.replace("%", "%25").replace(",", "%2C").replace("/", "%2F");
    }

    private static StringBuilder select(PgTarget target, String cursor) {
        String alias = PgTarget.ident(target.alias());
        StringBuilder sql = new StringBuilder("SELECT to_json(").append(alias).append(")::text AS doc");
        List<String> key = target.qualifiedKey();
        for (int i = 0; i < key.size(); i++) {
            sql.append(", ").append(key.get(i)).append("::text AS k").append(i);
        }
        if (cursor != null) {
            sql.append(", ").append(cursor).append("::text AS cursor");
        }
        return sql.append(" FROM ").append(target.from()).append(' ').append(alias);
    }

    private static String notNull(List<String> columns) {
        return String.join(" AND ", columns.stream().map(c -> c + " IS NOT NULL").toList());
    }

    private static String params(List<String> types, int first) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < types.size(); i++) {
            out.add("$" + (first + i) + "::" + types.get(i));
        }
        return String.join(", ", out);
    }
}
