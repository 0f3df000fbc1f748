package io.connectors.spi;

import io.connectors.spi.rules.SyncRules;
import java.util.Map;

/**
 * Capability: the source contributes explicit Elasticsearch mappings for its fields, so they are not left to
 * dynamic mapping.
 *
 * <h2>How the runtime creates the index</h2>
 * Every index the runtime creates maps the runtime's own fields, adds the source's {@code properties}, and keeps
 * dynamic mapping on for the rest, with two rules that keep a document from being refused for its shape: a number
 * in a field nobody mapped is mapped as {@code double} (never {@code float} or {@code long}, which refuse larger or
 * fractional values), and fields past {@code index.mapping.total_fields.limit} are kept in {@code _source} but not
 * indexed ({@code index.mapping.total_fields.ignore_dynamic_beyond_limit}) instead of refusing the document.
 *
 * <p>A source whose documents have no fixed shape (it does not implement this interface, or answers {@code true}
 * to {@link #schemaless()}) gets the <em>schemaless</em> policy on top: {@code subobjects: false}, so that a field
 * that is an object in one document and a scalar in another ({@code a: {b: 1}} and {@code a: "x"}) is stored as the
 * two leaf fields {@code a.b} and {@code a}; and {@code index.mapping.ignore_malformed}, so that a value that does not
 * fit the type the field was first mapped with ({@code "n/a"} in a number field, a number past a double's range) is
 * kept in {@code _source}, listed in the document's {@code _ignored}, and not indexed; and, since Elasticsearch refuses
 * a document whose values of one new field need two types, a field holding numbers, text and booleans within one
 * document ({@code [1, "two"]}) is written with all of them as text. Explicit mappings are not allowed
 * {@code enabled: false} objects under this policy (Elasticsearch refuses them with {@code subobjects: false}).
 *
 * <p>For every source, a number longer than Elasticsearch's JSON parser reads (1,000 characters) is written in
 * scientific notation when that keeps every digit, else as a string.
 *
 * <p>A source that contributes mappings must make them hold every value it emits: two tables or collections of one
 * connector that give a field different types need one mapping that accepts both (see
 * {@code io.connectors.spi.support.FieldMappings}). The contract suite's type-zoo step checks it.
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

    /**
     * Whether the source's documents have no fixed shape, so that the index gets the schemaless policy described
     * above even though the source maps some fields. The default is {@code false}: the source's mappings describe
     * its documents.
     */
    default boolean schemaless() {
        return false;
    }
}
