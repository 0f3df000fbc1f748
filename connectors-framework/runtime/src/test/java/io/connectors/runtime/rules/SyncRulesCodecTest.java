package io.connectors.runtime.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.connectors.spi.rules.BasicRule.Condition;
import io.connectors.spi.rules.BasicRule.Policy;
import io.connectors.spi.rules.BasicRule;
import io.connectors.spi.rules.SyncRules;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

class SyncRulesCodecTest {
    private static final String WHERE = "connectors[0].sync_rules";
    private static final String RULES = "[contains, ends_with, equals, greater_than, less_than, regex, starts_with]";

    private final List<String> problems = new ArrayList<>();

    // ---------------------------------------------------------------- parsing what is valid

    @Test
    void nullMeansNoRules() {
        assertThat(SyncRulesCodec.parse(null, WHERE, problems)).isSameAs(SyncRules.NONE);
        assertThat(problems).isEmpty();
    }

    @Test
    void emptyMappingAndNullKeysMeanNoRules() {
        assertThat(SyncRulesCodec.parse(Map.of(), WHERE, problems)).isEqualTo(SyncRules.NONE);
        assertThat(SyncRulesCodec.parse(yaml("basic:\nadvanced:\n"), WHERE, problems)).isEqualTo(SyncRules.NONE);
        assertThat(problems).isEmpty();
    }

    @Test
    void parsesTheYamlOfConfigYml() {
        SyncRules rules = parse("""
                basic:
                  - { field: path, policy: exclude, rule: starts_with, value: "drafts/" }
                  - { field: size, policy: include, rule: less_than, value: "1000" }
                  - field: meta.lang
                    policy: include
                    rule: equals
                    value: en
                advanced:
                  query: { status: published }
                  tables: [a, b]
                  limit: 10
                """);

        assertThat(problems).isEmpty();
        assertThat(rules.basic()).containsExactly(
                new BasicRule("path", Policy.EXCLUDE, Condition.STARTS_WITH, "drafts/"),
                new BasicRule("size", Policy.INCLUDE, Condition.LESS_THAN, "1000"),
                new BasicRule("meta.lang", Policy.INCLUDE, Condition.EQUALS, "en"));
        assertThat(rules.advanced()).isEqualTo(Map.of("query", Map.of("status", "published"),
                "tables", List.of("a", "b"), "limit", 10));
    }

    @ParameterizedTest
    @EnumSource(Condition.class)
    void everyConditionByItsLowerCaseName(Condition condition) {
        String name = condition.name().toLowerCase(java.util.Locale.ROOT);
        SyncRules rules = parse("basic: [ { field: f, policy: include, rule: " + name + ", value: x } ]");

        assertThat(problems).isEmpty();
        assertThat(rules.basic()).containsExactly(new BasicRule("f", Policy.INCLUDE, condition, "x"));
        assertThat(SyncRulesCodec.toMap(rules)).extracting(m -> ((List<?>) m.get("basic")).get(0))
                .isEqualTo(Map.of("field", "f", "policy", "include", "rule", name, "value", "x"));
    }

    @Test
    void policiesAndRulesIgnoreCase() {
        SyncRules rules = parse("basic: [ { field: f, policy: EXCLUDE, rule: Starts_With, value: x } ]");

        assertThat(problems).isEmpty();
        assertThat(rules.basic()).containsExactly(new BasicRule("f", Policy.EXCLUDE, Condition.STARTS_WITH, "x"));
    }

    @Test
    void valuesGivenAsNumbersBooleansOrTimestampsAreKeptAsText() {
        SyncRules rules = parse("""
                basic:
                  - { field: a, policy: include, rule: less_than, value: 1000 }
                  - { field: b, policy: include, rule: greater_than, value: 1.5 }
                  - { field: c, policy: include, rule: greater_than, value: 1e3 }
                  - { field: d, policy: include, rule: equals, value: true }
                  - { field: e, policy: include, rule: less_than, value: 12345678901234567890 }
                  - { field: f, policy: include, rule: greater_than, value: 2024-06-01T10:00:00Z }
                  - { field: g, policy: include, rule: equals, value: "" }
                  - { field: h, policy: include, rule: equals, value: -7 }
                """);

        assertThat(problems).isEmpty();
        assertThat(rules.basic()).extracting(BasicRule::value)
                .containsExactly("1000", "1.5", "1000.0", "true", "12345678901234567890", "2024-06-01T10:00:00Z", "", "-7");
    }

    @Test
    void valuesFromJavaNumbersAndDates() {
        Map<String, Object> raw = Map.of("basic", List.of(
                rule("a", "include", "equals", new BigDecimal("1E+3")),
                rule("b", "include", "equals", 2.5f),
                rule("c", "include", "equals", Date.from(java.time.Instant.parse("2024-01-02T03:04:05Z")))));

        SyncRules rules = SyncRulesCodec.parse(raw, WHERE, problems);

        assertThat(problems).isEmpty();
        assertThat(rules.basic()).extracting(BasicRule::value).containsExactly("1000", "2.5", "2024-01-02T03:04:05Z");
    }

    @Test
    void advancedRulesAreCopiedDeeplyAndTimestampsBecomeText() {
        SyncRules rules = parse("""
                advanced:
                  since: 2024-01-01T00:00:00Z
                  nested: { list: [1, { at: 2024-01-02T00:00:00Z }, null] }
                """);

        assertThat(problems).isEmpty();
        assertThat(rules.advanced().get("since")).isEqualTo("2024-01-01T00:00:00Z");
        Map<?, ?> nested = (Map<?, ?>) rules.advanced().get("nested");
        List<?> list = (List<?>) nested.get("list");
        assertThat(list).hasSize(3);
        assertThat(list.get(0)).isEqualTo(1);
        assertThat(list.get(1)).isEqualTo(Map.of("at", "2024-01-02T00:00:00Z"));
        assertThat(list.get(2)).isNull();
    }

    @Test
    void anEmptyWhereGivesBareKeyPaths() {
        SyncRulesCodec.parse(Map.of("basic", List.of(Map.of("field", "f", "policy", "include", "rule", "foo",
                "value", "x"))), "", problems);

        assertThat(problems).containsExactly("basic[0].rule: unknown rule 'foo'; use one of " + RULES);
    }

    // ---------------------------------------------------------------- problems

    @Test
    void unknownRuleNamesTheKnownOnes() {
        assertThat(parse("""
                basic:
                  - { field: a, policy: include, rule: equals, value: x }
                  - { field: b, policy: include, rule: equals, value: y }
                  - { field: c, policy: include, rule: foo, value: z }
                """)).isNull();

        assertThat(problems).containsExactly(WHERE + ".basic[2].rule: unknown rule 'foo'; use one of " + RULES);
    }

    @Test
    void lessAndGreaterThanSymbolsAreNotRuleNames() {
        assertThat(parse("basic: [ { field: a, policy: include, rule: '<', value: 3 } ]")).isNull();

        assertThat(problems).containsExactly(WHERE + ".basic[0].rule: unknown rule '<'; use one of " + RULES);
    }

    @Test
    void unknownPolicy() {
        assertThat(parse("basic: [ { field: a, policy: skip, rule: equals, value: x } ]")).isNull();

        assertThat(problems).containsExactly(WHERE + ".basic[0].policy: unknown policy 'skip'; use one of [exclude, include]");
    }

    @Test
    void unknownKeysAreRejectedWithTheKnownOnes() {
        assertThat(parse("""
                basic: [ { field: a, policy: include, rule: equals, value: x, values: [y] } ]
                advance: {}
                """)).isNull();

        assertThat(problems).containsExactlyInAnyOrder(
                WHERE + ".advance: unknown key; use one of [advanced, basic]",
                WHERE + ".basic[0].values: unknown key; use one of [field, policy, rule, value]");
    }

    @Test
    void missingAndEmptyKeys() {
        assertThat(parse("""
                basic:
                  - { policy: include, rule: equals, value: x }
                  - { field: a, rule: equals, value: x }
                  - { field: a, policy: include, value: x }
                  - { field: a, policy: include, rule: equals }
                  - { field: a, policy: include, rule: equals, value: }
                  - { field: , policy: , rule: , value: x }
                """)).isNull();

        assertThat(problems).containsExactly(
                WHERE + ".basic[0].field: missing",
                WHERE + ".basic[1].policy: missing; use one of [exclude, include]",
                WHERE + ".basic[2].rule: missing; use one of " + RULES,
                WHERE + ".basic[3].value: missing",
                WHERE + ".basic[4].value: must not be empty (use \"\" for empty text)",
                WHERE + ".basic[5].field: must not be empty",
                WHERE + ".basic[5].policy: must not be empty; use one of [exclude, include]",
                WHERE + ".basic[5].rule: must not be empty; use one of " + RULES);
    }

    @Test
    void wrongTypes() {
        assertThat(parse("""
                basic:
                  - { field: [a], policy: include, rule: equals, value: x }
                  - { field: a, policy: include, rule: equals, value: [x, y] }
                  - { field: a, policy: include, rule: equals, value: { k: v } }
                  - { field: a, policy: include, rule: equals, value: .nan }
                  - just text
                """)).isNull();

        assertThat(problems).containsExactly(
                WHERE + ".basic[0].field: expected text, got a list",
                WHERE + ".basic[1].value: expected text, a number or a boolean, got a list",
                WHERE + ".basic[2].value: expected text, a number or a boolean, got a mapping",
                WHERE + ".basic[3].value: NaN cannot be compared with; quote it if it is meant as text",
                WHERE + ".basic[4]: expected a mapping with the keys [field, policy, rule, value], got text 'just text'");
    }

    @Test
    void wrongShapes() {
        assertThat(SyncRulesCodec.parse(List.of("a"), WHERE, problems)).isNull();
        assertThat(SyncRulesCodec.parse("text", WHERE, problems)).isNull();
        assertThat(parse("basic: { field: a }")).isNull();
        assertThat(parse("advanced: [a, b]")).isNull();

        assertThat(problems).containsExactly(
                WHERE + ": expected a mapping with the keys [advanced, basic], got a list",
                WHERE + ": expected a mapping with the keys [advanced, basic], got text 'text'",
                WHERE + ".basic: expected a list of rules, got a mapping",
                WHERE + ".advanced: expected a mapping (its content depends on the source type), got a list");
    }

    @Test
    void advancedProblems() {
        Map<Object, Object> nested = new LinkedHashMap<>();
        nested.put(1, "numeric key");
        Map<String, Object> advanced = new LinkedHashMap<>();
        advanced.put("gone", null);
        advanced.put("nested", nested);
        advanced.put("object", new Object());
        advanced.put("nan", List.of(Double.NaN));

        assertThat(SyncRulesCodec.parse(Map.of("advanced", advanced), WHERE, problems)).isNull();

        assertThat(problems).containsExactly(
                WHERE + ".advanced.gone: must not be empty; remove the key instead",
                WHERE + ".advanced.nested: keys must be text, got '1'",
                WHERE + ".advanced.object: expected a JSON value (text, number, boolean, list or mapping), got a Object",
                WHERE + ".advanced.nan[0]: NaN is not a JSON value");
    }

    @Test
    void everyProblemIsReportedNotOnlyTheFirst() {
        assertThat(parse("""
                basic:
                  - { field: a, policy: maybe, rule: like, value: x, extra: 1 }
                  - { field: b, policy: include, rule: equals, value: ok }
                  - 42
                advanced: text
                other: 1
                """)).isNull();

        assertThat(problems).containsExactlyInAnyOrder(
                WHERE + ".other: unknown key; use one of [advanced, basic]",
                WHERE + ".basic[0].extra: unknown key; use one of [field, policy, rule, value]",
                WHERE + ".basic[0].policy: unknown policy 'maybe'; use one of [exclude, include]",
                WHERE + ".basic[0].rule: unknown rule 'like'; use one of " + RULES,
                WHERE + ".basic[2]: expected a mapping with the keys [field, policy, rule, value], got '42'",
                WHERE + ".advanced: expected a mapping (its content depends on the source type), got text 'text'");
    }

    @Test
    void problemsAlreadyInTheListDoNotFailALaterValidParse() {
        problems.add("connectors[1].index: expected an index name");

        assertThat(SyncRulesCodec.parse(Map.of(), WHERE, problems)).isEqualTo(SyncRules.NONE);
        assertThat(problems).hasSize(1);
    }

    // ---------------------------------------------------------------- the stored form

    @Test
    void toMapHasBothKeysInTheConfigurationForm() {
        SyncRules rules = new SyncRules(List.of(new BasicRule("path", Policy.EXCLUDE, Condition.STARTS_WITH, "drafts/")),
                Map.of("query", Map.of("a", 1)));

        assertThat(SyncRulesCodec.toMap(rules)).isEqualTo(Map.of(
                "basic", List.of(Map.of("field", "path", "policy", "exclude", "rule", "starts_with", "value", "drafts/")),
                "advanced", Map.of("query", Map.of("a", 1))));
        assertThat(SyncRulesCodec.toMap(SyncRules.NONE)).isEqualTo(Map.of("basic", List.of(), "advanced", Map.of()));
    }

    @Test
    void toMapRoundTripsThroughParse() {
        List<BasicRule> basic = new ArrayList<>();
        for (Condition c : Condition.values()) {
            for (Policy p : Policy.values()) {
                basic.add(new BasicRule("f." + c, p, c, c == Condition.REGEX ? "a.*[b]" : "v " + p + " \"quoted\""));
            }
        }
        SyncRules rules = new SyncRules(basic, Map.of("query", Map.of("status", List.of("a", "b")), "limit", 5,
                "flag", true));

        assertThat(SyncRulesCodec.parse(SyncRulesCodec.toMap(rules), WHERE, problems)).isEqualTo(rules);
        assertThat(problems).isEmpty();
        assertThat(SyncRulesCodec.parse(SyncRulesCodec.toMap(SyncRules.NONE), WHERE, problems)).isEqualTo(SyncRules.NONE);
    }

    @Test
    void toMapRoundTripsThroughTheJsonStoredInElasticsearch() throws Exception {
        SyncRules rules = parse("""
                basic:
                  - { field: size, policy: include, rule: less_than, value: 1000 }
                  - { field: name, policy: exclude, rule: regex, value: '.*\\.tmp' }
                advanced: { query: { since: 2024-01-01T00:00:00Z, ids: [1, 2] } }
                """);
        assertThat(problems).isEmpty();
        ObjectMapper json = new ObjectMapper();

        Object stored = json.readValue(json.writeValueAsBytes(SyncRulesCodec.toMap(rules)), Map.class);
        SyncRules back = SyncRulesCodec.parse(stored, "sync_rules.active", problems);

        assertThat(problems).isEmpty();
        assertThat(back).isEqualTo(rules);
        assertThat(SyncRulesCodec.toMap(back)).isEqualTo(stored);
    }

    // ---------------------------------------------------------------- helpers

    private SyncRules parse(String text) {
        return SyncRulesCodec.parse(yaml(text), WHERE, problems);
    }

    private static Object yaml(String text) {
        return new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    }

    private static Map<String, Object> rule(String field, String policy, String rule, Object value) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("field", field);
        m.put("policy", policy);
        m.put("rule", rule);
        m.put("value", value);
        return m;
    }
}
