package io.connectors.spi.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shape of query rules, every problem named by its path; the source's check of each query's text. */
class QueryRulesTest {
    private static final QueryRules.QueryCheck SELECT_ONLY = (sql, at, problems) -> {
        if (!sql.startsWith("SELECT")) {
            problems.add(at + ": not a SELECT");
        }
    };

    @Test
    void everyProblemIsNamedByItsPath() {
        assertThat(QueryRules.problems(Map.of(), SELECT_ONLY)).isEmpty();
        assertThat(QueryRules.problems(Map.of("queries", "x", "extra", 1), SELECT_ONLY))
                .contains("unknown key 'extra' (allowed: queries)")
                .anySatisfy(p -> assertThat(p).startsWith("queries: must be a non-empty list"));
        List<String> problems = QueryRules.problems(Map.of("queries", List.of("x",
                Map.of("table", "", "query", "DELETE", "key", List.of("a", "a", 3), "bogus", 1),
                Map.of("table", "t", "query", " "), Map.of("table", "t", "query", "SELECT 1", "key", List.of()))),
                SELECT_ONLY);
        assertThat(problems)
                .anySatisfy(p -> assertThat(p).startsWith("queries[0]: must be an object"))
                .anySatisfy(p -> assertThat(p).startsWith("queries[1]: unknown key 'bogus'"))
                .anySatisfy(p -> assertThat(p).startsWith("queries[1].table: must be a non-blank string"))
                .anySatisfy(p -> assertThat(p).isEqualTo("queries[1].query: not a SELECT"))
                .anySatisfy(p -> assertThat(p).startsWith("queries[1].key[1]: 'a' is listed twice"))
                .anySatisfy(p -> assertThat(p).startsWith("queries[1].key[2]: must be a non-blank column name"))
                .anySatisfy(p -> assertThat(p).startsWith("queries[2].query: must be a non-blank string"))
                .anySatisfy(p -> assertThat(p).startsWith("queries[3].table: 't' is the table of queries[2] already"))
                .anySatisfy(p -> assertThat(p).startsWith("queries[3].key: must be a non-empty list"));
    }

    @Test
    void acceptedRulesAreParsedInOrderWithTheirQueriesNormalized() {
        Map<String, Object> rules = Map.of("queries", List.of(Map.of("table", "a", "query", "SELECT 1;", "key",
                List.of("id")), Map.of("table", "b", "query", "SELECT 2")));
        assertThat(QueryRules.problems(rules, SELECT_ONLY)).isEmpty();
        assertThat(QueryRules.parse(rules, q -> q.replace(";", ""))).containsExactly(
                new QueryRules.Query("a", "SELECT 1", List.of("id")), new QueryRules.Query("b", "SELECT 2", List.of()));
        assertThat(QueryRules.parse(Map.of(), q -> q)).isEmpty();
    }
}
