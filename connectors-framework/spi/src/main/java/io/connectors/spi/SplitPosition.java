package io.connectors.spi;

import java.util.Map;
import java.util.Objects;

/**
 * Where a read of a {@link SourceSplit} got to, in a form its source alone interprets (the last key read, the last
 * path walked). Stored by the runtime as JSON once Elasticsearch acknowledged every document before it.
 *
 * @param values JSON-compatible values
 */
public record SplitPosition(Map<String, Object> values) {
    public SplitPosition {
        values = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(Objects.requireNonNull(values, "values")));
    }
}
