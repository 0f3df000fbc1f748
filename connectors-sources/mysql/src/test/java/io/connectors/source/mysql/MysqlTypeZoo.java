package io.connectors.source.mysql;

import io.connectors.testkit.functional.SourceFixture.TypeZoo;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The MySQL type zoo ({@link io.connectors.testkit.functional.SourceFixture#loadTypeZoo}), in a database of its own
 * ({@code ftest_zoo_<8 letters>}):
 * <ul>
 *   <li>{@code zoo_a} ({@code INT} key) has a column of every MariaDB 10.11 type the source reads: every integer type
 *       signed and unsigned, DECIMAL(65,30), FLOAT, DOUBLE, BIT(1), BIT(8), BIT(64), YEAR, DATE, DATETIME(0 and 6),
 *       TIMESTAMP(3), TIME(0 and 6), CHAR, VARCHAR (utf8mb4, latin1, {@code utf8mb4_bin}, the {@code binary} character
 *       set), the TEXT and BLOB types, BINARY, VARBINARY, JSON, ENUM, SET, every geometry type (one point of the
 *       projected SRID 3857), MariaDB's INET4, INET6 and UUID; odd column names ({@code a.b} beside {@code a_b},
 *       {@code _id}, {@code _sync_x}, {@code mysql_table}, a leading space, a back-quote, non-ASCII). Row 1 holds the
 *       largest values, row 2 the smallest, zero dates (inserted with {@code sql_mode=''}) and empty values, row 3
 *       the huge ones (1 MB of LONGTEXT, 1 MB of LONGBLOB), row 4 NULLs;</li>
 *   <li>{@code zoo_b} ({@code VARCHAR} key, one with {@code /}, {@code ,} and {@code %}) has columns of the
 *       <em>same names</em> and other types (text where {@code zoo_a} has a number, an integer where it has JSON,
 *       text, ENUM, INET6 or TIME, a DATE where it has a DATETIME, a signed BIGINT where it has an unsigned one...),
 *       so the connector's merged mapping must hold both;</li>
 *   <li>{@code zoo_c} has a composite key of a {@code VARBINARY} (ids carry it as lower-case hex) and a
 *       {@code DATETIME(6)}.</li>
 * </ul>
 * The values Elasticsearch may keep in {@code _source} without indexing them ({@link #IGNORABLE}) are exactly the
 * zero dates ({@code 0000-00-00}, {@code 2024-00-00}, {@code 0000-00-00 00:00:00}) of {@code c_date}, {@code c_datetime},
 * {@code c_datetime6} and {@code c_timestamp}, which stay {@code date} fields once merged: MySQL accepts them without
 * {@code NO_ZERO_DATE}, no calendar holds them, and the source keeps them as the server writes them under
 * {@code ignore_malformed} (MysqlTypes).
 * Geometries (the projected point of SRID 3857 included) are stored as GeoJSON without being indexed, so none is
 * ignored.
 */
final class MysqlTypeZoo {
    static final Set<String> IGNORABLE = Set.of("c_date", "c_datetime", "c_datetime6", "c_timestamp");
    static final int DOCUMENTS = 10;
    /** The huge values' size: 1 MiB. */
    static final int HUGE = 1 << 20;

    private MysqlTypeZoo() {
    }

    static TypeZoo load(MysqlServer.Database database) {
        database.sql("SET SESSION sql_mode = ''",
                "SET SESSION max_statement_time = 0",
                "DROP TABLE IF EXISTS zoo_a, zoo_b, zoo_c",
                """
                CREATE TABLE zoo_a (
                  id INT NOT NULL PRIMARY KEY,
                  c_tinyint TINYINT, c_tinyint_u TINYINT UNSIGNED, c_bool BOOLEAN, c_smallint SMALLINT,
                  c_smallint_u SMALLINT UNSIGNED, c_mediumint MEDIUMINT, c_mediumint_u MEDIUMINT UNSIGNED, c_int INT,
                  c_int_u INT UNSIGNED, c_bigint BIGINT, c_bigint_u BIGINT UNSIGNED,
                  c_decimal DECIMAL(65,30), c_decimal_int DECIMAL(18,0), c_decimal_scaled DECIMAL(10,2), c_float FLOAT,
                  c_double DOUBLE, c_bit1 BIT(1), c_bit8 BIT(8), c_bit64 BIT(64), c_year YEAR,
                  c_date DATE, c_datetime DATETIME, c_datetime6 DATETIME(6), c_timestamp TIMESTAMP(3) NULL DEFAULT NULL,
                  c_time TIME, c_time6 TIME(6),
                  c_char CHAR(10), c_varchar VARCHAR(100), c_latin1 VARCHAR(50) CHARACTER SET latin1,
                  c_varchar_bin VARCHAR(50) COLLATE utf8mb4_bin, c_varchar_binary VARCHAR(20) CHARACTER SET binary,
                  c_tinytext TINYTEXT, c_text TEXT, c_mediumtext MEDIUMTEXT, c_longtext LONGTEXT,
                  c_binary BINARY(4), c_varbinary VARBINARY(20), c_tinyblob TINYBLOB, c_blob BLOB,
                  c_mediumblob MEDIUMBLOB, c_longblob LONGBLOB,
                  c_json JSON, c_enum ENUM('small', 'medium', 'large', 'it''s'), c_set SET('a', 'b', 'c'),
                  c_geometry GEOMETRY, c_point POINT, c_linestring LINESTRING, c_polygon POLYGON,
                  c_multipoint MULTIPOINT, c_multilinestring MULTILINESTRING, c_multipolygon MULTIPOLYGON,
                  c_geomcollection GEOMETRYCOLLECTION, c_point_projected POINT REF_SYSTEM_ID=3857,
                  c_inet4 INET4, c_inet6 INET6, c_uuid UUID,
                  `a.b` INT, `a_b` VARCHAR(10), `_id` VARCHAR(10), `_sync_x` INT, `mysql_table` VARCHAR(10),
                  ` lead` INT, `x``y` VARCHAR(10), `ünïcödé` VARCHAR(10)
                ) DEFAULT CHARSET=utf8mb4""",
                """
                INSERT INTO zoo_a VALUES (1,
                  127, 255, 1, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, 9223372036854775807,
                  18446744073709551615,
                  99999999999999999999999999999999999.999999999999999999999999999999, 999999999999999999, 12345678.10,
                  3.40282e38, 1.7976931348623157e308, b'1', b'11111111',
                  b'1111111111111111111111111111111111111111111111111111111111111111', 2155,
                  '9999-12-31', '9999-12-31 23:59:59', '2024-02-29 10:00:00.123456', '2038-01-19 03:14:07.999',
                  '838:59:59', '100:00:00.5',
                  'ab', 'quote " backslash \\\\ newline \\n tab \\t é 中文 😀 🎉', 'café Ñ ß', 'Binary Collation',
                  'raw bytes', 'tiny', 'text 👍🏽', 'medium', 'long',
                  X'00FF10AB', X'DEADBEEF00', X'01', X'0203', X'04', X'05',
                  '{"b": 1, "a": [1, 2.50, {"x": null}], "big": 123456789012345678901234567890.5, "n": 18446744073709551616,
                    "e": 1e400, "s": "😀", "nested": {"deep": [1, [2, [3]]]}}',
                  'large', 'a,c',
                  ST_GeomFromText('POINT(4.9 52.37)'), ST_GeomFromText('POINT(-179.999 -89.5)'),
                  ST_GeomFromText('LINESTRING(0 0, 10 10, 20 25)'),
                  ST_GeomFromText('POLYGON((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 2 4, 4 4, 4 2, 2 2))'),
                  ST_GeomFromText('MULTIPOINT(1 1, 2 2)'), ST_GeomFromText('MULTILINESTRING((0 0, 1 1), (2 2, 3 3))'),
                  ST_GeomFromText('MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))'),
                  ST_GeomFromText('GEOMETRYCOLLECTION(POINT(1 2), LINESTRING(0 0, 1 1))'),
                  ST_GeomFromText('POINT(1000000 6000000)', 3857),
                  '255.255.255.255', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'ffffffff-ffff-ffff-ffff-ffffffffffff',
                  1, 'a_b', 'id', 2, 'table', 3, 'x`y', 'ü')""",
                """
                INSERT INTO zoo_a VALUES (2,
                  -128, 0, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0,
                  -99999999999999999999999999999999999.999999999999999999999999999999, -999999999999999999, -0.01,
                  -3.40282e38, -2.2250738585072014e-308, b'0', b'0', b'0', 0,
                  '0000-00-00', '0000-00-00 00:00:00', '2024-00-00 00:00:00', '0000-00-00 00:00:00',
                  '-838:59:59', '-00:00:00.000001',
                  '', '', '', '', '', '', '', '', '',
                  X'00000000', '', '', '', '', '',
                  '[]', 'no such label', '',
                  ST_GeomFromText('POINT(0 0)'), ST_GeomFromText('POINT(180 90)'), ST_GeomFromText('LINESTRING(0 0, 0 1)'),
                  ST_GeomFromText('POLYGON((-10 -10, 10 -10, 10 10, -10 10, -10 -10))'),
                  ST_GeomFromText('MULTIPOINT(0 0)'), ST_GeomFromText('MULTILINESTRING((0 0, 1 1))'),
                  ST_GeomFromText('MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)))'),
                  ST_GeomFromText('GEOMETRYCOLLECTION(POINT(0 0))'), ST_GeomFromText('POINT(-20037508 -20037508)', 3857),
                  '0.0.0.0', '::', '00000000-0000-0000-0000-000000000000',
                  0, '', '', 0, '', 0, '', '')""",
                "INSERT INTO zoo_a (id, c_longtext, c_longblob, c_mediumtext, c_json, c_varchar) VALUES (3, REPEAT('"
                        + "Lorem ipsum dolor sit amet, 😀 consectetur adipiscing elit. ', " + HUGE / 61 + "), "
                        + "RANDOM_BYTES(1024), REPEAT('m', 65536), '\"a JSON string\"', 'huge')",
                // RANDOM_BYTES gives at most 1024 bytes: grown to 1 MiB, deterministically for the tests.
                "UPDATE zoo_a SET c_longblob = REPEAT(UNHEX(SHA2('zoo', 256)), " + HUGE / 32 + ") WHERE id = 3",
                "INSERT INTO zoo_a (id, c_json) VALUES (4, NULL)",
                "INSERT INTO zoo_a (id, c_json, c_enum) VALUES (5, 'null', 'it''s')",
                """
                CREATE TABLE zoo_b (
                  id VARCHAR(40) NOT NULL PRIMARY KEY,
                  c_tinyint VARCHAR(10), c_int VARCHAR(20), c_bigint BIGINT UNSIGNED, c_int_u BIGINT, c_decimal TEXT,
                  c_float DOUBLE, c_double DECIMAL(5,1), c_bit1 VARCHAR(5), c_bit8 INT, c_year DATE,
                  c_date DATETIME(6), c_datetime DATE, c_timestamp TIMESTAMP NULL DEFAULT NULL, c_time INT,
                  c_varchar JSON, c_text INT, c_blob TEXT, c_json INT, c_enum BOOLEAN, c_set ENUM('x', 'y'),
                  c_point VARCHAR(20), c_inet6 INT, c_uuid CHAR(36), `a.b` TEXT, `_id` INT
                ) DEFAULT CHARSET=utf8mb4""",
                """
                INSERT INTO zoo_b VALUES ('b-1', 'small', 'not a number', 18446744073709551615, -9223372036854775808,
                  'text where a decimal was', 1.5e300, 1234.5, 'yes', 2147483647, '2024-05-01',
                  '2024-02-29 23:59:59.999999', '2024-00-00', '1970-01-01 00:00:01', 42,
                  '{"x": [1, "two"], "y": {"z": null}}', -17, 'text where a blob was', 7, 1, 'y',
                  'a point', 8, 'not-a-uuid', 'text', 9)""",
                "INSERT INTO zoo_b (id) VALUES ('b-2')",
                "INSERT INTO zoo_b (id, c_text, c_date, c_varchar) VALUES ('a/b,c%d é 🎉', 0, '0000-00-00 00:00:00',"
                        + " '[1, 2, 3]')",
                """
                CREATE TABLE zoo_c (
                  k_bin VARBINARY(16) NOT NULL, k_at DATETIME(6) NOT NULL, c_int BIGINT, c_text VARCHAR(20),
                  PRIMARY KEY (k_bin, k_at)
                ) DEFAULT CHARSET=utf8mb4""",
                "INSERT INTO zoo_c VALUES (X'00FF', '2024-05-01 10:00:00.5', 1, 'c-1'), (X'ABCDEF', '1000-01-01 00:00:00',"
                        + " 9223372036854775807, NULL)");
        Map<String, Object> configuration = new LinkedHashMap<>(database.config());
        configuration.put("watch_changes", false);
        configuration.put("ssl_mode", "disabled");
        return new TypeZoo(configuration, DOCUMENTS, IGNORABLE,
                "every MariaDB column type in zoo_a (extremes, zero dates, TIME past 24 h, DECIMAL(65,30), BIT(64),"
                        + " JSON, geometries, INET6, UUID, 1 MB values, odd names); zoo_b with the same column names of"
                        + " other types and a text key where zoo_a has an integer one; zoo_c with a binary and datetime"
                        + " key");
    }
}
