package io.connectors.source.mongodb;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.bson.BsonArray;
import org.bson.BsonBinary;
import org.bson.BsonBinarySubType;
import org.bson.BsonDbPointer;
import org.bson.BsonDocument;
import org.bson.BsonJavaScriptWithScope;
import org.bson.BsonRegularExpression;
import org.bson.BsonTimestamp;
import org.bson.BsonValue;
import org.bson.UuidRepresentation;
import org.bson.types.Decimal128;

/**
 * Maps BSON to the JSON-compatible values of a {@link io.connectors.spi.SourceDocument}: faithful (no precision
 * lost), deterministic (the same BSON always gives the same fields and id), and never throwing for valid BSON.
 * Immutable and thread-safe.
 *
 * <h2>Values</h2>
 * <table>
 *   <caption>BSON type to field value</caption>
 *   <tr><th>BSON</th><th>Java value (JSON written by the runtime)</th></tr>
 *   <tr><td>ObjectId</td><td>24-character lowercase hex {@code String}</td></tr>
 *   <tr><td>String, Symbol, JavaScript</td><td>the text ({@code String})</td></tr>
 *   <tr><td>Boolean, Null</td><td>{@code Boolean}, {@code null}</td></tr>
 *   <tr><td>Undefined</td><td>{@code null}</td></tr>
 *   <tr><td>Int32, Int64</td><td>{@code Integer}, {@code Long} (written exactly, also beyond 2<sup>53</sup>)</td></tr>
 *   <tr><td>Double</td><td>{@code Double} ({@code -0.0} kept); NaN and ±Infinity, which JSON cannot hold, become the
 *       strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}</td></tr>
 *   <tr><td>Decimal128</td><td>{@code BigDecimal} with the same digits and scale ({@code 1.00} stays {@code 1.00},
 *       {@code 1E+3} has scale -3); NaN and ±Infinity become the same strings as for Double. {@code BigDecimal} has
 *       no negative zero, so {@code -0}, {@code -0.00}, {@code -0E+3} become zeros of the same scale: only the sign
 *       of a zero, which compares equal to {@code 0} in MongoDB too, is lost.</td></tr>
 *   <tr><td>DateTime</td><td>{@code Instant} (millisecond precision) for years 0000 to 9999, which Elasticsearch's
 *       default date format parses; outside that range the epoch milliseconds as a {@code Long}, which the
 *       {@code epoch_millis} half of that format accepts in a date field (a field first seen with such a value is
 *       mapped as {@code long}, and later ISO dates then fail: acceptable for absurd dates).</td></tr>
 *   <tr><td>Timestamp</td><td>{@code {"t": seconds, "i": increment}}, both unsigned 32-bit values as {@code Long}</td></tr>
 *   <tr><td>Regular expression</td><td>{@code {"pattern": ..., "options": ...}}</td></tr>
 *   <tr><td>JavaScript with scope</td><td>{@code {"code": ..., "scope": {...}}}</td></tr>
 *   <tr><td>MinKey, MaxKey</td><td>{@code {"$minKey": 1}}, {@code {"$maxKey": 1}} (as in MongoDB Extended JSON, so
 *       never mistaken for a string)</td></tr>
 *   <tr><td>DBPointer</td><td>{@code {"ref": namespace, "id": hex}}</td></tr>
 *   <tr><td>Binary subtype 4 (UUID), 16 bytes</td><td>the UUID's canonical string</td></tr>
 *   <tr><td>Binary subtype 3 (legacy UUID), 16 bytes</td><td>the UUID decoded with the configured legacy
 *       representation, canonical string</td></tr>
 *   <tr><td>Binary subtypes 0 (generic) and 2 (old binary)</td><td>base64 {@code String} of the bytes</td></tr>
 *   <tr><td>Any other binary (function, MD5, encrypted, column, sensitive, vector, user-defined 0x80-0xFF, and
 *       subtypes 3 or 4 not 16 bytes long)</td><td>{@code {"subtype": n, "base64": ...}}: the subtype says how to
 *       read the bytes, so it is kept whenever the bytes are not plain</td></tr>
 *   <tr><td>Document</td><td>{@code LinkedHashMap}, key order kept, keys escaped as below</td></tr>
 *   <tr><td>Array</td><td>{@code List}</td></tr>
 * </table>
 *
 * <h2>Keys</h2>
 * Keys are kept as they are wherever Elasticsearch accepts them, including {@code $}-prefixed and dotted keys
 * (Elasticsearch reads {@code a.b} as the object path). The others are renamed:
 * <ul>
 *   <li>at any depth, the empty key becomes {@code (empty)};</li>
 *   <li>at any depth, a key Elasticsearch cannot resolve into an object path, because it is blank or has an empty
 *       or blank dot-separated segment ({@code " "}, {@code "."}, {@code ".a"}, {@code "a."}, {@code "a..b"},
 *       {@code "a. .b"}), is percent-encoded: {@code %} as {@code %25}, {@code .} as {@code %2E} and each whitespace
 *       character as its UTF-8 bytes ({@code " "} as {@code %20}), so {@code "a..b"} becomes {@code "a%2E%2Eb"};</li>
 *   <li>at the top level, a key that is an Elasticsearch metadata field ({@link #METADATA_FIELDS}) or starts with one
 *       followed by a dot, and any key starting with {@code _sync} (reserved by the runtime), gets the prefix
 *       {@code mongo}: {@code _id} becomes {@code mongo_id}, {@code _source} becomes {@code mongo_source},
 *       {@code _sync_id} becomes {@code mongo_sync_id} (after percent-encoding, if that applied too).</li>
 * </ul>
 * No value is ever dropped when names collide. In each object, names are given in three rounds: first the
 * top-level {@code _id} takes {@code mongo_id}, so every document of a collection has its id in the same field;
 * then every key that needs no renaming keeps its name; last, in document order, each renamed key, and a
 * {@code mongo_id} key displaced by the {@code _id}, takes the first free name among its escaped name
 * {@code n}, {@code n~1}, {@code n~2}, ... Since MongoDB keeps key order, the outcome is stable across syncs.
 *
 * <h2>Ids</h2>
 * {@link #id} maps each {@code _id} to a string such that two {@code _id}s get the same string exactly when
 * MongoDB's unique index on {@code _id} considers them equal:
 * <table>
 *   <caption>BSON _id to document id</caption>
 *   <tr><th>BSON</th><th>id</th></tr>
 *   <tr><td>ObjectId</td><td>its 24-character lowercase hex</td></tr>
 *   <tr><td>String, Symbol (equal in MongoDB)</td><td>the text itself, or {@code ~str:} and the text when the text
 *       is empty, starts with {@code ~} or is 24 lowercase hex digits</td></tr>
 *   <tr><td>Int32, Int64, Double, Decimal128 (equal by value in MongoDB)</td><td>{@code ~num:} and the exact value
 *       with trailing zeros removed, plain ({@code ~num:5}, {@code ~num:-0.5}, {@code ~num:0} for every zero) unless
 *       that needs more than 30 zeros, then in {@code BigDecimal} scientific form ({@code ~num:1E+40}); doubles by
 *       their exact binary value (double 0.1 is not Decimal128 0.1, as in MongoDB); {@code ~num:NaN},
 *       {@code ~num:Infinity}, {@code ~num:-Infinity}</td></tr>
 *   <tr><td>Boolean, Null, Undefined</td><td>{@code ~bool:true}, {@code ~bool:false}, {@code ~null},
 *       {@code ~undefined}</td></tr>
 *   <tr><td>DateTime</td><td>{@code ~date:} and the ISO instant ({@code ~date:2024-01-02T03:04:05.006Z},
 *       {@code ~date:+10000-01-01T00:00:00Z})</td></tr>
 *   <tr><td>Timestamp</td><td>{@code ~ts:seconds:increment}</td></tr>
 *   <tr><td>Binary subtype 4, 16 bytes</td><td>{@code ~uuid:} and the canonical UUID</td></tr>
 *   <tr><td>Any other binary, subtype 3 included</td><td>{@code ~bin:subtype:hex} (subtype in decimal): the raw
 *       bytes, so the id does not depend on the configured legacy UUID representation</td></tr>
 *   <tr><td>Regular expression</td><td>{@code ~regex:/pattern/options}</td></tr>
 *   <tr><td>JavaScript</td><td>{@code ~js:code}</td></tr>
 *   <tr><td>JavaScript with scope</td><td>{@code ~jsws:["code",scope]}, the scope as for a document below</td></tr>
 *   <tr><td>MinKey, MaxKey</td><td>{@code ~minkey}, {@code ~maxkey}</td></tr>
 *   <tr><td>DBPointer</td><td>{@code ~dbptr:hex:namespace}</td></tr>
 *   <tr><td>Document</td><td>{@code ~doc:} and compact JSON, key order kept (MongoDB compares embedded documents
 *       in order): nested documents and arrays as JSON objects and arrays, every other value as the JSON string of
 *       its id, e.g. {@code ~doc:{"a":"~num:1","b":"x","c":["~bool:true"]}}</td></tr>
 *   <tr><td>Array (not allowed as {@code _id}; inside documents)</td><td>{@code ~arr:} and the JSON array as
 *       above</td></tr>
 * </table>
 * Ids are never empty. Long ids are fine: the runtime hashes those over Elasticsearch's limit.
 */
final class BsonJson {
    /** The field holding the top-level {@code _id}. */
    static final String ID_FIELD = "mongo_id";

    /**
     * Metadata fields of Elasticsearch 8.x (built in, and from bundled plugins and older index versions), which a
     * document may not hold at its top level.
     */
    static final Set<String> METADATA_FIELDS = Set.of("_id", "_index", "_index_mode", "_source", "_ignored",
            "_ignored_source", "_routing", "_version", "_seq_no", "_primary_term", "_field_names", "_nested_path",
            "_doc_count", "_data_stream_timestamp", "_tsid", "_ts_routing_hash", "_tier", "_type", "_size",
            "_inference_fields");

    private static final String RESERVED_PREFIX = "_sync";
    private static final String ESCAPE_PREFIX = "mongo";
    private static final String EMPTY_KEY = "(empty)";
    /** Years 0000 to 9999: what ISO-8601 without a sign, hence Elasticsearch's default date format, can hold. */
    private static final long MIN_ISO_MILLIS = Instant.parse("0000-01-01T00:00:00Z").toEpochMilli();
    private static final long MAX_ISO_MILLIS = Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli();
    private static final int MAX_PLAIN_ZEROS = 30;
    private static final Pattern OBJECT_ID_FORM = Pattern.compile("[0-9a-f]{24}");
    private static final HexFormat HEX = HexFormat.of();
    private static final HexFormat UPPER_HEX = HexFormat.of().withUpperCase();

    private final UuidRepresentation legacyUuid;

    /**
     * @param legacyUuid how binary subtype 3 (legacy UUID) is decoded: {@code JAVA_LEGACY}, {@code C_SHARP_LEGACY}
     *                   or {@code PYTHON_LEGACY}
     * @throws IllegalArgumentException for any other representation
     */
    BsonJson(UuidRepresentation legacyUuid) {
        Objects.requireNonNull(legacyUuid, "legacyUuid");
        if (legacyUuid != UuidRepresentation.JAVA_LEGACY && legacyUuid != UuidRepresentation.C_SHARP_LEGACY
                && legacyUuid != UuidRepresentation.PYTHON_LEGACY) {
            throw new IllegalArgumentException("legacy UUID representation must be JAVA_LEGACY, C_SHARP_LEGACY or "
                    + "PYTHON_LEGACY, not " + legacyUuid);
        }
        this.legacyUuid = legacyUuid;
    }

    /** The fields of the indexed document: every top-level key of {@code doc}, mapped, the {@code _id} as {@value #ID_FIELD}. */
    Map<String, Object> fields(BsonDocument doc) {
        return object(doc, true);
    }

    /** One value, mapped. */
    Object value(BsonValue v) {
        return switch (v.getBsonType()) {
            case DOCUMENT -> object(v.asDocument(), false);
            case ARRAY -> list(v.asArray());
            case OBJECT_ID -> v.asObjectId().getValue().toHexString();
            case STRING -> v.asString().getValue();
            case SYMBOL -> v.asSymbol().getSymbol();
            case JAVASCRIPT -> v.asJavaScript().getCode();
            case BOOLEAN -> v.asBoolean().getValue();
            case NULL, UNDEFINED -> null;
            case INT32 -> v.asInt32().getValue();
            case INT64 -> v.asInt64().getValue();
            case DOUBLE -> doubleValue(v.asDouble().getValue());
            case DECIMAL128 -> decimalValue(v.asDecimal128().getValue());
            case DATE_TIME -> dateValue(v.asDateTime().getValue());
            case TIMESTAMP -> timestampValue(v.asTimestamp());
            case REGULAR_EXPRESSION -> regexValue(v.asRegularExpression());
            case JAVASCRIPT_WITH_SCOPE -> codeWithScopeValue(v.asJavaScriptWithScope());
            case MIN_KEY -> Map.of("$minKey", 1);
            case MAX_KEY -> Map.of("$maxKey", 1);
            case DB_POINTER -> pointerValue(v.asDBPointer());
            case BINARY -> binaryValue(v.asBinary());
            case END_OF_DOCUMENT -> throw new IllegalArgumentException("not a BSON value: " + v);
        };
    }

    /** The stable string id of a document whose {@code _id} is {@code id} (any BSON type); see the class comment. */
    static String id(BsonValue id) {
        return switch (id.getBsonType()) {
            case OBJECT_ID -> id.asObjectId().getValue().toHexString();
            case STRING -> stringId(id.asString().getValue());
            case SYMBOL -> stringId(id.asSymbol().getSymbol());
            case INT32 -> "~num:" + canonicalNumber(BigDecimal.valueOf(id.asInt32().getValue()));
            case INT64 -> "~num:" + canonicalNumber(BigDecimal.valueOf(id.asInt64().getValue()));
            case DOUBLE -> "~num:" + doubleId(id.asDouble().getValue());
            case DECIMAL128 -> "~num:" + decimalId(id.asDecimal128().getValue());
            case BOOLEAN -> "~bool:" + id.asBoolean().getValue();
            case NULL -> "~null";
            case UNDEFINED -> "~undefined";
            case DATE_TIME -> "~date:" + Instant.ofEpochMilli(id.asDateTime().getValue());
            case TIMESTAMP -> "~ts:" + Integer.toUnsignedLong(id.asTimestamp().getTime()) + ":"
                    + Integer.toUnsignedLong(id.asTimestamp().getInc());
            case BINARY -> binaryId(id.asBinary());
            case REGULAR_EXPRESSION -> "~regex:/" + id.asRegularExpression().getPattern() + "/"
                    + id.asRegularExpression().getOptions();
            case JAVASCRIPT -> "~js:" + id.asJavaScript().getCode();
            case JAVASCRIPT_WITH_SCOPE -> {
                StringBuilder json = new StringBuilder("~jsws:[");
                quote(id.asJavaScriptWithScope().getCode(), json);
                json.append(',');
                canonicalJson(id.asJavaScriptWithScope().getScope(), json);
                yield json.append(']').toString();
            }
            case MIN_KEY -> "~minkey";
            case MAX_KEY -> "~maxkey";
            case DB_POINTER -> "~dbptr:" + id.asDBPointer().getId().toHexString() + ":"
                    + id.asDBPointer().getNamespace();
            case DOCUMENT -> canonicalJson(id, new StringBuilder("~doc:")).toString();
            case ARRAY -> canonicalJson(id, new StringBuilder("~arr:")).toString();
            case END_OF_DOCUMENT -> throw new IllegalArgumentException("not a BSON value: " + id);
        };
    }

    private Map<String, Object> object(BsonDocument doc, boolean top) {
        List<Map.Entry<String, BsonValue>> entries = new ArrayList<>(doc.entrySet());
        String[] names = new String[entries.size()];
        Set<String> taken = new HashSet<>();
        for (int i = 0; top && i < names.length; i++) {
            if (entries.get(i).getKey().equals("_id")) {
                names[i] = ID_FIELD;
                taken.add(ID_FIELD);
            }
        }
        for (int i = 0; i < names.length; i++) {
            String key = entries.get(i).getKey();
            if (names[i] == null && escape(key, top) == null && taken.add(key)) {
                names[i] = key;
            }
        }
        for (int i = 0; i < names.length; i++) {
            if (names[i] == null) {
                String key = entries.get(i).getKey();
                String escaped = escape(key, top);
                String base = escaped == null ? key : escaped;
                String name = base;
                for (int n = 1; !taken.add(name); n++) {
                    name = base + "~" + n;
                }
                names[i] = name;
            }
        }
        Map<String, Object> out = new LinkedHashMap<>(entries.size() * 2);
        for (int i = 0; i < names.length; i++) {
            out.put(names[i], value(entries.get(i).getValue()));
        }
        return out;
    }

    private List<Object> list(BsonArray array) {
        List<Object> out = new ArrayList<>(array.size());
        for (BsonValue item : array) {
            out.add(value(item));
        }
        return out;
    }

    /** The escaped name of a key Elasticsearch would reject, or null when the key is fine as it is. */
    private static String escape(String key, boolean top) {
        String name = key;
        if (key.isEmpty()) {
            name = EMPTY_KEY;
        } else if (!resolvable(key)) {
            name = percentEncode(key);
        }
        if (top && reserved(key)) {
            name = ESCAPE_PREFIX + name;
        }
        return name.equals(key) ? null : name;
    }

    /** Whether Elasticsearch can split the key into an object path: no blank dot-separated segment. */
    private static boolean resolvable(String key) {
        for (String segment : key.split("\\.", -1)) {
            if (segment.isBlank()) {
                return false;
            }
        }
        return true;
    }

    private static boolean reserved(String key) {
        int dot = key.indexOf('.');
        return key.startsWith(RESERVED_PREFIX) || METADATA_FIELDS.contains(dot < 0 ? key : key.substring(0, dot));
    }

    private static String percentEncode(String key) {
        StringBuilder out = new StringBuilder(key.length() + 8);
        key.codePoints().forEach(cp -> {
            if (cp == '%' || cp == '.' || Character.isWhitespace(cp)) {
                for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
                    out.append('%').append(UPPER_HEX.toHexDigits(b));
                }
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }

    private static Object doubleValue(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return Double.toString(d);
        }
        return d;
    }

    private static Object decimalValue(Decimal128 d) {
        if (d.isNaN()) {
            return "NaN";
        }
        if (d.isInfinite()) {
            return d.isNegative() ? "-Infinity" : "Infinity";
        }
        // Not bigDecimalValue(), which rejects negative zero: the text keeps every digit and the exponent.
        return new BigDecimal(d.toString());
    }

    private static Object dateValue(long millis) {
        if (millis < MIN_ISO_MILLIS || millis > MAX_ISO_MILLIS) {
            return millis;
        }
        return Instant.ofEpochMilli(millis);
    }

    private static Map<String, Object> timestampValue(BsonTimestamp ts) {
        Map<String, Object> out = new LinkedHashMap<>(4);
        out.put("t", Integer.toUnsignedLong(ts.getTime()));
        out.put("i", Integer.toUnsignedLong(ts.getInc()));
        return out;
    }

    private static Map<String, Object> regexValue(BsonRegularExpression regex) {
        Map<String, Object> out = new LinkedHashMap<>(4);
        out.put("pattern", regex.getPattern());
        out.put("options", regex.getOptions());
        return out;
    }

    private Map<String, Object> codeWithScopeValue(BsonJavaScriptWithScope code) {
        Map<String, Object> out = new LinkedHashMap<>(4);
        out.put("code", code.getCode());
        out.put("scope", object(code.getScope(), false));
        return out;
    }

    private static Map<String, Object> pointerValue(BsonDbPointer pointer) {
        Map<String, Object> out = new LinkedHashMap<>(4);
        out.put("ref", pointer.getNamespace());
        out.put("id", pointer.getId().toHexString());
        return out;
    }

    private Object binaryValue(BsonBinary binary) {
        byte subtype = binary.getType();
        byte[] data = binary.getData();
        if (subtype == BsonBinarySubType.UUID_STANDARD.getValue() && data.length == 16) {
            return binary.asUuid().toString();
        }
        if (subtype == BsonBinarySubType.UUID_LEGACY.getValue() && data.length == 16) {
            return binary.asUuid(legacyUuid).toString();
        }
        String base64 = Base64.getEncoder().encodeToString(data);
        if (subtype == BsonBinarySubType.BINARY.getValue() || subtype == BsonBinarySubType.OLD_BINARY.getValue()) {
            return base64;
        }
        Map<String, Object> out = new LinkedHashMap<>(4);
        out.put("subtype", Byte.toUnsignedInt(subtype));
        out.put("base64", base64);
        return out;
    }

    private static String stringId(String s) {
        if (s.isEmpty() || s.startsWith("~") || OBJECT_ID_FORM.matcher(s).matches()) {
            return "~str:" + s;
        }
        return s;
    }

    private static String doubleId(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return Double.toString(d);
        }
        return canonicalNumber(new BigDecimal(d));
    }

    private static String decimalId(Decimal128 d) {
        if (d.isNaN()) {
            return "NaN";
        }
        if (d.isInfinite()) {
            return d.isNegative() ? "-Infinity" : "Infinity";
        }
        return canonicalNumber(new BigDecimal(d.toString()));
    }

    private static String canonicalNumber(BigDecimal exact) {
        if (exact.signum() == 0) {
            return "0";
        }
        BigDecimal n = exact.stripTrailingZeros();
        if (n.scale() < -MAX_PLAIN_ZEROS || n.scale() - n.precision() > MAX_PLAIN_ZEROS) {
            return n.toString();
        }
        return n.toPlainString();
    }

    private static String binaryId(BsonBinary binary) {
        if (binary.getType() == BsonBinarySubType.UUID_STANDARD.getValue() && binary.getData().length == 16) {
            return "~uuid:" + binary.asUuid();
        }
        return "~bin:" + Byte.toUnsignedInt(binary.getType()) + ":" + HEX.formatHex(binary.getData());
    }

    /**
     * Compact JSON of a document or array for ids, written here rather than with the driver's JsonWriter so that a
     * driver upgrade cannot change its spacing or escaping, and with it every such id.
     */
    private static StringBuilder canonicalJson(BsonValue v, StringBuilder out) {
        if (v.isDocument()) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<String, BsonValue> e : v.asDocument().entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                quote(e.getKey(), out);
                out.append(':');
                canonicalJson(e.getValue(), out);
            }
            return out.append('}');
        }
        if (v.isArray()) {
            out.append('[');
            boolean first = true;
            for (BsonValue item : v.asArray()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                canonicalJson(item, out);
            }
            return out.append(']');
        }
        quote(id(v), out);
        return out;
    }

    private static void quote(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append("\\u").append(HEX.toHexDigits((short) c));
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }
}
