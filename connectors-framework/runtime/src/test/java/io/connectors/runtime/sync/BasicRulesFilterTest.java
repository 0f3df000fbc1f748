package io.connectors.runtime.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.spi.SourceDocument;
import io.connectors.spi.rules.BasicRule.Condition;
import io.connectors.spi.rules.BasicRule.Policy;
import io.connectors.spi.rules.BasicRule;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BasicRulesFilterTest {
    private static SourceDocument doc(Map<String, Object> fields) {
        return SourceDocument.builder("id").fields(fields).build();
    }

    @Test
    void firstMatchWinsAndDefaultIncludes() {
        BasicRulesFilter f = new BasicRulesFilter(List.of(
                new BasicRule("path", Policy.INCLUDE, Condition.STARTS_WITH, "docs/keep"),
                new BasicRule("path", Policy.EXCLUDE, Condition.STARTS_WITH, "docs/")));
        assertThat(f.includes(doc(Map.of("path", "docs/keep/a.md")))).isTrue();
        assertThat(f.includes(doc(Map.of("path", "docs/drop/a.md")))).isFalse();
        assertThat(f.includes(doc(Map.of("path", "src/a.java")))).isTrue();
        assertThat(f.includes(doc(Map.of()))).isTrue();
    }

    @Test
    void conditions() {
        assertThat(matches(Condition.EQUALS, "5", 5)).isTrue();
        assertThat(matches(Condition.EQUALS, "5.0", 5)).isTrue();
        assertThat(matches(Condition.ENDS_WITH, ".md", "a.md")).isTrue();
        assertThat(matches(Condition.CONTAINS, "ell", "hello")).isTrue();
        assertThat(matches(Condition.REGEX, "h.*o", "hello")).isTrue();
        assertThat(matches(Condition.REGEX, "ell", "hello")).isFalse();
        assertThat(matches(Condition.LESS_THAN, "10", 9)).isTrue();
        assertThat(matches(Condition.LESS_THAN, "10", 11)).isFalse();
        assertThat(matches(Condition.GREATER_THAN, "2024-01-01T00:00:00Z", "2024-06-01T00:00:00Z")).isTrue();
        assertThat(matches(Condition.GREATER_THAN, "b", "a")).isFalse();
        assertThat(matches(Condition.EQUALS, "x", List.of("a", "x"))).isTrue();
    }

    @Test
    void nestedFieldsByDottedPath() {
        BasicRulesFilter f = new BasicRulesFilter(List.of(new BasicRule("meta.lang", Policy.EXCLUDE, Condition.EQUALS, "fr")));
        assertThat(f.includes(doc(Map.of("meta", Map.of("lang", "fr"))))).isFalse();
        assertThat(f.includes(doc(Map.of("meta", Map.of("lang", "en"))))).isTrue();
    }

    private static boolean matches(Condition c, String value, Object field) {
        return !new BasicRulesFilter(List.of(new BasicRule("f", Policy.EXCLUDE, c, value))).includes(doc(Map.of("f", field)));
    }
}
