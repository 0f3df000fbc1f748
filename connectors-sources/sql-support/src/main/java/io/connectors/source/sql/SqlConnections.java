package io.connectors.source.sql;

import io.connectors.spi.SourceException;
import io.connectors.spi.network.NetworkPolicy;
import io.connectors.spi.support.Throttle;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryMetadata;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * The connections of one SQL source instance: a pool created on first use and closed once no read is in progress
 * ({@link #reading}) and by {@link #close()}, every query under the source's {@link Throttle}, and the retry of a
 * query that lost its connection ({@link #retry}).
 *
 * <p>Connections come from a {@link #checked} factory: the network policy is asked for each new connection (not each
 * use of a pooled one), so a host whose name now resolves elsewhere is checked again.
 */
public final class SqlConnections {
    private static final Logger LOG = LoggerFactory.getLogger(SqlConnections.class);
    static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    private final String source;
    private final String connectorId;
    private final PoolSettings settings;
    private final ConnectionFactory checked;
    private final UnaryOperator<String> scrub;
    private final Throttle throttle;
    private final AtomicReference<ConnectionPool> pool = new AtomicReference<>();
    private final AtomicInteger readsInProgress = new AtomicInteger();
    private volatile boolean closed;

    /**
     * @param source      the source's name in messages ("MySQL")
     * @param connectorId the connector's id, for the pool's name and log lines
     * @param checked     the driver's factory behind the network policy ({@link #checked})
     * @param scrub       removes secrets from a message, should a driver ever quote one
     */
    public SqlConnections(String source, String connectorId, PoolSettings settings, ConnectionFactory checked,
                          UnaryOperator<String> scrub) {
        this.source = source;
        this.connectorId = connectorId;
        this.settings = settings;
        this.checked = checked;
        this.scrub = scrub;
        this.throttle = new Throttle(settings.maxConcurrentQueries(), settings.queriesPerSecond());
    }

    /**
     * {@code factory}, whose connections are opened only once {@code policy} allowed {@code host} (the value of the
     * configuration field {@code hostField}) and are then prepared by {@code prepare} (a session setting, say); a
     * connection that fails its preparation is closed.
     */
    // tag::network-check[]
    public static ConnectionFactory checked(ConnectionFactory factory, NetworkPolicy policy, String hostField,
                                            String host, int port, Function<Connection, Mono<Void>> prepare) {
        return new ConnectionFactory() {
            @Override
            public Publisher<? extends Connection> create() {
                return policy.check(hostField, host, port)
                        .then(Mono.defer(() -> Mono.from(factory.create())))
                        .flatMap(c -> prepare.apply(c).thenReturn((Connection) c)
                                // The preparation's failure is the one reported; a close failing after it adds nothing.
                                .onErrorResume(e -> Mono.from(c.close()).onErrorResume(x -> Mono.empty())
                                        .then(Mono.error(e))));
            }

            @Override
            public ConnectionFactoryMetadata getMetadata() {
                return factory.getMetadata();
            }
        };
    }
    // end::network-check[]

    /** Runs {@code work} on a pooled connection, under the throttle; the connection goes back to the pool after. */
    public <T> Mono<T> withConnection(Function<Connection, Mono<T>> work) {
        return on(() -> pool().create(), work);
    }

    /**
     * Runs {@code work} on a connection of its own, closed afterwards rather than pooled: rule checks open and roll
     * back transactions, and a check cancelled at the wrong moment could otherwise hand the pool a connection still
     * inside one.
     */
    public <T> Mono<T> withOwnConnection(Function<Connection, Mono<T>> work) {
        return on(() -> {
            ensureOpen();
            return checked.create();
        }, work);
    }

    /** {@code work} on a connection from {@code connect}, under the throttle, closed (or released) whatever happens. */
    // tag::throttle[]
    private <T> Mono<T> on(Supplier<Publisher<? extends Connection>> connect, Function<Connection, Mono<T>> work) {
        return throttle.single(Mono.usingWhen(Mono.defer(() -> Mono.from(connect.get())), work,
                c -> Mono.from(c.close()), (c, e) -> Mono.from(c.close()), c -> Mono.from(c.close())));
    }
    // end::throttle[]

    /**
     * A read that holds the pool's connections only while it runs: once the last read in progress ends (completed,
     * failed or cancelled), the pool is closed, and the next use opens a new one. Connections do not linger on the
     * server for {@code pool_max_idle_time} after a cancelled sync.
     */
    public <T> Flux<T> reading(Flux<T> read) {
        return Flux.defer(() -> {
            readsInProgress.incrementAndGet();
            AtomicBoolean ended = new AtomicBoolean();
            // Before the end is signalled downstream (not doFinally, which runs after): whoever reacts to the end may
            // use the source again at once, and must get a new pool rather than this one being closed under it.
            Runnable end = () -> {
                if (ended.compareAndSet(false, true) && readsInProgress.decrementAndGet() == 0) {
                    ConnectionPool p = pool.getAndSet(null);
                    if (p != null) {
                        p.disposeLater().subscribe(null, e -> LOG.debug("Connector {}: closing the pool after a read: {}",
                                connectorId, scrub.apply(e.toString())));
                    }
                }
            };
            return read.doOnTerminate(end).doOnCancel(end);
        });
    }

    /**
     * The retry of a query that failed with a lost connection ({@code lost}): {@code retries} times with back-off, each
     * logged with what was being done and what the retry does ("from the last row read"); then the last failure.
     */
    public Retry retry(Predicate<Throwable> lost, String what, String retrying) {
        return Retry.backoff(settings.retries(), FIRST_BACKOFF).maxBackoff(MAX_BACKOFF)
                .filter(lost)
                .doBeforeRetry(signal -> LOG.warn("Connector {}: lost the connection while {} ({}); retrying {}"
                                + " (attempt {} of {})", connectorId, what,
                        scrub.apply(String.valueOf(signal.failure().getMessage())), retrying,
                        signal.totalRetries() + 1, settings.retries()))
                .onRetryExhaustedThrow((spec, signal) -> signal.failure());
    }

    /** The pool, created on first use. */
    private ConnectionPool pool() {
        ensureOpen();
        ConnectionPool p = pool.get();
        if (p == null) {
            ConnectionPool created = settings.pool("connectors-" + connectorId, checked);
            if (pool.compareAndSet(null, created)) {
                p = created;
            } else {
                created.dispose();
                p = pool.get();
            }
        }
        return p;
    }

    private void ensureOpen() {
        if (closed) {
            throw new SourceException("the " + source + " source of connector " + connectorId + " was closed");
        }
    }

    /** Closes the pool (within the connect timeout; a failure is logged, not raised); no connection is opened after. */
    // tag::close[]
    public Mono<Void> close() {
        return Mono.defer(() -> {
            closed = true;
            ConnectionPool p = pool.getAndSet(null);
            if (p == null) {
                return Mono.<Void>empty();
            }
            return p.disposeLater()
                    .timeout(settings.connectTimeout())
                    .onErrorResume(e -> {
                        LOG.warn("Connector {}: closing the {} pool failed: {}", connectorId, source,
                                scrub.apply(e.toString()));
                        return Mono.empty();
                    });
        });
    }
    // end::close[]

    /** The pool, when created: for tests. */
    public Optional<ConnectionPool> currentPool() {
        return Optional.ofNullable(pool.get());
    }
}
