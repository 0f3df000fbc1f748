package io.connectors.source.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connectors.spi.SourceException;
import io.connectors.spi.network.NetworkPolicy;
import io.connectors.spi.network.NetworkPolicyException;
import io.r2dbc.h2.H2ConnectionFactory;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryMetadata;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The connections of a SQL source against an in-process H2 database: pool life, throttle, checks, retries, close. */
class SqlConnectionsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** Resolves every name to the loopback address: the checks need no name service. */
    private static final NetworkPolicy.Resolver LOOPBACK = host -> List.of(InetAddress.getLoopbackAddress());

    private final String database = "connections-" + UUID.randomUUID();
    /** The database's own factory, counting the connections it opened. */
    private final Counting h2 = new Counting(H2ConnectionFactory.inMemory(database, "sa", "",
            java.util.Map.of(io.r2dbc.h2.H2ConnectionOption.DB_CLOSE_DELAY, "-1")));
    private SqlConnections connections;

    @AfterEach
    void close() {
        if (connections != null) {
            connections.close().block(TIMEOUT);
        }
    }

    private SqlConnections open(PoolSettings settings, NetworkPolicy policy) {
        connections = new SqlConnections("H2", "c1", settings, SqlConnections.checked(h2, policy.withResolver(LOOPBACK),
                "host", "db.example", 9092, c -> Mono.from(c.createStatement("SET @PREPARED = 1").execute())
                        .flatMap(r -> Mono.from(r.getRowsUpdated())).then()), m -> m.replace("s3cret", "********"));
        return connections;
    }

    private static PoolSettings settings(int maxSize, int maxConcurrent, int retries) {
        return new PoolSettings(0, maxSize, Duration.ofMinutes(10), Duration.ofMinutes(30), "VALUES 1",
                Duration.ofSeconds(5), maxConcurrent, 0, retries);
    }

    private static Mono<Integer> value(Connection c, String sql) {
        return Mono.from(c.createStatement(sql).execute()).flatMap(r -> Mono.from(r.map((row, meta) ->
                ((Number) row.get(0)).intValue())));
    }

    @Test
    void thePoolIsCreatedOnFirstUseAndItsConnectionsArePrepared() {
        SqlConnections connections = open(settings(2, 2, 0), NetworkPolicy.defaults());
        assertThat(connections.currentPool()).isEmpty();

        assertThat(connections.withConnection(c -> value(c, "SELECT @PREPARED")).block(TIMEOUT)).isEqualTo(1);
        assertThat(connections.currentPool()).isPresent();
        assertThat(h2.created.get()).isEqualTo(1);
    }

    @Test
    void aReadClosesThePoolWhenTheLastReadInProgressEnds() {
        SqlConnections connections = open(settings(2, 2, 0), NetworkPolicy.defaults());
        Flux<Integer> read = connections.reading(connections.withConnection(c -> value(c, "VALUES 7")).flux());
        Flux<Integer> slow = connections.reading(Flux.interval(Duration.ofMillis(50)).take(4)
                .concatMap(i -> connections.withConnection(c -> value(c, "VALUES " + i))));

        StepVerifier.create(Flux.merge(slow, read.delaySubscription(Duration.ofMillis(20))))
                .expectNextCount(5)
                .verifyComplete();
        assertThat(connections.currentPool()).isEmpty();

        // Cancelled, too; and the next use opens a new pool.
        StepVerifier.create(connections.reading(Flux.range(0, 100)
                        .concatMap(i -> connections.withConnection(c -> value(c, "VALUES 1")))), 1)
                .expectNext(1)
                .thenCancel()
                .verify(TIMEOUT);
        assertThat(connections.currentPool()).isEmpty();
        assertThat(connections.withConnection(c -> value(c, "VALUES 2")).block(TIMEOUT)).isEqualTo(2);
        assertThat(connections.currentPool()).isPresent();
    }

    @Test
    void anOwnConnectionIsNotPooled() {
        SqlConnections connections = open(settings(2, 2, 0), NetworkPolicy.defaults());
        assertThat(connections.withOwnConnection(c -> value(c, "SELECT @PREPARED")).block(TIMEOUT)).isEqualTo(1);
        assertThat(connections.currentPool()).isEmpty();
    }

    @Test
    void queriesRunNoMoreAtOnceThanTheThrottleAllows() {
        for (int allowed : new int[] {1, 3}) {
            SqlConnections connections = open(settings(4, allowed, 0), NetworkPolicy.defaults());
            AtomicInteger running = new AtomicInteger();
            AtomicInteger most = new AtomicInteger();
            Flux.range(0, 12)
                    .flatMap(i -> connections.withConnection(c -> Mono.fromRunnable(() ->
                                    most.accumulateAndGet(running.incrementAndGet(), Math::max))
                            .then(Mono.delay(Duration.ofMillis(30)))
                            .doOnTerminate(running::decrementAndGet)))
                    .blockLast(TIMEOUT);
            assertThat(most.get()).as("at most %d at once", allowed).isEqualTo(allowed);
            connections.close().block(TIMEOUT);
        }
    }

    @Test
    void aHostThePolicyRefusesIsNeverConnectedTo() {
        SqlConnections connections = open(settings(2, 2, 0), NetworkPolicy.of(List.of(), List.of("127.0.0.1")));
        assertThatThrownBy(() -> connections.withConnection(c -> value(c, "VALUES 1")).block(TIMEOUT))
                .isInstanceOf(NetworkPolicyException.class)
                .hasMessageContaining("host");
        assertThat(h2.created.get()).isZero();
    }

    @Test
    void aConnectionThatFailsItsPreparationIsClosedAndTheFailureReported() {
        Counting counting = h2;
        ConnectionFactory failing = SqlConnections.checked(counting, NetworkPolicy.defaults().withResolver(LOOPBACK),
                "host", "db.example", 9092, c -> Mono.from(c.createStatement("SET NO_SUCH_SETTING 1").execute()).then());
        assertThatThrownBy(() -> Mono.from(failing.create()).block(TIMEOUT)).hasMessageContaining("NO_SUCH_SETTING");
        assertThat(counting.created.get()).isEqualTo(1);
        assertThat(counting.closed.get()).isEqualTo(1);
        assertThat(failing.getMetadata().getName()).isEqualTo(counting.getMetadata().getName());
    }

    @Test
    void aLostConnectionIsRetriedWithItsLastFailureReportedWhenRetriesRunOut() {
        SqlConnections connections = open(settings(2, 2, 2), NetworkPolicy.defaults());
        AtomicInteger attempts = new AtomicInteger();
        // Each failing attempt really loses its connection: it closes it, then uses it.
        Mono<Integer> flaky = connections.withConnection(c -> attempts.incrementAndGet() <= 2
                ? Mono.from(c.close()).then(Mono.defer(() -> value(c, "VALUES 1"))) : value(c, "VALUES 42"));
        assertThat(flaky.retryWhen(connections.retry(e -> true, "reading t", "from the last row read")).block(TIMEOUT))
                .isEqualTo(42);
        assertThat(attempts.get()).isEqualTo(3);

        attempts.set(0);
        Mono<Integer> broken = connections.withConnection(c -> {
            attempts.incrementAndGet();
            return Mono.error(new IllegalStateException("attempt " + attempts.get() + " s3cret"));
        });
        assertThatThrownBy(() -> broken.retryWhen(connections.retry(e -> true, "reading t", "again")).block(TIMEOUT))
                .isInstanceOf(IllegalStateException.class).hasMessage("attempt 3 s3cret");

        attempts.set(0);
        assertThatThrownBy(() -> broken.retryWhen(connections.retry(e -> false, "reading t", "again")).block(TIMEOUT))
                .hasMessage("attempt 1 s3cret");
    }

    @Test
    void closingClosesThePoolOnceAndRefusesLaterUse() {
        SqlConnections connections = open(settings(2, 2, 0), NetworkPolicy.defaults());
        connections.withConnection(c -> value(c, "VALUES 1")).block(TIMEOUT);
        var pool = connections.currentPool().orElseThrow();

        StepVerifier.create(connections.close()).verifyComplete();
        StepVerifier.create(connections.close()).verifyComplete();
        assertThat(pool.isDisposed()).isTrue();
        assertThatThrownBy(() -> connections.withConnection(c -> value(c, "VALUES 1")).block(TIMEOUT))
                .isInstanceOf(SourceException.class)
                .hasMessage("the H2 source of connector c1 was closed");
        assertThatThrownBy(() -> connections.withOwnConnection(c -> value(c, "VALUES 1")).block(TIMEOUT))
                .hasMessage("the H2 source of connector c1 was closed");
    }

    /** A factory that counts the connections it opened and closed. */
    private static final class Counting implements ConnectionFactory {
        final ConnectionFactory delegate;
        final AtomicInteger created = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();

        Counting(ConnectionFactory delegate) {
            this.delegate = delegate;
        }

        @Override
        public Publisher<? extends Connection> create() {
            return Mono.from(delegate.create()).doOnNext(c -> created.incrementAndGet())
                    .map(c -> (Connection) java.lang.reflect.Proxy.newProxyInstance(Connection.class.getClassLoader(),
                            new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                                Object result = method.invoke(c, args);
                                if (method.getName().equals("close")) {
                                    return Mono.from((Publisher<?>) result).doOnTerminate(closed::incrementAndGet);
                                }
                                return result;
                            }));
        }

        @Override
        public ConnectionFactoryMetadata getMetadata() {
            return delegate.getMetadata();
        }
    }
}
