package io.connectors.source.mysql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * A column of a table or view, as {@code information_schema.COLUMNS} describes it, and how the source reads it.
 *
 * @param name       the column's name
 * @param ordinal    its {@code ORDINAL_POSITION}, 1-based
 * @param dataType   {@code DATA_TYPE}, lower case ({@code bigint}, {@code varchar}, {@code json}, {@code point})
 * @param columnType {@code COLUMN_TYPE} as the server writes it ({@code bigint(20) unsigned}, {@code enum('a','B')},
 *                   {@code datetime(6)}); not lower-cased, since it holds an ENUM's labels
 * @param charset    {@code CHARACTER_SET_NAME}, or null for a type without one
 * @param json       whether it holds JSON: MySQL's {@code json} type, or MariaDB's {@code JSON} alias (a
 *                   {@code longtext} with a {@code json_valid} check)
 */
record MysqlColumn(String name, int ordinal, String dataType, String columnType, String charset, boolean json) {

    /** What a column's values are, for reading, converting, mapping and keys. */
    enum Kind {
        INTEGER, UNSIGNED, DECIMAL, FLOAT, DOUBLE, BIT, YEAR, DATE, DATETIME, TIMESTAMP, TIME, STRING, BINARY, ENUM,
        SET, JSON, GEOMETRY, OTHER
    }

    private static final Set<String> INTEGERS = Set.of("tinyint", "smallint", "mediumint", "int", "integer", "bigint");
    private static final Set<String> STRINGS = Set.of("char", "varchar", "tinytext", "text", "mediumtext", "longtext");
    private static final Set<String> BINARIES = Set.of("binary", "varbinary", "tinyblob", "blob", "mediumblob",
            "longblob");
    private static final Set<String> GEOMETRIES = Set.of("geometry", "point", "linestring", "polygon", "multipoint",
            "multilinestring", "multipolygon", "geometrycollection", "geomcollection");
    /** Values that may be long: a version hashes them ({@code MD5}) rather than holding them whole. */
    private static final Set<String> LARGE = Set.of("tinytext", "text", "mediumtext", "longtext", "tinyblob", "blob",
            "mediumblob", "longblob", "json");
    /** The kinds a key may have: those with an order the server's index and a parameter agree on. */
    static final Set<Kind> KEY_KINDS = Set.of(Kind.INTEGER, Kind.UNSIGNED, Kind.DECIMAL, Kind.YEAR, Kind.DATE,
            Kind.DATETIME, Kind.TIMESTAMP, Kind.TIME, Kind.STRING, Kind.BINARY, Kind.ENUM);

    MysqlColumn {
        Objects.requireNonNull(name, "name");
        dataType = dataType.toLowerCase(Locale.ROOT);
        Objects.requireNonNull(columnType, "columnType");
    }

    Kind kind() {
        if (json || dataType.equals("json")) {
            return Kind.JSON;
        }
        if (INTEGERS.contains(dataType)) {
            return columnType.toLowerCase(Locale.ROOT).contains("unsigned") ? Kind.UNSIGNED : Kind.INTEGER;
        }
        if (STRINGS.contains(dataType)) {
            return "binary".equals(charset) ? Kind.BINARY : Kind.STRING;
        }
        if (BINARIES.contains(dataType)) {
            return Kind.BINARY;
        }
        if (GEOMETRIES.contains(dataType)) {
            return Kind.GEOMETRY;
        }
        return switch (dataType) {
            case "decimal", "numeric" -> Kind.DECIMAL;
            case "float" -> Kind.FLOAT;
            case "double", "real", "double precision" -> Kind.DOUBLE;
            case "bit" -> Kind.BIT;
            case "year" -> Kind.YEAR;
            case "date" -> Kind.DATE;
            case "datetime" -> Kind.DATETIME;
            case "timestamp" -> Kind.TIMESTAMP;
            case "time" -> Kind.TIME;
            case "enum" -> Kind.ENUM;
            case "set" -> Kind.SET;
            default -> Kind.OTHER;
        };
    }

    /** Whether its values may be keys of a keyset read. */
    boolean keyable() {
        return KEY_KINDS.contains(kind());
    }

    /** The column, quoted: {@code `a``b`}. */
    String quoted() {
        return ident(name);
    }

    /** An identifier, always quoted. */
    static String ident(String name) {
        return "`" + name.replace("`", "``") + "`";
    }

    /**
     * The expression a row's value is read with, qualified by {@code alias}: text for every kind but
     * {@link Kind#BINARY} (bytes), so the value is exactly what the server holds whatever the driver would make of it
     * (zero dates, TIME beyond 24 hours, BIT, unsigned BIGINT, DECIMAL's every digit).
     */
    String valueExpression(String alias) {
        String c = alias + "." + quoted();
        return switch (kind()) {
            case STRING, ENUM, SET, BINARY -> c;
            case BIT -> "CAST(CAST(" + c + " AS UNSIGNED) AS CHAR)";
            case GEOMETRY -> "CAST(ST_AsGeoJSON(" + c + ") AS CHAR)";
            default -> "CAST(" + c + " AS CHAR)";
        };
    }

    /**
     * The expression of its value as a key's text: {@code LOWER(HEX(c))} for bytes, {@code CAST(c AS CHAR)} for the
     * others. Document ids are built from it, and the binlog reader gives the same text for a row's key.
     */
    String keyExpression(String alias) {
        String c = alias + "." + quoted();
        return kind() == Kind.BINARY ? "LOWER(HEX(" + c + "))" : "CAST(" + c + " AS CHAR)";
    }

    /** The parameter that a key's text is bound to, converted back to the column's type for comparisons. */
    String keyParameter() {
        return switch (kind()) {
            case INTEGER -> "CAST(? AS SIGNED)";
            case UNSIGNED, YEAR -> "CAST(? AS UNSIGNED)";
            case DECIMAL -> "CAST(? AS DECIMAL(65,30))";
            case DATE -> "CAST(? AS DATE)";
            case DATETIME, TIMESTAMP -> "CAST(? AS DATETIME(6))";
            case TIME -> "CAST(? AS TIME(6))";
            case BINARY -> "UNHEX(?)";
            // An ENUM is ordered and compared by its index when compared with a number: the label becomes its index.
            default -> "?";
        };
    }

    /** The value bound for a key's text: an ENUM's label as its index (1-based; 0 for the empty error value). */
    Object keyValue(String text) {
        if (kind() != Kind.ENUM) {
            return text;
        }
        List<String> labels = labels();
        int index = labels.indexOf(text);
        return (long) (index + 1);
    }

    /**
     * The expression a row's version hashes for this column: the value's length and bytes, or the MD5 of a large
     * value, so that the version's input stays small; binary, so that columns of different character sets mix.
     */
    String versionExpression(String alias) {
        String c = alias + "." + quoted();
        if (LARGE.contains(dataType) || kind() == Kind.GEOMETRY || kind() == Kind.JSON) {
            return "UNHEX(MD5(" + c + "))";
        }
        return "CONCAT(LENGTH(" + c + "), 0x3a, CAST(" + c + " AS BINARY))";
    }

    /** The labels of an ENUM or SET, from its column type: {@code enum('a','b''c')} is {@code [a, b'c]}. */
    List<String> labels() {
        List<String> out = new ArrayList<>();
        int open = columnType.indexOf('(');
        if (open < 0) {
            return out;
        }
        StringBuilder label = null;
        for (int i = open + 1; i < columnType.length(); i++) {
            char ch = columnType.charAt(i);
            if (label == null) {
                if (ch == '\'') {
                    label = new StringBuilder();
                }
            } else if (ch == '\'' && i + 1 < columnType.length() && columnType.charAt(i + 1) == '\'') {
                label.append('\'');
                i++;
            } else if (ch == '\\' && i + 1 < columnType.length()) {
                label.append(columnType.charAt(++i));
            } else if (ch == '\'') {
                out.add(label.toString());
                label = null;
            } else {
                label.append(ch);
            }
        }
        return out;
    }

    /** The display width or length in parentheses of the column type, or -1: {@code bit(8)} is 8. */
    int length() {
        int open = columnType.indexOf('(');
        int close = columnType.indexOf(')', open + 1);
        if (open < 0 || close < 0) {
            return -1;
        }
        String inside = columnType.substring(open + 1, close);
        int comma = inside.indexOf(',');
        try {
            return Integer.parseInt((comma < 0 ? inside : inside.substring(0, comma)).trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The scale of a DECIMAL ({@code decimal(10,2)} is 2), or 0. */
    int scale() {
        int comma = columnType.indexOf(',');
        int close = columnType.indexOf(')', comma + 1);
        if (comma < 0 || close < 0) {
            return 0;
        }
        try {
            return Integer.parseInt(columnType.substring(comma + 1, close).trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
