package io.connectors.source.mongodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connectors.spi.SourceDocument;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
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
import org.bson.BsonSymbol;
import org.bson.BsonTimestamp;
import org.bson.BsonUndefined;
import org.bson.BsonValue;
import org.bson.UuidRepresentation;
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class BsonJsonTest {
    private static final ObjectId OID = new ObjectId("65a1b2c3d4e5f60718293a4b");
    /** Bytes 00 11 22 ... ff: read in the standard (and Python legacy) order they are this UUID. */
    private static final byte[] UUID_BYTES = {
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
        (byte) 0x88, (byte) 0x99, (byte) 0xaa, (byte) 0xbb, (byte) 0xcc, (byte) 0xdd, (byte) 0xee, (byte) 0xff};
    private static final String UUID_TEXT = "00112233-4455-6677-8899-aabbccddeeff";
    private static final long MIN_ISO_MILLIS = Instant.parse("0000-01-01T00:00:00Z").toEpochMilli();
    private static final long MAX_ISO_MILLIS = Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli();

    private final BsonJson json = new BsonJson(UuidRepresentation.JAVA_LEGACY);

    // ---------------------------------------------------------------- values

    static Stream<Arguments> values() {
        return Stream.of(
                row("ObjectId", new BsonObjectId(OID), "65a1b2c3d4e5f60718293a4b"),
                row("string", new BsonString("héllo \u0000 wörld"), "héllo \u0000 wörld"),
                row("empty string", new BsonString(""), ""),
                row("true", BsonBoolean.TRUE, true),
                row("false", BsonBoolean.FALSE, false),
                row("null", BsonNull.VALUE, null),
                row("undefined", new BsonUndefined(), null),
                row("symbol", new BsonSymbol("sym"), "sym"),
                row("javascript", new BsonJavaScript("function() { return 1; }"), "function() { return 1; }"),

                row("int32 0", new BsonInt32(0), 0),
                row("int32 min", new BsonInt32(Integer.MIN_VALUE), Integer.MIN_VALUE),
                row("int32 max", new BsonInt32(Integer.MAX_VALUE), Integer.MAX_VALUE),
                row("int64 small stays long", new BsonInt64(5), 5L),
                row("int64 2^53+1", new BsonInt64(9007199254740993L), 9007199254740993L),
                row("int64 min", new BsonInt64(Long.MIN_VALUE), Long.MIN_VALUE),
                row("int64 max", new BsonInt64(Long.MAX_VALUE), Long.MAX_VALUE),

                row("double", new BsonDouble(1.5), 1.5),
                row("double -0.0 keeps its sign", new BsonDouble(-0.0), -0.0),
                row("double min", new BsonDouble(Double.MIN_VALUE), Double.MIN_VALUE),
                row("double -max", new BsonDouble(-Double.MAX_VALUE), -Double.MAX_VALUE),
                row("double NaN", new BsonDouble(Double.NaN), "NaN"),
                row("double +Infinity", new BsonDouble(Double.POSITIVE_INFINITY), "Infinity"),
                row("double -Infinity", new BsonDouble(Double.NEGATIVE_INFINITY), "-Infinity"),

                row("decimal trailing zeros kept", dec("1.00"), new BigDecimal("1.00")),
                row("decimal exponent form", dec("1E+3"), new BigDecimal("1E+3")),
                row("decimal negative exponent", dec("-1.5E-10"), new BigDecimal("-1.5E-10")),
                row("decimal 34 digits", dec("1234567890123456789012345678901.234"),
                        new BigDecimal("1234567890123456789012345678901.234")),
                row("decimal max", dec("9999999999999999999999999999999999E+6111"),
                        new BigDecimal("9999999999999999999999999999999999E+6111")),
                row("decimal smallest", dec("1E-6176"), new BigDecimal("1E-6176")),
                row("decimal zero with exponent", dec("0E-6176"), new BigDecimal("0E-6176")),
                row("decimal -0", new BsonDecimal128(Decimal128.NEGATIVE_ZERO), new BigDecimal("0")),
                row("decimal -0.00 keeps its scale", dec("-0.00"), new BigDecimal("0.00")),
                row("decimal -0E+3 keeps its scale", dec("-0E+3"), new BigDecimal("0E+3")),
                row("decimal NaN", new BsonDecimal128(Decimal128.NaN), "NaN"),
                row("decimal -NaN", new BsonDecimal128(Decimal128.NEGATIVE_NaN), "NaN"),
                row("decimal +Infinity", new BsonDecimal128(Decimal128.POSITIVE_INFINITY), "Infinity"),
                row("decimal -Infinity", new BsonDecimal128(Decimal128.NEGATIVE_INFINITY), "-Infinity"),

                row("date epoch", new BsonDateTime(0), Instant.EPOCH),
                row("date before epoch", new BsonDateTime(-1), Instant.parse("1969-12-31T23:59:59.999Z")),
                row("date with millis", new BsonDateTime(1704164645006L), Instant.parse("2024-01-02T03:04:05.006Z")),
                row("date first ISO instant", new BsonDateTime(MIN_ISO_MILLIS), Instant.parse("0000-01-01T00:00:00Z")),
                row("date last ISO instant", new BsonDateTime(MAX_ISO_MILLIS),
                        Instant.parse("9999-12-31T23:59:59.999Z")),
                row("date year -1 as epoch millis", new BsonDateTime(MIN_ISO_MILLIS - 1), MIN_ISO_MILLIS - 1),
                row("date year 10000 as epoch millis", new BsonDateTime(MAX_ISO_MILLIS + 1), 253402300800000L),
                row("date min as epoch millis", new BsonDateTime(Long.MIN_VALUE), Long.MIN_VALUE),
                row("date max as epoch millis", new BsonDateTime(Long.MAX_VALUE), Long.MAX_VALUE),

                row("timestamp", new BsonTimestamp(1700000000, 7), ordered("t", 1700000000L, "i", 7L)),
                row("timestamp unsigned", new BsonTimestamp(-1, -1), ordered("t", 4294967295L, "i", 4294967295L)),
                row("regex (driver sorts options)", new BsonRegularExpression("^a.*b$", "mi"),
                        ordered("pattern", "^a.*b$", "options", "im")),
                row("regex no options", new BsonRegularExpression("x"), ordered("pattern", "x", "options", "")),
                row("javascript with scope", new BsonJavaScriptWithScope("f(x)",
                                new BsonDocument("x", new BsonInt32(1)).append("", BsonBoolean.TRUE)),
                        ordered("code", "f(x)", "scope", ordered("x", 1, "(empty)", true))),
                row("min key", new BsonMinKey(), Map.of("$minKey", 1)),
                row("max key", new BsonMaxKey(), Map.of("$maxKey", 1)),
                row("db pointer", new BsonDbPointer("db.coll", OID),
                        ordered("ref", "db.coll", "id", "65a1b2c3d4e5f60718293a4b")),

                row("uuid subtype 4", new BsonBinary(BsonBinarySubType.UUID_STANDARD, UUID_BYTES), UUID_TEXT),
                row("uuid subtype 4 from UUID", new BsonBinary(UUID.fromString(UUID_TEXT)), UUID_TEXT),
                row("binary generic", new BsonBinary(new byte[] {1, 2, 3}), "AQID"),
                row("binary empty", new BsonBinary(new byte[0]), ""),
                row("binary old", new BsonBinary(BsonBinarySubType.OLD_BINARY, new byte[] {(byte) 0xff}), "/w=="),
                row("binary function", new BsonBinary(BsonBinarySubType.FUNCTION, new byte[] {1}),
                        binary(1, "AQ==")),
                row("binary md5", new BsonBinary(BsonBinarySubType.MD5, new byte[] {1, 2}), binary(5, "AQI=")),
                row("binary encrypted", new BsonBinary(BsonBinarySubType.ENCRYPTED, new byte[] {1}),
                        binary(6, "AQ==")),
                row("binary column", new BsonBinary(BsonBinarySubType.COLUMN, new byte[] {1}), binary(7, "AQ==")),
                row("binary sensitive", new BsonBinary(BsonBinarySubType.SENSITIVE, new byte[] {1}),
                        binary(8, "AQ==")),
                row("binary vector", new BsonBinary(BsonBinarySubType.VECTOR, new byte[] {3, 0, 7}),
                        binary(9, "AwAH")),
                row("binary user defined 0x80", new BsonBinary(BsonBinarySubType.USER_DEFINED, new byte[] {1}),
                        binary(128, "AQ==")),
                row("binary user defined 0xff", new BsonBinary((byte) 0xff, new byte[] {1}), binary(255, "AQ==")),
                row("uuid subtype 4 of 15 bytes", new BsonBinary(BsonBinarySubType.UUID_STANDARD, new byte[15]),
                        binary(4, "AAAAAAAAAAAAAAAAAAAA")),
                row("uuid subtype 3 of 3 bytes", new BsonBinary(BsonBinarySubType.UUID_LEGACY, new byte[] {1, 2, 3}),
                        binary(3, "AQID")),

                row("empty document", new BsonDocument(), Map.of()),
                row("empty array", new BsonArray(), List.of()),
                row("array of mixed values", new BsonArray(List.of(new BsonInt32(1), new BsonString("a"),
                        BsonNull.VALUE, new BsonArray(List.of(new BsonInt64(2))))), list(1, "a", null, List.of(2L))),
                row("nested arrays of documents", new BsonDocument("a", new BsonArray(List.of(
                                new BsonDocument("b", new BsonArray(List.of(new BsonInt32(1),
                                        new BsonDocument("c", new BsonArray(List.of(new BsonArray(List.of(
                                                new BsonDocument("d", new BsonObjectId(OID))))))))))))),
                        Map.of("a", List.of(Map.of("b", List.of(1,
                                Map.of("c", List.of(List.of(Map.of("d", "65a1b2c3d4e5f60718293a4b")))))))))
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    void mapsEachValue(String name, BsonValue bson, Object expected) {
        Object actual = json.value(bson);

        assertThat(actual).isEqualTo(expected);
        if (expected != null) {
            assertThat(actual).isInstanceOf(expected instanceof Map ? Map.class
                    : expected instanceof List ? List.class : expected.getClass());
        }
        assertThat(json.value(bson)).as("deterministic").isEqualTo(actual);
        assertJsonCompatible(actual);
    }

    @Test
    void decimalsKeepEveryDigitAndTheScale() {
        for (String text : List.of("1.00", "1E+3", "0.000", "123.4500", "-7E-20", "1E+6111", "0E+6111", "1E-6176")) {
            Object mapped = json.value(dec(text));

            assertThat(mapped).isEqualTo(Decimal128.parse(text).bigDecimalValue());
            assertThat(((BigDecimal) mapped).scale()).isEqualTo(new BigDecimal(text).scale());
        }
    }

    @Test
    void isoDatesPrintWithoutSignOrExtraYearDigits() {
        assertThat(json.value(new BsonDateTime(MIN_ISO_MILLIS)).toString()).isEqualTo("0000-01-01T00:00:00Z");
        assertThat(json.value(new BsonDateTime(MAX_ISO_MILLIS)).toString()).isEqualTo("9999-12-31T23:59:59.999Z");
    }

    @Test
    void legacyUuidIsDecodedWithTheConfiguredRepresentation() {
        BsonBinary legacy = new BsonBinary(BsonBinarySubType.UUID_LEGACY, UUID_BYTES);

        assertThat(new BsonJson(UuidRepresentation.PYTHON_LEGACY).value(legacy)).isEqualTo(UUID_TEXT);
        assertThat(new BsonJson(UuidRepresentation.JAVA_LEGACY).value(legacy))
                .isEqualTo("77665544-3322-1100-ffee-ddccbbaa9988");
        assertThat(new BsonJson(UuidRepresentation.C_SHARP_LEGACY).value(legacy))
                .isEqualTo("33221100-5544-7766-8899-aabbccddeeff");
    }

    @ParameterizedTest
    @EnumSource(value = UuidRepresentation.class, names = {"JAVA_LEGACY", "C_SHARP_LEGACY", "PYTHON_LEGACY"})
    void legacyUuidWrittenByADriverReadsBackAsTheSameUuid(UuidRepresentation representation) {
        UUID uuid = UUID.fromString("f81d4fae-7dec-11d0-a765-00a0c91e6bf6");
        BsonBinary written = new BsonBinary(uuid, representation);

        assertThat(written.getType()).isEqualTo(BsonBinarySubType.UUID_LEGACY.getValue());
        assertThat(new BsonJson(representation).value(written)).isEqualTo(uuid.toString());
    }

    @ParameterizedTest
    @EnumSource(value = UuidRepresentation.class, names = {"STANDARD", "UNSPECIFIED"})
    void onlyLegacyRepresentationsAreAccepted(UuidRepresentation representation) {
        assertThatThrownBy(() -> new BsonJson(representation))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(representation.name());
    }

    @Test
    void nullRepresentationIsRejected() {
        assertThatThrownBy(() -> new BsonJson(null)).isInstanceOf(NullPointerException.class);
    }

    // ---------------------------------------------------------------- keys

    static Stream<Arguments> escapedKeys() {
        return Stream.of(
                Arguments.of("", "(empty)"),
                Arguments.of(" ", "%20"),
                Arguments.of("\t\n", "%09%0A"),
                Arguments.of("\u2003", "%E2%80%83"),
                Arguments.of(".", "%2E"),
                Arguments.of("...", "%2E%2E%2E"),
                Arguments.of(".a", "%2Ea"),
                Arguments.of("a.", "a%2E"),
                Arguments.of("a..b", "a%2E%2Eb"),
                Arguments.of("a. .b", "a%2E%20%2Eb"),
                Arguments.of("100%.", "100%25%2E"),
                Arguments.of("my key.", "my%20key%2E"));
    }

    @ParameterizedTest(name = "\"{0}\" -> \"{1}\"")
    @MethodSource("escapedKeys")
    void keysElasticsearchCannotResolveAreEscapedAtEveryDepth(String key, String escaped) {
        BsonDocument doc = new BsonDocument(key, new BsonInt32(1))
                .append("nested", new BsonDocument(key, new BsonInt32(2)))
                .append("list", new BsonArray(List.of(new BsonDocument(key, new BsonInt32(3)))));

        Map<String, Object> fields = json.fields(doc);

        assertThat(fields).containsEntry(escaped, 1)
                .containsEntry("nested", Map.of(escaped, 2))
                .containsEntry("list", List.of(Map.of(escaped, 3)));
    }

    @Test
    void keysElasticsearchAcceptsAreKept() {
        List<String> keys = List.of("$set", "$", "a.b", "a.b.c", "a. b", " a", "a ", "$a.$b", "_class", "_idx",
                "__id", "id", "_ID", "mongo_id~1", "%2E", "(empty)", "ünïcødé", "a\u00a0", "sync_", "x_sync");
        BsonDocument doc = new BsonDocument();
        keys.forEach(k -> doc.append(k, new BsonString(k)));

        Map<String, Object> fields = json.fields(doc);
        Object nested = json.value(doc);

        assertThat(new ArrayList<>(fields.keySet())).containsExactlyElementsOf(keys);
        assertThat(nested).isEqualTo(fields);
        fields.forEach((k, v) -> assertThat(v).isEqualTo(k));
    }

    @Test
    void topLevelMetadataAndReservedKeysGetThePrefixMongo() {
        BsonDocument doc = new BsonDocument("_id", new BsonInt32(1));
        for (String meta : BsonJson.METADATA_FIELDS) {
            if (!meta.equals("_id")) {
                doc.append(meta, new BsonString(meta));
            }
        }
        doc.append("_source.x", new BsonString("_source.x"))
                .append("_id.y", new BsonString("_id.y"))
                .append("_sync", new BsonString("_sync"))
                .append("_sync_id", new BsonString("_sync_id"))
                .append("_synced.at", new BsonString("_synced.at"))
                .append("_id.", new BsonString("_id."));

        Map<String, Object> fields = json.fields(doc);

        assertThat(fields).hasSize(doc.size()).containsEntry("mongo_id", 1)
                .containsEntry("mongo_index", "_index").containsEntry("mongo_source", "_source")
                .containsEntry("mongo_seq_no", "_seq_no").containsEntry("mongo_primary_term", "_primary_term")
                .containsEntry("mongo_field_names", "_field_names").containsEntry("mongo_ignored", "_ignored")
                .containsEntry("mongo_tier", "_tier").containsEntry("mongo_doc_count", "_doc_count")
                .containsEntry("mongo_data_stream_timestamp", "_data_stream_timestamp")
                .containsEntry("mongo_nested_path", "_nested_path").containsEntry("mongo_routing", "_routing")
                .containsEntry("mongo_version", "_version")
                .containsEntry("mongo_source.x", "_source.x").containsEntry("mongo_id.y", "_id.y")
                .containsEntry("mongo_sync", "_sync").containsEntry("mongo_sync_id", "_sync_id")
                .containsEntry("mongo_synced.at", "_synced.at").containsEntry("mongo_id%2E", "_id.");
        fields.keySet().forEach(k -> assertThat(k).doesNotStartWith("_"));
        assertThat(BsonJson.METADATA_FIELDS).contains("_id", "_index", "_source", "_routing", "_version", "_seq_no",
                "_primary_term", "_field_names", "_ignored", "_tier", "_doc_count", "_data_stream_timestamp",
                "_nested_path");
        assertThatCode(() -> SourceDocument.builder("x").fields(fields).build()).doesNotThrowAnyException();
    }

    @Test
    void metadataNamesAreOnlyEscapedAtTheTopLevel() {
        BsonDocument inner = new BsonDocument("_id", new BsonInt32(1)).append("_source", new BsonInt32(2))
                .append("_sync_id", new BsonInt32(3)).append("mongo_id", new BsonInt32(4));

        Map<String, Object> fields = json.fields(new BsonDocument("o", inner));

        assertThat(fields.get("o")).isEqualTo(Map.of("_id", 1, "_source", 2, "_sync_id", 3, "mongo_id", 4));
        assertThat(json.value(inner)).isEqualTo(Map.of("_id", 1, "_source", 2, "_sync_id", 3, "mongo_id", 4));
    }

    @Test
    void idIsWrittenAsMongoIdInItsPlace() {
        BsonDocument doc = new BsonDocument("a", new BsonInt32(1)).append("_id", new BsonObjectId(OID))
                .append("b", new BsonInt32(2));

        Map<String, Object> fields = json.fields(doc);

        assertThat(fields).containsExactly(Map.entry("a", 1), Map.entry("mongo_id", "65a1b2c3d4e5f60718293a4b"),
                Map.entry("b", 2));
    }

    @Test
    void idWinsMongoIdAndTheDisplacedKeyTakesTheNextFreeName() {
        BsonDocument doc = new BsonDocument("mongo_id", new BsonString("mine")).append("mongo_id~1", BsonBoolean.FALSE)
                .append("_id", new BsonInt32(7));

        Map<String, Object> fields = json.fields(doc);

        assertThat(fields).containsExactly(Map.entry("mongo_id~2", "mine"), Map.entry("mongo_id~1", false),
                Map.entry("mongo_id", 7));
    }

    @Test
    void escapedKeysNeverDisplaceKeptKeys() {
        BsonDocument doc = new BsonDocument("", new BsonInt32(1)).append("(empty)", new BsonInt32(2))
                .append("a..b", new BsonInt32(3)).append("a%2E%2Eb", new BsonInt32(4))
                .append("a%2E%2Eb~1", new BsonInt32(5))
                .append("_source", new BsonInt32(6)).append("mongo_source", new BsonInt32(7));

        Map<String, Object> fields = json.fields(doc);
        Map<String, Object> nested = asMap(json.value(new BsonDocument("", new BsonInt32(1))
                .append("(empty)", new BsonInt32(2))));

        assertThat(fields).containsExactly(Map.entry("(empty)~1", 1), Map.entry("(empty)", 2),
                Map.entry("a%2E%2Eb~2", 3), Map.entry("a%2E%2Eb", 4), Map.entry("a%2E%2Eb~1", 5),
                Map.entry("mongo_source~1", 6), Map.entry("mongo_source", 7));
        assertThat(nested).containsExactly(Map.entry("(empty)~1", 1), Map.entry("(empty)", 2));
    }

    @Test
    void escapingIsInjectiveAmongRejectedKeys() {
        List<String> rejected = List.of("", " ", "  ", ".", "..", ". ", " .", "a.", "a..", ".a", "a..b", "a...b",
                "a. .b", "a.\t.b", "%.", "%2E.", "._id", "_id.", "_sync.");
        BsonDocument doc = new BsonDocument();
        rejected.forEach(k -> doc.append(k, new BsonString(k)));

        Map<String, Object> fields = json.fields(doc);

        assertThat(fields).hasSize(rejected.size());
        fields.keySet().forEach(k -> assertThat(k).doesNotContain(".").isNotBlank().doesNotContain("~"));
        assertThat(new ArrayList<>(fields.values())).containsExactlyElementsOf(rejected);
    }

    @Test
    void everyKeyIsKeptWhateverTheCollisions() {
        BsonDocument doc = new BsonDocument();
        for (String k : List.of("_id", "mongo_id", "mongo_id~1", "", "(empty)", "(empty)~1", "(empty)~2", "a..b",
                "a%2E%2Eb", "_sync", "mongo_sync", ".", "%2E", "_index", "mongo_index", "mongo_index~1")) {
            doc.append(k, new BsonString(k));
        }

        Map<String, Object> fields = json.fields(doc);

        assertThat(fields).hasSize(doc.size());
        assertThat(new HashSet<>(fields.values())).hasSize(doc.size());
        assertThat(json.fields(doc)).containsExactlyEntriesOf(fields);
        assertThatCode(() -> SourceDocument.builder("x").fields(fields).build()).doesNotThrowAnyException();
    }

    // ---------------------------------------------------------------- ids

    static Stream<Arguments> ids() {
        return Stream.of(
                row("ObjectId", new BsonObjectId(OID), "65a1b2c3d4e5f60718293a4b"),
                row("string", new BsonString("abc"), "abc"),
                row("string with spaces and slashes", new BsonString("a b/c"), "a b/c"),
                row("empty string", new BsonString(""), "~str:"),
                row("string in ObjectId form", new BsonString("65a1b2c3d4e5f60718293a4b"),
                        "~str:65a1b2c3d4e5f60718293a4b"),
                row("string of uppercase hex", new BsonString("65A1B2C3D4E5F60718293A4B"), "65A1B2C3D4E5F60718293A4B"),
                row("string of 23 hex", new BsonString("65a1b2c3d4e5f60718293a4"), "65a1b2c3d4e5f60718293a4"),
                row("string with type prefix", new BsonString("~num:5"), "~str:~num:5"),
                row("string starting with ~", new BsonString("~"), "~str:~"),
                row("string looking like a number", new BsonString("5"), "5"),
                row("symbol", new BsonSymbol("abc"), "abc"),
                row("symbol in ObjectId form", new BsonSymbol("65a1b2c3d4e5f60718293a4b"),
                        "~str:65a1b2c3d4e5f60718293a4b"),

                row("int32", new BsonInt32(5), "~num:5"),
                row("int32 negative", new BsonInt32(-5), "~num:-5"),
                row("int32 min", new BsonInt32(Integer.MIN_VALUE), "~num:-2147483648"),
                row("int64 max", new BsonInt64(Long.MAX_VALUE), "~num:9223372036854775807"),
                row("int64 min", new BsonInt64(Long.MIN_VALUE), "~num:-9223372036854775808"),
                row("int64 2^53+1", new BsonInt64(9007199254740993L), "~num:9007199254740993"),
                row("int64 with many zeros", new BsonInt64(1_000_000_000_000_000_000L), "~num:1000000000000000000"),
                row("double", new BsonDouble(0.5), "~num:0.5"),
                row("double 0.1 by its exact value", new BsonDouble(0.1),
                        "~num:0.1000000000000000055511151231257827021181583404541015625"),
                row("double 2^63", new BsonDouble(9.223372036854775807E18), "~num:9223372036854775808"),
                row("double 1e40 by its exact value", new BsonDouble(1e40),
                        "~num:10000000000000000303786028427003666890752"),
                row("double NaN", new BsonDouble(Double.NaN), "~num:NaN"),
                row("double +Infinity", new BsonDouble(Double.POSITIVE_INFINITY), "~num:Infinity"),
                row("double -Infinity", new BsonDouble(Double.NEGATIVE_INFINITY), "~num:-Infinity"),
                row("decimal", dec("-12.340"), "~num:-12.34"),
                row("decimal 1E+30 plain", dec("1E+30"), "~num:1000000000000000000000000000000"),
                row("decimal 1E+31 scientific", dec("1E+31"), "~num:1E+31"),
                row("decimal 1E-31 plain", dec("1E-31"), "~num:0.0000000000000000000000000000001"),
                row("decimal 1E-32 scientific", dec("1E-32"), "~num:1E-32"),
                row("decimal max", dec("9999999999999999999999999999999999E+6111"),
                        "~num:9.999999999999999999999999999999999E+6144"),
                row("decimal NaN", new BsonDecimal128(Decimal128.NaN), "~num:NaN"),
                row("decimal -NaN", new BsonDecimal128(Decimal128.NEGATIVE_NaN), "~num:NaN"),
                row("decimal +Infinity", new BsonDecimal128(Decimal128.POSITIVE_INFINITY), "~num:Infinity"),
                row("decimal -Infinity", new BsonDecimal128(Decimal128.NEGATIVE_INFINITY), "~num:-Infinity"),

                row("true", BsonBoolean.TRUE, "~bool:true"),
                row("false", BsonBoolean.FALSE, "~bool:false"),
                row("null", BsonNull.VALUE, "~null"),
                row("undefined", new BsonUndefined(), "~undefined"),
                row("date epoch", new BsonDateTime(0), "~date:1970-01-01T00:00:00Z"),
                row("date millis", new BsonDateTime(1704164645006L), "~date:2024-01-02T03:04:05.006Z"),
                row("date year 10000", new BsonDateTime(MAX_ISO_MILLIS + 1), "~date:+10000-01-01T00:00:00Z"),
                row("date max", new BsonDateTime(Long.MAX_VALUE), "~date:+292278994-08-17T07:12:55.807Z"),
                row("date min", new BsonDateTime(Long.MIN_VALUE), "~date:-292275055-05-16T16:47:04.192Z"),
                row("timestamp", new BsonTimestamp(1700000000, 7), "~ts:1700000000:7"),
                row("timestamp unsigned", new BsonTimestamp(-1, -2), "~ts:4294967295:4294967294"),
                row("uuid", new BsonBinary(BsonBinarySubType.UUID_STANDARD, UUID_BYTES), "~uuid:" + UUID_TEXT),
                row("legacy uuid by its bytes", new BsonBinary(BsonBinarySubType.UUID_LEGACY, UUID_BYTES),
                        "~bin:3:00112233445566778899aabbccddeeff"),
                row("uuid subtype of 2 bytes", new BsonBinary(BsonBinarySubType.UUID_STANDARD, new byte[] {1, 2}),
                        "~bin:4:0102"),
                row("binary", new BsonBinary(new byte[] {1, 2, (byte) 0xab}), "~bin:0:0102ab"),
                row("binary empty", new BsonBinary(new byte[0]), "~bin:0:"),
                row("binary user defined", new BsonBinary((byte) 0x80, new byte[] {1}), "~bin:128:01"),
                row("regex", new BsonRegularExpression("a/b", "xi"), "~regex:/a/b/ix"),
                row("javascript", new BsonJavaScript("f()"), "~js:f()"),
                row("javascript with scope", new BsonJavaScriptWithScope("f(\"x\")",
                        new BsonDocument("a", new BsonInt32(1))), "~jsws:[\"f(\\\"x\\\")\",{\"a\":\"~num:1\"}]"),
                row("min key", new BsonMinKey(), "~minkey"),
                row("max key", new BsonMaxKey(), "~maxkey"),
                row("db pointer", new BsonDbPointer("db.c:x", OID), "~dbptr:65a1b2c3d4e5f60718293a4b:db.c:x"),
                row("document", new BsonDocument("a", new BsonInt32(1)).append("b", new BsonString("x"))
                                .append("c", new BsonArray(List.of(BsonBoolean.TRUE, BsonNull.VALUE)))
                                .append("d", new BsonDocument("e", new BsonObjectId(OID))),
                        "~doc:{\"a\":\"~num:1\",\"b\":\"x\",\"c\":[\"~bool:true\",\"~null\"],"
                                + "\"d\":{\"e\":\"65a1b2c3d4e5f60718293a4b\"}}"),
                row("empty document", new BsonDocument(), "~doc:{}"),
                row("document with characters to escape", new BsonDocument("k\"\\", new BsonString("a\\b\n\u001f\"")),
                        "~doc:{\"k\\\"\\\\\":\"a\\\\b\\u000a\\u001f\\\"\"}"),
                row("array", new BsonArray(List.of(new BsonInt32(1), new BsonArray())), "~arr:[\"~num:1\",[]]")
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ids")
    void mapsEachId(String name, BsonValue id, String expected) {
        assertThat(BsonJson.id(id)).isEqualTo(expected);
        assertThatCode(() -> SourceDocument.builder(BsonJson.id(id))).doesNotThrowAnyException();
    }

    @Test
    void numbersEqualInMongoDbHaveTheSameId() {
        assertSameId("~num:5", new BsonInt32(5), new BsonInt64(5), new BsonDouble(5.0), dec("5"), dec("5.00"),
                dec("5E0"), dec("0.5E1"), dec("500E-2"));
        assertSameId("~num:0", new BsonInt32(0), new BsonInt64(0), new BsonDouble(0.0), new BsonDouble(-0.0),
                new BsonDecimal128(Decimal128.NEGATIVE_ZERO), dec("0E+10"), dec("-0.000"), dec("0E-6176"));
        assertSameId("~num:0.5", new BsonDouble(0.5), dec("0.50"), dec("5E-1"));
        assertSameId("~num:-2147483648", new BsonInt32(Integer.MIN_VALUE), new BsonInt64(Integer.MIN_VALUE),
                new BsonDouble(Integer.MIN_VALUE), dec("-2147483648.0"));
        assertSameId("~num:9007199254740992", new BsonInt64(9007199254740992L), new BsonDouble(9007199254740992.0),
                dec("9007199254740992"));
        assertSameId("~num:NaN", new BsonDouble(Double.NaN), new BsonDecimal128(Decimal128.NaN),
                new BsonDecimal128(Decimal128.NEGATIVE_NaN));
        assertSameId("~num:-Infinity", new BsonDouble(Double.NEGATIVE_INFINITY),
                new BsonDecimal128(Decimal128.NEGATIVE_INFINITY));
        assertSameId("~num:1E+40", dec("1E+40"), dec("10E+39"), dec("0.1E+41"));
    }

    @Test
    void numbersDifferentInMongoDbHaveDifferentIds() {
        assertThat(BsonJson.id(new BsonInt64(9007199254740993L)))
                .isNotEqualTo(BsonJson.id(new BsonDouble(9007199254740993.0)));
        assertThat(BsonJson.id(new BsonDouble(0.1))).isNotEqualTo(BsonJson.id(dec("0.1")));
        assertThat(BsonJson.id(new BsonDouble(1e40))).isNotEqualTo(BsonJson.id(dec("1E+40")));
        assertThat(BsonJson.id(new BsonInt64(Long.MAX_VALUE)))
                .isNotEqualTo(BsonJson.id(new BsonDouble(Long.MAX_VALUE)));
    }

    @Test
    void documentsAreComparedByValueAndInOrder() {
        BsonDocument ab = new BsonDocument("a", new BsonInt32(1)).append("b", new BsonString("x"));
        BsonDocument abSameValues = new BsonDocument("a", new BsonDouble(1.0)).append("b", new BsonSymbol("x"));
        BsonDocument ba = new BsonDocument("b", new BsonString("x")).append("a", new BsonInt32(1));

        assertThat(BsonJson.id(ab)).isEqualTo(BsonJson.id(abSameValues));
        assertThat(BsonJson.id(ab)).isNotEqualTo(BsonJson.id(ba));
        assertThat(BsonJson.id(new BsonDocument("a", new BsonString("~num:1"))))
                .isNotEqualTo(BsonJson.id(new BsonDocument("a", new BsonInt32(1))));
    }

    @Test
    void idsOfDifferentTypesNeverCollide() {
        List<BsonValue> distinct = new ArrayList<>(List.of(
                new BsonObjectId(OID), new BsonString("65a1b2c3d4e5f60718293a4b"), new BsonString(""),
                new BsonString("1"), new BsonInt32(1), BsonBoolean.TRUE, new BsonString("true"),
                new BsonString("~bool:true"), BsonNull.VALUE, new BsonString("~null"), new BsonUndefined(),
                new BsonString("null"), new BsonDateTime(1), new BsonDateTime(0), new BsonTimestamp(0, 1),
                new BsonTimestamp(1, 0), new BsonBinary(BsonBinarySubType.UUID_STANDARD, UUID_BYTES),
                new BsonBinary(BsonBinarySubType.UUID_LEGACY, UUID_BYTES), new BsonBinary(UUID_BYTES),
                new BsonBinary(new byte[] {1}), new BsonBinary((byte) 0x80, new byte[] {1}),
                new BsonString(UUID_TEXT), new BsonRegularExpression("a"), new BsonRegularExpression("a", "i"),
                new BsonJavaScript("a"), new BsonJavaScriptWithScope("a", new BsonDocument()), new BsonString("a"),
                new BsonMinKey(), new BsonMaxKey(), new BsonString("~minkey"),
                new BsonDbPointer("db.c", OID), new BsonDocument(), new BsonArray(),
                new BsonDocument("a", new BsonInt32(1)), new BsonDocument("a", new BsonString("~num:1")),
                new BsonDocument("a", new BsonArray(List.of(new BsonInt32(1)))),
                new BsonDocument("a", new BsonDocument("b", BsonNull.VALUE)),
                new BsonDocument("a", new BsonString("{\"b\":\"~null\"}")),
                new BsonString("~doc:{}"), new BsonDouble(1.5), new BsonString("~num:1.5")));

        Set<String> ids = new HashSet<>();
        for (BsonValue v : distinct) {
            String id = BsonJson.id(v);
            assertThat(id).as("id of %s", v).isNotEmpty();
            assertThat(ids.add(id)).as("id %s of %s is unique", id, v).isTrue();
        }
    }

    // ---------------------------------------------------------------- helpers

    private static void assertSameId(String expected, BsonValue... values) {
        for (BsonValue v : values) {
            assertThat(BsonJson.id(v)).as("id of %s", v).isEqualTo(expected);
        }
    }

    /** What the runtime accepts: the types SourceDocument documents, with String keys, finite doubles. */
    private static void assertJsonCompatible(Object v) {
        if (v instanceof Map<?, ?> map) {
            map.forEach((k, item) -> {
                assertThat(k).isInstanceOf(String.class);
                assertJsonCompatible(item);
            });
        } else if (v instanceof List<?> list) {
            list.forEach(BsonJsonTest::assertJsonCompatible);
        } else if (v instanceof Double d) {
            assertThat(d).isFinite();
        } else if (v != null) {
            assertThat(v).isInstanceOfAny(String.class, Boolean.class, Integer.class, Long.class, BigDecimal.class,
                    Instant.class);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object v) {
        return (Map<String, Object>) v;
    }

    private static Arguments row(String name, BsonValue bson, Object expected) {
        return Arguments.of(name, bson, expected);
    }

    private static BsonDecimal128 dec(String text) {
        return new BsonDecimal128(Decimal128.parse(text));
    }

    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static Map<String, Object> binary(int subtype, String base64) {
        return ordered("subtype", subtype, "base64", base64);
    }

    private static List<Object> list(Object... items) {
        List<Object> out = new ArrayList<>();
        java.util.Collections.addAll(out, items);
        return out;
    }
}
