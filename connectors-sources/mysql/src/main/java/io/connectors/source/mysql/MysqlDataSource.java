package io.connectors.source.mysql;

import io.connectors.spi.BaseDataSource;
import io.connectors.spi.DeferredSource;
import io.connectors.spi.SourceContext;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.rules.SyncRules;
import io.connectors.spi.support.Throttle;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One configured connection to a {@code mysql} backend, for one sync job. The rules every method follows (lazy,
 * non-blocking, backpressure, cancellation, errors) are in the package documentation of {@code io.connectors.spi}
 * and in docs/DEVELOPING.md.
 *
 * <p>Lists, then builds: {@link #getDocs} emits each item as a deferred document (its id and version, from a cheap
 * listing), and the runtime asks {@link #fetch} to build only the new and changed ones, so an unchanged item costs no
 * more than its listing. A backend that returns whole items as cheaply as their ids may emit built documents from
 * {@code getDocs} instead, and drop {@link DeferredSource}.
 *
 * <p>Written by the scaffold: the methods that reach the backend are still to write, and fail saying so.
 */
final class MysqlDataSource implements BaseDataSource, DeferredSource {

    private final MysqlConfig config;
    private final SourceContext context;
    /** Bounds this connector's load on the backend: every request goes through it. */
    private final Throttle throttle;

    MysqlDataSource(MysqlConfig config, SourceContext context) {
        this.config = config;
        this.context = context;
        this.throttle = new Throttle(config.maxConcurrentRequests(), config.requestsPerSecond());
    }

    @Override
    public Mono<Void> ping() {
        // The network policy is checked first, on subscription, so a refused host is never connected to.
        return context.network().check(MysqlConfig.HOST, config.host(), config.port())
                .then(throttle.single(Mono.error(notWritten("ping()", "connect to " + address() + " (a pooled"
                        + " connection, opened on subscription) and make the cheapest authenticated request; when it"
                        + " fails, signal a SourceException whose message names " + address() + " and never the"
                        + " password"))));
    }

    @Override
    public Mono<Void> validateConfig() {
        // The runtime already checked each field against its declaration. Check here what only the backend can tell
        // (the database, collection or space named in the configuration exists), failing with a
        // ConfigValidationException that names the field.
        return Mono.empty();
    }

    @Override
    public Flux<SourceDocument> getDocs(SyncRules rules) {
        return context.network().check(MysqlConfig.HOST, config.host(), config.port())
                .thenMany(throttle.operation(permit -> Flux.<SourceDocument>error(notWritten("getDocs(rules)", "list"
                        + " every item of the backend cheaply, in pages (one throttle.roundTrip() per page), and emit"
                        + " each as SourceDocument.deferred(stableId, changeStamp, state), its id and a version that"
                        + " changes whenever the item does, honouring demand and cancellation; signal onError when the"
                        + " listing is incomplete (a page failed for good), so no deletion is derived from it"))));
    }

    @Override
    public Flux<SourceDocument> fetch(List<SourceDocument> deferred) {
        return context.network().check(MysqlConfig.HOST, config.host(), config.port())
                .thenMany(throttle.operation(permit -> Flux.<SourceDocument>error(notWritten("fetch(deferred)", "read"
                        + " the items of this batch of deferred documents (a few hundred; one request per batch where"
                        + " the backend allows, one throttle.roundTrip() each), and emit each item that still exists as"
                        + " SourceDocument.builder(id).version(versionRead).field(...).build(), with the version of"
                        + " what was read; leave out the items that no longer exist; signal onError when the batch"
                        + " cannot be read (backend unreachable), never complete with items missing"))));
    }

    @Override
    public Mono<Void> close() {
        // Release what this instance opened (a connection pool, a client). Idempotent; never fails.
        return Mono.empty();
    }

    private String address() {
        return config.host() + ":" + config.port();
    }

    private static UnsupportedOperationException notWritten(String method, String whatToDo) {
        return new UnsupportedOperationException("MysqlDataSource." + method + " is not written yet: " + whatToDo
                + ". See docs/DEVELOPING.md.");
    }
}
