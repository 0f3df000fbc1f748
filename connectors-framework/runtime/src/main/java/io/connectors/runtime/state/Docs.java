package io.connectors.runtime.state;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Small helpers for reading and writing state documents held as JSON maps. */
final class Docs {
    private Docs() {
    }

    static String str(Map<String, Object> doc, String key) {
        Object v = doc == null ? null : doc.get(key);
        return v == null ? null : v.toString();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> doc, String key) {
        Object v = doc == null ? null : doc.get(key);
        return v instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    }

    /** The map under {@code key}, created if absent. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> child(Map<String, Object> doc, String key) {
        Object v = doc.get(key);
        if (v instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        Map<String, Object> created = new LinkedHashMap<>();
        doc.put(key, created);
        return created;
    }

    static Instant instant(Map<String, Object> doc, String key) {
        String v = str(doc, key);
        return v == null ? null : Instant.parse(v);
    }

    static long number(Map<String, Object> doc, String key) {
        Object v = doc == null ? null : doc.get(key);
        return v instanceof Number n ? n.longValue() : 0L;
    }

    static String ts(Instant instant) {
        return instant.toString();
    }
}
