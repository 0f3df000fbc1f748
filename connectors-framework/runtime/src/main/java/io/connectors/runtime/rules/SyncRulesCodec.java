package io.connectors.runtime.rules;

import io.connectors.spi.rules.BasicRule;
import io.connectors.spi.rules.SyncRules;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads sync rules from their configuration form (the {@code sync_rules} value of a connector in
 * {@code config.yml}, or the JSON stored in Elasticsearch) and writes them back:
 * <pre>
 * sync_rules:
 *   basic:
 *     - { field: path, policy: exclude, rule: starts_with, value: "drafts/" }
 *     - { field: size, policy: include, rule: less_than, value: 1000 }
 *   advanced: { ... source-specific ... }
 * </pre>
 * Parsing checks the shape only (keys, types, known policies and rules); what the rules mean (a regular expression
 * that compiles, conflicting rules, advanced rules the source accepts) is {@link SyncRulesValidator}'s job.
 */
public final class SyncRulesCodec {
    static final String BASIC = "basic";
    static final String ADVANCED = "advanced";
    static final String FIELD = "field";
    static final String POLICY = "policy";
    static final String RULE = "rule";
    static final String VALUE = "value";

    private static final Set<String> TOP_KEYS = new TreeSet<>(List.of(BASIC, ADVANCED));
    private static final Set<String> RULE_KEYS = new TreeSet<>(List.of(FIELD, POLICY, RULE, VALUE));
    private static final List<String> POLICIES = names(BasicRule.Policy.values());
    private static final List<String> CONDITIONS = names(BasicRule.Condition.values());

    private SyncRulesCodec() {
    }

    /**
     * Parses the raw value of {@code sync_rules}: a map with the optional keys {@code basic} (a list of rules, each
     * with {@code field}, {@code policy}, {@code rule} and {@code value}) and {@code advanced} (a map the source
     * interprets). {@code null} means no rules.
     *
     * <p>Every problem is added to {@code problems} as {@code "<where>.<key path>: <message>"}, e.g.
     * {@code "connectors[0].sync_rules.basic[2].rule: unknown rule 'foo'; use one of [contains, ...]"}; all problems
     * are reported, not only the first. Policies and rules are the lower-case names of {@link BasicRule.Policy} and
     * {@link BasicRule.Condition} (matched ignoring case). A {@code value} given as a number or a boolean is kept as
     * its text ({@code 1000} becomes {@code "1000"}); a YAML timestamp becomes its ISO-8601 instant in UTC.
     *
     * @param raw      the value as read from YAML or JSON: maps, lists, strings, numbers, booleans
     * @param where    the key path of {@code raw}, prefixed to every problem; may be empty
     * @param problems where problems are added
     * @return the rules, or {@code null} when there were problems
     */
    public static SyncRules parse(Object raw, String where, List<String> problems) {
        if (raw == null) {
            return SyncRules.NONE;
        }
        int before = problems.size();
        if (!(raw instanceof Map<?, ?> map)) {
            problems.add(at(where) + "expected a mapping with the keys " + TOP_KEYS + ", got " + describe(raw));
            return null;
        }
        for (Object key : map.keySet()) {
            if (!TOP_KEYS.contains(String.valueOf(key))) {
                problems.add(path(where, String.valueOf(key)) + ": unknown key; use one of " + TOP_KEYS);
            }
        }
        List<BasicRule> basic = basic(map.get(BASIC), path(where, BASIC), problems);
        Map<String, Object> advanced = advanced(map.get(ADVANCED), path(where, ADVANCED), problems);
        if (problems.size() > before) {
            return null;
        }
        return new SyncRules(basic, advanced);
    }

    /**
     * The JSON-compatible form of {@code rules}, as stored in Elasticsearch: {@code basic} (a list of maps with
     * {@code field}, {@code policy}, {@code rule}, {@code value}, policy and rule in lower case) and
     * {@code advanced}; both keys are always present. {@link #parse} reads it back to equal rules.
     */
    public static Map<String, Object> toMap(SyncRules rules) {
        List<Object> basic = new ArrayList<>(rules.basic().size());
        for (BasicRule r : rules.basic()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put(FIELD, r.field());
            m.put(POLICY, name(r.policy()));
            m.put(RULE, name(r.condition()));
            m.put(VALUE, r.value());
            basic.add(Collections.unmodifiableMap(m));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(BASIC, Collections.unmodifiableList(basic));
        out.put(ADVANCED, rules.advanced());
        return Collections.unmodifiableMap(out);
    }

    /** The configuration name of a policy or condition: its lower-case enum name. */
    static String name(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private static List<BasicRule> basic(Object raw, String where, List<String> problems) {
        if (raw == null) {
            return List.of();
        }
        if (!(raw instanceof List<?> list)) {
            problems.add(where + ": expected a list of rules, got " + describe(raw));
            return List.of();
        }
        List<BasicRule> rules = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            BasicRule rule = rule(list.get(i), where + "[" + i + "]", problems);
            if (rule != null) {
                rules.add(rule);
            }
        }
        return rules;
    }

    private static BasicRule rule(Object raw, String where, List<String> problems) {
        if (!(raw instanceof Map<?, ?> map)) {
            problems.add(where + ": expected a mapping with the keys " + RULE_KEYS + ", got " + describe(raw));
            return null;
        }
        int before = problems.size();
        for (Object key : map.keySet()) {
            if (!RULE_KEYS.contains(String.valueOf(key))) {
                problems.add(where + "." + key + ": unknown key; use one of " + RULE_KEYS);
            }
        }
        String field = text(map, FIELD, where, problems);
        BasicRule.Policy policy = choice(map, POLICY, "policy", BasicRule.Policy.values(), POLICIES, where, problems);
        BasicRule.Condition condition = choice(map, RULE, "rule", BasicRule.Condition.values(), CONDITIONS, where,
                problems);
        String value = value(map, where, problems);
        if (problems.size() > before) {
            return null;
        }
        return new BasicRule(field, policy, condition, value);
    }

    private static String text(Map<?, ?> map, String key, String where, List<String> problems) {
        Object v = map.get(key);
        if (v == null) {
            problems.add(where + "." + key + ": " + (map.containsKey(key) ? "must not be empty" : "missing"));
            return null;
        }
        if (!(v instanceof String s)) {
            problems.add(where + "." + key + ": expected text, got " + describe(v));
            return null;
        }
        return s;
    }

    private static <E extends Enum<E>> E choice(Map<?, ?> map, String key, String what, E[] values,
                                                List<String> names, String where, List<String> problems) {
        Object v = map.get(key);
        if (v == null) {
            problems.add(where + "." + key + ": " + (map.containsKey(key) ? "must not be empty" : "missing")
                    + "; use one of " + names);
            return null;
        }
        String text = String.valueOf(v).trim();
        for (E e : values) {
            if (name(e).equalsIgnoreCase(text)) {
                return e;
            }
        }
        problems.add(where + "." + key + ": unknown " + what + " '" + v + "'; use one of " + names);
        return null;
    }

    private static String value(Map<?, ?> map, String where, List<String> problems) {
        Object v = map.get(VALUE);
        String key = where + "." + VALUE;
        if (v == null) {
            problems.add(key + ": " + (map.containsKey(VALUE) ? "must not be empty (use \"\" for empty text)"
                    : "missing"));
            return null;
        }
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Boolean || v instanceof Integer || v instanceof Long || v instanceof Short
                || v instanceof Byte || v instanceof BigInteger) {
            return v.toString();
        }
        if (v instanceof BigDecimal d) {
            return d.toPlainString();
        }
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                problems.add(key + ": " + d + " cannot be compared with; quote it if it is meant as text");
                return null;
            }
            // 1.5 stays 1.5, and 1e20 becomes 100000000000000000000 rather than 1.0E20.
            return new BigDecimal(v.toString()).toPlainString();
        }
        if (v instanceof Date date) {
            return date.toInstant().toString();
        }
        problems.add(key + ": expected text, a number or a boolean, got " + describe(v));
        return null;
    }

    private static Map<String, Object> advanced(Object raw, String where, List<String> problems) {
        if (raw == null) {
            return Map.of();
        }
        if (!(raw instanceof Map<?, ?> map)) {
            problems.add(where + ": expected a mapping (its content depends on the source type), got "
                    + describe(raw));
            return Map.of();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                problems.add(where + ": keys must be text, got " + describe(e.getKey()));
                continue;
            }
            if (e.getValue() == null) {
                // SyncRules keeps advanced rules in an immutable map, which has no room for nulls at the top.
                problems.add(where + "." + key + ": must not be empty; remove the key instead");
                continue;
            }
            out.put(key, json(e.getValue(), where + "." + key, problems));
        }
        return out;
    }

    /** A deep, unmodifiable copy of a JSON-compatible value; YAML timestamps become ISO-8601 text. */
    private static Object json(Object v, String where, List<String> problems) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Number) {
            if (v instanceof Double d && (d.isNaN() || d.isInfinite())
                    || v instanceof Float f && (f.isNaN() || f.isInfinite())) {
                problems.add(where + ": " + v + " is not a JSON value");
            }
            return v;
        }
        if (v instanceof Date date) {
            return date.toInstant().toString();
        }
        if (v instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    problems.add(where + ": keys must be text, got " + describe(e.getKey()));
                    continue;
                }
                out.put(key, json(e.getValue(), where + "." + key, problems));
            }
            return Collections.unmodifiableMap(out);
        }
        if (v instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                out.add(json(list.get(i), where + "[" + i + "]", problems));
            }
            return Collections.unmodifiableList(out);
        }
        problems.add(where + ": expected a JSON value (text, number, boolean, list or mapping), got " + describe(v));
        return null;
    }

    private static String describe(Object v) {
        if (v instanceof Map) {
            return "a mapping";
        }
        if (v instanceof List) {
            return "a list";
        }
        if (v instanceof String s) {
            return "text '" + s + "'";
        }
        if (v instanceof Number || v instanceof Boolean) {
            return "'" + v + "'";
        }
        return "a " + v.getClass().getSimpleName();
    }

    private static String at(String where) {
        return where == null || where.isEmpty() ? "" : where + ": ";
    }

    private static String path(String where, String key) {
        return where == null || where.isEmpty() ? key : where + "." + key;
    }

    private static List<String> names(Enum<?>[] values) {
        return Arrays.stream(values).map(SyncRulesCodec::name).sorted().toList();
    }
}
