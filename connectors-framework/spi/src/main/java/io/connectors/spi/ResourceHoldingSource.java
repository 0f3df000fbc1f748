package io.connectors.spi;

import java.util.List;
import reactor.core.publisher.Mono;

/**
 * Capability: the source keeps resources on its backend for its connector that outlive a job and cost the backend
 * something while they exist (a PostgreSQL replication slot retains WAL until it is dropped). Operators see them in
 * {@code connectors status} and drop them with {@code connectors sources drop-resources <connector>} once the
 * connector is removed.
 *
 * <p>Implemented next to {@link BaseDataSource}; the runtime detects it with {@code instanceof}. Both methods do I/O
 * and may fail with a {@link SourceException} that says what is wrong.
 */
public interface ResourceHoldingSource {

    /** The resources the connector holds on the backend now, with their health; empty when it holds none. */
    Mono<List<SourceResource>> resources();

    /**
     * Drops every resource of the connector, for a connector that is being removed: what remains was created by
     * the source for this connector only. Fails (and drops nothing more) while a job of the connector still uses
     * one. Emits a line per resource dropped; empty when there was none.
     */
    Mono<List<String>> dropResources();
}
