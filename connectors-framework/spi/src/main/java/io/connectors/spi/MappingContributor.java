package io.connectors.spi;

import java.util.Map;

/**
 * Capability: the source contributes explicit Elasticsearch mappings for its fields, so they are not left to
 * dynamic mapping.
 */
public interface MappingContributor {

    /**
     * The {@code properties} of the index mapping, as JSON-compatible values, for example
     * {@code Map.of("path", Map.of("type", "keyword"))}. Merged by the runtime with its own fields when the index
     * is created. Called once per sync; must not do I/O.
     */
    Map<String, Object> mappingProperties();
}
