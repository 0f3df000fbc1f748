package io.connectors.source.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.spi.SourceDocument;
import io.connectors.testkit.functional.TypeZooReads;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The type zoo of {@code make ftest NAME=mysql}, read by the source from the test server: every row of the three
 * tables is a document, twice with the same versions (so a re-sync writes nothing), and the values of interest are
 * converted exactly as {@link MysqlTypes} documents. Elasticsearch's side is the ftest's type-zoo step.
 */
class MysqlTypeZooTest {

    @Test
    void everyColumnTypeIsReadConvertedAndReadsTheSameTwice() {
        try (MysqlServer.Database database = MysqlServer.shared().create("zoo")) {
            List<SourceDocument> documents = TypeZooReads.twice(new MysqlDataSourceProvider(),
                    MysqlTypeZoo.load(database), Duration.ofSeconds(120));
            Map<String, Map<String, Object>> byId = documents.stream().collect(Collectors.toMap(SourceDocument::id,
                    SourceDocument::fields));
            String a = database.name() + ".zoo_a/";
            assertThat(byId.keySet()).containsExactlyInAnyOrder(a + "1", a + "2", a + "3", a + "4", a + "5",
                    database.name() + ".zoo_b/b-1", database.name() + ".zoo_b/b-2",
                    database.name() + ".zoo_b/a%2Fb%2Cc%25d é 🎉",
                    database.name() + ".zoo_c/00ff,2024-05-01 10:00:00.500000",
                    database.name() + ".zoo_c/abcdef,1000-01-01 00:00:00.000000");

            Map<String, Object> max = byId.get(a + "1");
            assertThat(max).containsEntry("mysql_table", database.name() + ".zoo_a")
                    .containsEntry("c_tinyint", 127L).containsEntry("c_int_u", 4294967295L)
                    .containsEntry("c_bigint", Long.MAX_VALUE)
                    .containsEntry("c_bigint_u", new BigInteger("18446744073709551615"))
                    .containsEntry("c_decimal", new BigDecimal(
                            "99999999999999999999999999999999999.999999999999999999999999999999"))
                    .containsEntry("c_decimal_scaled", new BigDecimal("12345678.10"))
                    .containsEntry("c_float", 3.40282e38f).containsEntry("c_double", 1.7976931348623157e308)
                    .containsEntry("c_bit1", true).containsEntry("c_bit8", 255L)
                    .containsEntry("c_bit64", new BigInteger("18446744073709551615"))
                    .containsEntry("c_year", 2155L).containsEntry("c_date", "9999-12-31")
                    .containsEntry("c_datetime", "9999-12-31T23:59:59")
                    .containsEntry("c_datetime6", "2024-02-29T10:00:00.123456")
                    .containsEntry("c_timestamp", "2038-01-19T03:14:07.999Z")
                    .containsEntry("c_time", "838:59:59").containsEntry("c_time6", "100:00:00.500000")
                    .containsEntry("c_varchar", "quote \" backslash \\ newline \n tab \t é 中文 😀 🎉")
                    .containsEntry("c_latin1", "café Ñ ß").containsEntry("c_text", "text 👍🏽")
                    .containsEntry("c_varchar_binary", Base64.getEncoder().encodeToString("raw bytes".getBytes()))
                    .containsEntry("c_binary", "AP8Qqw==").containsEntry("c_varbinary", "3q2+7wA=")
                    .containsEntry("c_enum", "large").containsEntry("c_set", List.of("a", "c"))
                    .containsEntry("c_inet6", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")
                    .containsEntry("c_uuid", "ffffffff-ffff-ffff-ffff-ffffffffffff")
                    .containsEntry("c_inet4", "255.255.255.255")
                    // Odd names: a.b becomes a_b~1 (a_b is taken), the reserved ones get the prefix.
                    .containsEntry("a_b", "a_b").containsEntry("a_b~1", 1L).containsEntry("mysql_id", "id")
                    .containsEntry("mysql_sync_x", 2L).containsEntry("mysql_mysql_table", "table")
                    .containsEntry(" lead", 3L).containsEntry("x`y", "x`y").containsEntry("ünïcödé", "ü");
            @SuppressWarnings("unchecked")
            Map<String, Object> json = (Map<String, Object>) max.get("c_json");
            assertThat(json).containsEntry("big", new BigDecimal("123456789012345678901234567890.5"))
                    .containsEntry("n", new BigInteger("18446744073709551616")).containsEntry("s", "😀");
            assertThat(max.get("c_point")).isEqualTo(Map.of("type", "Point", "coordinates",
                    List.of(new BigDecimal("-179.999"), new BigDecimal("-89.5"))));
            assertThat(max.get("c_point_projected")).isEqualTo(Map.of("type", "Point", "coordinates",
                    List.of(1000000, 6000000)));

            Map<String, Object> min = byId.get(a + "2");
            assertThat(min).containsEntry("c_bigint", Long.MIN_VALUE).containsEntry("c_bigint_u", 0L)
                    .containsEntry("c_bit1", false).containsEntry("c_year", 0L)
                    .containsEntry("c_date", "0000-00-00").containsEntry("c_datetime", "0000-00-00T00:00:00")
                    .containsEntry("c_datetime6", "2024-00-00T00:00:00.000000")
                    .containsEntry("c_timestamp", "0000-00-00T00:00:00.000Z")
                    .containsEntry("c_time", "-838:59:59").containsEntry("c_time6", "-00:00:00.000001")
                    .containsEntry("c_varchar", "").containsEntry("c_blob", "").containsEntry("c_set", List.of())
                    .containsEntry("c_enum", "").containsEntry("c_json", List.of())
                    .containsEntry("c_inet6", "::");

            Map<String, Object> huge = byId.get(a + "3");
            assertThat((String) huge.get("c_longtext")).hasSizeGreaterThan(1_000_000).startsWith("Lorem ipsum");
            assertThat(Base64.getDecoder().decode((String) huge.get("c_longblob"))).hasSize(MysqlTypeZoo.HUGE);
            assertThat(huge).containsEntry("c_json", "a JSON string");

            Map<String, Object> nulls = byId.get(a + "4");
            assertThat(nulls).containsEntry("c_json", null).containsEntry("c_date", null).containsEntry("c_bit64", null);
            assertThat(byId.get(a + "5")).containsEntry("c_enum", "it's");

            Map<String, Object> b = byId.get(database.name() + ".zoo_b/b-1");
            assertThat(b).containsEntry("c_int", "not a number")
                    .containsEntry("c_bigint", new BigInteger("18446744073709551615"))
                    .containsEntry("c_date", "2024-02-29T23:59:59.999999").containsEntry("c_datetime", "2024-00-00")
                    .containsEntry("c_json", 7L).containsEntry("c_enum", 1L);
            assertThat(b.get("c_varchar")).isInstanceOf(Map.class);
            Function<String, Object> c = id -> byId.get(database.name() + ".zoo_c/" + id);
            assertThat(c.apply("00ff,2024-05-01 10:00:00.500000")).isNotNull();
        }
    }
}
