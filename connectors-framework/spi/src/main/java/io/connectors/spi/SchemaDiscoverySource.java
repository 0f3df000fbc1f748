package io.connectors.spi;

import java.util.List;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * Capability: the source can list its collections (tables, folders) and their fields without reading them all.
 *
 * <p><b>Incubating:</b> no part of the runtime calls it yet (a future {@code connectors sources discover} command and
 * sync progress estimates are meant to); implementing it has no effect today.
 */
@Incubating
public interface SchemaDiscoverySource {

    /** Lazy; emits the schema as known now. */
    Mono<SourceSchema> discoverSchema();

    /**
     * A discovered schema.
     *
     * @param collections one entry per table, collection or similar
     */
    record SourceSchema(List<Collection> collections) {
        public SourceSchema {
            collections = List.copyOf(collections);
        }
    }

    /**
     * @param name          the collection's name as the source knows it
     * @param fields        field name to source type name
     * @param estimatedSize estimated number of documents, or {@code -1} when unknown (used for progress)
     */
    record Collection(String name, Map<String, String> fields, long estimatedSize) {
        public Collection {
            fields = Map.copyOf(fields);
        }
    }
}
