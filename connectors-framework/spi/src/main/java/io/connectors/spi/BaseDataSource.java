package io.connectors.spi;

import io.connectors.spi.config.ConfigField;
import io.connectors.spi.config.ConfigValidationException;
import io.connectors.spi.rules.AdvancedRulesValidator;
import io.connectors.spi.rules.SyncRules;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A configured connection to one external system, from which the runtime reads documents.
 *
 * <p>An instance is created by {@link DataSourceProvider#create} for one sync job (or one long-running
 * watcher) and is {@linkplain #close() closed} by the runtime when that job ends, whatever the outcome.
 * Instances are used by one job at a time, but their methods may be called from different threads; see the
 * package documentation for the rules on laziness, threading, backpressure, cancellation and errors that
 * apply to every method here.
 *
 * <p>Optional capabilities are separate interfaces: {@link DeferredSource}, {@link IncrementalSource}, {@link AccessControlSource},
 * {@link SchemaDiscoverySource}, {@link AdvancedRulesValidator}, {@link MappingContributor}.
 */
public interface BaseDataSource {

    /**
     * Checks that the backend is reachable and the credentials are accepted.
     *
     * <p>Lazy; completes empty on success. Fails with a {@link SourceException} whose message says what could
     * not be reached or what was refused (host and port, never a password), within the source's configured
     * connect timeout: a ping must not hang.
     */
    Mono<Void> ping();

    /**
     * Checks the configuration against the backend, beyond the field-level checks the runtime already made
     * from the provider's {@link ConfigField} declarations (those run before a source is created).
     *
     * <p>Examples: the configured directory exists, the database and tables exist. Lazy; completes empty when
     * valid, fails with {@link ConfigValidationException} naming each offending field otherwise.
     */
    Mono<Void> validateConfig();

    /**
     * Streams every document of the source, for a full sync.
     *
     * <p>Each document is emitted exactly once per subscription, with a stable {@link SourceDocument#id()}: the
     * same item yields the same id on every sync, because the runtime reconciles by id and deletes ids it no
     * longer sees. Emission order is free. The flux honours backpressure and cancellation; an item that cannot
     * be read is logged, counted and skipped, while a failure that makes the result incomplete (connection lost
     * for good, permission denied on the root) is signalled with {@code onError} so no deletion is derived from
     * a partial listing.
     *
     * <p>A source that implements {@link DeferredSource} may emit {@linkplain SourceDocument#deferred deferred}
     * documents (id and version only) and build the new and changed ones when the runtime asks.
     *
     * @param rules the sync rules of the connector; basic rules are also applied by the runtime, so a source
     *              may ignore them or push them down as an optimisation. Advanced rules, if any, are the
     *              source's to apply and were validated by {@link AdvancedRulesValidator} first.
     */
    Flux<SourceDocument> getDocs(SyncRules rules);

    /**
     * Tells whether the source may have changed since the last completed sync, so a scheduled sync can be
     * skipped when it has not.
     *
     * <p>Emits {@code true} when a change happened or cannot be ruled out, {@code false} only when the source
     * knows nothing changed (for example a change stream saw no event). Must be cheap: no full scan. The
     * default answers {@code true}, which is always safe.
     */
    default Mono<Boolean> changed() {
        return Mono.just(Boolean.TRUE);
    }

    /**
     * What a valid configuration still leaves out or should change, found against the backend: a table skipped for want
     * of a key, a setting that makes a mode unavailable. Each is a sentence that says what to do. {@code config check}
     * prints them after {@link #validateConfig()} passed, so that what the sync will only log is seen before it runs.
     * Lazy like every method here; an error is reported as the check's failure.
     *
     * @return the warnings; empty (the default) when there are none
     */
    default Mono<java.util.List<String>> configWarnings() {
        return Mono.just(java.util.List.of());
    }

    /**
     * Releases every resource this instance holds (pools, clients, watchers). Called once by the runtime at
     * the end of a job, after any in-flight publisher was cancelled or completed. Lazy, idempotent, and never
     * fails: problems while closing are logged by the source.
     */
    Mono<Void> close();
}
