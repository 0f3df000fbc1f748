package io.connectors.source.mongodb;

import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import io.connectors.testkit.functional.SourceFixture.TypeZoo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.bson.BsonArray;
import org.bson.BsonBinary;
import org.bson.BsonBinarySubType;
import org.bson.BsonBoolean;
import org.bson.BsonDateTime;
import org.bson.BsonDbPointer;
import org.bson.BsonDecimal128;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonJavaScript;
import org.bson.BsonJavaScriptWithScope;
import org.bson.BsonMaxKey;
import org.bson.BsonMinKey;
import org.bson.BsonNull;
import org.bson.BsonObjectId;
import org.bson.BsonRegularExpression;
import org.bson.BsonString;
import org.bson.BsonTimestamp;
import org.bson.BsonUndefined;
import org.bson.BsonValue;
import org.bson.UuidRepresentation;
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The MongoDB type zoo ({@link io.connectors.testkit.functional.SourceFixture#loadTypeZoo}): every BSON type the
 * source maps, in two collections.
 * <ul>
 *   <li>{@code zoo_a}: one document per kind of value, which holds it in a field of its own ({@code t_<kind>}, so
 *       every kind gets the mapping it would get alone and must be indexed) and in {@code clash_<kind>}.</li>
 *   <li>{@code zoo_b}: the same {@code clash_<kind>} names holding the <em>next</em> kind's value (a number where
 *       {@code zoo_a} has a string, an object where it has a number...), one field {@code clash_all} holding every
 *       kind across its documents, documents nested 40 deep, and keys Elasticsearch cannot take as they are.</li>
 * </ul>
 * The cases are all here: a 34-digit Decimal128 in a field first mapped from an integer, {@code Double.MAX_VALUE}
 * after a small fraction, an object where a number was. A {@code clash_*} value that does not fit the type its field
 * was first mapped with (which collection comes first is not fixed) is kept in {@code _source} and listed in
 * {@code _ignored}; so is a Decimal128 past a double's range.
 */
final class MongoTypeZoo {
    static final List<String> COLLECTIONS = List.of("zoo_a", "zoo_b");

    private MongoTypeZoo() {
    }

    /** Kinds mongo-java-server cannot decode (it drops the connection): in the zoo only against a real MongoDB. */
    static final Set<String> NOT_IN_PROCESS = Set.of("javascript_with_scope", "binary_user", "db_pointer");

    /** The kinds of value, in order; the names become field names. */
    static Map<String, BsonValue> kinds() {
        Map<String, BsonValue> k = new LinkedHashMap<>();
        k.put("int32", new BsonInt32(42));
        k.put("int32_min", new BsonInt32(Integer.MIN_VALUE));
        k.put("int64", new BsonInt64((1L << 53) + 1));
        k.put("int64_min", new BsonInt64(Long.MIN_VALUE));
        k.put("double", new BsonDouble(0.1));
        k.put("double_max", new BsonDouble(Double.MAX_VALUE));
        k.put("double_negative_zero", new BsonDouble(-0.0));
        k.put("double_nan", new BsonDouble(Double.NaN));
        k.put("double_infinity", new BsonDouble(Double.NEGATIVE_INFINITY));
        k.put("decimal", new BsonDecimal128(Decimal128.parse("1234567890123456789012345678901234")));
        k.put("decimal_fraction", new BsonDecimal128(Decimal128.parse("-0.000000000000000000000000000000001")));
        k.put("decimal_huge", new BsonDecimal128(Decimal128.parse("9.999999999999999999999999999999999E+6144")));
        k.put("decimal_nan", new BsonDecimal128(Decimal128.NaN));
        k.put("string", new BsonString("a string with café, 東京 and 𝄞"));
        k.put("string_empty", new BsonString(""));
        k.put("string_long", new BsonString("x".repeat(40_000)));
        k.put("boolean", BsonBoolean.TRUE);
        k.put("null", BsonNull.VALUE);
        k.put("undefined", new BsonUndefined());
        k.put("date", new BsonDateTime(1_700_000_000_123L));
        k.put("date_before_1970", new BsonDateTime(-62_135_596_800_000L));
        k.put("date_after_9999", new BsonDateTime(253_402_300_800_000L));
        k.put("timestamp", new BsonTimestamp(-1, 7));
        k.put("object_id", new BsonObjectId(new ObjectId("65a1b2c3d4e5f60718293a4b")));
        k.put("regex", new BsonRegularExpression("^a.*z$", "im"));
        k.put("javascript", new BsonJavaScript("function () { return 1; }"));
        k.put("javascript_with_scope", new BsonJavaScriptWithScope("x + 1", new BsonDocument("x", new BsonInt32(1))));
        k.put("min_key", new BsonMinKey());
        k.put("max_key", new BsonMaxKey());
        k.put("binary", new BsonBinary(new byte[] {0, 1, 2, (byte) 0xff}));
        k.put("uuid", new BsonBinary(UUID.fromString("0f8fad5b-d9cb-469f-a165-70867728950e"), UuidRepresentation.STANDARD));
        k.put("uuid_legacy", new BsonBinary(UUID.fromString("0f8fad5b-d9cb-469f-a165-70867728950e"),
                UuidRepresentation.JAVA_LEGACY));
        k.put("binary_user", new BsonBinary(BsonBinarySubType.COLUMN, new byte[] {9, 8, 7}));
        k.put("db_pointer", new BsonDbPointer("db.other", new ObjectId("65a1b2c3d4e5f60718293a4c")));
        k.put("array", new BsonArray(List.of(new BsonInt32(1), new BsonString("two"),
                new BsonDocument("three", new BsonInt32(3)), new BsonArray(List.of(new BsonDouble(4.5))))));
        k.put("array_empty", new BsonArray());
        k.put("object", new BsonDocument("a", new BsonInt32(1)).append("b", new BsonDocument("c", new BsonString("d"))));
        k.put("object_empty", new BsonDocument());
        return k;
    }

    /** Fills the two collections, replacing them, and says what the connector must sync. */
    static TypeZoo load(MongoDatabase database, Map<String, Object> connection, boolean inProcess) {
        for (String name : COLLECTIONS) {
            if (Boolean.TRUE.equals(Flux.from(database.listCollectionNames()).any(name::equals).block())) {
                Mono.from(database.getCollection(name).drop()).block();
            }
        }
        Map<String, BsonValue> kinds = kinds();
        if (inProcess) {
            kinds.keySet().removeAll(NOT_IN_PROCESS);
        }
        List<String> names = new ArrayList<>(kinds.keySet());
        List<BsonDocument> a = new ArrayList<>();
        List<BsonDocument> b = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            BsonValue value = kinds.get(name);
            a.add(new BsonDocument("_id", new BsonString("a-" + name)).append("kind", new BsonString(name))
                    .append("t_" + name, value).append("clash_" + name, value));
            BsonValue next = kinds.get(names.get((i + 1) % names.size()));
            b.add(new BsonDocument("_id", new BsonInt32(i)).append("kind", new BsonString(name))
                    .append("clash_" + name, next).append("clash_all", value));
        }
        BsonDocument deep = new BsonDocument("leaf", new BsonString("40 levels down"));
        for (int depth = 0; depth < 40; depth++) {
            deep = new BsonDocument("level" + depth, deep);
        }
        b.add(new BsonDocument("_id", new BsonString("deep")).append("clash_deep", deep));
        b.add(new BsonDocument("_id", new BsonString("keys"))
                .append("", new BsonInt32(1))
                .append("a.b", new BsonInt32(2))
                .append("$dollar", new BsonInt32(3))
                .append(" ", new BsonInt32(4))
                .append("a..b", new BsonInt32(5))
                .append("_source", new BsonInt32(6))
                .append("_sync_id", new BsonInt32(7))
                .append("emoji 😀 key", new BsonInt32(8))
                .append("nested", new BsonDocument("_id", new BsonInt32(9)).append(".", new BsonInt32(10))));
        insert(database.getCollection("zoo_a", BsonDocument.class), a);
        insert(database.getCollection("zoo_b", BsonDocument.class), b);
        Map<String, Object> configuration = new LinkedHashMap<>(connection);
        configuration.put("collections", COLLECTIONS);
        return new TypeZoo(configuration, a.size() + b.size(), Set.of("clash_*", "t_decimal_huge"),
                names.size() + " kinds of BSON value in their own fields and in fields whose type differs between"
                        + " zoo_a and zoo_b (and between documents), nesting 40 deep, keys Elasticsearch cannot take as they are");
    }

    private static void insert(MongoCollection<BsonDocument> collection, List<BsonDocument> documents) {
        Mono.from(collection.insertMany(documents)).block();
    }
}
