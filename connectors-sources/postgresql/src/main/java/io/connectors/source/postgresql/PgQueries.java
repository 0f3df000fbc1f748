package io.connectors.source.postgresql;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The SQL of the source's reads, and the rows they return.
 *
 * <p>Every read is one page: {@code SELECT key::text ..., row.xmin::text FROM target row WHERE key > last ORDER BY key
 * LIMIT n} for a target whose rows carry {@code xmin} (a listing: the rows' documents are built later, by key, with
 * {@link #byKey}), {@code SELECT to_json(row)::text, key::text ... } for the others. Keys travel as text and are cast
 * back to their column types in the comparison, so the order is the column type's own (numbers as numbers, text by
 * its collation) whatever the type, and a page starts exactly after the last row of the one before. Rows whose key
 * has a NULL are never read (a configured key column of a table without primary key may hold NULLs).
 *
 * <h2>Row versions</h2>
 * A listed row's version is {@code <xmin>@<fingerprint>} ({@link #version}): {@code xmin} is the transaction that
 * wrote the row (a new one for every INSERT and UPDATE; kept by VACUUM, VACUUM FULL and CLUSTER), and the fingerprint
 * hashes the target's column names and types, because {@code ALTER TABLE ... ADD COLUMN} with a default rewrites no
 * row, so every document of the table needs building again although no {@code xmin} moved.
 */
final class PgQueries {
    private static final Set<String> TIME_TYPES = Set.of("timestamp", "timestamptz", "date");
    /**
     * Part of every fingerprint: change it when the same row state makes a different document (a change of
     * {@link PgTypes}' conversion), so that every document is built again once.
     */
    static final String DOCUMENT_FORMAT = "1";
    private static final int FINGERPRINT_HEX = 12;

    private PgQueries() {
    }

    /** A page query. */
    record Page(String sql) {
    }

    /**
     * One row of a page.
     *
     * @param json   the row as {@code to_json} wrote it; null for a listing
     * @param key    its key values, as text
     * @param cursor its cursor column value, as text (incremental reads only)
     * @param xmin   its {@code xmin}, as text; null for a target without row versions
     */
    record Row(String json, List<String> key, String cursor, String xmin) {
        static Row read(io.r2dbc.spi.Row row, int keySize) {
            List<String> key = new ArrayList<>(keySize);
            for (int i = 0; i < keySize; i++) {
                key.add(row.get("k" + i, String.class));
            }
            io.r2dbc.spi.RowMetadata meta = row.getMetadata();
            return new Row(meta.contains("doc") ? row.get("doc", String.class) : null, List.copyOf(key),
                    meta.contains("cursor") ? row.get("cursor", String.class) : null,
                    meta.contains("xmin") ? row.get("xmin", String.class) : null);
        }
    }

    /**
     * The state of a deferred document: where its row is. Small: the target is shared by all the rows of a read.
     *
     * @param target the table it was listed from
     * @param key    its key values, as text
     */
    record Listed(PgTarget target, List<String> key) {
        Listed {
            key = List.copyOf(key);
        }
    }

    /**
     * A page of a full read: the first page ({@code after} false) or the one after a key given as parameters
     * {@code $1..$n} (text, cast to the key types); with {@code inclusive}, the one from that key on ({@code >=}).
     */
    static Page fullPage(PgTarget target, boolean after, boolean inclusive, int limit) {
        List<String> key = target.qualifiedKey();
        StringBuilder sql = select(target, null);
        sql.append(" WHERE ").append(notNull(key));
        if (after) {
            sql.append(" AND (").append(String.join(", ", key)).append(inclusive ? ") >= (" : ") > (")
                    .append(params(target.keyTypes(), 1)).append(')');
        }
        sql.append(" ORDER BY ").append(String.join(", ", key)).append(" LIMIT ").append(limit);
        return new Page(sql.toString());
    }

    /**
     * A page of a split: like {@link #fullPage}, within a range of the first key column given as parameters first
     * ({@code $1} the lower bound, inclusive, if {@code lower}; then the upper bound, exclusive, if {@code upper}), the
     * key of the last row read after them.
     */
    static Page splitPage(PgTarget target, boolean lower, boolean upper, boolean after, boolean inclusive, int limit) {
        List<String> key = target.qualifiedKey();
        String first = key.get(0);
        String type = target.keyTypes().get(0);
        StringBuilder sql = select(target, null);
        sql.append(" WHERE ").append(notNull(key));
        int next = 1;
        if (lower) {
            sql.append(" AND ").append(first).append(" >= $").append(next++).append("::").append(type);
        }
        if (upper) {
            sql.append(" AND ").append(first).append(" < $").append(next++).append("::").append(type);
        }
        if (after) {
            sql.append(" AND (").append(String.join(", ", key)).append(inclusive ? ") >= (" : ") > (")
                    .append(params(target.keyTypes(), next)).append(')');
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

    /**
     * The rows of a target with row versions whose keys are given, each key column's values as a {@code text[]}
     * parameter ({@code $1..$n}): {@code WHERE (k1, k2) IN (SELECT u.k0::t1, u.k1::t2 FROM unnest($1, $2) u(k0, k1))}.
     * Each value is cast from text to its column's type as the pages' parameters are (so array-typed keys work too,
     * which {@code = ANY ($1::t[])} would take for one array); the planner joins the few hundred keys to the primary
     * key's index. Reads each row whole with its {@code xmin}.
     */
    static String byKey(PgTarget target) {
        List<String> key = target.qualifiedKey();
        List<String> casts = new ArrayList<>();
        List<String> arrays = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < key.size(); i++) {
            casts.add("u.k" + i + "::" + target.keyTypes().get(i));
            arrays.add("$" + (i + 1) + "::text[]");
            names.add("k" + i);
        }
        return select(target, null, true, true).append(" WHERE (").append(String.join(", ", key))
                .append(") IN (SELECT ").append(String.join(", ", casts)).append(" FROM unnest(")
                .append(String.join(", ", arrays)).append(") AS u(").append(String.join(", ", names)).append("))")
                .toString();
    }

    /**
     * The fingerprint of a target's shape: a short hash of {@link #DOCUMENT_FORMAT} and its columns' names and types,
     * in order. Any change of a column (added, dropped, renamed, retyped) changes it.
     */
    static String fingerprint(PgTarget target) {
        StringBuilder shape = new StringBuilder(DOCUMENT_FORMAT);
        for (PgColumn column : target.columns()) {
            shape.append('\n').append(column.name()).append('\0').append(column.type());
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(shape.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, FINGERPRINT_HEX);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** A row's version: its {@code xmin} and its target's {@link #fingerprint}, {@code 1234@0a1b2c3d4e5f}. */
    static String version(String xmin, String fingerprint) {
        return xmin + "@" + fingerprint;
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

    /** A page's select: the listing of a target with row versions, the whole rows of another. */
    private static StringBuilder select(PgTarget target, String cursor) {
        return select(target, cursor, !target.rowVersions(), target.rowVersions());
    }

    /** {@code SELECT} the row's JSON (if {@code doc}), its key, its cursor (if not null), its xmin (if asked) FROM. */
    private static StringBuilder select(PgTarget target, String cursor, boolean doc, boolean xmin) {
        String alias = PgTarget.ident(target.alias());
        List<String> columns = new ArrayList<>();
        if (doc) {
            columns.add("to_json(" + alias + ")::text AS doc");
        }
        List<String> key = target.qualifiedKey();
        for (int i = 0; i < key.size(); i++) {
            columns.add(key.get(i) + "::text AS k" + i);
        }
        if (cursor != null) {
            columns.add(cursor + "::text AS cursor");
        }
        if (xmin) {
            columns.add(alias + ".xmin::text AS xmin");
        }
        return new StringBuilder("SELECT ").append(String.join(", ", columns)).append(" FROM ").append(target.from())
                .append(' ').append(alias);
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
