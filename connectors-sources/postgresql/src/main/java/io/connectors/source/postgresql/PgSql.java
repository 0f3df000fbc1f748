package io.connectors.source.postgresql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Just enough of PostgreSQL's lexical structure to judge a rule's query without a database: where statements end,
 * which keyword starts one, and a few clauses at the top level (outside any parentheses) that make a query write or
 * lock.
 *
 * <p>Understood: single-quoted strings ({@code ''} inside), {@code E'...'} strings (backslash escapes too),
 * double-quoted identifiers ({@code ""} inside), dollar-quoted strings ({@code $tag$...$tag$}, {@code $$...$$}),
 * {@code --} line comments, nested {@code /* *}{@code /} comments, identifiers (which may contain {@code $}) and
 * positional parameters ({@code $1}). Plain strings follow {@code standard_conforming_strings = on}, PostgreSQL's
 * default since 9.1; the database stage runs queries with the extended protocol, which refuses a second statement
 * whatever the setting, so a disagreement there cannot run anything.
 */
final class PgSql {
    /** The keywords a read-only query starts with. */
    static final Set<String> READ_ONLY_KEYWORDS = Set.of("SELECT", "WITH", "VALUES", "TABLE");

    private PgSql() {
    }

    enum Kind { WORD, QUOTED_IDENTIFIER, STRING, NUMBER, PARAMETER, OPEN, CLOSE, DOT, SEMICOLON, OTHER }

    /**
     * A token of a statement.
     *
     * @param depth how many parentheses enclose it (an {@code OPEN} token counts those outside it)
     */
    record Token(Kind kind, String text, int start, int end, int depth) {
        boolean isWord(String upperCase) {
            return kind == Kind.WORD && text.equalsIgnoreCase(upperCase);
        }
    }

    /**
     * A query as {@link #analyze} reads it.
     *
     * @param sql           the statement without surrounding whitespace, comments and trailing semicolons
     * @param firstKeyword  its first keyword, upper case (parentheses before it skipped), or null when it does not
     *                      start with one
     * @param firstToken    its first token as written (for messages)
     * @param selectInto    whether it has a top-level {@code INTO} ({@code SELECT ... INTO table} creates a table)
     * @param lockingClause a top-level locking clause ({@code FOR UPDATE}, {@code FOR NO KEY UPDATE}, {@code FOR SHARE},
     *                      {@code FOR KEY SHARE}), upper case, or null
     * @param parameter     its first positional parameter ({@code $1}), or null
     */
    record Statement(String sql, String firstKeyword, String firstToken, boolean selectInto, String lockingClause,
            String parameter) {
    }

    /**
     * The one statement of {@code sql}, stripped of surrounding whitespace and comments and of trailing semicolons.
     *
     * @throws IllegalArgumentException when it is empty, has more than one statement, or an unterminated string,
     *                                  quoted identifier or comment
     */
    static String singleStatement(String sql) {
        return analyze(sql).sql();
    }

    /** The first keyword of {@code sql}, upper case, or null when it does not start with one. */
    static String firstKeyword(String sql) {
        return analyze(sql).firstKeyword();
    }

    /**
     * Reads one statement.
     *
     * @throws IllegalArgumentException as {@link #singleStatement}
     */
    static Statement analyze(String sql) {
        List<Token> tokens = tokens(sql);
        int last = tokens.size() - 1;
        while (last >= 0 && tokens.get(last).kind() == Kind.SEMICOLON) {
            last--;
        }
        if (last < 0) {
            throw new IllegalArgumentException("is empty");
        }
        for (int i = 0; i < last; i++) {
            if (tokens.get(i).kind() == Kind.SEMICOLON) {
                throw new IllegalArgumentException("must be a single statement: ';' at offset " + tokens.get(i).start()
                        + " is followed by more");
            }
        }
        List<Token> statement = tokens.subList(0, last + 1);
        String stripped = sql.substring(statement.get(0).start(), statement.get(last).end());

        int first = 0;
        while (first < last && statement.get(first).kind() == Kind.OPEN) {
            first++;
        }
        Token head = statement.get(first);
        String firstKeyword = head.kind() == Kind.WORD ? head.text().toUpperCase(Locale.ROOT) : null;

        boolean selectInto = false;
        String locking = null;
        String parameter = null;
        for (int i = 0; i < statement.size(); i++) {
            Token t = statement.get(i);
            if (t.kind() == Kind.PARAMETER && parameter == null) {
                parameter = t.text();
            }
            if (t.depth() != 0 || t.kind() != Kind.WORD || isLabel(statement, i)) {
                continue;
            }
            if (t.isWord("INTO")) {
                selectInto = true;
            } else if (t.isWord("FOR") && locking == null) {
                locking = lockingClause(statement, i);
            }
        }
        return new Statement(stripped, firstKeyword, head.text(), selectInto, locking, parameter);
    }

    /** Whether the word at {@code i} is a column name or label ({@code t.into}, {@code AS for}), not a keyword. */
    private static boolean isLabel(List<Token> tokens, int i) {
        if (i == 0) {
            return false;
        }
        Token before = tokens.get(i - 1);
        return before.kind() == Kind.DOT || before.isWord("AS");
    }

    private static String lockingClause(List<Token> tokens, int forAt) {
        List<String> words = new ArrayList<>();
        for (int i = forAt + 1; i < tokens.size() && i <= forAt + 3 && tokens.get(i).kind() == Kind.WORD; i++) {
            words.add(tokens.get(i).text().toUpperCase(Locale.ROOT));
        }
        String clause = String.join(" ", words);
        for (String lock : List.of("UPDATE", "NO KEY UPDATE", "SHARE", "KEY SHARE")) {
            if (clause.equals(lock) || clause.startsWith(lock + " ")) {
                return "FOR " + lock;
            }
        }
        return null;
    }

    /**
     * The tokens of {@code sql}, comments and whitespace left out.
     *
     * @throws IllegalArgumentException on an unterminated string, quoted identifier or comment
     */
    static List<Token> tokens(String sql) {
        List<Token> tokens = new ArrayList<>();
        int depth = 0;
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            char next = i + 1 < n ? sql.charAt(i + 1) : '\0';
            int start = i;
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            if (c == '-' && next == '-') {
                while (i < n && sql.charAt(i) != '\n' && sql.charAt(i) != '\r') {
                    i++;
                }
                continue;
            }
            if (c == '/' && next == '*') {
                i = endOfBlockComment(sql, i);
                continue;
            }
            Kind kind;
            if (c == '\'') {
                i = endOfString(sql, i, false);
                kind = Kind.STRING;
            } else if ((c == 'e' || c == 'E') && next == '\'') {
                i = endOfString(sql, i + 1, true);
                kind = Kind.STRING;
            } else if (c == '"') {
                i = endOfQuotedIdentifier(sql, i);
                kind = Kind.QUOTED_IDENTIFIER;
            } else if (c == '$' && isDigit(next)) {
                i++;
                while (i < n && isDigit(sql.charAt(i))) {
                    i++;
                }
                kind = Kind.PARAMETER;
            } else if (c == '$' && (next == '$' || isIdentifierStart(next))) {
                int tagEnd = i + 1;
                while (tagEnd < n && isIdentifierStart(sql.charAt(tagEnd)) || tagEnd < n && isDigit(sql.charAt(tagEnd))) {
                    tagEnd++;
                }
                if (tagEnd < n && sql.charAt(tagEnd) == '$') {
                    String tag = sql.substring(i, tagEnd + 1);
                    int close = sql.indexOf(tag, tagEnd + 1);
                    if (close < 0) {
                        throw new IllegalArgumentException("has an unterminated dollar-quoted string (" + tag
                                + ") starting at offset " + i);
                    }
                    i = close + tag.length();
                    kind = Kind.STRING;
                } else {
                    i++;
                    kind = Kind.OTHER;
                }
            } else if (isIdentifierStart(c)) {
                while (i < n && isIdentifierPart(sql.charAt(i))) {
                    i++;
                }
                kind = Kind.WORD;
            } else if (isDigit(c) || c == '.' && isDigit(next)) {
                while (i < n && (isIdentifierPart(sql.charAt(i)) || sql.charAt(i) == '.') && sql.charAt(i) != '$') {
                    i++;
                }
                kind = Kind.NUMBER;
            } else {
                i++;
                kind = switch (c) {
                    case '(' -> Kind.OPEN;
                    case ')' -> Kind.CLOSE;
                    case '.' -> Kind.DOT;
                    case ';' -> Kind.SEMICOLON;
                    default -> Kind.OTHER;
                };
            }
            if (kind == Kind.CLOSE && depth > 0) {
                depth--;
            }
            tokens.add(new Token(kind, sql.substring(start, i), start, i, depth));
            if (kind == Kind.OPEN) {
                depth++;
            }
        }
        return tokens;
    }

    private static int endOfBlockComment(String sql, int start) {
        int nesting = 0;
        int i = start;
        while (i < sql.length()) {
            if (sql.startsWith("/*", i)) {
                nesting++;
                i += 2;
            } else if (sql.startsWith("*/", i)) {
                nesting--;
                i += 2;
                if (nesting == 0) {
                    return i;
                }
            } else {
                i++;
            }
        }
        throw new IllegalArgumentException("has an unterminated /* comment starting at offset " + start);
    }

    /** The end of a string whose opening quote is at {@code quote}; {@code escapes} for E'...' strings. */
    private static int endOfString(String sql, int quote, boolean escapes) {
        int i = quote + 1;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (escapes && c == '\\') {
                i += 2;
            } else if (c == '\'') {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == '\'') {
                    i += 2;
                } else {
                    return i + 1;
                }
            } else {
                i++;
            }
        }
        throw new IllegalArgumentException("has an unterminated quoted string starting at offset "
                + (escapes ? quote - 1 : quote));
    }

    private static int endOfQuotedIdentifier(String sql, int quote) {
        int i = quote + 1;
        while (i < sql.length()) {
            if (sql.charAt(i) == '"') {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == '"') {
                    i += 2;
                } else {
                    return i + 1;
                }
            } else {
                i++;
            }
        }
        throw new IllegalArgumentException("has an unterminated quoted identifier starting at offset " + quote);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isIdentifierStart(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= '\u0080';
    }

    private static boolean isIdentifierPart(char c) {
        return isIdentifierStart(c) || isDigit(c) || c == '$';
    }

    /** An identifier, always quoted: {@code a"b} becomes {@code "a""b"}. */
    static String quoteIdent(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /**
     * A table name as a rule writes it ({@code schema.table} or {@code table}), quoted part by part. Parts may be
     * double-quoted to hold a dot ({@code "my.schema".orders}); unquoted parts are taken as they are written, not
     * folded to lower case, since rules name tables as the catalog does.
     *
     * @throws IllegalArgumentException when a part is empty or there are more than two
     */
    static String quoteQualified(String name) {
        List<String> parts = splitQualified(name);
        if (parts.size() > 2) {
            throw new IllegalArgumentException("'" + name + "' is not a table name: schema.table at most");
        }
        return String.join(".", parts.stream().map(PgSql::quoteIdent).toList());
    }

    /** The parts of a possibly qualified name, quotes removed. */
    static List<String> splitQualified(String name) {
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        boolean quoted = false;
        boolean wasQuoted = false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < name.length() && name.charAt(i + 1) == '"') {
                    part.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    part.append(c);
                }
            } else if (c == '"') {
                quoted = true;
                wasQuoted = true;
            } else if (c == '.') {
                addPart(name, parts, part, wasQuoted);
                part.setLength(0);
                wasQuoted = false;
            } else {
                part.append(c);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("'" + name + "' has an unterminated quoted identifier");
        }
        addPart(name, parts, part, wasQuoted);
        return parts;
    }

    private static void addPart(String name, List<String> parts, StringBuilder part, boolean wasQuoted) {
        if (part.isEmpty() || !wasQuoted && part.toString().isBlank()) {
            throw new IllegalArgumentException("'" + name + "' has an empty name part");
        }
        parts.add(wasQuoted ? part.toString() : part.toString().strip());
    }
}
