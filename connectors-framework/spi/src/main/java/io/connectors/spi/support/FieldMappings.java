package io.connectors.spi.support;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One Elasticsearch field mapping that accepts every value two (or more) mappings accept: for a source whose tables or
 * collections give one field name different types ({@code x integer} in one table, {@code x text} in another), all
 * stored in one index. Checked against Elasticsearch 8.19:
 * <ul>
 *   <li>equal mappings stay as they are;</li>
 *   <li>integer types ({@code byte}, {@code short}, {@code integer}, {@code long}) become the widest of them; any other
 *       mix of numeric types becomes {@code double} with {@code ignore_malformed} (a long past 2<sup>53</sup> is indexed
 *       as the nearest double; {@code _source} keeps it whole);</li>
 *   <li>two {@code date} mappings: {@code date} with {@code ignore_malformed}, and their format if they agree, else
 *       {@code strict_date_optional_time||epoch_millis}; two {@code keyword}s: the larger {@code ignore_above};</li>
 *   <li>if either holds objects ({@code object}, {@code nested}, {@code flattened}, a mapping with {@code properties}),
 *       or is left to dynamic mapping ({@code null}), the field becomes {@code {"type": "object", "enabled": false}},
 *       which Elasticsearch stores without parsing, scalars, arrays and objects alike ({@code flattened} refuses
 *       scalars; an object refuses a scalar in a {@code long});</li>
 *   <li>any other mix of scalar types ({@code date}, {@code boolean}, {@code keyword}, {@code ip}, {@code ip_range},
 *       {@code binary}, numbers...) becomes {@code keyword} with {@code ignore_above} {@value #LONG_KEYWORD_LIMIT}
 *       (a keyword takes numbers and booleans as their text), or, when either is {@code text}, {@code text} with a
 *       {@code keyword} subfield.</li>
 * </ul>
 * Mappings are the JSON-compatible maps a {@link io.connectors.spi.MappingContributor} returns; results are unmodifiable.
 */
public final class FieldMappings {
    /** The {@code ignore_above} of a keyword that holds the text of values of several types. */
    public static final int LONG_KEYWORD_LIMIT = 8191;

    private static final List<String> INTEGERS = List.of("byte", "short", "integer", "long");
    private static final Set<String> NUMBERS = Set.of("byte", "short", "integer", "long", "unsigned_long", "float",
            "half_float", "double", "scaled_float");
    private static final Set<String> OBJECTS = Set.of("object", "nested", "flattened");
    private static final Map<String, Object> STORED_ONLY = ordered("type", "object", "enabled", false);

    private FieldMappings() {
    }

    /**
     * The mapping that accepts what every one of {@code mappings} accepts; an element {@code null} stands for a field
     * left to dynamic mapping. {@code null} when every element is {@code null}.
     */
    public static Map<String, Object> common(List<Map<String, Object>> mappings) {
        if (mappings.isEmpty()) {
            throw new IllegalArgumentException("no mappings to merge");
        }
        Map<String, Object> merged = mappings.get(0);
        boolean allDynamic = merged == null;
        for (Map<String, Object> next : mappings.subList(1, mappings.size())) {
            allDynamic &= next == null;
            merged = allDynamic ? null : common(merged, next);
        }
        return merged;
    }

    /** The mapping that accepts what both accept; see the class comment. {@code null} stands for dynamic mapping. */
    public static Map<String, Object> common(Map<String, Object> a, Map<String, Object> b) {
        if (Objects.equals(a, b)) {
            return a == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(a));
        }
        if (a == null || b == null || holdsObjects(a) || holdsObjects(b)) {
            return STORED_ONLY;
        }
        String ta = type(a);
        String tb = type(b);
        if (NUMBERS.contains(ta) && NUMBERS.contains(tb)) {
            if (INTEGERS.contains(ta) && INTEGERS.contains(tb)) {
                String widest = INTEGERS.get(Math.max(INTEGERS.indexOf(ta), INTEGERS.indexOf(tb)));
                return Boolean.TRUE.equals(a.get("ignore_malformed")) || Boolean.TRUE.equals(b.get("ignore_malformed"))
                        ? ordered("type", widest, "ignore_malformed", true) : ordered("type", widest);
            }
            return ordered("type", "double", "ignore_malformed", true);
        }
        if (ta.equals(tb)) {
            switch (ta) {
                case "date":
                    return ordered("type", "date", "format", Objects.equals(a.get("format"), b.get("format"))
                            && a.get("format") != null ? a.get("format") : "strict_date_optional_time||epoch_millis",
                            "ignore_malformed", true);
                case "keyword":
                    Object above = a.get("ignore_above") instanceof Number x && b.get("ignore_above") instanceof Number y
                            ? Math.max(x.intValue(), y.intValue()) : null;
                    return above == null ? ordered("type", "keyword") : ordered("type", "keyword", "ignore_above", above);
                case "text":
                    return text();
                default:
                    // The same type with other parameters: the one that stores more (ignore_malformed) wins.
                    return Collections.unmodifiableMap(new LinkedHashMap<>(
                            Boolean.TRUE.equals(b.get("ignore_malformed")) ? b : a));
            }
        }
        return "text".equals(ta) || "text".equals(tb) ? text() : ordered("type", "keyword", "ignore_above", LONG_KEYWORD_LIMIT);
    }

    private static boolean holdsObjects(Map<String, Object> mapping) {
        return mapping.containsKey("properties") || OBJECTS.contains(type(mapping));
    }

    private static String type(Map<String, Object> mapping) {
        Object type = mapping.get("type");
        return type == null ? (mapping.containsKey("properties") ? "object" : "") : type.toString();
    }

    private static Map<String, Object> text() {
        return ordered("type", "text", "fields", ordered("keyword", ordered("type", "keyword", "ignore_above", 256)));
    }

    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return Collections.unmodifiableMap(map);
    }
}
