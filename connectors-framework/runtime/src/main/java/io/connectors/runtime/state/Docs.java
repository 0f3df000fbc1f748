package io.connectors.runtime.state;

import java.time.Instant;
import java.util.Map;

/** Small helpers for the parts of records kept as JSON maps (sync rules and their validation). */
final class Docs {
    private Docs() {
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> doc, String key) {
        Object v = doc == null ? null : doc.get(key);
        return v instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    }

    static String ts(Instant instant) {
        return instant.toString();
    }
}
