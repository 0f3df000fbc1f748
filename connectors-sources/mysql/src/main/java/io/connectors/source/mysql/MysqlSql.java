package io.connectors.source.mysql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A lexical reading of a rule's query, as MySQL's parser tokenizes it: strings ({@code '...'}, {@code "..."}, with
 * backslash escapes and doubled quotes), quoted identifiers ({@code `...`}), comments ({@code -- }, {@code #},
 * {@code /* ... *}{@code /}). Enough to know that the text is one statement that only reads, before the server sees it;
 * the server then checks it again ({@link MysqlRules}), inside a read-only transaction.
 */
final class MysqlSql {
    /** Statements that read. */
    static final Set<String> READ_ONLY_KEYWORDS = Set.of("SELECT", "WITH", "VALUES", "TABLE");

    private MysqlSql() {
    }

    /**
     * What a query is made of.
     *
     * @param text     the query without trailing semicolons, whitespace and comments
     * @param keywords its words outside strings, identifiers and comments, upper-cased, with their parenthesis depth
     */
    record Statement(String text, List<Word> keywords) {
        String first() {
            return keywords.isEmpty() ? null : keywords.get(0).word();
        }
    }

    /** A word of the query and its depth in parentheses. */
    record Word(String word, int depth) {
    }

    /**
     * Reads {@code sql}.
     *
     * @throws IllegalArgumentException when it is not one statement (a {@code ;} before its end), has unbalanced
     *                                  parentheses, an unterminated string or comment, or an executable comment
     *                                  ({@code /*!}), whose text MySQL runs
     */
    static Statement analyze(String sql) {
        List<Word> words = new ArrayList<>();
        int depth = 0;
        int end = 0;
        boolean ended = false;
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\'' || c == '"' || c == '`') {
                i = skipQuoted(sql, i, c);
                end = checkEnded(ended, i, sql);
            } else if (c == '#' || c == '-' && i + 2 <= n && sql.startsWith("--", i)
                    && (i + 2 == n || Character.isWhitespace(sql.charAt(i + 2)) || Character.isISOControl(sql.charAt(i + 2)))) {
                int nl = sql.indexOf('\n', i);
                i = nl < 0 ? n : nl + 1;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                if (i + 2 < n && sql.charAt(i + 2) == '!') {
                    throw new IllegalArgumentException("has an executable comment (/*! ... */), whose text the server"
                            + " runs; write the SQL plainly");
                }
                int close = sql.indexOf("*/", i + 2);
                if (close < 0) {
                    throw new IllegalArgumentException("has a comment that is never closed");
                }
                i = close + 2;
            } else if (c == ';') {
                ended = true;
                i++;
            } else if (Character.isWhitespace(c)) {
                i++;
            } else {
                if (ended) {
                    throw new IllegalArgumentException("holds more than one statement (text after ';'); a rule is one"
                            + " query");
                }
                if (c == '(') {
                    depth++;
                } else if (c == ')') {
                    depth--;
                    if (depth < 0) {
                        throw new IllegalArgumentException("closes a parenthesis it never opened");
                    }
                }
                if (Character.isLetter(c) || c == '_') {
                    int start = i;
                    while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_'
                            || sql.charAt(i) == '$')) {
                        i++;
                    }
                    words.add(new Word(sql.substring(start, i).toUpperCase(Locale.ROOT), depth));
                } else {
                    i++;
                }
                end = i;
            }
        }
        if (depth != 0) {
            throw new IllegalArgumentException("leaves " + depth + " parenthesis(es) open");
        }
        String text = sql.substring(0, end).strip();
        if (text.isEmpty()) {
            throw new IllegalArgumentException("holds no statement");
        }
        return new Statement(text, List.copyOf(words));
    }

    private static int checkEnded(boolean ended, int i, String sql) {
        if (ended) {
            throw new IllegalArgumentException("holds more than one statement (text after ';'); a rule is one query");
        }
        return i;
    }

    /** The index after the quoted text starting at {@code i} with {@code quote}. */
    private static int skipQuoted(String sql, int i, char quote) {
        int j = i + 1;
        while (j < sql.length()) {
            char c = sql.charAt(j);
            if (c == '\\' && quote != '`') {
                j += 2;
            } else if (c == quote) {
                if (j + 1 < sql.length() && sql.charAt(j + 1) == quote) {
                    j += 2;
                } else {
                    return j + 1;
                }
            } else {
                j++;
            }
        }
        throw new IllegalArgumentException("has a " + (quote == '`' ? "quoted identifier" : "string") + " that is never"
                + " closed");
    }

    /** The clause that makes a statement lock or write, at its outer level, or null: FOR UPDATE, INTO, ... */
    static String writingClause(Statement statement) {
        List<Word> words = statement.keywords();
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i).word();
            String next = i + 1 < words.size() ? words.get(i + 1).word() : "";
            if (w.equals("INTO")) {
                return "INTO (which writes a file, a table or variables)";
            }
            if (w.equals("FOR") && (next.equals("UPDATE") || next.equals("SHARE"))) {
                return "FOR " + next + " (which locks rows)";
            }
            if (w.equals("LOCK") && next.equals("IN")) {
                return "LOCK IN SHARE MODE (which locks rows)";
            }
            if (w.equals("PROCEDURE")) {
                return "PROCEDURE";
            }
        }
        return null;
    }
}
