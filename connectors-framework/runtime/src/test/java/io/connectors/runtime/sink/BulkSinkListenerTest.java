package io.connectors.runtime.sink;

import static io.connectors.runtime.sink.BulkSinkTest.index;
import static io.connectors.runtime.sink.BulkSinkTest.indexOps;
import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.runtime.config.BulkSinkSettings;
import io.connectors.runtime.ops.DaemonMetrics;
import io.connectors.runtime.sink.BulkSinkTest.FakeClient;
import io.connectors.runtime.sync.SyncStats;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** What a {@link BulkSink.Listener} hears, against the scripted {@link FakeClient} of {@link BulkSinkTest}. */
class BulkSinkListenerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final BulkSinkSettings SMALL = BulkSinkSettings.defaults()
            .withMaxActions(10)
            .withRetries(5, Duration.ofMillis(200), Duration.ofSeconds(30))
            .withFlushInterval(Duration.ofSeconds(1));

    private final SyncStats stats = new SyncStats();
    private final Recording listener = new Recording();

    /** A sink whose jitter waits the whole backoff bound and whose latencies follow (virtual) scheduler time. */
    private BulkSink sink(FakeClient client, BulkSinkSettings settings) {
        return new BulkSink(client, settings, stats, listener, () -> 1.0,
                () -> Schedulers.parallel().now(TimeUnit.NANOSECONDS));
    }

    @Test
    void everyRoundTripIsReportedWithItsLatencyAndSize() {
        FakeClient client = FakeClient.answering((n, ops) ->
                Mono.delay(Duration.ofMillis(40L + 10L * n)).map(x -> FakeClient.ok(n, ops)));

        StepVerifier.withVirtualTime(() -> sink(client, SMALL.withMaxConcurrentRequests(1)).write(indexOps("d", 25)))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(5))
                .expectNextCount(3)
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(listener.events).containsExactly("request 10 ok 40ms", "request 10 ok 50ms", "request 5 ok 60ms");
        assertThat(listener.queued.get()).isEqualTo(indexOps("d", 25).map(BulkOp::sizeBytes)
                .reduce(0L, Long::sum).block());
        assertThat(listener.inFlight()).isZero();
    }

    @Test
    void itemAnswered429IsReportedThrottledThenRetried() {
        FakeClient client = FakeClient.answering((n, ops) -> Mono.just(n == 0
                ? FakeClient.items(ops, op -> op.id().equals("b") ? 429 : 201)
                : FakeClient.ok(n, ops)));

        StepVerifier.withVirtualTime(() -> sink(client, SMALL).write(Flux.just(index("a"), index("b"), index("c"))))
                .expectSubscription()
                .thenAwait(Duration.ofMillis(200))
                .assertNext(r -> assertThat(r).extracting(BatchResult::succeeded, BatchResult::failed)
                        .containsExactly(3, 0))
                .expectComplete()
                .verify(TIMEOUT);

        // The same requests as without a listener: the hooks observe, they do not change behaviour.
        assertThat(client.requests).containsExactly(List.of("a", "b", "c"), List.of("b"));
        assertThat(client.times).containsExactly(0L, 200L);
        assertThat(listener.events).containsExactly("request 3 ok 0ms", "throttled 1", "retry 1", "request 1 ok 0ms");
        assertThat(stats.indexed()).isEqualTo(3);
        assertThat(listener.inFlight()).isZero();
    }

    @Test
    void wholeRequest429IsReportedAsAFailedRoundTripThrottledForEveryOperation() {
        FakeClient client = FakeClient.answering((n, ops) -> n == 0
                ? Mono.delay(Duration.ofMillis(30)).then(Mono.error(
                        new BulkRequestException(429, "_bulk answered 429: circuit_breaking_exception", true)))
                : Mono.just(FakeClient.ok(n, ops)));

        StepVerifier.withVirtualTime(() -> sink(client, SMALL).write(Flux.just(index("a"), index("b"))))
                .expectSubscription()
                .thenAwait(Duration.ofMillis(230))
                .assertNext(r -> assertThat(r.succeeded()).isEqualTo(2))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(listener.events).containsExactly("request 2 failed 30ms", "throttled 2", "retry 2",
                "request 2 ok 0ms");
        assertThat(stats.failed()).isZero();
    }

    @Test
    void noRetryIsReportedOnceTheRetriesAreSpent() {
        FakeClient client = FakeClient.answering((n, ops) ->
                Mono.just(FakeClient.items(ops, op -> op.id().equals("b") ? 503 : 201)));
        BulkSinkSettings settings = SMALL.withRetries(2, Duration.ofMillis(200), Duration.ofMillis(500));

        StepVerifier.withVirtualTime(() -> sink(client, settings).write(Flux.just(index("a"), index("b"))))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(10))
                .assertNext(r -> assertThat(r.failedIds()).containsExactly("b"))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(listener.events).containsExactly("request 2 ok 0ms", "retry 1", "request 1 ok 0ms", "retry 1",
                "request 1 ok 0ms");
        assertThat(listener.inFlight()).isZero();
    }

    @Test
    void aNonRetryableFailureIsReportedAndTheBytesInFlightAreReleased() {
        FakeClient client = FakeClient.answering((n, ops) ->
                Mono.error(new BulkRequestException(401, "_bulk answered 401: security_exception", false)));

        sink(client, SMALL).write(indexOps("d", 25))
                .as(StepVerifier::create)
                .expectError(BulkRequestException.class)
                .verify(TIMEOUT);

        assertThat(listener.events).first().asString().startsWith("request 10 failed");
        assertThat(listener.events).noneMatch(e -> e.startsWith("retry") || e.startsWith("throttled"));
        assertThat(listener.queued.get()).isPositive();
        assertThat(listener.inFlight()).isZero();
    }

    @Test
    void bytesInFlightCoverTheBatchesNotYetAnsweredAndAreReleasedOnCancel() {
        FakeClient client = FakeClient.answering((n, ops) -> Mono.never());
        BulkSinkSettings settings = SMALL.withMaxActions(2).withMaxConcurrentRequests(2);
        long perOp = index("d0").sizeBytes();

        sink(client, settings).write(Flux.concat(indexOps("d", 100), Flux.never()))
                .as(StepVerifier::create)
                .expectSubscription()
                // Two batches in flight and one closed, waiting for a request slot: the sink reads no further.
                .then(() -> assertThat(listener.inFlight()).isEqualTo(6 * perOp))
                .thenCancel()
                .verify(TIMEOUT);

        assertThat(client.requests).hasSize(2);
        assertThat(listener.events).isEmpty();
        assertThat(listener.inFlight()).isZero();
    }

    @Test
    void droppedDocumentsAreNeverQueued() {
        FakeClient client = FakeClient.acceptingAll();
        BulkSinkSettings settings = SMALL.withMaxDocumentBytes(100);

        sink(client, settings).write(Flux.just(index("small", 10), index("huge", 500)))
                .as(StepVerifier::create)
                .expectNextCount(1)
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(listener.queued.get()).isEqualTo(index("small", 10).sizeBytes());
        assertThat(listener.inFlight()).isZero();
    }

    @Test
    void theDaemonMetricsListenerCountsThrottlesRetriesAndLatencies() {
        FakeClient client = FakeClient.answering((n, ops) -> Mono.just(n == 0
                ? FakeClient.statuses(ops, 429)
                : FakeClient.ok(n, ops)));
        try (DaemonMetrics metrics = new DaemonMetrics()) {
            new BulkSink(client, SMALL.withRetries(1, Duration.ofMillis(1), Duration.ofMillis(1)), stats,
                    metrics.bulkListener())
                    .write(Flux.just(index("a"), index("b"), index("c")))
                    .as(StepVerifier::create)
                    .expectNextCount(1)
                    .expectComplete()
                    .verify(TIMEOUT);

            String scrape = metrics.scrape();
            assertThat(scrape).contains("connectors_bulk_throttled_total 3.0", "connectors_bulk_retries_total 3.0",
                    "connectors_bulk_latency_seconds_count{outcome=\"success\"} 2", "connectors_bulk_queue_bytes 0.0");
        }
    }

    /** Records what it hears, in order, as short strings; sums the bytes. */
    static final class Recording implements BulkSink.Listener {
        final List<String> events = new CopyOnWriteArrayList<>();
        final AtomicLong queued = new AtomicLong();
        final AtomicLong resolved = new AtomicLong();

        @Override
        public void onRequest(Duration latency, int operations, boolean ok) {
            events.add("request " + operations + (ok ? " ok " : " failed ") + latency.toMillis() + "ms");
        }

        @Override
        public void onRetry(int operations) {
            events.add("retry " + operations);
        }

        @Override
        public void onThrottled(int operations) {
            events.add("throttled " + operations);
        }

        @Override
        public void onQueued(long bytes) {
            assertThat(bytes).isPositive();
            queued.addAndGet(bytes);
        }

        @Override
        public void onResolved(long bytes) {
            assertThat(bytes).isPositive();
            resolved.addAndGet(bytes);
        }

        long inFlight() {
            return queued.get() - resolved.get();
        }
    }
}
