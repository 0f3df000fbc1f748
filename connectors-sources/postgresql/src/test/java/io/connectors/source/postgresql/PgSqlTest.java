package io.connectors.source.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connectors.source.postgresql.PgSql.Kind;
import io.connectors.source.postgresql.PgSql.Token;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PgSqlTest {

    @Test
    void aTrailingSemicolonAndWhatSurroundsTheStatementAreStripped() {
        assertThat(PgSql.singleStatement("SELECT 1")).isEqualTo("SELECT 1");
        assertThat(PgSql.singleStatement("  SELECT 1 ;  ")).isEqualTo("SELECT 1");
        assertThat(PgSql.singleStatement("SELECT 1;;\n")).isEqualTo("SELECT 1");
        assertThat(PgSql.singleStatement("-- the ids\nSELECT id FROM t; -- done\n/* really */"))
                .isEqualTo("SELECT id FROM t");
        assertThat(PgSql.singleStatement("SELECT id FROM t -- trailing comment, would swallow a closing parenthesis"))
                .as("a trailing line comment goes, so the query can be wrapped").isEqualTo("SELECT id FROM t");
        assertThat(PgSql.singleStatement("SELECT a -- one\n, b FROM t")).isEqualTo("SELECT a -- one\n, b FROM t");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "SELECT 1; SELECT 2",
        "SELECT 1; DELETE FROM t;",
        "SELECT ';' ; DROP TABLE t",
        "SELECT 1 /* ; */ ; SELECT 2",
        "SELECT 1;\n-- comment\nSELECT 2"})
    void aSecondStatementIsRefused(String sql) {
        assertThatThrownBy(() -> PgSql.singleStatement(sql)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("must be a single statement");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "SELECT ';'",
        "SELECT 'it''s; fine'",
        "SELECT E'\\';' AS a",
        "SELECT e'back\\\\slash;' , ';'",
        "SELECT E'quote '' then;'",
        "SELECT \";\" FROM t",
        "SELECT \"a\"\";\" FROM t",
        "SELECT $$;$$",
        "SELECT $fn$ ; $$ ; $fn$",
        "SELECT $a$ $b$ ; $b$ $a$",
        "SELECT 1 -- ;\n + 2",
        "SELECT 1 /* ; /* nested ; */ still ; */ + 2",
        "SELECT U&'\\0041;' , B'01', X'1F', N';'"})
    void semicolonsInsideStringsIdentifiersAndCommentsAreNoSeparators(String sql) {
        assertThat(PgSql.singleStatement(sql + ";")).isEqualTo(sql);
    }

    @Test
    void standardStringsTakeBackslashesLiterally() {
        // With standard_conforming_strings, 'a\' is a whole string: what follows is outside it.
        assertThatThrownBy(() -> PgSql.singleStatement("SELECT 'a\\'; DELETE FROM t; --'"))
                .hasMessageStartingWith("must be a single statement");
        // ...whereas in an E'' string the backslash escapes the quote.
        assertThat(PgSql.singleStatement("SELECT E'a\\'; DELETE FROM t; --'"))
                .isEqualTo("SELECT E'a\\'; DELETE FROM t; --'");
    }

    @Test
    void identifiersMayHoldDollarsWithoutStartingADollarQuote() {
        assertThat(PgSql.tokens("SELECT a$b$ FROM t$1;"))
                .extracting(Token::text).containsExactly("SELECT", "a$b$", "FROM", "t$1", ";");
        assertThat(PgSql.tokens("SELECT foo$$bar$$")).extracting(Token::kind).containsExactly(Kind.WORD, Kind.WORD);
        assertThat(PgSql.tokens("x := $1 + $23")).extracting(Token::kind)
                .containsExactly(Kind.WORD, Kind.OTHER, Kind.OTHER, Kind.PARAMETER, Kind.OTHER, Kind.PARAMETER);
        assertThat(PgSql.tokens("SELECT $ a")).extracting(Token::kind).containsExactly(Kind.WORD, Kind.OTHER, Kind.WORD);
        assertThat(PgSql.tokens("SELECT $a b")).extracting(Token::text).containsExactly("SELECT", "$", "a", "b");
    }

    @Test
    void tokensKnowTheirKindAndDepth() {
        List<Token> tokens = PgSql.tokens("SELECT (1.5e3 + .5), \"Q\" FROM s.t WHERE x IN (SELECT y FROM (VALUES ('a')) v)");
        assertThat(tokens).extracting(Token::kind).containsExactly(Kind.WORD, Kind.OPEN, Kind.NUMBER, Kind.OTHER,
                Kind.NUMBER, Kind.CLOSE, Kind.OTHER, Kind.QUOTED_IDENTIFIER, Kind.WORD, Kind.WORD, Kind.DOT, Kind.WORD,
                Kind.WORD, Kind.WORD, Kind.WORD, Kind.OPEN, Kind.WORD, Kind.WORD, Kind.WORD, Kind.OPEN, Kind.WORD,
                Kind.OPEN, Kind.STRING, Kind.CLOSE, Kind.CLOSE, Kind.WORD, Kind.CLOSE);
        assertThat(tokens).extracting(Token::depth).containsExactly(0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                1, 1, 1, 1, 2, 2, 3, 2, 1, 1, 0);
        assertThat(PgSql.tokens("SELECT ) (")).extracting(Token::depth).as("an extra ')' is the server's to refuse")
                .containsExactly(0, 0, 0);
        assertThat(PgSql.tokens("SELECT 'a'::text")).extracting(Token::text)
                .containsExactly("SELECT", "'a'", ":", ":", "text");
        assertThat(PgSql.tokens("SELECT 1--c\n+2/*c*/-3")).extracting(Token::text)
                .containsExactly("SELECT", "1", "+", "2", "-", "3");
        assertThat(PgSql.tokens("SELECT é FROM tâble")).extracting(Token::kind)
                .containsExactly(Kind.WORD, Kind.WORD, Kind.WORD, Kind.WORD);
    }

    @Test
    void unterminatedStringsIdentifiersAndCommentsAreErrors() {
        assertThatThrownBy(() -> PgSql.singleStatement("SELECT 'abc")).hasMessage("has an unterminated quoted string starting at offset 7");
        assertThatThrownBy(() -> PgSql.singleStatement("SELECT 'it''")).hasMessageContaining("unterminated quoted string");
        assertThatThrownBy(() -> PgSql.singleStatement("SELECT E'abc\\'")).hasMessage("has an unterminated quoted string starting at offset 7");
        assertThatThrownBy(() -> PgSql.singleStatement("SELECT E'abc\\")).hasMessageContaining("unterminated quoted string");
        assertThatThrownBy(() -> PgSql.singleStatement("SELECT \"abc")).hasMessage("has an unterminated quoted identifier starting at offset 7");
        assertThatThrownBy(() -> PgSql.singleStatement("SELECT \"a\"\"")).hasMessageContaining("unterminated quoted identifier");
        assertThatThrownBy(() -> PgSql.singleStatement("SELECT 1 /* a /* b */")).hasMessage("has an unterminated /* comment starting at offset 9");
        assertThatThrownBy(() -> PgSql.singleStatement("SELECT $x$ abc $y$")).hasMessage("has an unterminated dollar-quoted string ($x$) starting at offset 7");
        assertThatThrownBy(() -> PgSql.singleStatement("SELECT $$ abc")).hasMessageContaining("unterminated dollar-quoted string ($$)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", ";", " ; ; ", "-- nothing", "/* nothing */ ;"})
    void anEmptyStatementIsAnError(String sql) {
        assertThatThrownBy(() -> PgSql.singleStatement(sql)).hasMessage("is empty");
    }

    @Test
    void theFirstKeywordSkipsCommentsAndParentheses() {
        assertThat(PgSql.firstKeyword("select 1")).isEqualTo("SELECT");
        assertThat(PgSql.firstKeyword("/* x */ -- y\n With a AS (SELECT 1) SELECT * FROM a")).isEqualTo("WITH");
        assertThat(PgSql.firstKeyword("((SELECT 1) UNION (SELECT 2))")).isEqualTo("SELECT");
        assertThat(PgSql.firstKeyword("values (1)")).isEqualTo("VALUES");
        assertThat(PgSql.firstKeyword("TABLE shop.orders")).isEqualTo("TABLE");
        assertThat(PgSql.firstKeyword("DELETE FROM t")).isEqualTo("DELETE");
        assertThat(PgSql.firstKeyword("\"select\" 1")).isNull();
        assertThat(PgSql.firstKeyword("'x'")).isNull();
        assertThat(PgSql.analyze("'x'").firstToken()).isEqualTo("'x'");
    }

    @Test
    void selectIntoIsFoundAtTheTopLevelOnly() {
        assertThat(PgSql.analyze("SELECT * INTO new_table FROM t").selectInto()).isTrue();
        assertThat(PgSql.analyze("WITH a AS (SELECT 1) SELECT * into b FROM a").selectInto()).isTrue();
        assertThat(PgSql.analyze("SELECT 'INTO', \"into\", t.into, 1 AS into FROM t").selectInto()).isFalse();
        assertThat(PgSql.analyze("SELECT * FROM t WHERE x IN (SELECT y INTO z FROM u)").selectInto())
                .as("below the top level it is a syntax error, the server's to report").isFalse();
        assertThat(PgSql.analyze("SELECT 1 -- INTO x\n").selectInto()).isFalse();
    }

    @Test
    void lockingClausesAreFoundAtTheTopLevelOnly() {
        assertThat(PgSql.analyze("SELECT * FROM t FOR UPDATE").lockingClause()).isEqualTo("FOR UPDATE");
        assertThat(PgSql.analyze("SELECT * FROM t for update of t nowait").lockingClause()).isEqualTo("FOR UPDATE");
        assertThat(PgSql.analyze("SELECT * FROM t FOR NO KEY UPDATE SKIP LOCKED").lockingClause()).isEqualTo("FOR NO KEY UPDATE");
        assertThat(PgSql.analyze("SELECT * FROM t FOR SHARE").lockingClause()).isEqualTo("FOR SHARE");
        assertThat(PgSql.analyze("SELECT * FROM t FOR KEY SHARE").lockingClause()).isEqualTo("FOR KEY SHARE");
        assertThat(PgSql.analyze("SELECT * FROM t LIMIT 1 FOR UPDATE").lockingClause()).isEqualTo("FOR UPDATE");
        assertThat(PgSql.analyze("SELECT substring(s FROM 1 FOR share) FROM t").lockingClause()).isNull();
        assertThat(PgSql.analyze("SELECT * FROM (SELECT * FROM t FOR UPDATE) s").lockingClause())
                .as("in a subquery the plan shows it").isNull();
        assertThat(PgSql.analyze("SELECT 1 AS for").lockingClause()).isNull();
        assertThat(PgSql.analyze("SELECT 'FOR UPDATE' FROM t -- FOR UPDATE").lockingClause()).isNull();
        assertThat(PgSql.analyze("SELECT * FROM t FOR").lockingClause()).isNull();
        assertThat(PgSql.analyze("SELECT * FROM t FOR KEY UPDATE").lockingClause()).as("no such clause").isNull();
    }

    @Test
    void parametersAreFound() {
        assertThat(PgSql.analyze("SELECT * FROM t WHERE id = $1").parameter()).isEqualTo("$1");
        assertThat(PgSql.analyze("SELECT '$1', $$ $2 $$, \"$3\", a$4 FROM t").parameter()).isNull();
    }

    @Test
    void identifiersAreAlwaysQuoted() {
        assertThat(PgSql.quoteIdent("orders")).isEqualTo("\"orders\"");
        assertThat(PgSql.quoteIdent("a\"b")).isEqualTo("\"a\"\"b\"");
        assertThat(PgSql.quoteQualified("shop.orders")).isEqualTo("\"shop\".\"orders\"");
        assertThat(PgSql.quoteQualified("Orders")).as("not folded").isEqualTo("\"Orders\"");
        assertThat(PgSql.quoteQualified("\"my.schema\".\"Or\"\"ders\"")).isEqualTo("\"my.schema\".\"Or\"\"ders\"");
        assertThat(PgSql.quoteQualified(" shop . orders ")).isEqualTo("\"shop\".\"orders\"");
        assertThat(PgSql.splitQualified("\" a \".b")).containsExactly(" a ", "b");
        assertThatThrownBy(() -> PgSql.quoteQualified("a.b.c")).hasMessageContaining("schema.table at most");
        assertThatThrownBy(() -> PgSql.quoteQualified("a..c")).hasMessageContaining("empty name part");
        assertThatThrownBy(() -> PgSql.quoteQualified("shop.")).hasMessageContaining("empty name part");
        assertThatThrownBy(() -> PgSql.quoteQualified("\"\".t")).hasMessageContaining("empty name part");
        assertThatThrownBy(() -> PgSql.quoteQualified("\"shop.t")).hasMessageContaining("unterminated quoted identifier");
    }
}
