package io.connectors.source.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The lexical reading of rule queries and the checks that need no server. */
class MysqlSqlTest {

    @Test
    void oneStatementWithTrailingSemicolonsAndCommentsIsRead() {
        MysqlSql.Statement s = MysqlSql.analyze("  SELECT 'a;b', `x;y`, \"c\\\";\" FROM t -- done;\n ; # end");
        assertThat(s.text()).isEqualTo("SELECT 'a;b', `x;y`, \"c\\\";\" FROM t");
        assertThat(s.first()).isEqualTo("SELECT");
        assertThat(MysqlSql.analyze("/* lead */ WITH x AS (SELECT 1) SELECT * FROM x").first()).isEqualTo("WITH");
        assertThat(MysqlSql.analyze("SELECT 'it''s'").text()).isEqualTo("SELECT 'it''s'");
    }

    @Test
    void whatIsNotOneClosedStatementIsRefused() {
        assertThatThrownBy(() -> MysqlSql.analyze("SELECT 1; SELECT 2")).hasMessageContaining("more than one statement");
        assertThatThrownBy(() -> MysqlSql.analyze("SELECT 1; 'x'")).hasMessageContaining("more than one statement");
        assertThatThrownBy(() -> MysqlSql.analyze("SELECT 'open")).hasMessageContaining("string that is never closed");
        assertThatThrownBy(() -> MysqlSql.analyze("SELECT `open")).hasMessageContaining("identifier that is never");
        assertThatThrownBy(() -> MysqlSql.analyze("SELECT /* open")).hasMessageContaining("comment that is never");
        assertThatThrownBy(() -> MysqlSql.analyze("SELECT (1")).hasMessageContaining("parenthesis(es) open");
        assertThatThrownBy(() -> MysqlSql.analyze("SELECT 1)")).hasMessageContaining("never opened");
        assertThatThrownBy(() -> MysqlSql.analyze("SELECT /*! 1 */")).hasMessageContaining("executable comment");
        assertThatThrownBy(() -> MysqlSql.analyze(" -- nothing\n;")).hasMessageContaining("no statement");
    }

    @Test
    void writingClausesAreFound() {
        assertThat(MysqlSql.writingClause(MysqlSql.analyze("SELECT * FROM t FOR UPDATE"))).startsWith("FOR UPDATE");
        assertThat(MysqlSql.writingClause(MysqlSql.analyze("SELECT * FROM t FOR SHARE"))).startsWith("FOR SHARE");
        assertThat(MysqlSql.writingClause(MysqlSql.analyze("SELECT * FROM t LOCK IN SHARE MODE"))).startsWith("LOCK");
        assertThat(MysqlSql.writingClause(MysqlSql.analyze("SELECT 1 INTO @x"))).startsWith("INTO");
        assertThat(MysqlSql.writingClause(MysqlSql.analyze("SELECT * FROM t PROCEDURE ANALYSE()"))).isEqualTo("PROCEDURE");
        assertThat(MysqlSql.writingClause(MysqlSql.analyze("SELECT 'FOR UPDATE' AS `into`"))).isNull();
    }

    @Test
    void rulesOfTheWrongShapeAreNamedByPath() {
        assertThat(MysqlRules.problems(Map.of("queries", "x", "extra", 1)))
                .contains("unknown key 'extra' (allowed: queries)")
                .anySatisfy(p -> assertThat(p).startsWith("queries: must be a non-empty list"));
        assertThat(MysqlRules.problems(Map.of("queries", List.of("x", Map.of("table", "", "query", "SELECT 1",
                "key", List.of("a", "a"), "bogus", 1), Map.of("table", "t", "query", " "),
                Map.of("table", "t", "query", "SELECT 1", "key", List.of())))))
                .anySatisfy(p -> assertThat(p).startsWith("queries[0]: must be an object"))
                .anySatisfy(p -> assertThat(p).startsWith("queries[1]: unknown key 'bogus'"))
                .anySatisfy(p -> assertThat(p).startsWith("queries[1].table: must be a non-blank string"))
                .anySatisfy(p -> assertThat(p).startsWith("queries[1].key[1]: 'a' is listed twice"))
                .anySatisfy(p -> assertThat(p).startsWith("queries[2].query: must be a non-blank string"))
                .anySatisfy(p -> assertThat(p).startsWith("queries[3].key: must be a non-empty list"));
        assertThat(MysqlRules.problems(Map.of("queries", List.of(Map.of("table", "t", "query", "SELECT 1"),
                Map.of("table", "t", "query", "SELECT 2"))))).anySatisfy(p -> assertThat(p).contains("tables must be unique"));
        assertThatThrownBy(() -> MysqlRules.parse(Map.of("queries", List.of()))).isInstanceOf(IllegalArgumentException.class);
        assertThat(MysqlRules.parse(Map.of()).queries()).isEmpty();
    }
}
