package io.connectors.spi;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Something a source keeps on its backend for its connector between jobs, such as a PostgreSQL replication slot and
 * publication, as {@link ResourceHoldingSource#resources} reports it.
 *
 * @param kind     what it is, e.g. {@code replication_slot}
 * @param name     its name on the backend
 * @param details  facts an operator needs, in display order (sizes in bytes, positions, states); no secrets
 * @param warnings what needs attention, each a sentence that says what to do; empty when healthy
 */
public record SourceResource(String kind, String name, Map<String, Object> details, List<String> warnings) {
    public SourceResource {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        details = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(details));
        warnings = List.copyOf(warnings);
    }
}
