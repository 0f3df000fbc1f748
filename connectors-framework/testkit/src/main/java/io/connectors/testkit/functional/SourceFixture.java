package io.connectors.testkit.functional;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/**
 * What {@code make ftest NAME=<type>} and {@code make bench} need from a source: a backend to start or reach, a way
 * to fill it with N documents and mutate a known set of them, and the ground truth the index must equal.
 *
 * <p>A source ships its fixture in its own module's test code ({@code connectors-sources/<type>/src/test/java}),
 * registered in {@code src/test/resources/META-INF/services/io.connectors.testkit.functional.SourceFixture}; the
 * harness in {@code functional-tests} finds it with {@link java.util.ServiceLoader}, so adding a source never edits
 * {@code functional-tests}. Called from one thread; blocking is fine here (this is a test harness).
 */
public interface SourceFixture extends AutoCloseable {

    /** The source type this fixture serves; what {@code NAME=} selects. */
    String type();

    /**
     * Starts or reaches the backend (a local service, an in-process server, Testcontainers where Docker answers).
     *
     * @param workDir a folder of the harness's for files the fixture needs; deleted afterwards
     */
    void start(Path workDir) throws Exception;

    /** Fills the backend with exactly {@code count} documents, replacing whatever an earlier run left. */
    void load(int count) throws Exception;

    /** The connector's {@code configuration} block for config.yml, pointing at the loaded backend. */
    Map<String, Object> connectorConfiguration();

    /**
     * Changes the backend: adds {@code adds} new documents, updates {@code updates} existing ones (their content
     * changes) and deletes {@code deletes} existing ones, all distinct.
     */
    Mutation mutate(int adds, int updates, int deletes) throws Exception;

    /**
     * The ground truth: every document's source id and content digest, in ascending order of id as unsigned
     * UTF-8 bytes. Streamed, so a large backend is not held in memory.
     */
    Iterator<Truth> groundTruth() throws Exception;

    /**
     * The digest of a document as indexed, computed from its {@code _source} the same way {@link #groundTruth()}
     * computes it from the backend (e.g. SHA-256 of the content field).
     */
    String digestOfIndexed(Map<String, Object> source);

    /** The fields of {@code _source} that {@link #digestOfIndexed} reads, so the harness fetches only those. */
    java.util.List<String> digestFields();

    /**
     * Reads every document with the backend's own driver and discards it (the "source ceiling" of the benchmark).
     *
     * @return the number of documents read
     */
    long readAllWithOwnDriver() throws Exception;

    /**
     * Fills the backend, beside the documents of {@link #load}, with the <em>type zoo</em>: every kind of value the
     * source can produce (every column or BSON type, every odd name, empty and huge values), in at least two tables,
     * collections or folders whose fields of the same name have different types where the source allows it. The
     * harness syncs it through the daemon into a new index and requires every document to be stored (no refusal), no
     * value left unindexed except in {@link TypeZoo#ignorableFields()}, and a second sync to write nothing.
     */
    TypeZoo loadTypeZoo() throws Exception;

    /**
     * The type zoo as loaded.
     *
     * @param configuration   the connector's {@code configuration} block that syncs exactly the zoo
     * @param documents       how many documents that sync must store
     * @param ignorableFields fields whose values Elasticsearch may keep in {@code _source} without indexing them (listed
     *                        in a document's {@code _ignored}; a name ending in {@code *} stands for every field it
     *                        starts), each for a documented reason: a number past a double's
     *                        range, a field whose first-seen type another document's value does not fit
     * @param description     what the zoo holds, for the report
     */
    record TypeZoo(Map<String, Object> configuration, long documents, java.util.Set<String> ignorableFields,
                   String description) {
        public TypeZoo {
            configuration = Map.copyOf(configuration);
            ignorableFields = java.util.Set.copyOf(ignorableFields);
        }
    }

    /** Whether the source supports incremental sync (the harness then runs one after the mutation). */
    default boolean supportsIncremental() {
        return false;
    }

    /**
     * Whether the source's incremental syncs see deletions (a change stream does; a cursor column does not): the
     * harness's incremental step deletes documents only when they do, so that it can verify the index exactly.
     */
    default boolean incrementalSeesDeletions() {
        return true;
    }

    /**
     * Source fields that divide a {@code small} load into several splits ({@code split_documents: 2000}), for the
     * harness's resume step: with one split for the whole read, a stopped sync can only finish that split or start it
     * over, and there is nothing to resume from. Empty: the source's defaults.
     */
    default Map<String, Object> splittingConfiguration() {
        return Map.of();
    }

    /**
     * Whether {@link #load} mixes binary documents (PDF, Office, OpenDocument, e-mail...) in, whose text only content
     * extraction gives; their digest then checks the extracted text. {@code make ftest} asks for them; the benchmark's
     * main figure does not (its source ceiling reads plain records). A source without such documents ignores it.
     */
    default void mixBinaryDocuments(boolean mix) {
    }

    /** Stops what {@link #start} started. */
    @Override
    void close() throws Exception;

    /**
     * One document of the ground truth.
     *
     * @param id     the source id (the harness applies the runtime's id normalization)
     * @param digest the content digest
     */
    record Truth(String id, String digest) {
    }

    /**
     * What a mutation changed.
     *
     * @param added   ids of new documents
     * @param updated ids of changed documents
     * @param deleted ids of removed documents
     */
    record Mutation(java.util.List<String> added, java.util.List<String> updated, java.util.List<String> deleted) {
    }
}
