package io.connectors.source.postgresql;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.connectors.spi.support.FieldNames;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a row, read as {@code SELECT to_jsonb(t)::text}, into the fields of its document, and derives the
 * Elasticsearch mapping of those fields from the column types. Immutable and thread-safe; build one per column list
 * with {@link #of} and reuse it for every row ({@link #document(String, List)} is the one-off form).
 *
 * <p>The sessions that read rows set {@code TimeZone=UTC}, {@code DateStyle=ISO}, {@code IntervalStyle=iso_8601} and
 * {@code extra_float_digits=1} (shortest exact float output); the values below are what {@code to_jsonb} writes
 * under those settings.
 *
 * <h2>Values</h2>
 * {@code NULL} is {@code null}, its key present. Every other value is what {@code to_jsonb} wrote, parsed exactly,
 * except where that text is not the value or Elasticsearch could not take it:
 * <table>
 *   <caption>Column type to field value</caption>
 *   <tr><th>PostgreSQL</th><th>{@code to_jsonb} writes</th><th>field value</th></tr>
 *   <tr><td>smallint, integer, bigint</td><td>a number</td><td>{@code Long}</td></tr>
 *   <tr><td>numeric</td><td>a plain number with every digit and the scale ({@code 1.10}, never an exponent);
 *       {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}</td><td>{@code Long}, {@code BigInteger} or
 *       {@code BigDecimal} (scale kept: {@code 1.10} stays {@code 1.10}); the three strings as they are. A number
 *       longer than 1000 characters written plain, here or inside a json value, becomes the string of its exact
 *       text: Elasticsearch's JSON parser rejects the whole document for such a number (the runtime writes
 *       {@code BigDecimal} plain).</td></tr>
 *   <tr><td>real, double precision</td><td>the shortest decimal that reads back as the same float, written plain
 *       ({@code 0.000...0005} for 4.9E-324); {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}; and {@code 0}
 *       for {@code -0}: the sign of a negative zero is lost in {@code to_jsonb}</td><td>{@code Float},
 *       {@code Double}; the three strings as they are</td></tr>
 *   <tr><td>boolean</td><td>{@code true}, {@code false}</td><td>{@code Boolean}</td></tr>
 *   <tr><td>json, jsonb</td><td>the JSON value itself, as jsonb holds it (a {@code json} column is converted: keys
 *       sorted by length then bytes, duplicate keys reduced to the last, numbers written plain)</td><td>nested
 *       {@code LinkedHashMap}, {@code List} and scalars, in that order; numbers as for numeric</td></tr>
 *   <tr><td>arrays, any number of dimensions</td><td>nested JSON arrays, {@code null} elements kept, lower bounds
 *       dropped ({@code '[2:3]={1,2}'} is {@code [1, 2]})</td><td>nested {@code List}s, each element as for the
 *       element type</td></tr>
 *   <tr><td>bytea</td><td>the text {@code \x0102} (the {@code hex} output format, the default of
 *       {@code bytea_output})</td><td>base64 ({@code "AQI="}; {@code ""} for no bytes). Text in the {@code escape}
 *       output format ({@code \001\002}) is decoded too.</td></tr>
 *   <tr><td>date, timestamp, timestamptz</td><td>ISO-8601 ({@code 2024-05-01}, {@code 2024-05-01T10:00:00.123456},
 *       {@code 2024-05-01T10:00:00.123+00:00}); {@code "infinity"}, {@code "-infinity"}; years after 9999 with more
 *       digits ({@code 12345-01-01}); dates before year 1 with a suffix ({@code "0044-03-15 BC"})</td><td>the same
 *       string, except that a date before year 1 gets its ISO-8601 year instead of the suffix: PostgreSQL counts in
 *       the proleptic Gregorian calendar, as ISO-8601 does, where 1 BC is year {@code 0000} and 44 BC is
 *       {@code -0043} ({@code "-0043-03-15"}, {@code "-4712-01-01T00:00:00+00:00"})</td></tr>
 *   <tr><td>time, timetz, interval, uuid, enums, inet, cidr, macaddr, money, text types, everything else</td>
 *       <td>a string ({@code "24:00:00"}, {@code "P1DT2H"}, {@code "$12.34"}, {@code "ab   "} for a
 *       {@code char(5)})</td><td>the same string</td></tr>
 *   <tr><td>composite types, extension types with a cast to json ({@code hstore})</td><td>a JSON object</td><td>a
 *       nested {@code LinkedHashMap}, its members as they are (no per-attribute conversion: a bytea attribute stays
 *       hex text)</td></tr>
 * </table>
 * Nesting deeper than 1000 levels, which Elasticsearch's parser refuses as well, fails the row.
 *
 * <h2>Field names</h2>
 * A column keeps its name as the field name unless Elasticsearch cannot take that name as a top-level field, or the
 * name belongs to someone else; {@link #fieldName} renames such a column:
 * <ol>
 *   <li>every {@code .} becomes {@code _} (Elasticsearch would read {@code a.b} as field {@code b} of object
 *       {@code a}): {@code a.b} is {@code a_b};</li>
 *   <li>a name that is then empty becomes {@code (empty)}; one that is only whitespace, which Elasticsearch refuses,
 *       has each character percent-encoded as its UTF-8 bytes ({@code " "} is {@code %20});</li>
 *   <li>a name that is then an Elasticsearch metadata field ({@link #METADATA_FIELDS}), starts with {@code _sync}
 *       (the runtime's fields) or is {@value #TABLE_FIELD} (the source's own field) gets the prefix {@code pg}, with
 *       an {@code _} unless it starts with one: {@code _id} is {@code pg_id}, {@code _sync_x} is {@code pg_sync_x},
 *       {@code pg_table} is {@code pg_pg_table}.</li>
 * </ol>
 * {@link #fieldNames} makes the names of a column list distinct: {@value #TABLE_FIELD} is taken first; then every
 * column that needs no renaming keeps its name (the first, if a query repeats a name); last, in column order, each
 * other column takes the first free name among its renamed name {@code n}, {@code n~1}, {@code n~2}, ... So
 * {@code (a_b, a.b)} gives {@code (a_b, a_b~1)} whatever the column order, and the names only change when the
 * columns do.
 *
 * <h2>Mapping</h2>
 * {@link #mappingProperties} maps each column by its type (an array by its element type; a domain by its base type).
 * Every choice accepts every value PostgreSQL can produce for the type, so no mapping ever rejects a row; where a
 * value cannot be indexed by the chosen type the mapping says {@code ignore_malformed}, the value stays in
 * {@code _source} as above, and Elasticsearch lists the field in the document's {@code _ignored}.
 * <table>
 *   <caption>Column type to Elasticsearch mapping</caption>
 *   <tr><th>PostgreSQL</th><th>mapping</th><th>why</th></tr>
 *   <tr><td>smallint, integer, bigint</td><td>{@code short}, {@code integer}, {@code long}</td><td>same range</td></tr>
 *   <tr><td>numeric(p,s) with s &le; 0 and p - s &le; 18</td><td>{@code long}, {@code ignore_malformed}</td>
 *       <td>holds every such integer exactly; {@code NaN} is not indexed</td></tr>
 *   <tr><td>numeric, any other</td><td>{@code double}, {@code ignore_malformed}</td><td>Elasticsearch has no
 *       arbitrary-precision decimal ({@code scaled_float} is a long with a fixed scale, which overflows). A double
 *       gives range queries, sorting and aggregations to about 16 significant digits, while {@code _source} keeps
 *       the exact number, every digit and the scale. {@code NaN}, the infinities and magnitudes beyond double's
 *       range (numeric goes to 10<sup>131072</sup>) are kept but not indexed.</td></tr>
 *   <tr><td>real, double precision</td><td>{@code float}, {@code double}, {@code ignore_malformed}</td><td>same
 *       values; {@code NaN} and the infinities are kept but not indexed (Elasticsearch refuses non-finite
 *       numbers)</td></tr>
 *   <tr><td>boolean</td><td>{@code boolean}</td><td></td></tr>
 *   <tr><td>text, varchar, char, name, citext and every other string type (category {@code S}), xml</td>
 *       <td>{@code text} with a {@code keyword} sub-field {@code keyword} ({@code ignore_above} 256)</td><td>the
 *       catalog cannot tell a code from prose, even for a short {@code varchar(n)}: full-text search on the field,
 *       exact match, sorting and aggregations on {@code .keyword} for values up to 256 characters (as Elasticsearch's
 *       own dynamic mapping does, so the fields behave as users expect)</td></tr>
 *   <tr><td>uuid, enums, time, timetz, interval, macaddr, macaddr8, money</td><td>{@code keyword}</td><td>exact
 *       values, short; no Elasticsearch type holds a time of day or a calendar interval</td></tr>
 *   <tr><td>date, timestamp, timestamptz</td><td>{@code date} ({@code strict_date_optional_time}),
 *       {@code ignore_malformed}</td><td>parses dates, fractions to the nanosecond (indexed to the millisecond,
 *       {@code _source} keeps the microseconds), offsets and signed ISO years; {@code date_nanos} would refuse
 *       anything before 1970 or after 2262. {@code infinity}, {@code -infinity} and years after 9999 are kept but
 *       not indexed.</td></tr>
 *   <tr><td>json, jsonb</td><td>{@code object} with {@code enabled: false}</td><td>the only mapping that accepts
 *       every JSON value: {@code flattened} refuses a top-level scalar or an array of scalars ({@code 5},
 *       {@code ["a","b"]}), a dynamic {@code object} refuses those and any key whose type changes between rows, and
 *       grows a field per distinct key. The value is kept whole in {@code _source}, unsearched; map the field
 *       yourself where its shape is known.</td></tr>
 *   <tr><td>hstore</td><td>{@code flattened}, {@code ignore_above} 8191</td><td>always an object of strings:
 *       every key searchable, no mapping growth</td></tr>
 *   <tr><td>bytea</td><td>{@code binary}</td><td>base64, kept in {@code _source}</td></tr>
 *   <tr><td>inet</td><td>{@code ip}, {@code ignore_malformed}</td><td>a host address is indexed; an address with a
 *       netmask ({@code 10.0.0.1/8}) is kept but not indexed</td></tr>
 *   <tr><td>cidr</td><td>{@code ip_range}</td><td>PostgreSQL always writes the netmask, which {@code ip_range}
 *       reads as the range: a term query for an address finds the networks holding it</td></tr>
 *   <tr><td>other built-in types written as strings: geometric, ranges, bit strings, tsvector, tsquery, oid and
 *       the reg* types, pg_lsn, "char", ...</td><td>{@code keyword}, {@code ignore_above} 8191</td><td>exact
 *       match; a longer value (a polygon, a tsvector) is kept but not indexed, since a term over 32766 bytes would
 *       fail the document</td></tr>
 *   <tr><td>composite types, extension types other than citext and hstore</td><td>none (dynamic mapping)</td>
 *       <td>{@code to_jsonb} writes an object for a composite, and for any type with a cast to json, which the
 *       catalog columns read here do not show</td></tr>
 * </table>
 */
final class PgTypes {

    /** The field the source adds to every document: the table's qualified name. */
    static final String TABLE_FIELD = "pg_table";

    /** Metadata fields of Elasticsearch, which a document may not hold at its top level. */
    static final Set<String> METADATA_FIELDS = FieldNames.METADATA_FIELDS;

    /** The field-name rules ({@link FieldNames}), with this source's prefix and its own field. */
    private static final FieldNames NAMES = new FieldNames("pg", TABLE_FIELD);

    /** Longest number Elasticsearch's JSON parser accepts ({@code StreamReadConstraints.getMaxNumberLength()}). */
    static final int MAX_NUMBER_LENGTH = 1000;

    /**
     * {@code ignore_above} of keyword fields whose values are unbounded: 8191 UTF-16 units are at most 32764 bytes
     * of UTF-8, under Lucene's 32766-byte limit for a term.
     */
    static final int LONG_KEYWORD_LIMIT = 8191;

    private static final String BC_SUFFIX = " BC";
    private static final Pattern EXACT_NUMERIC = Pattern.compile("numeric\\((\\d+),(-?\\d+)\\).*");
    private static final int LONG_DIGITS = 18;
    private static final HexFormat HEX = HexFormat.of();

    /** No limit on numbers and strings (numeric has up to 147455 digits); nesting as deep as Elasticsearch reads. */
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNumberLength(Integer.MAX_VALUE)
                    .maxStringLength(Integer.MAX_VALUE)
                    .maxNestingDepth(1000)
                    .build())
            .build();

    /** What a column's values need beyond parsing. */
    private enum Kind {
        PLAIN, BYTEA, FLOAT4, FLOAT8, DATE_TIME
    }

    private final List<PgColumn> columns;
    private final List<String> fieldNames;
    private final Kind[] kinds;
    private final Map<String, int[]> slotsByName;

    private PgTypes(List<PgColumn> columns) {
        this.columns = List.copyOf(columns);
        this.fieldNames = fieldNames(this.columns);
        this.kinds = new Kind[this.columns.size()];
        Map<String, List<Integer>> slots = new HashMap<>();
        for (int i = 0; i < kinds.length; i++) {
            PgColumn column = this.columns.get(i);
            kinds[i] = kind(column.isArray() ? column.elementTypeName() : column.typeName());
            slots.computeIfAbsent(column.name(), n -> new ArrayList<>()).add(i);
        }
        Map<String, int[]> byName = new HashMap<>();
        slots.forEach((name, list) -> byName.put(name, list.stream().mapToInt(Integer::intValue).toArray()));
        this.slotsByName = byName;
    }

    /** The conversion for rows with these columns, in this order. */
    static PgTypes of(List<PgColumn> columns) {
        Objects.requireNonNull(columns, "columns");
        return new PgTypes(columns);
    }

    /** One row's fields; see {@link #document(String)}. */
    static Map<String, Object> document(String rowJson, List<PgColumn> columns) {
        return of(columns).document(rowJson);
    }

    /** The mapping of these columns; see {@link #mappingProperties()}. */
    static Map<String, Object> mappingProperties(List<PgColumn> columns) {
        return of(columns).mappingProperties();
    }

    /** The field names of these columns, {@link #fieldNames(List) made distinct}. */
    List<String> fieldNames() {
        return fieldNames;
    }

    /**
     * The fields of one row: every column, in column order, under its {@link #fieldNames() field name}, with the
     * values described in the class comment. The map is new and mutable (the source adds {@value #TABLE_FIELD}).
     *
     * @param rowJson the text of {@code to_jsonb(t)} (or {@code to_json(t)}) for a row with exactly these columns
     * @throws IllegalArgumentException if the text is not a JSON object, names a column this list lacks or lacks one
     *                                  it has (the table changed after its columns were read), or holds a value the
     *                                  column's type cannot have; the message names the column
     */
    Map<String, Object> document(String rowJson) {
        Objects.requireNonNull(rowJson, "rowJson");
        Object[] values = new Object[kinds.length];
        boolean[] seen = new boolean[kinds.length];
        try (JsonParser parser = JSON.createParser(rowJson)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("a row must be a JSON object, but starts with "
                        + parser.currentToken());
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                int slot = slot(name, seen);
                JsonToken token = parser.nextToken();
                try {
                    values[slot] = value(parser, token, kinds[slot]);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("column \"" + name + "\" (" + columns.get(slot).type()
                            + "): " + e.getMessage(), e);
                }
                seen[slot] = true;
            }
            if (parser.nextToken() != null) {
                throw new IllegalArgumentException("a row must be one JSON object, but more follows it");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the row's JSON: " + e.getMessage(), e);
        }
        Map<String, Object> fields = new LinkedHashMap<>(kinds.length * 2);
        for (int i = 0; i < kinds.length; i++) {
            fields.put(fieldNames.get(i), seen[i] ? values[i] : repeated(i, values, seen));
        }
        return fields;
    }

    /**
     * The explicit mapping {@code properties} of these columns, keyed by {@link #fieldNames() field name}, as
     * JSON-compatible maps; a column of a type without an explicit mapping (see the class comment) is absent.
     */
    Map<String, Object> mappingProperties() {
        Map<String, Object> properties = new LinkedHashMap<>();
        for (int i = 0; i < kinds.length; i++) {
            Map<String, Object> mapping = mapping(columns.get(i));
            if (mapping != null) {
                properties.put(fieldNames.get(i), mapping);
            }
        }
        return Collections.unmodifiableMap(properties);
    }

    /**
     * The field name of a column, renamed if Elasticsearch cannot take it or it is reserved, as the class comment
     * says; not yet distinct from the other columns' ({@link #fieldNames(List)} is).
     */
    static String fieldName(String column) {
        return NAMES.of(column);
    }

    /** The distinct field names of these columns, in their order; the rule is in the class comment. */
    static List<String> fieldNames(List<PgColumn> columns) {
        return NAMES.distinct(columns.stream().map(PgColumn::name).toList());
    }

    /** The slot of a key of the row: the first unfilled column of that name. */
    private int slot(String name, boolean[] seen) {
        int[] slots = slotsByName.get(name);
        if (slots == null) {
            throw new IllegalArgumentException("the row has a column \"" + name + "\" that is not among the "
                    + kinds.length + " columns read from the catalog; did the table change since?");
        }
        for (int slot : slots) {
            if (!seen[slot]) {
                return slot;
            }
        }
        return slots[slots.length - 1];
    }

    /**
     * The value of a column the row did not name: a repeated name, which {@code to_jsonb} writes once (a query's
     * {@code SELECT a, a}), gets the value written; a column missing altogether is an error.
     */
    private Object repeated(int slot, Object[] values, boolean[] seen) {
        for (int other : slotsByName.get(columns.get(slot).name())) {
            if (seen[other]) {
                return values[other];
            }
        }
        throw new IllegalArgumentException("the row lacks column \"" + columns.get(slot).name()
                + "\"; did the table change since its columns were read?");
    }

    private static Kind kind(String typeName) {
        if (typeName == null) {
            return Kind.PLAIN;
        }
        return switch (typeName) {
            case "bytea" -> Kind.BYTEA;
            case "float4" -> Kind.FLOAT4;
            case "float8" -> Kind.FLOAT8;
            case "date", "timestamp", "timestamptz" -> Kind.DATE_TIME;
            default -> Kind.PLAIN;
        };
    }

    private static Object value(JsonParser parser, JsonToken token, Kind kind) throws IOException {
        return switch (token) {
            case START_OBJECT -> object(parser);
            case START_ARRAY -> array(parser, kind);
            case VALUE_STRING -> string(parser.getText(), kind);
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> number(parser, token, kind);
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw new IllegalArgumentException("unexpected JSON token " + token);
        };
    }

    /** Nested objects (json, composites) are kept as they are. */
    private static Map<String, Object> object(JsonParser parser) throws IOException {
        Map<String, Object> map = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            map.put(key, value(parser, parser.nextToken(), Kind.PLAIN));
        }
        return map;
    }

    private static List<Object> array(JsonParser parser, Kind kind) throws IOException {
        List<Object> list = new ArrayList<>();
        for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
            list.add(value(parser, token, kind));
        }
        return list;
    }

    private static Object string(String text, Kind kind) {
        return switch (kind) {
            case BYTEA -> Base64.getEncoder().encodeToString(bytea(text));
            case DATE_TIME -> isoYear(text);
            default -> text;
        };
    }

    private static Object number(JsonParser parser, JsonToken token, Kind kind) throws IOException {
        String text = parser.getText();
        if (kind == Kind.FLOAT8) {
            return Double.valueOf(text);
        }
        if (kind == Kind.FLOAT4) {
            return Float.valueOf(text);
        }
        if (text.length() > MAX_NUMBER_LENGTH) {
            return text;
        }
        if (token == JsonToken.VALUE_NUMBER_INT) {
            return switch (parser.getNumberType()) {
                case INT, LONG -> parser.getLongValue();
                default -> parser.getBigIntegerValue();
            };
        }
        BigDecimal decimal;
        try {
            decimal = new BigDecimal(text);
        } catch (NumberFormatException e) {
            return text; // an exponent beyond BigDecimal's, which only a json column could hold (via to_json)
        }
        return plainLength(decimal) > MAX_NUMBER_LENGTH ? text : decimal;
    }

    /** Length of {@link BigDecimal#toPlainString()}, as the runtime writes the number, without building it. */
    static long plainLength(BigDecimal d) {
        long precision = d.precision();
        long scale = d.scale();
        long length = scale <= 0 ? precision - scale : Math.max(precision, scale + 1) + 1;
        return d.signum() < 0 ? length + 1 : length;
    }

    /** The bytes of bytea text in the {@code hex} ({@code \x0102}) or {@code escape} ({@code a\\\001}) format. */
    private static byte[] bytea(String text) {
        if (text.startsWith("\\x")) {
            return HEX.parseHex(text, 2, text.length());
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length() && text.charAt(i + 1) == '\\') {
                bytes.write('\\');
                i++;
            } else if (c == '\\' && i + 3 < text.length() && isOctal(text, i + 1)) {
                bytes.write(Integer.parseInt(text, i + 1, i + 4, 8));
                i += 3;
            } else if (c < 0x80 && c != '\\') {
                bytes.write(c);
            } else {
                throw new IllegalArgumentException("not bytea text in the hex or escape format: "
                        + abbreviate(text));
            }
        }
        return bytes.toByteArray();
    }

    private static boolean isOctal(String text, int from) {
        for (int i = from; i < from + 3; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '7') {
                return false;
            }
        }
        return true;
    }

    /** {@code 0044-03-15 BC} as the ISO-8601 year it is, {@code -0043-03-15}; any other text unchanged. */
    private static String isoYear(String text) {
        if (!text.endsWith(BC_SUFFIX)) {
            return text;
        }
        int dash = text.indexOf('-');
        long year;
        try {
            year = Long.parseLong(text, 0, dash, 10);
        } catch (IndexOutOfBoundsException | NumberFormatException e) {
            throw new IllegalArgumentException("not a date of PostgreSQL's ISO style: " + abbreviate(text), e);
        }
        long iso = 1 - year;
        String digits = Long.toString(-iso);
        String isoYear = "-" + "0".repeat(Math.max(0, 4 - digits.length())) + digits;
        return (iso == 0 ? "0000" : isoYear) + text.substring(dash, text.length() - BC_SUFFIX.length());
    }

    private static String abbreviate(String text) {
        return text.length() <= 60 ? '"' + text + '"' : '"' + text.substring(0, 60) + "...\"";
    }

    /** The mapping of a column, or null to leave it to dynamic mapping. */
    private static Map<String, Object> mapping(PgColumn column) {
        return column.isArray()
                ? mapping(column.elementTypeName(), column.elementCategory(), column.type())
                : mapping(column.typeName(), column.category(), column.type());
    }

    private static Map<String, Object> mapping(String typeName, char category, String declared) {
        if (typeName == null) {
            return null;
        }
        return switch (typeName) {
            case "int2" -> ordered("type", "short");
            case "int4" -> ordered("type", "integer");
            case "int8" -> ordered("type", "long");
            case "numeric" -> ordered("type", exactInteger(declared) ? "long" : "double", "ignore_malformed", true);
            case "float4" -> ordered("type", "float", "ignore_malformed", true);
            case "float8" -> ordered("type", "double", "ignore_malformed", true);
            case "bool" -> ordered("type", "boolean");
            case "uuid", "time", "timetz", "interval", "macaddr", "macaddr8", "money" -> ordered("type", "keyword");
            case "date", "timestamp", "timestamptz" -> ordered("type", "date", "format", "strict_date_optional_time",
                    "ignore_malformed", true);
            case "json", "jsonb" -> ordered("type", "object", "enabled", false);
            case "hstore" -> ordered("type", "flattened", "ignore_above", LONG_KEYWORD_LIMIT);
            case "bytea" -> ordered("type", "binary");
            case "inet" -> ordered("type", "ip", "ignore_malformed", true);
            case "cidr" -> ordered("type", "ip_range");
            case "xml" -> text();
            case "char", "bit", "varbit", "tsvector", "tsquery", "oid", "regclass", "regcollation", "regconfig",
                    "regdictionary", "regnamespace", "regoper", "regoperator", "regproc", "regprocedure", "regrole",
                    "regtype", "pg_lsn", "xid", "xid8", "cid", "tid", "txid_snapshot", "pg_snapshot", "jsonpath",
                    "aclitem", "refcursor" -> longKeyword();
            default -> switch (category) {
                case 'S' -> text();
                case 'E' -> ordered("type", "keyword");
                case 'G', 'R', 'V' -> longKeyword();
                default -> null;
            };
        };
    }

    /** numeric(p,s) holding integers of at most 18 digits, which a long holds exactly. */
    private static boolean exactInteger(String declared) {
        Matcher m = EXACT_NUMERIC.matcher(declared);
        if (!m.matches()) {
            return false;
        }
        int precision = Integer.parseInt(m.group(1));
        int scale = Integer.parseInt(m.group(2));
        return scale <= 0 && precision - scale <= LONG_DIGITS;
    }

    private static Map<String, Object> text() {
        return ordered("type", "text", "fields", ordered("keyword", ordered("type", "keyword", "ignore_above", 256)));
    }

    private static Map<String, Object> longKeyword() {
        return ordered("type", "keyword", "ignore_above", LONG_KEYWORD_LIMIT);
    }

    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return Collections.unmodifiableMap(map);
    }
}
