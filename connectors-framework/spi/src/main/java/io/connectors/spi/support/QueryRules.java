package io.connectors.spi.support;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The shape of the advanced rules of a database source whose rules are queries: {@code {"queries": [{"table": name,
 * "query": text, "key": [column, ...]}, ...]}}, {@code key} optional. One definition of what such rules look like and
 * how a wrong one is reported; what a query may say is the source's to check ({@link QueryCheck}).
 */
public final class QueryRules {
    private static final Set<String> QUERY_KEYS = Set.of("table", "query", "key");

    private QueryRules() {
    }

    /**
     * A rule as written.
     *
     * @param table names its rows (document ids start with it)
     * @param query the query, as the source's normalizer left it
     * @param key   the output columns that identify a row; empty when the rule gives none
     */
    public record Query(String table, String query, List<String> key) {
        public Query {
            key = List.copyOf(key);
        }
    }

    /** The source's check of one query's text (a string, not blank), adding each problem prefixed by {@code at}. */
    @FunctionalInterface
    public interface QueryCheck {
        void check(String query, String at, List<String> problems);
    }

    /**
     * Every problem of the rules' shape and of each query as {@code check} sees it, each naming its path
     * ({@code queries[1].key[0]: ...}); empty when there are none (and for no rules).
     */
    public static List<String> problems(Map<String, Object> advanced, QueryCheck check) {
        List<String> problems = new ArrayList<>();
        if (advanced == null || advanced.isEmpty()) {
            return problems;
        }
        for (String key : advanced.keySet()) {
            if (!key.equals("queries")) {
                problems.add("unknown key '" + key + "' (allowed: queries)");
            }
        }
        Object queries = advanced.get("queries");
        if (!(queries instanceof List<?> list) || list.isEmpty()) {
            problems.add("queries: must be a non-empty list of {table, query, key}, got " + describe(queries));
            return problems;
        }
        Map<String, Integer> tables = new HashMap<>();
        for (int i = 0; i < list.size(); i++) {
            String at = "queries[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> entry)) {
                problems.add(at + ": must be an object with `table`, `query` and optionally `key`, got "
                        + describe(list.get(i)));
                continue;
            }
            for (Object key : entry.keySet()) {
                if (!QUERY_KEYS.contains(String.valueOf(key))) {
                    problems.add(at + ": unknown key '" + key + "' (allowed: table, query, key)");
                }
            }
            Object table = entry.get("table");
            if (!(table instanceof String name) || name.isBlank()) {
                problems.add(at + ".table: must be a non-blank string, got " + describe(table));
            } else if (tables.containsKey(name)) {
                problems.add(at + ".table: '" + name + "' is the table of queries[" + tables.get(name)
                        + "] already: tables must be unique");
            } else {
                tables.put(name, i);
            }
            Object query = entry.get("query");
            if (!(query instanceof String sql) || sql.isBlank()) {
                problems.add(at + ".query: must be a non-blank string, got " + describe(query));
            } else {
                check.check(sql, at + ".query", problems);
            }
            if (entry.get("key") != null) {
                checkKey(entry.get("key"), at + ".key", problems);
            }
        }
        return problems;
    }

    /**
     * The rules {@link #problems} accepted, in order, each query passed through {@code normalize} (trailing semicolons
     * and comments removed, say).
     */
    public static List<Query> parse(Map<String, Object> advanced, UnaryOperator<String> normalize) {
        List<Query> queries = new ArrayList<>();
        if (advanced == null || advanced.isEmpty()) {
            return queries;
        }
        for (Object entry : (List<?>) advanced.get("queries")) {
            Map<?, ?> map = (Map<?, ?>) entry;
            List<String> key = map.get("key") == null ? List.of()
                    : ((List<?>) map.get("key")).stream().map(String.class::cast).toList();
            queries.add(new Query((String) map.get("table"), normalize.apply((String) map.get("query")), key));
        }
        return queries;
    }

    private static void checkKey(Object key, String at, List<String> problems) {
        if (!(key instanceof List<?> columns) || columns.isEmpty()) {
            problems.add(at + ": must be a non-empty list of output column names, got " + describe(key));
            return;
        }
        Set<Object> seen = new HashSet<>();
        for (int j = 0; j < columns.size(); j++) {
            Object column = columns.get(j);
            if (!(column instanceof String name) || name.isBlank()) {
                problems.add(at + "[" + j + "]: must be a non-blank column name, got " + describe(column));
            } else if (!seen.add(name)) {
                problems.add(at + "[" + j + "]: '" + name + "' is listed twice");
            }
        }
    }

    private static String describe(Object value) {
        if (value == null) {
            return "nothing";
        }
        String s = String.valueOf(value);
        return (s.length() > 80 ? s.substring(0, 80) + "…" : s) + " (" + value.getClass().getSimpleName() + ")";
    }
}
