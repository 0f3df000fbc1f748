package io.connectors.spi.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FieldMappingsTest {
    private static final Map<String, Object> STORED_ONLY = Map.of("type", "object", "enabled", false);
    private static final Map<String, Object> TEXT = Map.of("type", "text", "fields",
            Map.of("keyword", Map.of("type", "keyword", "ignore_above", 256)));
    private static final Map<String, Object> LONG_KEYWORD = Map.of("type", "keyword", "ignore_above", 8191);

    @Test
    void equalMappingsStay() {
        Map<String, Object> date = Map.of("type", "date", "format", "strict_date_optional_time");
        assertThat(FieldMappings.common(date, Map.of("type", "date", "format", "strict_date_optional_time"))).isEqualTo(date);
        assertThat(FieldMappings.common(List.of(date, date, date))).isEqualTo(date);
    }

    @Test
    void integersWidenAndOtherNumbersBecomeDouble() {
        assertThat(FieldMappings.common(type("short"), type("integer"))).isEqualTo(type("integer"));
        assertThat(FieldMappings.common(type("long"), type("byte"))).isEqualTo(type("long"));
        assertThat(FieldMappings.common(type("integer"), Map.of("type", "long", "ignore_malformed", true)))
                .isEqualTo(Map.of("type", "long", "ignore_malformed", true));
        Map<String, Object> lenientDouble = Map.of("type", "double", "ignore_malformed", true);
        assertThat(FieldMappings.common(type("integer"), Map.of("type", "float", "ignore_malformed", true))).isEqualTo(lenientDouble);
        assertThat(FieldMappings.common(type("long"), type("double"))).isEqualTo(lenientDouble);
        assertThat(FieldMappings.common(type("unsigned_long"), type("long"))).isEqualTo(lenientDouble);
        assertThat(FieldMappings.common(List.of(type("short"), type("integer"), type("float")))).isEqualTo(lenientDouble);
    }

    @Test
    void sameTypesWithOtherParameters() {
        assertThat(FieldMappings.common(Map.of("type", "date", "format", "yyyy"), Map.of("type", "date")))
                .isEqualTo(Map.of("type", "date", "format", "strict_date_optional_time||epoch_millis", "ignore_malformed", true));
        assertThat(FieldMappings.common(Map.of("type", "date", "format", "yyyy"), Map.of("type", "date", "format", "yyyy",
                "ignore_malformed", true))).isEqualTo(Map.of("type", "date", "format", "yyyy", "ignore_malformed", true));
        assertThat(FieldMappings.common(Map.of("type", "keyword", "ignore_above", 256), LONG_KEYWORD)).isEqualTo(LONG_KEYWORD);
        assertThat(FieldMappings.common(type("keyword"), LONG_KEYWORD)).as("no limit is the larger").isEqualTo(type("keyword"));
        assertThat(FieldMappings.common(type("text"), TEXT)).isEqualTo(TEXT);
        assertThat(FieldMappings.common(type("ip"), Map.of("type", "ip", "ignore_malformed", true)))
                .isEqualTo(Map.of("type", "ip", "ignore_malformed", true));
    }

    @Test
    void objectsAndDynamicFieldsAreStoredWithoutParsing() {
        assertThat(FieldMappings.common(STORED_ONLY, type("integer"))).isEqualTo(STORED_ONLY);
        assertThat(FieldMappings.common(Map.of("type", "flattened", "ignore_above", 8191), TEXT)).isEqualTo(STORED_ONLY);
        assertThat(FieldMappings.common(Map.of("properties", Map.of("a", type("long"))), type("keyword"))).isEqualTo(STORED_ONLY);
        assertThat(FieldMappings.common(type("nested"), type("nested_other"))).isEqualTo(STORED_ONLY);
        assertThat(FieldMappings.common(null, type("integer"))).isEqualTo(STORED_ONLY);
        assertThat(FieldMappings.common(type("keyword"), null)).isEqualTo(STORED_ONLY);
        assertThat(FieldMappings.common(Arrays.asList(null, null))).as("dynamic in every table stays dynamic").isNull();
        assertThat(FieldMappings.common(Arrays.asList(null, type("long"), null))).isEqualTo(STORED_ONLY);
    }

    @Test
    void otherScalarsBecomeKeywordOrText() {
        assertThat(FieldMappings.common(type("date"), type("boolean"))).isEqualTo(LONG_KEYWORD);
        assertThat(FieldMappings.common(type("integer"), type("keyword"))).isEqualTo(LONG_KEYWORD);
        assertThat(FieldMappings.common(type("ip"), type("ip_range"))).isEqualTo(LONG_KEYWORD);
        assertThat(FieldMappings.common(type("binary"), type("long"))).isEqualTo(LONG_KEYWORD);
        assertThat(FieldMappings.common(type("integer"), TEXT)).isEqualTo(TEXT);
        assertThat(FieldMappings.common(List.of(type("integer"), type("keyword"), type("text")))).isEqualTo(TEXT);
    }

    @Test
    void nothingToMergeIsAMistake() {
        assertThatThrownBy(() -> FieldMappings.common(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    private static Map<String, Object> type(String type) {
        return Map.of("type", type);
    }
}
