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

    /**
     * The mapping {@code properties} for a sync with the given rules, for sources whose fields depend on them (a
     * database source whose advanced rules are queries) or that must ask the backend first. Lazy; may do I/O; called
     * once per sync, after {@link BaseDataSource#validateConfig()} and before the documents are read. The default is
     * {@link #mappingProperties()}.
     */
    default reactor.core.publisher.Mono<Map<String, Object>> mappingProperties(SyncRules rules) {
        return reactor.core.publisher.Mono.fromCallable(this::mappingProperties);
    }
}
