package io.connectors.source.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PgRulesTest {

    private static Map<String, Object> rules(Object... queries) {
        return Map.of("queries", List.of(queries));
    }

    private static Map<String, Object> query(String table, String sql, Object key) {
        Map<String, Object> query = new LinkedHashMap<>();
        query.put("table", table);
        query.put("query", sql);
        if (key != null) {
            query.put("key", key);
        }
        return query;
    }

    private static List<String> problemsOf(String sql) {
        return PgRules.problems(rules(query("t", sql, null)));
    }

    @Test
    void noRulesMeanTheConfiguredTables() {
        assertThat(PgRules.parse(null)).isSameAs(PgRules.NONE);
        assertThat(PgRules.parse(Map.of())).isSameAs(PgRules.NONE);
        assertThat(PgRules.NONE.isEmpty()).isTrue();
        assertThat(PgRules.NONE.queries()).isEmpty();
        assertThat(PgRules.problems(null)).isEmpty();
    }

    @Test
    void queriesParseStrippedOfTheirTrailingSemicolon() {
        PgRules rules = PgRules.parse(rules(
                query("orders_with_customer", "SELECT o.id, o.total, c.name FROM shop.orders o"
                        + " JOIN shop.customers c ON c.id = o.customer_id WHERE o.status <> 'cancelled';",
                        List.of("id")),
                query("shop.customers", "  SELECT * FROM shop.customers WHERE active ; -- all of them\n", null),
                query("pairs", "VALUES (1, 'a'), (2, 'b')", List.of("column1", "column2")),
                query("everything", "table shop.orders", null)));
        assertThat(rules.isEmpty()).isFalse();
        assertThat(rules.queries()).containsExactly(
                new PgRules.Query("orders_with_customer", "SELECT o.id, o.total, c.name FROM shop.orders o"
                        + " JOIN shop.customers c ON c.id = o.customer_id WHERE o.status <> 'cancelled'", List.of("id")),
                new PgRules.Query("shop.customers", "SELECT * FROM shop.customers WHERE active", List.of()),
                new PgRules.Query("pairs", "VALUES (1, 'a'), (2, 'b')", List.of("column1", "column2")),
                new PgRules.Query("everything", "table shop.orders", List.of()));
    }

    @Test
    void aNullKeyIsAnAbsentKey() {
        Map<String, Object> query = query("t", "SELECT 1", null);
        query.put("key", null);
        assertThat(PgRules.parse(rules(query)).queries().get(0).key()).isEmpty();
    }

    @Test
    void theShapeIsCheckedWithPaths() {
        assertThat(PgRules.problems(Map.of("query", "SELECT 1"))).containsExactly(
                "unknown key 'query' (allowed: queries)",
                "queries: must be a non-empty list of {table, query, key}, got nothing");
        assertThat(PgRules.problems(Map.of("queries", List.of()))).singleElement().asString()
                .startsWith("queries: must be a non-empty list");
        assertThat(PgRules.problems(Map.of("queries", "SELECT 1"))).singleElement().asString()
                .isEqualTo("queries: must be a non-empty list of {table, query, key}, got SELECT 1 (String)");
        assertThat(PgRules.problems(rules("SELECT 1"))).singleElement().asString()
                .isEqualTo("queries[0]: must be an object with `table`, `query` and optionally `key`, got SELECT 1 (String)");

        Map<String, Object> extra = query("t", "SELECT 1", null);
        extra.put("filter", "x");
        assertThat(PgRules.problems(rules(extra))).containsExactly(
                "queries[0]: unknown key 'filter' (allowed: table, query, key)");

        Map<String, Object> empty = new HashMap<>();
        assertThat(PgRules.problems(rules(empty))).containsExactly(
                "queries[0].table: must be a non-blank string, got nothing",
                "queries[0].query: must be a non-blank string, got nothing");
        assertThat(PgRules.problems(rules(query(" ", " ", null)))).containsExactly(
                "queries[0].table: must be a non-blank string, got   (String)",
                "queries[0].query: must be a non-blank string, got   (String)");
        Map<String, Object> numbers = new HashMap<>(Map.of("table", 3, "query", 4));
        assertThat(PgRules.problems(rules(numbers))).containsExactly(
                "queries[0].table: must be a non-blank string, got 3 (Integer)",
                "queries[0].query: must be a non-blank string, got 4 (Integer)");
        assertThat(PgRules.problems(rules(query("t", "SELECT " + "x".repeat(100), "id")))).singleElement().asString()
                .isEqualTo("queries[0].key: must be a non-empty list of output column names, got id (String)");
        assertThat(PgRules.problems(rules(query("t", "SELECT " + "1", "x".repeat(100))))).singleElement().asString()
                .endsWith("x…" + " (String)");
    }

    @Test
    void tablesAreUnique() {
        assertThat(PgRules.problems(rules(query("a", "SELECT 1", null), query("b", "SELECT 2", null),
                query("a", "SELECT 3", null)))).containsExactly(
                "queries[2].table: 'a' is the table of queries[0] already: tables must be unique");
    }

    @Test
    void keysAreDistinctNonBlankNames() {
        assertThat(PgRules.problems(rules(query("t", "SELECT 1", List.of())))).singleElement().asString()
                .startsWith("queries[0].key: must be a non-empty list of output column names, got []");
        assertThat(PgRules.problems(rules(query("t", "SELECT 1", Arrays.asList("a", "", null, 7, "a"))))).containsExactly(
                "queries[0].key[1]: must be a non-blank column name, got  (String)",
                "queries[0].key[2]: must be a non-blank column name, got nothing",
                "queries[0].key[3]: must be a non-blank column name, got 7 (Integer)",
                "queries[0].key[4]: 'a' is listed twice");
    }

    @Test
    void aQueryIsOneReadOnlyStatement() {
        assertThat(problemsOf("SELECT 1")).isEmpty();
        assertThat(problemsOf("with a as (select 1) select * from a")).isEmpty();
        assertThat(problemsOf("(SELECT 1) UNION ALL (SELECT 2)")).isEmpty();
        assertThat(problemsOf("SELECT 1; SELECT 2")).singleElement().asString()
                .startsWith("queries[0].query: must be a single statement");
        assertThat(problemsOf("SELECT 'oops")).containsExactly(
                "queries[0].query: has an unterminated quoted string starting at offset 7");
        assertThat(problemsOf("-- nothing")).containsExactly("queries[0].query: is empty");
        assertThat(problemsOf("DELETE FROM shop.orders")).containsExactly(
                "queries[0].query: must be a read-only query (SELECT, WITH, VALUES or TABLE), found 'DELETE'");
        assertThat(problemsOf("update t set a = 1")).containsExactly(
                "queries[0].query: must be a read-only query (SELECT, WITH, VALUES or TABLE), found 'UPDATE'");
        assertThat(problemsOf("\"select\" 1")).containsExactly(
                "queries[0].query: must be a read-only query (SELECT, WITH, VALUES or TABLE), found '\"select\"'");
        assertThat(problemsOf("SELECT * INTO copy FROM t")).containsExactly(
                "queries[0].query: SELECT ... INTO creates a table; sync rules only read");
        assertThat(problemsOf("SELECT * FROM t FOR NO KEY UPDATE")).containsExactly(
                "queries[0].query: FOR NO KEY UPDATE locks rows; sync rules only read");
        assertThat(problemsOf("SELECT * FROM t WHERE id > $1")).containsExactly(
                "queries[0].query: has a parameter ($1); rule queries take none");
    }

    @Test
    void allProblemsAreReportedAtOnce() {
        Map<String, Object> rules = rules(
                query("a", "DELETE FROM t", List.of("id", "id")),
                query("a", "SELECT 1; SELECT 2", null),
                "nope");
        List<String> problems = PgRules.problems(rules);
        assertThat(problems).containsExactly(
                "queries[0].query: must be a read-only query (SELECT, WITH, VALUES or TABLE), found 'DELETE'",
                "queries[0].key[1]: 'id' is listed twice",
                "queries[1].table: 'a' is the table of queries[0] already: tables must be unique",
                "queries[1].query: must be a single statement: ';' at offset 8 is followed by more",
                "queries[2]: must be an object with `table`, `query` and optionally `key`, got nope (String)");
        assertThatThrownBy(() -> PgRules.parse(rules)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid advanced sync rules: " + String.join("; ", problems));
    }

    @Test
    void thePageQueryReadsByKeyset() {
        PgRules.Resolved one = new PgRules.Resolved("t", "SELECT * FROM t", List.of("id"), List.of("integer"), List.of());
        assertThat(one.pageSql(false, 100)).isEqualTo(
                "SELECT to_jsonb(q.*)::text AS doc, q.\"id\"::text FROM (SELECT * FROM t) AS q ORDER BY q.\"id\" LIMIT 100");
        assertThat(one.pageSql(true, 100)).isEqualTo(
                "SELECT to_jsonb(q.*)::text AS doc, q.\"id\"::text FROM (SELECT * FROM t) AS q"
                        + " WHERE (q.\"id\") > ($1::integer) ORDER BY q.\"id\" LIMIT 100");
        PgRules.Resolved two = new PgRules.Resolved("t", "TABLE t", List.of("order_id", "Line"),
                List.of("bigint", "character varying"), List.of());
        assertThat(two.pageSql(true, 5)).isEqualTo(
                "SELECT to_jsonb(q.*)::text AS doc, q.\"order_id\"::text, q.\"Line\"::text FROM (TABLE t) AS q"
                        + " WHERE (q.\"order_id\", q.\"Line\") > ($1::bigint, $2::character varying)"
                        + " ORDER BY q.\"order_id\", q.\"Line\" LIMIT 5");
    }
}
