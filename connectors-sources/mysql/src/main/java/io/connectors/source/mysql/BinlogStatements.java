package io.connectors.source.mysql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Decides whether a statement logged as text (a binlog QUERY event) touches a followed table, conservatively: a
 * statement of a kind known to leave table data alone (transaction control, views, routines, users...) does not; any
 * other statement does when it names a followed table anywhere (qualified, or unqualified with the event's default
 * database, or unqualified without one), or drops a followed table's database. False alarms end a stream that could
 * have gone on; a missed DDL would silently desynchronise the index.
 */
final class BinlogStatements {
    /** First words of statements that never change a table's rows or shape. */
    private static final Set<String> HARMLESS = Set.of("BEGIN", "COMMIT", "ROLLBACK", "XA", "SAVEPOINT", "RELEASE",
            "START", "SET", "GRANT", "REVOKE", "FLUSH", "ANALYZE", "OPTIMIZE", "CHECK", "CHECKSUM", "INSTALL",
            "UNINSTALL", "DO", "USE", "SHOW", "SELECT", "CALL", "KILL", "RESET", "PURGE", "CHANGE", "STOP", "LOCK",
            "UNLOCK");
    /** Objects of CREATE, ALTER and DROP that hold no table rows. */
    private static final Set<String> HARMLESS_OBJECTS = Set.of("VIEW", "TRIGGER", "PROCEDURE", "FUNCTION", "EVENT",
            "USER", "ROLE", "SERVER", "PACKAGE", "TABLESPACE", "LOGFILE", "RESOURCE", "SPATIAL");
    private static final Set<String> OBJECTS = Set.of("TABLE", "TABLES", "INDEX", "SEQUENCE", "DATABASE", "SCHEMA",
            "VIEW", "TRIGGER", "PROCEDURE", "FUNCTION", "EVENT", "USER", "ROLE", "SERVER", "PACKAGE", "TABLESPACE",
            "LOGFILE", "RESOURCE");
    private static final Set<String> DML = Set.of("INSERT", "REPLACE", "UPDATE", "DELETE", "LOAD");

    private BinlogStatements() {
    }

    /** How a statement touches a followed table: {@code dml} when it writes rows (statement-based logging). */
    record Touch(FollowedTable table, String change, boolean dml) {
    }

    /** The first followed table {@code sql} touches, if any; {@code database} is the event's default database. */
    static Optional<Touch> touches(String sql, String database, List<FollowedTable> tables) {
        List<Token> tokens = tokens(sql);
        if (tokens.isEmpty() || tables.isEmpty()) {
            return Optional.empty();
        }
        String verb = tokens.get(0).upper();
        if (HARMLESS.contains(verb)) {
            return Optional.empty();
        }
        if (DML.contains(verb)) {
            return mentioned(tokens, 1, database, tables).map(t -> new Touch(t, "written", true));
        }
        if (verb.equals("CREATE") || verb.equals("ALTER") || verb.equals("DROP")) {
            int at = objectIndex(tokens);
            String object = at < 0 ? "" : tokens.get(at).upper();
            if (HARMLESS_OBJECTS.contains(object)) {
                return Optional.empty();
            }
            if (object.equals("DATABASE") || object.equals("SCHEMA")) {
                if (!verb.equals("DROP")) {
                    return Optional.empty();
                }
                int name = skipIfExists(tokens, at + 1);
                if (name < tokens.size()) {
                    String schema = tokens.get(name).text();
                    for (FollowedTable t : tables) {
                        if (t.schema().equalsIgnoreCase(schema)) {
                            return Optional.of(new Touch(t, "dropped with its database", false));
                        }
                    }
                    return Optional.empty();
                }
            }
            String change = switch (verb) {
                case "CREATE" -> "created";
                case "ALTER" -> "altered";
                default -> "dropped";
            };
            if (verb.equals("CREATE") && object.equals("TABLE")) {
                // Only the created table: CREATE TABLE t LIKE followed, or AS SELECT FROM followed, leaves it alone.
                int name = skipIfExists(tokens, at + 1);
                int end = name + 1 < tokens.size() && tokens.get(name + 1).is('.') ? name + 3 : name + 1;
                return mentioned(tokens.subList(0, Math.min(tokens.size(), end)), name, database, tables)
                        .map(t -> new Touch(t, "created", false));
            }
            return mentioned(tokens, 1, database, tables).map(t -> new Touch(t, change, false));
        }
        String change = switch (verb) {
            case "TRUNCATE" -> "truncated";
            case "RENAME" -> "renamed";
            case "REPAIR" -> "repaired";
            case "IMPORT" -> "imported";
            default -> "changed by a statement the reader does not know";
        };
        if (verb.equals("RENAME") && tokens.size() > 1 && tokens.get(1).upper().equals("USER")) {
            return Optional.empty();
        }
        return mentioned(tokens, 1, database, tables).map(t -> new Touch(t, change, false));
    }

    /** The index of the CREATE/ALTER/DROP's object keyword (TABLE, VIEW...), skipping options before it; or -1. */
    private static int objectIndex(List<Token> tokens) {
        for (int i = 1; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (!t.quoted() && OBJECTS.contains(t.upper())) {
                return i;
            }
        }
        return -1;
    }

    private static int skipIfExists(List<Token> tokens, int i) {
        if (i + 1 < tokens.size() && tokens.get(i).upper().equals("IF")) {
            i += tokens.get(i + 1).upper().equals("NOT") ? 3 : 2;
        }
        return i;
    }

    /** The first followed table named from {@code from} on: {@code schema.name}, or {@code name} in the default. */
    private static Optional<FollowedTable> mentioned(List<Token> tokens, int from, String database,
                                                     List<FollowedTable> tables) {
        for (int i = from; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (!t.identifier()) {
                continue;
            }
            boolean qualified = i + 2 < tokens.size() && tokens.get(i + 1).is('.') && tokens.get(i + 2).identifier();
            for (FollowedTable table : tables) {
                if (qualified) {
                    if (t.text().equalsIgnoreCase(table.schema())
                            && tokens.get(i + 2).text().equalsIgnoreCase(table.name())) {
                        return Optional.of(table);
                    }
                } else if (t.text().equalsIgnoreCase(table.name()) && (database == null || database.isEmpty()
                        || database.equalsIgnoreCase(table.schema()) || i > 0 && tokens.get(i - 1).is('.'))) {
                    // After a dot the schema was another one's, unless it was a column (a.b.c): stay on the safe side.
                    return Optional.of(table);
                }
            }
            if (qualified) {
                i += 2;
            }
        }
        return Optional.empty();
    }

    record Token(String text, boolean quoted, char punctuation) {
        boolean identifier() {
            return punctuation == 0;
        }

        boolean is(char c) {
            return punctuation == c;
        }

        String upper() {
            return quoted ? "" : text.toUpperCase(Locale.ROOT);
        }
    }

    /**
     * Words, quoted identifiers ({@code `...`}, and {@code "..."} which may be one under ANSI_QUOTES) and punctuation;
     * single-quoted strings and comments are skipped, executable comments ({@code /*!50001 ...}) are read as code.
     */
    static List<Token> tokens(String sql) {
        List<Token> tokens = new ArrayList<>();
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '#' || sql.startsWith("--", i)
                    && (i + 2 == n || Character.isWhitespace(sql.charAt(i + 2)))) {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? n : end + 1;
            } else if (sql.startsWith("/*!", i) || sql.startsWith("/*M!", i)) {
                i += sql.startsWith("/*M!", i) ? 4 : 3;
                while (i < n && Character.isDigit(sql.charAt(i))) {
                    i++;
                }
            } else if (sql.startsWith("/*", i)) {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (sql.startsWith("*/", i)) {
                i += 2;
            } else if (c == '`' || c == '"' || c == '\'') {
                StringBuilder text = new StringBuilder();
                i++;
                while (i < n) {
                    char d = sql.charAt(i);
                    if (d == '\\' && c != '`' && i + 1 < n) {
                        text.append(sql.charAt(i + 1));
                        i += 2;
                    } else if (d == c && i + 1 < n && sql.charAt(i + 1) == c) {
                        text.append(c);
                        i += 2;
                    } else if (d == c) {
                        i++;
                        break;
                    } else {
                        text.append(d);
                        i++;
                    }
                }
                if (c != '\'') {
                    tokens.add(new Token(text.toString(), true, (char) 0));
                }
            } else if (Character.isLetterOrDigit(c) || c == '_' || c == '$') {
                int start = i;
                while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_'
                        || sql.charAt(i) == '$')) {
                    i++;
                }
                tokens.add(new Token(sql.substring(start, i), false, (char) 0));
            } else {
                tokens.add(new Token(String.valueOf(c), false, c));
                i++;
            }
        }
        return tokens;
    }
}
