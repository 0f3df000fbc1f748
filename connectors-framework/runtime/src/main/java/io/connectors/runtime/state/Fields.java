package io.connectors.runtime.state;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads the fields of one stored record for its codec: each read checks the JSON type and names the record and the
 * field when it is wrong ({@link StateException}); {@link #unread()} gives the fields no read asked for, which the
 * record keeps and writes back.
 */
final class Fields {
    private final String record;
    private final Map<String, Object> json;
    private final Set<String> read = new HashSet<>();

    Fields(String record, Map<String, Object> json) {
        this.record = record;
        this.json = json == null ? Map.of() : json;
    }

    private Object raw(String name) {
        read.add(name);
        return json.get(name);
    }

    private StateException wrong(String name, String expected) {
        Object v = json.get(name);
        return new StateException(record + ": field '" + name + "' should be " + expected + ", but is "
                + (v instanceof Map ? "an object" : v instanceof List ? "a list" : "'" + v + "'"));
    }

    String string(String name) {
        Object v = raw(name);
        if (v == null || v instanceof String) {
            return (String) v;
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        throw wrong(name, "text");
    }

    /** A required text field mapped to a value; {@code parse} returns null for a value this version does not know. */
    <T> T value(String name, Function<String, T> parse) {
        String text = string(name);
        T value = text == null ? null : parse.apply(text);
        if (value == null) {
            throw wrong(name, text == null ? "present" : "a value this version knows");
        }
        return value;
    }

    /** As {@link #value}, but absent is allowed: {@code null}. */
    <T> T optional(String name, Function<String, T> parse) {
        if (json.get(name) == null) {
            read.add(name);
            return null;
        }
        return value(name, parse);
    }

    Instant instant(String name) {
        String text = string(name);
        try {
            return text == null ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw wrong(name, "a timestamp");
        }
    }

    long number(String name) {
        Object v = raw(name);
        if (v == null) {
            return 0;
        }
        if (v instanceof Number n) {
            return n.longValue();
        }
        throw wrong(name, "a number");
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> map(String name) {
        Object v = raw(name);
        if (v == null || v instanceof Map) {
            return (Map<String, Object>) v;
        }
        throw wrong(name, "an object");
    }

    Map<String, Long> numbers(String name) {
        Map<String, Object> m = map(name);
        Map<String, Long> out = new LinkedHashMap<>();
        if (m != null) {
            for (Map.Entry<String, Object> e : m.entrySet()) {
                if (!(e.getValue() instanceof Number n)) {
                    throw wrong(name, "an object of numbers");
                }
                out.put(e.getKey(), n.longValue());
            }
        }
        return out;
    }

    List<String> strings(String name) {
        Object v = raw(name);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> l)) {
            throw wrong(name, "a list");
        }
        List<String> out = new ArrayList<>(l.size());
        l.forEach(item -> out.add(String.valueOf(item)));
        return out;
    }

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> maps(String name) {
        Object v = raw(name);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> l) || l.stream().anyMatch(i -> !(i instanceof Map))) {
            throw wrong(name, "a list of objects");
        }
        return (List<Map<String, Object>>) v;
    }

    /** The fields no read asked for, as stored. */
    Map<String, Object> unread() {
        Map<String, Object> out = new LinkedHashMap<>();
        json.forEach((k, v) -> {
            if (!read.contains(k)) {
                out.put(k, v);
            }
        });
        return out;
    }
}
