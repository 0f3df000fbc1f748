package io.connectors.runtime.sync;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * For documents of no fixed shape: a field that holds values of different JSON kinds (number, text, boolean) <em>within
 * one document</em>, as an array {@code [1, "two"]} or objects in an array {@code [{"a": 1}, {"a": "x"}]} do, gets every
 * one of those values as text ({@code ["1", "two"]}). Elasticsearch maps a new field from the first value it reads and
 * refuses a document whose later values need another type, whatever {@code ignore_malformed} says; across documents
 * the index's {@code ignore_malformed} keeps such a value in {@code _source} instead. Paths are compared as
 * Elasticsearch reads them under {@code subobjects: false}: a key {@code "a.b"} and a key {@code b} inside {@code a}
 * are one field. A document without such a field is returned as it is, not copied.
 */
final class UniformLeaves {
    private enum Kind { NUMBER, TEXT, BOOLEAN }

    private UniformLeaves() {
    }

    static Map<String, Object> of(Map<String, Object> fields) {
        Map<String, Kind> kinds = new HashMap<>();
        Set<String> mixed = new HashSet<>();
        collect("", fields, kinds, mixed);
        if (mixed.isEmpty()) {
            return fields;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> out = (Map<String, Object>) rewrite("", fields, mixed);
        return out;
    }

    private static void collect(String path, Object value, Map<String, Kind> kinds, Set<String> mixed) {
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> collect(child(path, String.valueOf(k)), v, kinds, mixed));
            return;
        }
        List<?> items = elements(value);
        if (items != null) {
            items.forEach(v -> collect(path, v, kinds, mixed));
            return;
        }
        Kind kind = kind(value);
        if (kind != null) {
            Kind known = kinds.putIfAbsent(path, kind);
            if (known != null && known != kind) {
                mixed.add(path);
            }
        }
    }

    private static Object rewrite(String path, Object value, Set<String> mixed) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>(map.size() * 2);
            map.forEach((k, v) -> out.put(String.valueOf(k), rewrite(child(path, String.valueOf(k)), v, mixed)));
            return out;
        }
        List<?> items = elements(value);
        if (items != null) {
            List<Object> out = new ArrayList<>(items.size());
            items.forEach(v -> out.add(rewrite(path, v, mixed)));
            return out;
        }
        if (!mixed.contains(path)) {
            return value;
        }
        Kind kind = kind(value);
        if (kind == Kind.NUMBER) {
            return value instanceof BigDecimal d ? d.toString() : String.valueOf(value);
        }
        return kind == Kind.BOOLEAN ? String.valueOf(value) : value;
    }

    /**
     * The elements of a value the runtime writes as a JSON array (a collection, or any array but {@code byte[]}, which
     * is written as base64 text); {@code null} for any other value.
     */
    private static List<?> elements(Object value) {
        if (value instanceof List<?> list) {
            return list;
        }
        if (value instanceof Collection<?> collection) {
            return new ArrayList<>(collection);
        }
        if (value == null || !value.getClass().isArray() || value instanceof byte[]) {
            return null;
        }
        List<Object> out = new ArrayList<>(Array.getLength(value));
        for (int i = 0; i < Array.getLength(value); i++) {
            out.add(Array.get(value, i));
        }
        return out;
    }

    private static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** The JSON kind the runtime writes the value as (dates, UUIDs, bytes and the like are text); {@code null} for null. */
    private static Kind kind(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Number) {
            return Kind.NUMBER;
        }
        return value instanceof Boolean ? Kind.BOOLEAN : Kind.TEXT;
    }
}
