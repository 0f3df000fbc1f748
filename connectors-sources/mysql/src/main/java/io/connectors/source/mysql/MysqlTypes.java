package io.connectors.source.mysql;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connectors.spi.support.FieldMappings;
import io.connectors.spi.support.FieldNames;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a row's values, as {@link MysqlColumn#valueExpression} reads them, into the fields of its document, and
 * derives the Elasticsearch mapping of those fields from the column types. Immutable and thread-safe; one per column
 * list ({@link #of}).
 *
 * <h2>Values</h2>
 * {@code NULL} is {@code null}, its key present. Every other value is read as the server writes it as text (bytes for
 * binary types), then:
 * <table>
 *   <caption>Column type to field value</caption>
 *   <tr><th>MySQL / MariaDB</th><th>field value</th></tr>
 *   <tr><td>TINYINT ... BIGINT, signed or not; YEAR</td><td>{@code Long}; a BIGINT UNSIGNED above 2<sup>63</sup>-1
 *       a {@code BigInteger}</td></tr>
 *   <tr><td>DECIMAL</td><td>{@code BigDecimal}, every digit and the scale ({@code 1.10} stays {@code 1.10})</td></tr>
 *   <tr><td>FLOAT, DOUBLE</td><td>{@code Float}, {@code Double}: the shortest decimal the server writes</td></tr>
 *   <tr><td>BIT(1)</td><td>{@code Boolean}</td></tr>
 *   <tr><td>BIT(n), n &gt; 1</td><td>the bits as an unsigned number: {@code Long}, or {@code BigInteger} for
 *       BIT(64) values above 2<sup>63</sup>-1</td></tr>
 *   <tr><td>DATE</td><td>{@code 2024-05-01}; a zero date or one with a zero month or day ({@code 0000-00-00},
 *       {@code 2024-00-00}, which MySQL accepts without {@code NO_ZERO_DATE}) stays as it is: kept in
 *       {@code _source}, not indexed ({@code ignore_malformed})</td></tr>
 *   <tr><td>DATETIME</td><td>ISO-8601 without offset, every fractional digit of the column's precision
 *       ({@code 2024-05-01T10:00:00.123456}); zero dates as for DATE</td></tr>
 *   <tr><td>TIMESTAMP</td><td>ISO-8601 in UTC ({@code 2024-05-01T10:00:00.123Z}): the source's sessions use time
 *       zone {@code +00:00}</td></tr>
 *   <tr><td>TIME</td><td>the text the server writes, hours beyond 24 and the sign kept: {@code -838:59:59},
 *       {@code 100:00:00.500000}</td></tr>
 *   <tr><td>CHAR, VARCHAR, TEXT types, ENUM</td><td>the string (utf8mb4: emoji and every plane kept; other character
 *       sets converted by the server)</td></tr>
 *   <tr><td>SET</td><td>a list of its members ({@code []} for the empty set)</td></tr>
 *   <tr><td>BINARY, VARBINARY, BLOB types, and text types of the {@code binary} character set</td><td>base64</td></tr>
 *   <tr><td>JSON (MySQL's type; MariaDB's alias, a LONGTEXT with a {@code json_valid} check)</td><td>the JSON value
 *       parsed: nested maps, lists and scalars, numbers exact ({@code BigDecimal} for fractions)</td></tr>
 *   <tr><td>GEOMETRY and its subtypes</td><td>GeoJSON ({@code ST_AsGeoJSON}), as a map</td></tr>
 *   <tr><td>anything else (MariaDB's INET6, UUID, VECTOR...)</td><td>the text the server writes</td></tr>
 * </table>
 *
 * <h2>Mapping</h2>
 * Every choice accepts every value the type can hold, so no mapping refuses a row; where a value cannot be indexed the
 * mapping says {@code ignore_malformed} and the value stays in {@code _source}:
 * TINYINT {@code byte} (UNSIGNED {@code short}), SMALLINT {@code short} (UNSIGNED {@code integer}), MEDIUMINT and INT
 * {@code integer} (INT UNSIGNED {@code long}), BIGINT {@code long} (UNSIGNED {@code double}, as a DECIMAL(20,0): the
 * exact number stays in {@code _source}; {@code unsigned_long} would be exact, but it is an x-pack mapper that not
 * every Elasticsearch has, the integ-test distribution the local launcher runs among them, and an index whose mapping
 * names it cannot be created there); DECIMAL(p,0) with p &le; 18 {@code long}, other DECIMALs {@code double} (the
 * exact number stays in {@code _source}); FLOAT {@code float}; DOUBLE {@code double}; BIT(1) {@code boolean}, BIT(n)
 * {@code long} (BIT(64) {@code double}, as BIGINT UNSIGNED);
 * YEAR {@code short}; DATE, DATETIME, TIMESTAMP {@code date} ({@code strict_date_optional_time},
 * {@code ignore_malformed}); TIME, ENUM, SET {@code keyword}; text types {@code text} with a {@code keyword}
 * sub-field ({@code ignore_above} 256); binary types {@code binary}; JSON an unindexed {@code object}
 * ({@code enabled: false}: the only mapping that takes every JSON value); geometries the same, their GeoJSON stored
 * and not indexed ({@code geo_shape} would index them, but it is an x-pack mapper that the integ-test Elasticsearch
 * lacks, and it could not hold the coordinates of a projected SRID anyway); anything else dynamic.
 */
final class MysqlTypes {

    /** The field the source adds to every document: the table's qualified name (or the rule's). */
    static final String TABLE_FIELD = "mysql_table";

    private static final FieldNames NAMES = new FieldNames("mysql", TABLE_FIELD);
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNumberLength(Integer.MAX_VALUE)
                    .maxStringLength(Integer.MAX_VALUE).maxNestingDepth(1000).build())
            .build())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);
    private static final int LONG_DIGITS = 18;

    private final List<MysqlColumn> columns;
    private final List<String> fieldNames;
    private final MysqlColumn.Kind[] kinds;

    private MysqlTypes(List<MysqlColumn> columns) {
        this.columns = List.copyOf(columns);
        this.fieldNames = NAMES.distinct(columns.stream().map(MysqlColumn::name).toList());
        this.kinds = columns.stream().map(MysqlColumn::kind).toArray(MysqlColumn.Kind[]::new);
    }

    static MysqlTypes of(List<MysqlColumn> columns) {
        return new MysqlTypes(columns);
    }

    List<String> fieldNames() {
        return fieldNames;
    }

    /** Whether column {@code i} is read as bytes rather than text. */
    boolean binary(int i) {
        return kinds[i] == MysqlColumn.Kind.BINARY;
    }

    /**
     * The fields of a row whose values are given in column order (a {@code String}, or {@code byte[]} where
     * {@link #binary} says so).
     *
     * @throws IllegalArgumentException naming the column, when a value cannot be read as its type says
     */
    Map<String, Object> document(Object[] values) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (int i = 0; i < kinds.length; i++) {
            Object value = values[i];
            try {
                fields.put(fieldNames.get(i), value == null ? null : value(columns.get(i), kinds[i], value));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("column " + columns.get(i).name() + " (" + columns.get(i).columnType()
                        + "): " + e.getMessage(), e);
            }
        }
        return fields;
    }

    private static Object value(MysqlColumn column, MysqlColumn.Kind kind, Object value) {
        if (kind == MysqlColumn.Kind.BINARY) {
            byte[] bytes = value instanceof byte[] b ? b : value.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            return Base64.getEncoder().encodeToString(bytes);
        }
        String text = value.toString();
        return switch (kind) {
            case INTEGER, YEAR -> Long.parseLong(text);
            case UNSIGNED -> unsigned(text);
            case DECIMAL -> new BigDecimal(text);
            case FLOAT -> Float.parseFloat(text);
            case DOUBLE -> Double.parseDouble(text);
            case BIT -> column.length() == 1 ? (Object) !"0".equals(text) : unsigned(text);
            case DATETIME -> text.replace(' ', 'T');
            case TIMESTAMP -> text.replace(' ', 'T') + "Z";
            case SET -> text.isEmpty() ? List.of() : List.copyOf(Arrays.asList(text.split(",", -1)));
            case JSON, GEOMETRY -> json(text);
            default -> text;
        };
    }

    private static Object unsigned(String text) {
        BigInteger n = new BigInteger(text);
        return n.compareTo(LONG_MAX) > 0 ? n : (Object) n.longValue();
    }

    private static Object json(String text) {
        try {
            return JSON.readValue(text, Object.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
    }

    /** The explicit mappings of the columns, by field name; a column left to dynamic mapping is absent. */
    Map<String, Object> mappingProperties() {
        Map<String, Object> properties = new LinkedHashMap<>();
        for (int i = 0; i < kinds.length; i++) {
            Map<String, Object> mapping = mapping(columns.get(i), kinds[i]);
            if (mapping != null) {
                properties.put(fieldNames.get(i), mapping);
            }
        }
        return Collections.unmodifiableMap(properties);
    }

    private static Map<String, Object> mapping(MysqlColumn column, MysqlColumn.Kind kind) {
        boolean unsigned = kind == MysqlColumn.Kind.UNSIGNED;
        return switch (kind) {
            case INTEGER, UNSIGNED -> ordered("type", switch (column.dataType()) {
                case "tinyint" -> unsigned ? "short" : "byte";
                case "smallint" -> unsigned ? "integer" : "short";
                case "mediumint" -> "integer";
                case "int", "integer" -> unsigned ? "long" : "integer";
                default -> unsigned ? "double" : "long";
            });
            case DECIMAL -> ordered("type", column.scale() == 0 && column.length() > 0 && column.length() <= LONG_DIGITS
                    ? "long" : "double");
            case FLOAT -> ordered("type", "float");
            case DOUBLE -> ordered("type", "double");
            case BIT -> ordered("type", column.length() == 1 ? "boolean" : column.length() == 64 ? "double" : "long");
            case YEAR -> ordered("type", "short");
            case DATE, DATETIME, TIMESTAMP -> ordered("type", "date", "format", "strict_date_optional_time",
                    "ignore_malformed", true);
            case TIME, ENUM, SET -> ordered("type", "keyword");
            case STRING -> ordered("type", "text", "fields", ordered("keyword", ordered("type", "keyword",
                    "ignore_above", 256)));
            case BINARY -> ordered("type", "binary");
            case JSON, GEOMETRY -> ordered("type", "object", "enabled", false);
            case OTHER -> null;
        };
    }

    /** The mapping of every target merged; a field mapped differently by two gets one that holds both. */
    static Map<String, Object> merged(List<MysqlTarget> targets) {
        Map<String, List<Map<String, Object>>> byField = new LinkedHashMap<>();
        for (MysqlTarget t : targets) {
            MysqlTypes types = of(t.columns());
            Map<String, Object> explicit = types.mappingProperties();
            for (String field : types.fieldNames()) {
                @SuppressWarnings("unchecked")
                Map<String, Object> definition = (Map<String, Object>) explicit.get(field);
                byField.computeIfAbsent(field, f -> new ArrayList<>()).add(definition);
            }
        }
        Map<String, Object> merged = new LinkedHashMap<>();
        byField.forEach((field, definitions) -> {
            Map<String, Object> common = FieldMappings.common(definitions);
            if (common != null) {
                merged.put(field, common);
            }
        });
        merged.put(TABLE_FIELD, ordered("type", "keyword"));
        return merged;
    }

    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return Collections.unmodifiableMap(map);
    }
}
