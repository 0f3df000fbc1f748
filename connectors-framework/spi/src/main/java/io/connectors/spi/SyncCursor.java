package io.connectors.spi;

import java.util.Map;
import java.util.Objects;

/**
 * Where an incremental sync got to, in a form the source alone interprets (a resume token, a max
 * {@code updated_at}, a log position). Stored by the runtime as JSON after the writes it covers were
 * acknowledged by Elasticsearch.
 *
 * @param values JSON-compatible values
 */
public record SyncCursor(Map<String, Object> values) {
    public SyncCursor {
        values = Map.copyOf(Objects.requireNonNull(values, "values"));
    }
}
