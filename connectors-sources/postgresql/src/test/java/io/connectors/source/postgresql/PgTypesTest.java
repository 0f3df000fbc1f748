package io.connectors.source.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.connectors.elasticsearch.local.ElasticsearchEndpoint;
import io.connectors.testkit.elasticsearch.TestElasticsearch;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.postgresql.api.PostgresqlResult;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@link PgTypes} against the local PostgreSQL (127.0.0.1:5432, user {@code postgres}, trust authentication): a table
 * with a column of every type the source maps, rows with the edge values of each, read as the source reads them
 * ({@code to_jsonb(t)::text} on a session with its settings) and compared with the exact documents; then the mapping
 * and the documents are given to a real Elasticsearch ({@link TestElasticsearch}), which must accept every row.
 */
class PgTypesTest {
    private static final Map<String, String> SESSION = Map.of("TimeZone", "UTC", "DateStyle", "ISO",
            "IntervalStyle", "iso_8601", "extra_float_digits", "1", "lc_monetary", "C");
    private static final String TABLE = "\"public\".\"typetable\"";
    private static final String NAMES_TABLE = "\"public\".\"names\"";
    private static final String NINES = "9".repeat(1100);
    private static final ObjectMapper RUNTIME_JSON = new ObjectMapper()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

    private static String database;
    private static PostgresqlConnection connection;

    @BeforeAll
    static void createDatabase() {
        database = "types_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        execute(admin(), "CREATE DATABASE " + database);
        connection = connect(SESSION);
        execute(connection,
                "CREATE EXTENSION hstore",
                "CREATE EXTENSION citext",
                "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
                "CREATE DOMAIN posint AS integer CHECK (VALUE > 0)",
                "CREATE TYPE comp AS (a integer, b bytea, c date)",
                """
                CREATE TABLE typetable (
                  id integer PRIMARY KEY,
                  c_smallint smallint, c_int integer, c_bigint bigint,
                  c_numeric numeric, c_numeric_scaled numeric(12,2), c_numeric_int numeric(10,0),
                  c_real real, c_double double precision, c_bool boolean,
                  c_text text, c_varchar varchar(20), c_char char(5), c_name name, c_citext citext,
                  c_uuid uuid, c_json json, c_jsonb jsonb,
                  c_int_array int[], c_text_array text[], c_int_2d int[][], c_bytea_array bytea[], c_date_array date[],
                  c_float_array float8[], c_numeric_array numeric(12,0)[], c_jsonb_array jsonb[],
                  c_date date, c_time time, c_timetz timetz, c_timestamp timestamp, c_timestamptz timestamptz,
                  c_interval interval, c_bytea bytea, c_mood mood, c_inet inet, c_cidr cidr, c_macaddr macaddr,
                  c_macaddr8 macaddr8, c_money money, c_posint posint, c_hstore hstore, c_point point,
                  c_int4range int4range, c_tsvector tsvector, c_bit bit varying, c_xml xml, c_oid oid, c_comp comp)""",
                """
                INSERT INTO typetable VALUES (1,
                  32767, 2147483647, 9223372036854775807,
                  123456789012345678901234567890.123456789012345678901234567890, 1.10, 9999999999,
                  3.4028235e38, 1.7976931348623157e308, true,
                  E'quote " backslash \\\\ newline \\n tab \\t é 中文 😀', 'it''s', 'ab', 'pg name', 'MiXeD',
                  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
                  '{"b": 1, "a": [1, 2.50, {"x": null}], "u": "\\u00e9\\ud83d\\ude00",
                    "big": 123456789012345678901234567890.5, "dup": 1, "dup": 2}',
                  '{"nested": {"deep": [1, [2, [3]]]}, "n": 1e400, "s": "x\\\\y", "t": true, "f": false, "z": null,
                    "neg": -0.0, "e": 1.5E-3, "huge": 1e1500}',
                  '{1,NULL,-3}', ARRAY['a"b', NULL, 'c,d', 'NULL', '', 'back\\slash'], '{{1,2},{3,NULL}}',
                  ARRAY['\\x0102'::bytea, NULL, ''::bytea],
                  ARRAY['infinity'::date, '-infinity', '12345-01-01', '0044-03-15 BC', '2024-02-29'],
                  ARRAY['NaN'::float8, '-Infinity', 'Infinity', '-0', 1e-320, 0.1],
                  '{1,NaN,-99}', ARRAY['5'::jsonb, '"s"', '[1, {"a": null}]', 'null'],
                  '2024-02-29', '23:59:59.999999', '10:00:00.123456+05:30', '2024-05-01 10:00:00.123456',
                  '2024-05-01 10:00:00.123+02', '1 day 2 hours', '\\x00ff10', 'happy', '192.168.0.1',
                  '192.168.0.0/24', '08:00:2b:01:02:03', '08:00:2b:01:02:03:04:05', 12.34, 5, 'a=>1, b=>NULL',
                  '(1,2)', '[1,5)', 'a fat cat', B'101', '<a>x</a>', 42, ROW(1, '\\x01', '0010-01-01 BC'))""",
                """
                INSERT INTO typetable (id, c_smallint, c_int, c_bigint, c_numeric, c_numeric_scaled, c_numeric_int,
                  c_real, c_double, c_bool, c_text, c_char, c_json, c_jsonb, c_int_array, c_numeric_array, c_date,
                  c_time, c_timetz, c_timestamp, c_timestamptz, c_interval, c_bytea, c_inet, c_cidr, c_money)
                VALUES (2, -32768, -2147483648, -9223372036854775808, 'NaN', -0.01, 'NaN', 'NaN', '-Infinity', false,
                  '', 'é', '5', '["a", "b"]', '{}', '{}', 'infinity', '24:00:00', '00:00:00-15:59', '-infinity',
                  'infinity', '-1 year -2 mons +3 days -04:05:06.789', '', '2001:db8::1/64', '2001:db8::/32',
                  -1234.56)""",
                "INSERT INTO typetable (id, c_numeric, c_numeric_scaled, c_real, c_double, c_date, c_timestamp,"
                        + " c_timestamptz) VALUES (3, '" + NINES + "', 0, 1.4e-45, 4.9e-324, '5874897-12-31',"
                        + " '294276-12-31 23:59:59.999999', '294276-12-31 23:59:59.999999+00')",
                "INSERT INTO typetable (id, c_numeric, c_real, c_double, c_date, c_timestamp, c_timestamptz)"
                        + " VALUES (4, 'Infinity', 0.1, '-0', '0044-03-15 BC', '4713-01-01 00:00:00 BC',"
                        + " '0001-01-01 00:00:00+00 BC')",
                "INSERT INTO typetable (id) VALUES (5)",
                "CREATE TABLE names (id integer, \"a.b\" text, a_b text, \"_id\" text, \"pg_table\" text, \" \" text,"
                        + " \"_sync_x\" text, pg_id text, \"a..b\" integer, \"_source.x\" integer)",
                "INSERT INTO names VALUES (1, 'dotted', 'underscored', 'id', 'table', 'blank', 'sync', 'pg id', 2, 3)");
    }

    @AfterAll
    static void dropDatabase() {
        if (connection != null) {
            connection.close().block();
        }
        execute(admin(), "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }

    @Test
    void everyTypeReadsAsItsFaithfulValue() {
        List<PgColumn> columns = columns(TABLE);
        List<Map<String, Object>> docs = read(connection, "to_jsonb", TABLE, columns);

        Map<String, Object> json = ordered("a", List.of(1L, new BigDecimal("2.50"), ordered("x", null)), "b", 1L,
                "u", "é😀", "big", new BigDecimal("123456789012345678901234567890.5"), "dup", 2L);
        Map<String, Object> jsonb = ordered("e", new BigDecimal("0.0015"), "f", false,
                "n", BigInteger.TEN.pow(400), "s", "x\\y", "t", true, "z", null, "neg", new BigDecimal("0.0"),
                "huge", "1" + "0".repeat(1500),
                "nested", ordered("deep", List.of(1L, List.of(2L, List.of(3L)))));
        assertThat(docs.get(0)).containsExactlyEntriesOf(ordered(
                "id", 1L,
                "c_smallint", 32767L, "c_int", 2147483647L, "c_bigint", Long.MAX_VALUE,
                "c_numeric", new BigDecimal("123456789012345678901234567890.123456789012345678901234567890"),
                "c_numeric_scaled", new BigDecimal("1.10"), "c_numeric_int", 9999999999L,
                "c_real", Float.MAX_VALUE, "c_double", Double.MAX_VALUE, "c_bool", true,
                "c_text", "quote \" backslash \\ newline \n tab \t é 中文 😀", "c_varchar", "it's",
                "c_char", "ab   ", "c_name", "pg name", "c_citext", "MiXeD",
                "c_uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "c_json", json, "c_jsonb", jsonb,
                "c_int_array", Arrays.asList(1L, null, -3L),
                "c_text_array", Arrays.asList("a\"b", null, "c,d", "NULL", "", "back\\slash"),
                "c_int_2d", List.of(List.of(1L, 2L), Arrays.asList(3L, null)),
                "c_bytea_array", Arrays.asList("AQI=", null, ""),
                "c_date_array", List.of("infinity", "-infinity", "12345-01-01", "-0043-03-15", "2024-02-29"),
                "c_float_array", List.of("NaN", "-Infinity", "Infinity", 0.0, 1e-320, 0.1),
                "c_numeric_array", List.of(1L, "NaN", -99L),
                "c_jsonb_array", Arrays.asList(5L, "s", List.of(1L, ordered("a", null)), null),
                "c_date", "2024-02-29", "c_time", "23:59:59.999999", "c_timetz", "10:00:00.123456+05:30",
                "c_timestamp", "2024-05-01T10:00:00.123456", "c_timestamptz", "2024-05-01T08:00:00.123+00:00",
                "c_interval", "P1DT2H", "c_bytea", "AP8Q", "c_mood", "happy", "c_inet", "192.168.0.1",
                "c_cidr", "192.168.0.0/24", "c_macaddr", "08:00:2b:01:02:03", "c_macaddr8", "08:00:2b:01:02:03:04:05",
                "c_money", "$12.34", "c_posint", 5L, "c_hstore", ordered("a", "1", "b", null), "c_point", "(1,2)",
                "c_int4range", "[1,5)", "c_tsvector", "'a' 'cat' 'fat'", "c_bit", "101", "c_xml", "<a>x</a>",
                "c_oid", "42",
                // A composite is kept as to_jsonb writes it: its attributes' types are not in the catalog rows.
                "c_comp", ordered("a", 1L, "b", "\\x01", "c", "0010-01-01 BC")));

        Map<String, Object> second = nulls(columns);
        second.putAll(ordered("id", 2L, "c_smallint", -32768L, "c_int", -2147483648L, "c_bigint", Long.MIN_VALUE,
                "c_numeric", "NaN", "c_numeric_scaled", new BigDecimal("-0.01"), "c_numeric_int", "NaN",
                "c_real", "NaN", "c_double", "-Infinity", "c_bool", false, "c_text", "", "c_char", "é    ",
                "c_json", 5L, "c_jsonb", List.of("a", "b"), "c_int_array", List.of(), "c_numeric_array", List.of(),
                "c_date", "infinity", "c_time", "24:00:00", "c_timetz", "00:00:00-15:59", "c_timestamp", "-infinity",
                "c_timestamptz", "infinity", "c_interval", "P-1Y-2M3DT-4H-5M-6.789S", "c_bytea", "",
                "c_inet", "2001:db8::1/64", "c_cidr", "2001:db8::/32", "c_money", "-$1,234.56"));
        assertThat(docs.get(1)).containsExactlyEntriesOf(second);

        Map<String, Object> third = nulls(columns);
        third.putAll(ordered("id", 3L, "c_numeric", NINES, "c_numeric_scaled", new BigDecimal("0.00"),
                "c_real", Float.MIN_VALUE, "c_double", Double.MIN_VALUE, "c_date", "5874897-12-31",
                "c_timestamp", "294276-12-31T23:59:59.999999", "c_timestamptz", "294276-12-31T23:59:59.999999+00:00"));
        assertThat(docs.get(2)).containsExactlyEntriesOf(third);

        Map<String, Object> fourth = nulls(columns);
        // to_jsonb writes -0 as 0: the sign of a negative zero is lost before PgTypes sees it.
        fourth.putAll(ordered("id", 4L, "c_numeric", "Infinity", "c_real", 0.1f, "c_double", 0.0,
                "c_date", "-0043-03-15", "c_timestamp", "-4712-01-01T00:00:00",
                "c_timestamptz", "0000-01-01T00:00:00+00:00"));
        assertThat(docs.get(3)).containsExactlyEntriesOf(fourth);

        Map<String, Object> allNull = nulls(columns);
        allNull.put("id", 5L);
        assertThat(docs.get(4)).containsExactlyEntriesOf(allNull);
    }

    @Test
    void toJsonReadsTheSameExceptWhereItIsMoreFaithful() {
        List<PgColumn> columns = columns(TABLE);
        List<Map<String, Object>> viaJsonb = read(connection, "to_jsonb", TABLE, columns);
        List<Map<String, Object>> viaJson = read(connection, "to_json", TABLE, columns);

        for (int i = 0; i < viaJsonb.size(); i++) {
            Map<String, Object> expected = new LinkedHashMap<>(viaJsonb.get(i));
            Map<String, Object> actual = new LinkedHashMap<>(viaJson.get(i));
            for (String differs : List.of("c_json", "c_jsonb", "c_jsonb_array", "c_float_array", "c_double")) {
                expected.remove(differs);
                actual.remove(differs);
            }
            assertThat(actual).containsExactlyEntriesOf(expected);
        }
        // to_json keeps a json column's text (key order, duplicate keys) and the sign of a float's zero.
        assertThat(viaJson.get(0).get("c_json")).isEqualTo(ordered("b", 1L,
                "a", List.of(1L, new BigDecimal("2.50"), ordered("x", null)), "u", "é😀",
                "big", new BigDecimal("123456789012345678901234567890.5"), "dup", 2L));
        assertThat(new ArrayList<Object>(((Map<?, ?>) viaJson.get(0).get("c_json")).keySet()))
                .containsExactly("b", "a", "u", "big", "dup");
        assertThat(viaJson.get(0).get("c_float_array")).isEqualTo(List.of("NaN", "-Infinity", "Infinity", -0.0, 1e-320,
                0.1));
        assertThat(viaJson.get(3).get("c_double")).isEqualTo(-0.0);
    }

    @Test
    void byteaInTheEscapeOutputFormatDecodesToTheSameBytes() {
        Map<String, String> escape = new HashMap<>(SESSION);
        escape.put("bytea_output", "escape");
        PostgresqlConnection escaping = connect(escape);
        try {
            List<PgColumn> columns = columns(TABLE);
            String raw = Flux.from(escaping.createStatement("SELECT to_jsonb(t)::text AS doc FROM typetable t WHERE"
                            + " id = 1").execute())
                    .flatMap(result -> result.map((row, meta) -> row.get("doc", String.class)))
                    .blockFirst();
            assertThat(raw).contains("\"c_bytea\": \"\\\\000\\\\377\\\\020\"");

            Map<String, Object> doc = PgTypes.document(raw, columns);
            assertThat(doc).containsEntry("c_bytea", "AP8Q").containsEntry("c_bytea_array", Arrays.asList("AQI=", null,
                    ""));
        } finally {
            escaping.close().block();
        }
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        PgColumn bytea = column("b", "bytea", "bytea", 'U');
        PostgresqlConnection escaping2 = connect(escape);
        try {
            String raw = Flux.from(escaping2.createStatement("SELECT to_jsonb(t)::text AS doc FROM (SELECT"
                            + " decode('" + HexFormat.of().formatHex(all) + "', 'hex') AS b) t").execute())
                    .flatMap(result -> result.map((row, meta) -> row.get("doc", String.class)))
                    .blockFirst();
            assertThat(PgTypes.document(raw, List.of(bytea)))
                    .containsEntry("b", Base64.getEncoder().encodeToString(all));
        } finally {
            escaping2.close().block();
        }
        assertThatThrownBy(() -> PgTypes.document("{\"b\": \"\\\\9\"}", List.of(bytea)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("column \"b\" (bytea): not bytea text in the hex or escape format: \"\\9\"");
        assertThatThrownBy(() -> PgTypes.document("{\"b\": \"é\"}", List.of(bytea)))
                .hasMessageContaining("not bytea text");
        assertThatThrownBy(() -> PgTypes.document("{\"b\": \"\\\\xZZ\"}", List.of(bytea)))
                .hasMessageStartingWith("column \"b\" (bytea): ");
    }

    @Test
    void everyTypeHasAMappingThatAcceptsAllItsValues() {
        Map<String, Object> text = ordered("type", "text", "fields",
                ordered("keyword", ordered("type", "keyword", "ignore_above", 256)));
        Map<String, Object> keyword = ordered("type", "keyword");
        Map<String, Object> longKeyword = ordered("type", "keyword", "ignore_above", 8191);
        Map<String, Object> date = ordered("type", "date", "format", "strict_date_optional_time",
                "ignore_malformed", true);
        Map<String, Object> disabled = ordered("type", "object", "enabled", false);

        Map<String, Object> mapping = PgTypes.mappingProperties(columns(TABLE));

        assertThat(mapping).containsExactlyEntriesOf(ordered(
                "id", ordered("type", "integer"),
                "c_smallint", ordered("type", "short"), "c_int", ordered("type", "integer"),
                "c_bigint", ordered("type", "long"),
                "c_numeric", ordered("type", "double", "ignore_malformed", true),
                "c_numeric_scaled", ordered("type", "double", "ignore_malformed", true),
                "c_numeric_int", ordered("type", "long", "ignore_malformed", true),
                "c_real", ordered("type", "float", "ignore_malformed", true),
                "c_double", ordered("type", "double", "ignore_malformed", true),
                "c_bool", ordered("type", "boolean"),
                "c_text", text, "c_varchar", text, "c_char", text, "c_name", text, "c_citext", text,
                "c_uuid", keyword, "c_json", disabled, "c_jsonb", disabled,
                "c_int_array", ordered("type", "integer"), "c_text_array", text, "c_int_2d", ordered("type", "integer"),
                "c_bytea_array", ordered("type", "binary"), "c_date_array", date,
                "c_float_array", ordered("type", "double", "ignore_malformed", true),
                "c_numeric_array", ordered("type", "long", "ignore_malformed", true),
                "c_jsonb_array", disabled,
                "c_date", date, "c_time", keyword, "c_timetz", keyword, "c_timestamp", date, "c_timestamptz", date,
                "c_interval", keyword, "c_bytea", ordered("type", "binary"), "c_mood", keyword,
                "c_inet", ordered("type", "ip", "ignore_malformed", true), "c_cidr", ordered("type", "ip_range"),
                "c_macaddr", keyword, "c_macaddr8", keyword, "c_money", keyword, "c_posint", ordered("type", "integer"),
                "c_hstore", ordered("type", "flattened", "ignore_above", 8191), "c_point", longKeyword,
                "c_int4range", longKeyword, "c_tsvector", longKeyword, "c_bit", longKeyword, "c_xml", text,
                "c_oid", longKeyword));
        assertThat(mapping).doesNotContainKey("c_comp");
    }

    @Test
    void numericMapsToLongOnlyWhereEveryValueIsAnIntegerALongHolds() {
        Map<String, Object> exact = ordered("type", "long", "ignore_malformed", true);
        Map<String, Object> approximate = ordered("type", "double", "ignore_malformed", true);
        assertThat(PgTypes.mappingProperties(List.of(
                column("a", "numeric(18,0)", "numeric", 'N'),
                column("b", "numeric(19,0)", "numeric", 'N'),
                column("c", "numeric(5,-2)", "numeric", 'N'),
                column("d", "numeric(17,-2)", "numeric", 'N'),
                column("e", "numeric(10,1)", "numeric", 'N'),
                column("f", "numeric", "numeric", 'N'),
                column("g", "money_domain", "numeric", 'N'),
                new PgColumn("h", "numeric(3,0)[]", "_numeric", 'A', "numeric", 'N'))))
                .containsExactlyEntriesOf(ordered("a", exact, "b", approximate, "c", exact, "d", approximate,
                        "e", approximate, "f", approximate, "g", approximate, "h", exact));
    }

    @Test
    void userTypesAreMappedByTheirCategoryOrLeftToDynamicMapping() {
        assertThat(PgTypes.mappingProperties(List.of(
                column("geometry", "geometry", "geometry", 'U'),
                column("composite", "shop.address", "address", 'C'),
                new PgColumn("composites", "shop.address[]", "_address", 'A', "address", 'C'),
                column("range", "floatrange", "floatrange", 'R'),
                column("label", "shop.label", "label", 'E'),
                column("code", "shop.code", "code", 'S'),
                column("char", "\"char\"", "char", 'Z'),
                new PgColumn("odd", "odd[]", "_odd", 'A', null, ' '))))
                .containsExactlyEntriesOf(ordered(
                        "range", ordered("type", "keyword", "ignore_above", 8191),
                        "label", ordered("type", "keyword"),
                        "code", ordered("type", "text", "fields",
                                ordered("keyword", ordered("type", "keyword", "ignore_above", 256))),
                        "char", ordered("type", "keyword", "ignore_above", 8191)));
    }

    @Test
    void columnNamesElasticsearchCannotTakeAreRenamedInTheDocumentAndTheMapping() {
        List<PgColumn> columns = columns(NAMES_TABLE);
        PgTypes types = PgTypes.of(columns);

        assertThat(types.fieldNames()).containsExactly("id", "a_b~1", "a_b", "pg_id~1", "pg_pg_table", "%20",
                "pg_sync_x", "pg_id", "a__b", "_source_x");
        Map<String, Object> doc = types.document(Flux.from(connection.createStatement(
                        "SELECT to_jsonb(t)::text AS doc FROM names t").execute())
                .flatMap(result -> result.map((row, meta) -> row.get("doc", String.class)))
                .blockFirst());
        assertThat(doc).containsExactlyEntriesOf(ordered("id", 1L, "a_b~1", "dotted", "a_b", "underscored",
                "pg_id~1", "id", "pg_pg_table", "table", "%20", "blank", "pg_sync_x", "sync", "pg_id", "pg id",
                "a__b", 2L, "_source_x", 3L));
        assertThat(types.mappingProperties().keySet()).containsExactlyElementsOf(types.fieldNames());
    }

    @Test
    void fieldNameRules() {
        assertThat(PgTypes.fieldName("plain")).isEqualTo("plain");
        assertThat(PgTypes.fieldName("a.b.c")).isEqualTo("a_b_c");
        assertThat(PgTypes.fieldName("")).isEqualTo("(empty)");
        assertThat(PgTypes.fieldName(" \t")).isEqualTo("%20%09");
        assertThat(PgTypes.fieldName("\u3000")).isEqualTo("%E3%80%80");
        assertThat(PgTypes.fieldName(" a ")).isEqualTo(" a ");
        assertThat(PgTypes.fieldName(".")).isEqualTo("_");
        for (String metadata : PgTypes.METADATA_FIELDS) {
            assertThat(PgTypes.fieldName(metadata)).isEqualTo("pg" + metadata);
        }
        assertThat(PgTypes.fieldName("_sync")).isEqualTo("pg_sync");
        assertThat(PgTypes.fieldName("_sync_id")).isEqualTo("pg_sync_id");
        assertThat(PgTypes.fieldName("_sync.version")).isEqualTo("pg_sync_version");
        assertThat(PgTypes.fieldName("_id.x")).isEqualTo("_id_x");
        assertThat(PgTypes.fieldName("pg_table")).isEqualTo("pg_pg_table");
        assertThat(PgTypes.fieldName("pg.table")).isEqualTo("pg_pg_table");
        assertThat(PgTypes.fieldName("_other")).isEqualTo("_other");
        assertThat(PgTypes.fieldName("é~1 *")).isEqualTo("é~1 *");
    }

    @Test
    void fieldNamesAreDistinctAndIndependentOfWhereTheCollidingColumnStands() {
        assertThat(PgTypes.fieldNames(texts("a.b", "a_b"))).containsExactly("a_b~1", "a_b");
        assertThat(PgTypes.fieldNames(texts("a_b", "a.b"))).containsExactly("a_b", "a_b~1");
        assertThat(PgTypes.fieldNames(texts("a.b", "a_b", "a_b~1", "a-b"))).containsExactly("a_b~2", "a_b", "a_b~1",
                "a-b");
        assertThat(PgTypes.fieldNames(texts("pg.table", "pg_table", "pg_pg_table")))
                .containsExactly("pg_pg_table~1", "pg_pg_table~2", "pg_pg_table");
        assertThat(PgTypes.fieldNames(texts("_id", "pg_id", "_id"))).containsExactly("pg_id~1", "pg_id", "pg_id~2");
        assertThat(PgTypes.fieldNames(texts("x", "x", "x"))).containsExactly("x", "x~1", "x~2");
        assertThat(PgTypes.fieldNames(List.of())).isEmpty();
    }

    @Test
    void aQueryThatRepeatsAColumnNameGivesEachItsValue() {
        List<PgColumn> columns = List.of(column("a", "integer", "int4", 'N'), column("a", "integer", "int4", 'N'));
        // to_jsonb writes a repeated name once; to_json writes it twice.
        assertThat(PgTypes.document(query("SELECT to_jsonb(q)::text AS doc FROM (SELECT 1 AS a, 2 AS a) q"), columns))
                .containsExactlyEntriesOf(ordered("a", 2L, "a~1", 2L));
        assertThat(PgTypes.document(query("SELECT to_json(q)::text AS doc FROM (SELECT 1 AS a, 2 AS a) q"), columns))
                .containsExactlyEntriesOf(ordered("a", 1L, "a~1", 2L));
        assertThat(PgTypes.document("{\"a\": 1, \"a\": 2, \"a\": 3}", columns))
                .containsExactlyEntriesOf(ordered("a", 1L, "a~1", 3L));
    }

    @Test
    void numbersAreExactAndNeverLongerThanElasticsearchReads() {
        PgColumn json = column("j", "jsonb", "jsonb", 'U');
        assertThat(PgTypes.document("{\"j\": [1, -9223372036854775809, 1.10, 1e2, 1E-7, -0.0, 1e999, 1e1001,"
                + " 1e99999999999, " + "7".repeat(1001) + ", 0." + "5".repeat(1000) + "]}", List.of(json)))
                .containsEntry("j", List.of(1L, new BigInteger("-9223372036854775809"), new BigDecimal("1.10"),
                        new BigDecimal("1E+2"), new BigDecimal("1E-7"), new BigDecimal("0.0"), new BigDecimal("1e999"),
                        "1e1001", "1e99999999999", "7".repeat(1001), "0." + "5".repeat(1000)));

        assertThat(PgTypes.plainLength(new BigDecimal("1.10"))).isEqualTo("1.10".length());
        assertThat(PgTypes.plainLength(new BigDecimal("-0.001"))).isEqualTo("-0.001".length());
        assertThat(PgTypes.plainLength(new BigDecimal("1E+3"))).isEqualTo("1000".length());
        assertThat(PgTypes.plainLength(new BigDecimal("-123.45"))).isEqualTo("-123.45".length());
        assertThat(PgTypes.plainLength(new BigDecimal("0.00"))).isEqualTo("0.00".length());
        assertThat(PgTypes.plainLength(new BigDecimal("42"))).isEqualTo(2);
    }

    @Test
    void rowsThatDoNotMatchTheirColumnsFailNamingTheColumn() {
        List<PgColumn> columns = List.of(column("a", "integer", "int4", 'N'), column("d", "date", "date", 'D'));

        assertThatThrownBy(() -> PgTypes.document("[1]", columns))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a row must be a JSON object, but starts with START_ARRAY");
        assertThatThrownBy(() -> PgTypes.document("{\"a\": 1, \"d\": null, \"b\": 2}", columns))
                .hasMessage("the row has a column \"b\" that is not among the 2 columns read from the catalog; did the"
                        + " table change since?");
        assertThatThrownBy(() -> PgTypes.document("{\"a\": 1}", columns))
                .hasMessage("the row lacks column \"d\"; did the table change since its columns were read?");
        assertThatThrownBy(() -> PgTypes.document("{\"a\": 1, \"d\": null} {}", columns))
                .hasMessage("a row must be one JSON object, but more follows it");
        assertThatThrownBy(() -> PgTypes.document("{\"a\": 1, \"d\": nul", columns))
                .hasMessageStartingWith("cannot read the row's JSON: ");
        assertThatThrownBy(() -> PgTypes.document("{\"a\": 1, \"d\": \"10 BC\"}", columns))
                .hasMessage("column \"d\" (date): not a date of PostgreSQL's ISO style: \"10 BC\"");
        assertThatThrownBy(() -> PgTypes.document("{\"a\": 1, \"d\": \"x-01-01 BC\"}", columns))
                .hasMessageContaining("not a date of PostgreSQL's ISO style");
        String deep = "[".repeat(1001) + "]".repeat(1001);
        assertThatThrownBy(() -> PgTypes.document("{\"a\": " + deep + ", \"d\": null}", columns))
                .hasMessageContaining("cannot read the row's JSON: ")
                .hasMessageContaining("1000");
        assertThat(PgTypes.document("{\"a\": 1, \"d\": \"0001-12-31 BC\"}", columns)).containsEntry("d", "0000-12-31");
        assertThat(PgTypes.document("{\"a\": 1, \"d\": \"10000-12-31 BC\"}", columns)).containsEntry("d",
                "-9999-12-31");
        assertThat(PgTypes.document("{\"a\": 1, \"d\": \"12345-12-31 BC\"}", columns)).containsEntry("d",
                "-12344-12-31");
    }

    @Test
    void elasticsearchAcceptsTheMappingAndEveryRow() throws Exception {
        List<PgColumn> columns = columns(TABLE);
        PgTypes types = PgTypes.of(columns);
        List<Map<String, Object>> docs = read(connection, "to_jsonb", TABLE, columns);
        List<PgColumn> nameColumns = columns(NAMES_TABLE);
        Map<String, Object> names = PgTypes.document(query("SELECT to_jsonb(t)::text AS doc FROM names t"),
                nameColumns);
        ElasticsearchEndpoint es = TestElasticsearch.get();
        String index = "pg-types-" + database.replace('_', '-');
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

        Map<String, Object> properties = new LinkedHashMap<>(types.mappingProperties());
        properties.putAll(PgTypes.mappingProperties(nameColumns));
        properties.put(PgTypes.TABLE_FIELD, ordered("type", "keyword"));
        JsonNode created = request(http, es, "PUT", "/" + index,
                ordered("mappings", ordered("dynamic", true, "properties", properties)));
        assertThat(created.path("acknowledged").asBoolean()).as(created.toString()).isTrue();
        try {
            for (Map<String, Object> doc : docs) {
                Map<String, Object> body = new LinkedHashMap<>(doc);
                body.put(PgTypes.TABLE_FIELD, "public.typetable");
                JsonNode indexed = request(http, es, "PUT", "/" + index + "/_doc/" + doc.get("id") + "?refresh=true",
                        body);
                assertThat(indexed.path("result").asText()).as(indexed.toString()).isEqualTo("created");
            }
            Map<String, Object> nameBody = new LinkedHashMap<>(names);
            nameBody.put(PgTypes.TABLE_FIELD, "public.names");
            JsonNode indexed = request(http, es, "PUT", "/" + index + "/_doc/names?refresh=true", nameBody);
            assertThat(indexed.path("result").asText()).as(indexed.toString()).isEqualTo("created");

            // Values the mapped type cannot index are kept in _source and listed in _ignored.
            assertThat(ignored(http, es, index, "1")).containsExactlyInAnyOrder("c_date_array", "c_float_array",
                    "c_numeric_array");
            assertThat(ignored(http, es, index, "2")).containsExactlyInAnyOrder("c_numeric", "c_numeric_int",
                    "c_real", "c_double", "c_date", "c_timestamp", "c_timestamptz", "c_inet");
            assertThat(ignored(http, es, index, "3")).containsExactlyInAnyOrder("c_numeric", "c_date",
                    "c_timestamp", "c_timestamptz");
            assertThat(ignored(http, es, index, "4")).containsExactlyInAnyOrder("c_numeric");
            assertThat(ignored(http, es, index, "5")).isEmpty();
            JsonNode source = request(http, es, "GET", "/" + index + "/_doc/2", null).path("_source");
            assertThat(source.path("c_numeric").asText()).isEqualTo("NaN");
            assertThat(source.path("c_date").asText()).isEqualTo("infinity");

            // And the values it can index are searchable as their types promise.
            assertThat(hits(http, es, index, ordered("term", ordered("c_cidr", "192.168.0.77")))).containsExactly("1");
            assertThat(hits(http, es, index, ordered("term", ordered("c_cidr", "2001:db8:1::1")))).containsExactly("2");
            assertThat(hits(http, es, index, ordered("range", ordered("c_timestamp", ordered("lt", "0000-01-01")))))
                    .containsExactly("4");
            assertThat(hits(http, es, index, ordered("range", ordered("c_date_array", ordered("lt", "0000-01-01")))))
                    .containsExactly("1");
            assertThat(hits(http, es, index, ordered("range", ordered("c_double", ordered("gt", 1e308)))))
                    .containsExactly("1");
            assertThat(hits(http, es, index, ordered("match", ordered("c_text", "emoji backslash"))))
                    .containsExactly("1");
            assertThat(hits(http, es, index, ordered("term", ordered("c_hstore.a", "1")))).containsExactly("1");
            assertThat(hits(http, es, index, ordered("term", ordered("c_inet", "192.168.0.1")))).containsExactly("1");
            assertThat(hits(http, es, index, ordered("term", ordered("a_b~1", "dotted")))).containsExactly("names");
        } finally {
            request(http, es, "DELETE", "/" + index, null);
        }
    }

    private static List<String> ignored(HttpClient http, ElasticsearchEndpoint es, String index, String id)
            throws Exception {
        List<String> fields = new ArrayList<>();
        request(http, es, "GET", "/" + index + "/_doc/" + id + "?stored_fields=_ignored", null).path("_ignored")
                .forEach(f -> fields.add(f.asText()));
        return fields;
    }

    private static List<String> hits(HttpClient http, ElasticsearchEndpoint es, String index, Map<String, Object> query)
            throws Exception {
        JsonNode response = request(http, es, "POST", "/" + index + "/_search", ordered("query", query));
        List<String> ids = new ArrayList<>();
        response.path("hits").path("hits").forEach(hit -> ids.add(hit.path("_id").asText()));
        assertThat(response.has("error")).as(response.toString()).isFalse();
        return ids;
    }

    private static JsonNode request(HttpClient http, ElasticsearchEndpoint es, String method, String path,
            Object body) throws Exception {
        String base = es.uri().toString().replaceAll("/$", "");
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(RUNTIME_JSON.writeValueAsBytes(body)));
        if (es.hasCredentials()) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (es.username() + ":" + es.password()).getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return RUNTIME_JSON.readTree(response.body());
    }

    private static List<Map<String, Object>> read(PostgresqlConnection on, String function, String table,
            List<PgColumn> columns) {
        PgTypes types = PgTypes.of(columns);
        return Flux.from(on.createStatement("SELECT " + function + "(t)::text AS doc FROM " + table + " t ORDER BY id")
                        .execute())
                .flatMap(result -> result.map((row, meta) -> row.get("doc", String.class)))
                .map(types::document)
                .collectList()
                .block();
    }

    private static String query(String sql) {
        return Flux.from(connection.createStatement(sql).execute())
                .flatMap(result -> result.map((row, meta) -> row.get("doc", String.class)))
                .blockFirst();
    }

    private static List<PgColumn> columns(String table) {
        return Flux.from(connection.createStatement(PgColumn.TABLE_COLUMNS_SQL).bind("$1", new String[] {table})
                        .execute())
                .flatMap(result -> result.map((row, meta) -> PgColumn.from(row, row.get("name", String.class))))
                .collectList()
                .block();
    }

    private static PgColumn column(String name, String type, String typeName, char category) {
        return new PgColumn(name, type, typeName, category, null, ' ');
    }

    private static List<PgColumn> texts(String... names) {
        return Arrays.stream(names).map(n -> column(n, "text", "text", 'S')).toList();
    }

    private static Map<String, Object> nulls(List<PgColumn> columns) {
        Map<String, Object> map = new LinkedHashMap<>();
        PgTypes.fieldNames(columns).forEach(name -> map.put(name, null));
        return map;
    }

    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static PostgresqlConnection admin() {
        return Mono.from(new PostgresqlConnectionFactory(PostgresqlConnectionConfiguration.builder()
                .host("127.0.0.1").port(5432).username("postgres").database("postgres").build()).create()).block();
    }

    private static PostgresqlConnection connect(Map<String, String> options) {
        return new PostgresqlConnectionFactory(PostgresqlConnectionConfiguration.builder()
                .host("127.0.0.1").port(5432).username("postgres").database(database).options(options).build())
                .create().block();
    }

    /** Runs each statement in turn; closes the connection if it is the admin one. */
    private static void execute(PostgresqlConnection on, String... statements) {
        try {
            for (String sql : statements) {
                Flux.from(on.createStatement(sql).execute()).flatMap(PostgresqlResult::getRowsUpdated).then().block();
            }
        } finally {
            if (on != connection) {
                on.close().block();
            }
        }
    }
}
