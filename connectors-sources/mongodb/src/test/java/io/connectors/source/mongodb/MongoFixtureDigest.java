package io.connectors.source.mongodb;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * The content digest of {@link MongoFixture}: the same SHA-256 whether computed from a MongoDB document or from the
 * {@code _source} the connector indexed for it.
 *
 * <p>Both sides are first brought to plain JSON values (a MongoDB document by the mapping the source promises:
 * {@code _id} as {@code mongo_id}, dates as ISO-8601 instants, ObjectIds as hex, decimals and 64-bit integers as exact
 * numbers), then written in a canonical form that does not depend on how JSON happened to spell them:
 * <ul>
 *   <li>numbers by value: {@code 3}, {@code 3.0} and {@code 3.00} agree, whatever Java type the JSON parser chose
 *       (a 64-bit integer rounded through a double does <em>not</em> agree);</li>
 *   <li>strings that are ISO-8601 date-times by the instant they name ({@code ...:00Z}, {@code ...:00.000Z} and
 *       {@code ...:00+00:00} agree; an epoch number does not);</li>
 *   <li>object keys in sorted order, a {@code null} member the same as an absent one;</li>
 *   <li>{@code mongo_id} by its text, so an integer {@code _id} may be indexed as a number or a string.</li>
 * </ul>
 * Only {@link #FIELDS} count: the fields the fixture writes, and {@code mongo_id}.
 */
final class MongoFixtureDigest {
    static final String MONGO_ID = "mongo_id";
    /** The top-level fields of every document the fixture writes, and the id field; the digest reads only these. */
    static final List<String> FIELDS = List.of("title", "body", "status", "published", "views", "sequence", "price",
            "rating", "created_at", "updated_at", "tags", "author", "comments", "reviewer", "revision", MONGO_ID);

    private static final Pattern DATE_TIME = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})");

    private MongoFixtureDigest() {
    }

    /** The digest of a MongoDB document as stored. */
    static String ofBackend(BsonDocument document) {
        Map<String, Object> json = new LinkedHashMap<>();
        for (Map.Entry<String, BsonValue> e : document.entrySet()) {
            json.put(e.getKey().equals("_id") ? MONGO_ID : e.getKey(), toJson(e.getValue()));
        }
        return ofIndexed(json);
    }

    /** The digest of an indexed {@code _source} (or any map of JSON values). */
    static String ofIndexed(Map<String, ?> source) {
        Map<String, Object> picked = new TreeMap<>();
        for (String field : FIELDS) {
            Object value = source.get(field);
            if (value != null) {
                picked.put(field, field.equals(MONGO_ID) ? idText(value) : value);
            }
        }
        StringBuilder canonical = new StringBuilder(4096);
        write(canonical, picked);
        return sha256(canonical.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A BSON value as the plain JSON value the source promises to index: the BSON types the fixture writes only.
     *
     * @throws IllegalArgumentException for any other type (the fixture never writes one)
     */
    static Object toJson(BsonValue value) {
        return switch (value.getBsonType()) {
            case NULL -> null;
            case STRING -> value.asString().getValue();
            case BOOLEAN -> value.asBoolean().getValue();
            case INT32 -> value.asInt32().getValue();
            case INT64 -> value.asInt64().getValue();
            case DOUBLE -> value.asDouble().getValue();
            case DECIMAL128 -> value.asDecimal128().getValue().bigDecimalValue();
            case DATE_TIME -> Instant.ofEpochMilli(value.asDateTime().getValue()).toString();
            case OBJECT_ID -> value.asObjectId().getValue().toHexString();
            case DOCUMENT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                value.asDocument().forEach((k, v) -> map.put(k, toJson(v)));
                yield map;
            }
            case ARRAY -> {
                BsonArray array = value.asArray();
                List<Object> list = new ArrayList<>(array.size());
                array.forEach(v -> list.add(toJson(v)));
                yield list;
            }
            default -> throw new IllegalArgumentException("the fixture writes no " + value.getBsonType() + " values");
        };
    }

    private static String idText(Object id) {
        return id instanceof Number n ? number(n) : id.toString();
    }

    private static void write(StringBuilder out, Object value) {
        if (value == null) {
            out.append('z');
        } else if (value instanceof Boolean b) {
            out.append(b ? 't' : 'f');
        } else if (value instanceof Number n) {
            out.append('n').append(number(n)).append(';');
        } else if (value instanceof CharSequence || value instanceof TemporalAccessor) {
            // A java.time value is what a source emits and the runtime writes as ISO-8601: the same digest.
            String text = dateTime(value.toString());
            out.append('s').append(text.length()).append(':').append(text);
        } else if (value instanceof Map<?, ?> map) {
            Map<String, Object> sorted = new TreeMap<>();
            map.forEach((k, v) -> {
                if (v != null) {
                    sorted.put(k.toString(), v);
                }
            });
            out.append('{');
            sorted.forEach((k, v) -> {
                out.append(k.length()).append(':').append(k);
                write(out, v);
            });
            out.append('}');
        } else if (value instanceof Collection<?> list) {
            out.append('[');
            list.forEach(v -> write(out, v));
            out.append(']');
        } else {
            // Anything else is not a JSON value: it cannot equal what the index holds.
            out.append('?').append(value.getClass().getName()).append(':').append(value).append(';');
        }
    }

    /** A number by its value, as the shortest plain decimal: 3, 3.0 and 3.00 give {@code 3}. */
    static String number(Number n) {
        BigDecimal decimal;
        if (n instanceof BigDecimal d) {
            decimal = d;
        } else if (n instanceof BigInteger i) {
            decimal = new BigDecimal(i);
        } else if (n instanceof Double || n instanceof Float) {
            double d = n.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                return Double.toString(d);
            }
            decimal = new BigDecimal(Double.toString(d));
        } else {
            decimal = BigDecimal.valueOf(n.longValue());
        }
        return decimal.signum() == 0 ? "0" : decimal.stripTrailingZeros().toPlainString();
    }

    /** An ISO-8601 date-time by the instant it names; any other string as it is. */
    static String dateTime(String s) {
        if (s.length() < 16 || s.length() > 40 || !DATE_TIME.matcher(s).matches()) {
            return s;
        }
        try {
            return OffsetDateTime.parse(s).toInstant().toString();
        } catch (DateTimeException e) {
            return s;
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
