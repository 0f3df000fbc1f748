package io.connectors.source.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Column kinds, value conversions and mappings, without a server (the type zoo reads them through one). */
class MysqlTypesTest {

    private static MysqlColumn column(String name, String dataType, String columnType) {
        return new MysqlColumn(name, 1, dataType, columnType, null, false);
    }

    private static MysqlColumn text(String name, String charset) {
        return new MysqlColumn(name, 1, "varchar", "varchar(10)", charset, false);
    }

    private static Object convert(MysqlColumn column, Object value) {
        return MysqlTypes.of(List.of(column)).document(new Object[] {value}).get(column.name());
    }

    @Test
    void valuesAreConvertedExactly() {
        assertThat(convert(column("a", "bigint", "bigint(20) unsigned"), "18446744073709551615"))
                .isEqualTo(new BigInteger("18446744073709551615"));
        assertThat(convert(column("a", "bigint", "bigint(20) unsigned"), "5")).isEqualTo(5L);
        assertThat(convert(column("a", "int", "int(11)"), "-7")).isEqualTo(-7L);
        assertThat(convert(column("a", "decimal", "decimal(65,30)"), "1.100000000000000000000000000000"))
                .isEqualTo(new BigDecimal("1.100000000000000000000000000000"));
        assertThat(convert(column("a", "float", "float"), "1.1")).isEqualTo(1.1f);
        assertThat(convert(column("a", "double", "double"), "-2.5E-300")).isEqualTo(-2.5E-300);
        assertThat(convert(column("a", "bit", "bit(1)"), "1")).isEqualTo(true);
        assertThat(convert(column("a", "bit", "bit(1)"), "0")).isEqualTo(false);
        assertThat(convert(column("a", "bit", "bit(64)"), "18446744073709551615"))
                .isEqualTo(new BigInteger("18446744073709551615"));
        assertThat(convert(column("a", "year", "year(4)"), "0000")).isEqualTo(0L);
        assertThat(convert(column("a", "date", "date"), "0000-00-00")).isEqualTo("0000-00-00");
        assertThat(convert(column("a", "datetime", "datetime(6)"), "2024-05-01 10:00:00.123456"))
                .isEqualTo("2024-05-01T10:00:00.123456");
        assertThat(convert(column("a", "timestamp", "timestamp(3)"), "2024-05-01 10:00:00.123"))
                .isEqualTo("2024-05-01T10:00:00.123Z");
        assertThat(convert(column("a", "time", "time"), "-838:59:59")).isEqualTo("-838:59:59");
        assertThat(convert(column("a", "set", "set('a','b')"), "a,b")).isEqualTo(List.of("a", "b"));
        assertThat(convert(column("a", "set", "set('a','b')"), "")).isEqualTo(List.of());
        assertThat(convert(column("a", "blob", "blob"), new byte[] {0, (byte) 255})).isEqualTo("AP8=");
        assertThat(convert(text("a", "binary"), "AB".getBytes(StandardCharsets.UTF_8))).isEqualTo("QUI=");
        assertThat(convert(column("a", "json", "json"), "{\"n\": 1.50, \"big\": 123456789012345678901234567890}"))
                .isEqualTo(Map.of("n", new BigDecimal("1.50"), "big", new BigInteger("123456789012345678901234567890")));
        assertThat(convert(new MysqlColumn("a", 1, "longtext", "longtext", "utf8mb4", true), "[1, \"x\"]"))
                .isEqualTo(List.of(1, "x"));
        assertThat(convert(column("a", "point", "point"), "{\"type\": \"Point\", \"coordinates\": [1, 2]}"))
                .isEqualTo(Map.of("type", "Point", "coordinates", List.of(1, 2)));
        assertThat(convert(text("a", "utf8mb4"), "😀")).isEqualTo("😀");
        assertThat(convert(column("a", "inet6", "inet6"), "::1")).isEqualTo("::1");
        assertThat(convert(text("a", "utf8mb4"), null)).isNull();
    }

    @Test
    void aValueThatIsNotItsTypeNamesTheColumn() {
        assertThatThrownBy(() -> convert(column("doc", "json", "json"), "{oops"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("column doc (json): not JSON");
    }

    @Test
    void mappingsHoldEveryValueOfTheirType() {
        List<MysqlColumn> columns = List.of(column("t", "tinyint", "tinyint(4)"), column("tu", "tinyint", "tinyint(3) unsigned"),
                column("i", "int", "int(10) unsigned"), column("b", "bigint", "bigint(20) unsigned"),
                column("d", "decimal", "decimal(18,0)"), column("d2", "decimal", "decimal(19,0)"),
                column("bit1", "bit", "bit(1)"), column("bit64", "bit", "bit(64)"),
                column("when", "datetime", "datetime"), column("mood", "enum", "enum('a')"),
                text("s", "utf8mb4"), column("j", "json", "json"), column("g", "geometry", "geometry"),
                column("x", "vector", "vector(3)"), column("_id", "blob", "blob"));
        Map<String, Object> mapping = MysqlTypes.of(columns).mappingProperties();
        assertThat(mapping).containsEntry("t", Map.of("type", "byte")).containsEntry("tu", Map.of("type", "short"))
                .containsEntry("i", Map.of("type", "long")).containsEntry("b", Map.of("type", "double"))
                .containsEntry("d", Map.of("type", "long")).containsEntry("d2", Map.of("type", "double"))
                .containsEntry("bit1", Map.of("type", "boolean")).containsEntry("bit64", Map.of("type", "double"))
                .containsEntry("when", Map.of("type", "date", "format", "strict_date_optional_time",
                        "ignore_malformed", true))
                .containsEntry("mood", Map.of("type", "keyword"))
                .containsEntry("j", Map.of("type", "object", "enabled", false))
                .containsEntry("g", Map.of("type", "object", "enabled", false))
                .containsEntry("mysql_id", Map.of("type", "binary"))
                .doesNotContainKey("x");
        assertThat(mapping.get("s")).isEqualTo(Map.of("type", "text", "fields", Map.of("keyword",
                Map.of("type", "keyword", "ignore_above", 256))));
    }

    @Test
    void tablesThatTypeAFieldDifferentlyGetAMappingThatHoldsBoth() {
        MysqlTarget a = new MysqlTarget("db.a", "`db`.`a`", List.of(column("id", "int", "int")),
                List.of(column("id", "int", "int"), column("v", "int", "int")), java.util.Optional.of("db"),
                java.util.Optional.of("a"), 1, true, true);
        MysqlTarget b = new MysqlTarget("db.b", "`db`.`b`", List.of(column("id", "int", "int")),
                List.of(column("id", "int", "int"), column("v", "bigint", "bigint")), java.util.Optional.of("db"),
                java.util.Optional.of("b"), 1, true, true);
        assertThat(MysqlTypes.merged(List.of(a, b))).containsEntry("v", Map.of("type", "long"))
                .containsEntry("mysql_table", Map.of("type", "keyword"));
    }

    @Test
    void enumAndSetLabelsAreReadFromTheColumnType() {
        MysqlColumn mood = column("m", "enum", "enum('sad','it''s ok','Happy')");
        assertThat(mood.labels()).containsExactly("sad", "it's ok", "Happy");
        assertThat(mood.keyValue("Happy")).isEqualTo(3L);
        assertThat(mood.keyValue("")).isEqualTo(0L);
        assertThat(column("b", "bit", "bit(8)").length()).isEqualTo(8);
        assertThat(column("d", "decimal", "decimal(10,2)").scale()).isEqualTo(2);
        assertThat(column("d", "int", "int").length()).isEqualTo(-1);
        assertThat(column("d", "int", "int").scale()).isZero();
        assertThat(column("x", "int", "int").keyValue("5")).isEqualTo("5");
    }

    @Test
    void keysAreReadAsTextAndBoundBackAsTheirType() {
        assertThat(column("id", "bigint", "bigint unsigned").keyParameter()).isEqualTo("CAST(? AS UNSIGNED)");
        assertThat(column("id", "int", "int").keyParameter()).isEqualTo("CAST(? AS SIGNED)");
        assertThat(column("id", "varbinary", "varbinary(8)").keyExpression("`r`")).isEqualTo("LOWER(HEX(`r`.`id`))");
        assertThat(column("id", "varbinary", "varbinary(8)").keyParameter()).isEqualTo("UNHEX(?)");
        assertThat(column("a`b", "date", "date").keyExpression("`r`")).isEqualTo("CAST(`r`.`a``b` AS CHAR)");
        assertThat(column("f", "double", "double").keyable()).isFalse();
        assertThat(column("f", "json", "json").versionExpression("`r`")).isEqualTo("UNHEX(MD5(`r`.`f`))");
        assertThat(column("f", "int", "int").versionExpression("`r`"))
                .isEqualTo("CONCAT(LENGTH(`r`.`f`), 0x3a, CAST(`r`.`f` AS BINARY))");
    }
}
