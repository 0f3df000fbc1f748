package io.connectors.source.postgresql;

import io.connectors.testkit.functional.SourceFixture.TypeZoo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The PostgreSQL type zoo ({@link io.connectors.testkit.functional.SourceFixture#loadTypeZoo}), in schema
 * {@value #SCHEMA}: {@code zoo_a} has a column of every type the source maps, with edge values (extremes, NaN,
 * infinities, BC dates, empty arrays, nested json, odd text); {@code zoo_b} has columns of the <em>same names</em> and
 * other types (a text key where {@code zoo_a} has an integer one, text where it has an integer, json where it has
 * text, a boolean where it has a date, hstore where it has an integer...), so the connector's mapping must hold both.
 * The values Elasticsearch keeps in {@code _source} without indexing them are the documented ones, in the fields whose
 * merged type is still a number or a date: {@code NaN} and numbers of over 1,000 digits (strings in a number field), a
 * BC timestamp.
 */
final class PgTypeZoo {
    static final String SCHEMA = "ftest_zoo";

    private PgTypeZoo() {
    }

    static TypeZoo load(PgBackend backend) {
        backend.sql("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE",
                "CREATE SCHEMA " + SCHEMA,
                "CREATE EXTENSION IF NOT EXISTS hstore",
                "CREATE TYPE " + SCHEMA + ".mood AS ENUM ('sad', 'ok', 'happy')",
                "CREATE TYPE " + SCHEMA + ".pair AS (a integer, b text)",
                "CREATE TABLE " + SCHEMA + """
                .zoo_a (
                  id integer PRIMARY KEY,
                  c_smallint smallint, c_int integer, c_bigint bigint, c_numeric numeric, c_numeric_scaled numeric(12,2),
                  c_numeric_int numeric(10,0), c_real real, c_double double precision, c_bool boolean, c_text text,
                  c_varchar varchar(20), c_char char(5), c_uuid uuid, c_json json, c_jsonb jsonb, c_int_array int[],
                  c_text_array text[], c_date date, c_time time, c_timetz timetz, c_timestamp timestamp,
                  c_timestamptz timestamptz, c_interval interval, c_bytea bytea, c_mood ftest_zoo.mood, c_inet inet,
                  c_cidr cidr, c_macaddr macaddr, c_money money, c_hstore hstore, c_point point, c_range int4range,
                  c_tsvector tsvector, c_bit bit varying, c_xml xml, c_pair ftest_zoo.pair)""",
                "INSERT INTO " + SCHEMA + """
                .zoo_a VALUES (1, 32767, 2147483647, 9223372036854775807,
                  123456789012345678901234567890.123456789012345678901234567890, 1.10, 9999999999, 3.4028235e38,
                  1.7976931348623157e308, true, E'quote " backslash \\\\ newline \\n é 中文 😀', 'it''s', 'ab',
                  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"b": 1, "a": [1, 2.50, {"x": null}], "dup": 1, "dup": 2}',
                  '{"nested": {"deep": [1, [2, [3]]]}, "n": 1e400, "t": true}', '{1,NULL,-3}', ARRAY['a"b', NULL, ''],
                  '2024-02-29', '23:59:59.999999', '10:00:00.123456+05:30', '2024-05-01 10:00:00.123456',
                  '2024-05-01 10:00:00.123+02', '1 day 2 hours', '\\x00ff10', 'happy', '192.168.0.1', '192.168.0.0/24',
                  '08:00:2b:01:02:03', 12.34, 'a=>1, b=>NULL', '(1,2)', '[1,5)', 'a fat cat', B'101', '<a>x</a>',
                  ROW(1, 'x'))""",
                "INSERT INTO " + SCHEMA + """
                .zoo_a (id, c_smallint, c_int, c_bigint, c_numeric, c_numeric_scaled, c_numeric_int, c_real, c_double,
                  c_bool, c_text, c_char, c_json, c_jsonb, c_int_array, c_date, c_time, c_timestamp, c_timestamptz,
                  c_interval, c_bytea, c_inet, c_cidr, c_money)
                VALUES (2, -32768, -2147483648, -9223372036854775808, 'NaN', -0.01, 'NaN', 'NaN', '-Infinity', false, '',
                  'é', '5', '["a", "b"]', '{}', 'infinity', '24:00:00', '-infinity', '0044-03-15 10:00:00+00 BC',
                  '-1 year -2 mons +3 days', '', '2001:db8::1/64', '2001:db8::/32', -1234.56)""",
                "INSERT INTO " + SCHEMA + ".zoo_a (id, c_numeric, c_date) VALUES (3, '" + "9".repeat(1100)
                        + "', '5874897-12-31')",
                "INSERT INTO " + SCHEMA + ".zoo_a (id) VALUES (4)",
                "CREATE TABLE " + SCHEMA + """
                .zoo_b (
                  id text PRIMARY KEY,
                  c_smallint text, c_int text, c_bigint numeric, c_numeric bigint, c_real integer, c_double text,
                  c_bool date, c_text integer, c_varchar jsonb, c_uuid boolean, c_json text, c_jsonb integer,
                  c_int_array text[], c_text_array integer, c_date boolean, c_time integer, c_timestamp text,
                  c_timestamptz date, c_bytea text, c_mood integer, c_inet text, c_cidr integer, c_money double precision,
                  c_hstore integer, c_point text, c_range text, c_pair integer)""",
                "INSERT INTO " + SCHEMA + """
                .zoo_b VALUES ('b-1', 'small', 'not a number', 123456789012345678901234567890, 42, 7, 'NaN text',
                  '2024-01-01', 17, '{"x": [1, "two"]}', true, 'json as text', 3, ARRAY['x', 'y'], 9, true, 1200,
                  'tomorrow', '2024-01-02', 'bytes as text', 2, 'not an address', 8, 1.5, 99, 'a point', 'a range', 1)""",
                "INSERT INTO " + SCHEMA + ".zoo_b (id) VALUES ('b-2')",
                "INSERT INTO " + SCHEMA + ".zoo_b (id, c_text, c_date) VALUES ('3', -1, false)");
        Map<String, Object> configuration = new LinkedHashMap<>(backend.connectorConfiguration());
        configuration.put("schemas", List.of(SCHEMA));
        configuration.put("watch_changes", false);
        return new TypeZoo(configuration, 7, Set.of("c_numeric", "c_numeric_int", "c_real", "c_timestamptz"),
                "every column type in zoo_a; zoo_b with the same column names of other types and a text key where"
                        + " zoo_a has an integer one");
    }
}
