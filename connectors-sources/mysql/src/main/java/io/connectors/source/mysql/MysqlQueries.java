package io.connectors.source.mysql;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The SQL of the source's reads.
 *
 * <p>Every read is one page in key order: {@code SELECT keys, version FROM t WHERE key > last ORDER BY key LIMIT n}
 * for a table or view (a <em>listing</em>: the rows' documents are built later, by key, with {@link #byKey}), or the
 * same with every column for a rule's query. Key values travel as text ({@link MysqlColumn#keyExpression}) and are
 * converted back to their column types in comparisons ({@link MysqlColumn#keyParameter}), so pages follow the
 * index's own order (numbers as numbers, text by the column's collation). The keyset condition is written out
 * ({@code k1 >= ? AND (k1 > ? OR (k1 = ? AND k2 > ?))}) rather than as a row comparison, which not every MariaDB
 * version turns into an index range. Rows whose key has a NULL are never read.
 *
 * <h2>Row versions</h2>
 * A row's version is the MD5 of its values, computed by the server ({@link #versionExpression}: each value's length
 * and bytes, or the MD5 of a large value, and which values are NULL), then {@code @} and the target's
 * {@link #fingerprint}. MySQL keeps no row version of its own; hashing on the server means an unchanged row costs a
 * few bytes on the wire, never its columns.
 */
final class MysqlQueries {
    /**
     * Part of every fingerprint: change it when the same row makes a different document (a change of
     * {@link MysqlTypes}' conversion), so that every document is built again once.
     */
    static final String DOCUMENT_FORMAT = "1";
    private static final int FINGERPRINT_HEX = 12;

    private MysqlQueries() {
    }

    /**
     * A query and the key columns its parameters take, in order: parameter {@code i} is the text of key column
     * {@code keyParameters.get(i)} of the row to continue after ({@code -1}: the cursor value; {@code -2}: the
     * overlap in microseconds).
     */
    record Sql(String sql, List<Integer> keyParameters) {
    }

    /** The parameter slot of the cursor value in {@link Sql#keyParameters}. */
    static final int CURSOR = -1;
    /** The parameter slot of the overlap in microseconds. */
    static final int OVERLAP = -2;
    /** The parameter slot of a split's lower bound. */
    static final int LOWER = -3;
    /** The parameter slot of a split's upper bound. */
    static final int UPPER = -4;

    /**
     * A page of a full read: the first ({@code after} false) or the one after a key; with {@code inclusive}, the one
     * from that key on ({@code >=}).
     */
    static Sql page(MysqlTarget target, boolean after, boolean inclusive, int limit) {
        return page(target, false, false, after, inclusive, limit);
    }

    /**
     * A page of a split: like {@link #page(MysqlTarget, boolean, boolean, int)}, within a range of the first key
     * column whose bounds are the first parameters ({@link #LOWER} inclusive, if {@code lower}; then {@link #UPPER}
     * exclusive, if {@code upper}).
     */
    static Sql page(MysqlTarget target, boolean lower, boolean upper, boolean after, boolean inclusive, int limit) {
        List<Integer> parameters = new ArrayList<>();
        StringBuilder sql = select(target, target.listed() ? Read.LISTING : Read.WHOLE, null);
        sql.append(" WHERE ").append(notNull(target.key()));
        MysqlColumn first = target.key().get(0);
        if (lower) {
            sql.append(" AND ").append(MysqlTarget.ALIAS).append('.').append(first.quoted()).append(" >= ")
                    .append(first.keyParameter());
            parameters.add(LOWER);
        }
        if (upper) {
            sql.append(" AND ").append(MysqlTarget.ALIAS).append('.').append(first.quoted()).append(" < ")
                    .append(first.keyParameter());
            parameters.add(UPPER);
        }
        if (after) {
            sql.append(" AND ").append(keyset(target.key(), inclusive, parameters));
        }
        sql.append(" ORDER BY ").append(order(target.key())).append(" LIMIT ").append(limit);
        return new Sql(sql.toString(), parameters);
    }

    /**
     * A page of an incremental read, ordered by the cursor column then the key.
     *
     * @param from     whether the read starts from a saved position (a parameter)
     * @param overlaps whether that position is moved back by an overlap (a second parameter, microseconds): reads
     *                 {@code >=} it
     * @param after    whether this page continues after a row: {@code (cursor, key) > (?, ?..)}
     */
    static Sql changesPage(MysqlTarget target, MysqlColumn cursor, boolean from, boolean overlaps, boolean after,
                           int limit) {
        List<Integer> parameters = new ArrayList<>();
        String c = MysqlTarget.ALIAS + "." + cursor.quoted();
        StringBuilder sql = select(target, target.listed() ? Read.LISTING : Read.WHOLE, cursor);
        sql.append(" WHERE ").append(c).append(" IS NOT NULL AND ").append(notNull(target.key()));
        String value = cursor.keyParameter();
        if (after) {
            // c >= v AND (c > v OR (c = v AND key > last)): the leading range keeps the cursor column's index usable.
            parameters.add(CURSOR);
            parameters.add(CURSOR);
            parameters.add(CURSOR);
            sql.append(" AND ").append(c).append(" >= ").append(value).append(" AND (").append(c).append(" > ")
                    .append(value).append(" OR (").append(c).append(" = ").append(value).append(" AND ")
                    .append(after(target.key(), 0, false, parameters)).append("))");
        } else if (from && overlaps) {
            parameters.add(CURSOR);
            parameters.add(OVERLAP);
            sql.append(" AND ").append(c).append(" >= ").append(value).append(" - INTERVAL ? MICROSECOND");
        } else if (from) {
            parameters.add(CURSOR);
            sql.append(" AND ").append(c).append(" > ").append(value);
        }
        sql.append(" ORDER BY ").append(c).append(", ").append(order(target.key())).append(" LIMIT ").append(limit);
        return new Sql(sql.toString(), parameters);
    }

    /** The rows of a table or view whose keys are given ({@code keys} of them), read whole with their versions. */
    static Sql byKey(MysqlTarget target, int keys) {
        List<Integer> parameters = new ArrayList<>();
        StringBuilder sql = select(target, Read.WHOLE, null).append(" WHERE ");
        List<MysqlColumn> key = target.key();
        if (key.size() == 1) {
            sql.append(MysqlTarget.ALIAS).append('.').append(key.get(0).quoted()).append(" IN (");
        } else {
            sql.append('(').append(String.join(", ", key.stream().map(k -> MysqlTarget.ALIAS + "." + k.quoted()).toList()))
                    .append(") IN (");
        }
        for (int n = 0; n < keys; n++) {
            if (n > 0) {
                sql.append(", ");
            }
            if (key.size() > 1) {
                sql.append('(');
            }
            for (int i = 0; i < key.size(); i++) {
                if (i > 0) {
                    sql.append(", ");
                }
                sql.append(key.get(i).keyParameter());
                parameters.add(i);
            }
            if (key.size() > 1) {
                sql.append(')');
            }
        }
        return new Sql(sql.append(')').toString(), parameters);
    }

    /** The largest value of the cursor column, as text. */
    static String max(MysqlTarget target, MysqlColumn cursor) {
        return "SELECT CAST(max(" + MysqlTarget.ALIAS + "." + cursor.quoted() + ") AS CHAR) AS m FROM " + target.from()
                + " " + MysqlTarget.ALIAS;
    }

    /**
     * The version expression of a target's rows: {@code MD5(CONCAT_WS(0x1f, <which are NULL>, <value>...))}, each
     * value as {@link MysqlColumn#versionExpression} writes it; the NULL flags keep a NULL apart from an empty value.
     */
    static String versionExpression(MysqlTarget target) {
        List<String> parts = new ArrayList<>();
        List<String> nulls = new ArrayList<>();
        for (MysqlColumn column : target.columns()) {
            nulls.add("(" + MysqlTarget.ALIAS + "." + column.quoted() + " IS NULL)");
            parts.add(column.versionExpression(MysqlTarget.ALIAS));
        }
        return "MD5(CONCAT_WS(0x1f, CONCAT(" + String.join(", ", nulls) + "), " + String.join(", ", parts) + "))";
    }

    /**
     * The fingerprint of a target's shape: a short hash of {@link #DOCUMENT_FORMAT} and its columns' names and types,
     * in order. Any change of a column (added, dropped, renamed, retyped) changes it.
     */
    static String fingerprint(MysqlTarget target) {
        StringBuilder shape = new StringBuilder(DOCUMENT_FORMAT);
        for (MysqlColumn column : target.columns()) {
            shape.append('\n').append(column.name()).append('\0').append(column.columnType()).append('\0')
                    .append(column.charset()).append('\0').append(column.json());
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(shape.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, FINGERPRINT_HEX);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** A row's version: the hash of its values and its target's {@link #fingerprint}. */
    static String version(String hash, String fingerprint) {
        return hash + "@" + fingerprint;
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
            id.append(key.get(i).replace("%", "%25").replace(",", "%2C").replace("/", "%2F"));
        }
        return id.toString();
    }

    /** What a page reads of each row. */
    enum Read {
        /** Keys and version. */
        LISTING,
        /** Every column, keys and version. */
        WHOLE
    }

    /**
     * {@code SELECT} columns {@code c0..cn} (when whole), keys {@code k0..km}, the version {@code v} and the cursor
     * {@code cur} (when given) {@code FROM} the target.
     */
    private static StringBuilder select(MysqlTarget target, Read read, MysqlColumn cursor) {
        List<String> columns = new ArrayList<>();
        if (read == Read.WHOLE) {
            for (int i = 0; i < target.columns().size(); i++) {
                columns.add(target.columns().get(i).valueExpression(MysqlTarget.ALIAS) + " AS c" + i);
            }
        }
        for (int i = 0; i < target.key().size(); i++) {
            columns.add(target.key().get(i).keyExpression(MysqlTarget.ALIAS) + " AS k" + i);
        }
        columns.add(versionExpression(target) + " AS v");
        if (cursor != null) {
            columns.add("CAST(" + MysqlTarget.ALIAS + "." + cursor.quoted() + " AS CHAR) AS cur");
        }
        return new StringBuilder("SELECT ").append(String.join(", ", columns)).append(" FROM ").append(target.from())
                .append(' ').append(MysqlTarget.ALIAS);
    }

    /**
     * {@code k1 >= ? AND (k1 > ? OR (k1 = ? AND (k2 > ?)))}: the rows after a key (or from it, {@code inclusive}),
     * the key column of each {@code ?} added to {@code parameters}.
     */
    private static String keyset(List<MysqlColumn> key, boolean inclusive, List<Integer> parameters) {
        StringBuilder sql = new StringBuilder();
        String first = MysqlTarget.ALIAS + "." + key.get(0).quoted();
        sql.append(first).append(" >= ").append(key.get(0).keyParameter()).append(" AND ");
        parameters.add(0);
        sql.append(after(key, 0, inclusive, parameters));
        return sql.toString();
    }

    private static String after(List<MysqlColumn> key, int i, boolean inclusive, List<Integer> parameters) {
        String c = MysqlTarget.ALIAS + "." + key.get(i).quoted();
        String p = key.get(i).keyParameter();
        if (i == key.size() - 1) {
            parameters.add(i);
            return "(" + c + (inclusive ? " >= " : " > ") + p + ")";
        }
        parameters.add(i);
        parameters.add(i);
        return "(" + c + " > " + p + " OR (" + c + " = " + p + " AND " + after(key, i + 1, inclusive, parameters) + "))";
    }

    private static String notNull(List<MysqlColumn> key) {
        return String.join(" AND ", key.stream().map(k -> MysqlTarget.ALIAS + "." + k.quoted() + " IS NOT NULL").toList());
    }

    private static String order(List<MysqlColumn> key) {
        return String.join(", ", key.stream().map(k -> MysqlTarget.ALIAS + "." + k.quoted()).toList());
    }
}
