package io.connectors.runtime.sink;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.connectors.runtime.config.BulkSinkSettings;
import io.connectors.runtime.sync.SyncStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.publisher.PublisherProbe;
import reactor.test.scheduler.VirtualTimeScheduler;

class BulkSinkTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final BulkSinkSettings SMALL = BulkSinkSettings.defaults()
            .withMaxActions(10)
            .withRetries(5, Duration.ofMillis(200), Duration.ofSeconds(30))
            .withFlushInterval(Duration.ofSeconds(1))
            // 429s stop at max_retries like the other failures, unless a test gives them time.
            .withMaxThrottledTime(Duration.ZERO);

    private final SyncStats stats = new SyncStats();

    // ---------------------------------------------------------------- batching

    @Test
    void batchesByCount() {
        FakeClient client = FakeClient.acceptingAll();
        BulkSink sink = new BulkSink(client, SMALL, stats);

        sink.write(indexOps("d", 25))
                .as(StepVerifier::create)
                .assertNext(r -> assertThat(r).extracting(BatchResult::sequence, BatchResult::ops, BatchResult::succeeded)
                        .containsExactly(0L, 10, 10))
                .assertNext(r -> assertThat(r.ops()).isEqualTo(10))
                .assertNext(r -> assertThat(r).extracting(BatchResult::sequence, BatchResult::ops).containsExactly(2L, 5))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(client.requestSizes()).containsExactly(10, 10, 5);
        assertThat(stats.indexed()).isEqualTo(25);
    }

    @Test
    void batchesByBytesAndSendsAnOversizedButAllowedOperationAlone() {
        FakeClient client = FakeClient.acceptingAll();
        // Each op: 100 bytes of source + 2 of id + 64 of action line = 166 bytes; 3 of them exceed 400.
        BulkSink sink = new BulkSink(client, SMALL.withMaxBytes(400), stats);
        Flux<BulkOp> ops = Flux.just(index("a1", 100), index("a2", 100), index("a3", 100), index("a4", 100),
                index("b1", 600), index("c1", 100));

        sink.write(ops).as(StepVerifier::create).expectNextCount(4).expectComplete().verify(TIMEOUT);

        assertThat(client.requests).containsExactly(List.of("a1", "a2"), List.of("a3", "a4"), List.of("b1"),
                List.of("c1"));
        assertThat(stats.indexed()).isEqualTo(6);
    }

    @Test
    void flushIntervalSendsThePartialBatchOfASlowSource() {
        FakeClient client = FakeClient.acceptingAll();
        BulkSinkSettings settings = SMALL.withMaxActions(100);

        StepVerifier.withVirtualTime(() -> new BulkSink(client, settings, stats).write(Flux.concat(
                        Flux.just(index("a"), index("b"), index("c")),
                        Mono.delay(Duration.ofSeconds(5)).map(x -> index("d")),
                        Flux.never())))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(999))
                .then(() -> assertThat(client.requests).isEmpty())
                .thenAwait(Duration.ofMillis(1))
                .assertNext(r -> assertThat(r.succeeded()).isEqualTo(3))
                .then(() -> assertThat(client.requests).containsExactly(List.of("a", "b", "c")))
                // "d" arrives at 5s and waits one flush interval.
                .expectNoEvent(Duration.ofMillis(4999))
                .thenAwait(Duration.ofMillis(1))
                .assertNext(r -> assertThat(r.sequence()).isEqualTo(1))
                .then(() -> assertThat(client.requests).containsExactly(List.of("a", "b", "c"), List.of("d")))
                .thenCancel()
                .verify(TIMEOUT);
    }

    @Test
    void flushIntervalBoundsTheWaitEvenWhenOperationsKeepTrickling() {
        FakeClient client = FakeClient.acceptingAll();
        BulkSinkSettings settings = SMALL.withMaxActions(100);

        // One op every 300ms never leaves 1s idle; the batch is still sent 1s after its first op.
        StepVerifier.withVirtualTime(() -> new BulkSink(client, settings, stats)
                        .write(Flux.interval(Duration.ofMillis(300)).map(i -> index("t" + i))))
                .expectSubscription()
                .thenAwait(Duration.ofMillis(1299))
                .then(() -> assertThat(client.requests).isEmpty())
                .thenAwait(Duration.ofMillis(1))
                .assertNext(r -> assertThat(r.ops()).isEqualTo(4))
                .thenAwait(Duration.ofMillis(1200))
                .assertNext(r -> assertThat(r.ops()).isEqualTo(4))
                .thenCancel()
                .verify(TIMEOUT);

        assertThat(client.requests).containsExactly(List.of("t0", "t1", "t2", "t3"), List.of("t4", "t5", "t6", "t7"));
    }

    @Test
    void aBatchFlushedWithoutDemandWaitsForIt() {
        BulkSinkSettings settings = SMALL.withMaxActions(100);
        Flux<BulkOp> source = Flux.concat(Flux.just(index("a"), index("b")),
                Mono.delay(Duration.ofSeconds(2)).map(x -> index("c")), Flux.never());

        StepVerifier.withVirtualTime(
                        () -> new Batcher(source, settings, Schedulers.parallel(), new WriteRun(settings, stats)), 1)
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(1))
                .assertNext(b -> assertThat(b.ops()).extracting(BulkOp::id).containsExactly("a", "b"))
                // "c" arrives at 2s and its batch is closed at 3s, with no demand: it waits, nothing overflows.
                .expectNoEvent(Duration.ofSeconds(10))
                .thenRequest(1)
                .assertNext(b -> assertThat(b.ops()).extracting(BulkOp::id).containsExactly("c"))
                .thenCancel()
                .verify(TIMEOUT);
    }

    @Test
    void anUpstreamErrorFailsTheWrite() {
        FakeClient client = FakeClient.acceptingAll();
        new BulkSink(client, SMALL, stats)
                .write(Flux.concat(indexOps("d", 10), Flux.error(new IllegalStateException("source broke"))))
                .as(StepVerifier::create)
                .expectNextCount(1)
                .expectErrorMessage("source broke")
                .verify(TIMEOUT);
    }

    // ---------------------------------------------------------------- backpressure and concurrency

    @Test
    void pullsFromUpstreamOnlyAsBatchesCanBeSent() {
        FakeClient client = FakeClient.acceptingAll();
        BulkSinkSettings settings = SMALL.withMaxActions(10).withMaxConcurrentRequests(2);
        AtomicLong requested = new AtomicLong();
        AtomicLong emitted = new AtomicLong();
        Flux<BulkOp> source = indexOps("d", 10_000)
                .doOnRequest(requested::addAndGet)
                .doOnNext(op -> emitted.incrementAndGet());
        // In flight (here: answered, results waiting for the subscriber) plus the one being prepared.
        long perStep = (long) settings.maxActions();
        long ahead = (settings.maxConcurrentRequests() + 1L) * perStep + 1;

        StepVerifier.Step<BatchResult> step = new BulkSink(client, settings, stats).write(source)
                .as(s -> StepVerifier.create(s, 0))
                .expectSubscription()
                .then(() -> {
                    assertThat(emitted.get()).isEqualTo(30).isLessThanOrEqualTo(ahead);
                    assertThat(requested.get()).isLessThanOrEqualTo(ahead);
                });
        for (int i = 1; i <= 20; i++) {
            long consumed = i;
            step = step.thenRequest(1)
                    .expectNextCount(1)
                    .then(() -> {
                        assertThat(emitted.get()).isBetween(consumed * perStep, consumed * perStep + ahead);
                        assertThat(requested.get()).isLessThanOrEqualTo(consumed * perStep + ahead);
                        assertThat(client.requests.size()).isLessThanOrEqualTo((int) consumed + 2);
                    });
        }
        step.thenCancel().verify(TIMEOUT);
        assertThat(emitted.get()).isLessThan(300);
    }

    @Test
    void neverMoreRequestsInFlightThanAllowed() {
        // Uneven response times so that completions interleave.
        FakeClient client = FakeClient.answering((n, ops) ->
                Mono.delay(Duration.ofMillis(100L + (n * 37L) % 400)).map(x -> FakeClient.ok(n, ops)));
        BulkSinkSettings settings = SMALL.withMaxActions(1).withMaxConcurrentRequests(3);

        StepVerifier.withVirtualTime(() -> new BulkSink(client, settings, stats).write(indexOps("d", 60)))
                .expectSubscription()
                .thenAwait(Duration.ofMinutes(1))
                .expectNextCount(60)
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(client.requests).hasSize(60);
        assertThat(client.maxInFlight.get()).isEqualTo(3);
    }

    @Test
    void everyOperationIsSentExactlyOnceWhenSignalsRaceAcrossThreads() {
        // Upstream, answers and flush timers on different threads; a tiny flush interval races the count cut.
        FakeClient client = FakeClient.answering((n, ops) ->
                Mono.fromCallable(() -> FakeClient.ok(n, ops)).subscribeOn(Schedulers.parallel()));
        BulkSinkSettings settings = SMALL.withMaxActions(50).withMaxConcurrentRequests(4)
                .withFlushInterval(Duration.ofNanos(20_000));
        int total = 50_000;
        AtomicLong expectedSequence = new AtomicLong();
        AtomicLong resolved = new AtomicLong();

        new BulkSink(client, settings, stats)
                .write(indexOps("d", total).publishOn(Schedulers.boundedElastic(), 64))
                .doOnNext(r -> {
                    assertThat(r.sequence()).isEqualTo(expectedSequence.getAndIncrement());
                    resolved.addAndGet(r.ops());
                })
                .then()
                .as(StepVerifier::create)
                .expectComplete()
                .verify(Duration.ofSeconds(60));

        assertThat(resolved.get()).isEqualTo(total);
        List<String> sent = client.requests.stream().flatMap(List::stream).toList();
        assertThat(sent).hasSize(total).doesNotHaveDuplicates();
        assertThat(stats.indexed()).isEqualTo(total);
        assertThat(client.maxInFlight.get()).isLessThanOrEqualTo(4);
    }

    @Test
    void resultsComeInTheOrderBatchesWereFormed() {
        long[] delays = {3000, 1000, 2000, 500, 100};
        FakeClient client = FakeClient.answering((n, ops) ->
                Mono.delay(Duration.ofMillis(delays[n])).map(x -> FakeClient.ok(n, ops)));
        BulkSinkSettings settings = SMALL.withMaxActions(2).withMaxConcurrentRequests(3);

        StepVerifier.withVirtualTime(() -> new BulkSink(client, settings, stats).write(indexOps("d", 10)))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(10))
                .expectNextMatches(r -> r.sequence() == 0)
                .expectNextMatches(r -> r.sequence() == 1)
                .expectNextMatches(r -> r.sequence() == 2)
                .expectNextMatches(r -> r.sequence() == 3)
                .expectNextMatches(r -> r.sequence() == 4)
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void aResultIsNotEmittedBeforeEveryEarlierBatchIsResolved() {
        long[] delays = {3000, 100};
        FakeClient client = FakeClient.answering((n, ops) ->
                Mono.delay(Duration.ofMillis(delays[n])).map(x -> FakeClient.ok(n, ops)));
        BulkSinkSettings settings = SMALL.withMaxActions(1).withMaxConcurrentRequests(2);

        StepVerifier.withVirtualTime(() -> new BulkSink(client, settings, stats)
                        .write(Flux.just(index("slow"), index("fast"))))
                .expectSubscription()
                .thenAwait(Duration.ofMillis(100))
                .then(() -> assertThat(stats.indexed()).isEqualTo(1))
                .expectNoEvent(Duration.ofMillis(2899))
                .thenAwait(Duration.ofMillis(1))
                .expectNextCount(2)
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void cancellingCancelsTheInFlightRequestAndTheUpstream() {
        PublisherProbe<List<ItemResult>> response = PublisherProbe.of(Mono.never());
        PublisherProbe<BulkOp> upstream = PublisherProbe.of(Flux.concat(indexOps("d", 3), Flux.never()));
        FakeClient client = FakeClient.answering((n, ops) -> response.mono());

        new BulkSink(client, SMALL.withMaxActions(3), stats).write(upstream.flux())
                .as(StepVerifier::create)
                .expectSubscription()
                .then(() -> assertThat(client.requests).hasSize(1))
                .then(response::assertWasSubscribed)
                .thenCancel()
                .verify(TIMEOUT);

        response.assertWasCancelled();
        upstream.assertWasCancelled();
        assertThat(client.inFlight.get()).isZero();
    }

    @Test
    void cancellingDuringABackoffSendsNothingMore() {
        FakeClient client = FakeClient.answering((n, ops) -> Mono.just(FakeClient.statuses(ops, 429)));
        VirtualTimeScheduler time = VirtualTimeScheduler.getOrSet();
        try {
            Disposable write = new BulkSink(client, SMALL, stats, () -> 1.0).write(indexOps("d", 3)).subscribe();
            time.advanceTimeBy(Duration.ofMillis(100));
            assertThat(client.requests).hasSize(1);

            write.dispose();
            time.advanceTimeBy(Duration.ofMinutes(1));

            assertThat(client.requests).hasSize(1);
        } finally {
            VirtualTimeScheduler.reset();
        }
    }

    // ---------------------------------------------------------------- retries

    @Test
    void itemAnswered429IsResentAloneAfterTheBackoff() {
        FakeClient client = FakeClient.answering((n, ops) -> Mono.just(n == 0
                ? FakeClient.items(ops, op -> op.id().equals("b") ? 429 : 201)
                : FakeClient.ok(n, ops)));

        StepVerifier.withVirtualTime(() -> new BulkSink(client, SMALL, stats, () -> 1.0)
                        .write(Flux.just(index("a"), index("b"), index("c"))))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(199))
                .then(() -> assertThat(client.requests).hasSize(1))
                .thenAwait(Duration.ofMillis(1))
                .assertNext(r -> assertThat(r).extracting(BatchResult::succeeded, BatchResult::failed)
                        .containsExactly(3, 0))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(client.requests).containsExactly(List.of("a", "b", "c"), List.of("b"));
        assertThat(client.times).containsExactly(0L, 200L);
        assertThat(stats.indexed()).isEqualTo(3);
        assertThat(stats.failed()).isZero();
    }

    @Test
    void backoffIsExponentialBoundedAndThenTheItemFails() {
        FakeClient client = FakeClient.answering((n, ops) ->
                Mono.just(FakeClient.items(ops, op -> op.id().equals("b") ? 503 : 201)));
        BulkSinkSettings settings = SMALL.withRetries(4, Duration.ofMillis(200), Duration.ofMillis(500));

        StepVerifier.withVirtualTime(() -> new BulkSink(client, settings, stats, () -> 1.0)
                        .write(Flux.just(index("a"), index("b"))))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(10))
                .assertNext(r -> {
                    assertThat(r).extracting(BatchResult::succeeded, BatchResult::failed).containsExactly(1, 1);
                    assertThat(r.failedIds()).containsExactly("b");
                })
                .expectComplete()
                .verify(TIMEOUT);

        // 200, 400, then capped at 500.
        assertThat(client.times).containsExactly(0L, 200L, 600L, 1100L, 1600L);
        assertThat(client.requests).hasSize(5);
        assertThat(stats.failed()).isEqualTo(1);
        assertThat(stats.indexed()).isEqualTo(1);
    }

    @Test
    void randomJitterStaysWithinTheBound() {
        for (int run = 0; run < 20; run++) {
            FakeClient client = FakeClient.answering((n, ops) ->
                    Mono.just(n == 0 ? FakeClient.statuses(ops, 429) : FakeClient.ok(n, ops)));
            SyncStats s = new SyncStats();

            StepVerifier.withVirtualTime(() -> new BulkSink(client, SMALL, s).write(Flux.just(index("a"))))
                    .expectSubscription()
                    .thenAwait(Duration.ofMillis(200))
                    .expectNextCount(1)
                    .expectComplete()
                    .verify(TIMEOUT);

            assertThat(client.times).hasSize(2);
            assertThat(client.times.get(1)).isBetween(0L, 200L);
        }
    }

    @Test
    void backoffBounds() {
        BulkSinkSettings settings = SMALL.withRetries(5, Duration.ofMillis(200), Duration.ofSeconds(30));
        Backoff max = new Backoff(settings, () -> 1.0);
        Backoff half = new Backoff(settings, () -> 0.5);

        assertThat(max.delay(1)).isEqualTo(Duration.ofMillis(200));
        assertThat(max.delay(2)).isEqualTo(Duration.ofMillis(400));
        assertThat(max.delay(8)).isEqualTo(Duration.ofMillis(25_600));
        assertThat(max.delay(9)).isEqualTo(Duration.ofSeconds(30));
        assertThat(max.delay(500)).isEqualTo(Duration.ofSeconds(30));
        assertThat(half.delay(3)).isEqualTo(Duration.ofMillis(400));
    }

    @Test
    void wholeRequest503IsRetried() {
        FakeClient client = FakeClient.answering((n, ops) -> n == 0
                ? Mono.error(new BulkRequestException(503, "_bulk answered 503", true))
                : Mono.just(FakeClient.ok(n, ops)));

        StepVerifier.withVirtualTime(() -> new BulkSink(client, SMALL, stats, () -> 1.0)
                        .write(Flux.just(index("a"), index("b"))))
                .expectSubscription()
                .thenAwait(Duration.ofMillis(200))
                .assertNext(r -> assertThat(r.succeeded()).isEqualTo(2))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(client.requests).containsExactly(List.of("a", "b"), List.of("a", "b"));
        assertThat(stats.failed()).isZero();
    }

    @Test
    void wholeRequestFailingRetryablyUntilTheEndCountsEveryItemFailed() {
        FakeClient client = FakeClient.answering((n, ops) ->
                Mono.error(new BulkRequestException(0, "_bulk got no response: connection refused", true)));
        BulkSinkSettings settings = SMALL.withRetries(2, Duration.ofMillis(200), Duration.ofSeconds(1));

        StepVerifier.withVirtualTime(() -> new BulkSink(client, settings, stats, () -> 1.0)
                        .write(Flux.just(index("a"), index("b"))))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(5))
                .assertNext(r -> assertThat(r.failedIds()).containsExactly("a", "b"))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(client.requests).hasSize(3);
        assertThat(stats.failed()).isEqualTo(2);
    }

    @Test
    void nonRetryableItemErrorIsCountedFailedAndNotRetried() {
        FakeClient client = FakeClient.answering((n, ops) ->
                Mono.just(FakeClient.items(ops, op -> op.id().equals("b") ? 400 : 201)));

        StepVerifier.withVirtualTime(() -> new BulkSink(client, SMALL, stats)
                        .write(Flux.just(index("a"), index("b"), index("c"))))
                .expectSubscription()
                .assertNext(r -> {
                    assertThat(r).extracting(BatchResult::ops, BatchResult::succeeded, BatchResult::failed)
                            .containsExactly(3, 2, 1);
                    assertThat(r.failedIds()).containsExactly("b");
                })
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(client.requests).hasSize(1);
        assertThat(stats.failed()).isEqualTo(1);
        assertThat(stats.indexed()).isEqualTo(2);
    }

    @Test
    void failedDocumentsAreSampledWithIdOperationTypeAndASanitizedReason() {
        FakeClient client = FakeClient.answering((n, ops) ->
                Mono.just(FakeClient.items(ops, op -> op.id().startsWith("bad") ? 400 : op.id().equals("busy") ? 429 : 201)));

        StepVerifier.withVirtualTime(() -> new BulkSink(client, SMALL.withRetries(1, Duration.ofMillis(200), Duration.ofSeconds(1)), stats)
                        .write(Flux.just(index("a"), index("bad1"), new BulkOp.Delete("bad2"), index("busy"))))
                .thenAwait(Duration.ofMinutes(1))
                .expectNextCount(1)
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(stats.failedSamples()).containsExactly(
                new SyncStats.DocumentProblem("bad1", "index", 400, "mapper_parsing_exception",
                        "failed to parse field [secret] of type [long] in document with id 'bad1'."),
                new SyncStats.DocumentProblem("bad2", "delete", 400, "mapper_parsing_exception",
                        "failed to parse field [secret] of type [long] in document with id 'bad2'."),
                new SyncStats.DocumentProblem("busy", "index", 429, "es_rejected_execution_exception",
                        "rejected execution of coordinating operation"));
        assertThat(stats.failedSamples()).noneMatch(p -> p.reason().contains("SECRET"));
        assertThat(stats.droppedSamples()).isEmpty();
    }

    @Test
    void failedDocumentSamplesAreBounded() {
        FakeClient client = FakeClient.answering((n, ops) -> Mono.just(FakeClient.statuses(ops, 400)));

        new BulkSink(client, SMALL.withMaxActions(100).withErrorBreaker(0, 0, 0, 1000), stats)
                .write(indexOps("d", 500))
                .as(StepVerifier::create)
                .expectNextCount(5)
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(stats.failed()).isEqualTo(500);
        assertThat(stats.failedSamples()).hasSize(SyncStats.MAX_SAMPLES);
        assertThat(stats.failedSamples().get(0).id()).isEqualTo("d0");
    }

    @Test
    void nonRetryableWholeRequestErrorFailsTheWrite() {
        FakeClient client = FakeClient.answering((n, ops) ->
                Mono.error(new BulkRequestException(401, "_bulk answered 401: security_exception", false)));

        new BulkSink(client, SMALL, stats).write(indexOps("d", 5))
                .as(StepVerifier::create)
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(BulkRequestException.class)
                        .hasMessageContaining("401"))
                .verify(TIMEOUT);

        assertThat(client.requests).hasSize(1);
    }

    // ---------------------------------------------------------------- error breaker

    @Test
    void breakerTripsOnTotalErrors() {
        FakeClient client = FakeClient.answering((n, ops) -> Mono.just(FakeClient.statuses(ops, 400)));
        AtomicLong emitted = new AtomicLong();
        BulkSinkSettings settings = SMALL.withMaxActions(5).withMaxConcurrentRequests(1)
                .withErrorBreaker(6, 0, 0, 1000);

        new BulkSink(client, settings, stats)
                .write(indexOps("d", 1000).doOnNext(op -> emitted.incrementAndGet()))
                .as(StepVerifier::create)
                .assertNext(r -> assertThat(r.failed()).isEqualTo(5))
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOfSatisfying(ErrorBreakerTrippedException.class,
                                t -> assertThat(t.limit()).isEqualTo(ErrorBreakerTrippedException.Limit.TOTAL))
                        .hasMessageStartingWith("Error breaker tripped: 7 documents failed, more than "
                                + "bulk.error_breaker.max_errors=6 (last error: mapper_parsing_exception (status 400)"))
                .verify(TIMEOUT);

        assertThat(emitted.get()).as("the sync stops early").isLessThanOrEqualTo(16);
    }

    @Test
    void breakerTripsOnConsecutiveErrors() {
        FakeClient client = FakeClient.answering((n, ops) ->
                Mono.just(FakeClient.items(ops, op -> op.id().startsWith("bad") ? 400 : 201)));
        BulkSinkSettings settings = SMALL.withMaxActions(100).withErrorBreaker(0, 3, 0, 1000);
        Flux<BulkOp> ops = Flux.just("ok1", "bad1", "bad2", "bad3", "ok2", "bad4", "bad5", "bad6", "bad7", "ok3")
                .map(BulkSinkTest::index);

        new BulkSink(client, settings, stats).write(ops)
                .as(StepVerifier::create)
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOfSatisfying(ErrorBreakerTrippedException.class,
                                t -> assertThat(t.limit()).isEqualTo(ErrorBreakerTrippedException.Limit.CONSECUTIVE))
                        .hasMessageStartingWith("Error breaker tripped: 4 documents failed in a row, more than "
                                + "bulk.error_breaker.max_consecutive_errors=3"))
                .verify(TIMEOUT);
    }

    @Test
    void breakerTripsOnErrorRateOnlyOnceTheWindowIsFull() {
        // fail, fail, ok, fail, fail, ok...: 67% failures, checked from the 10th outcome on.
        FakeClient client = FakeClient.answering((n, ops) ->
                Mono.just(FakeClient.items(ops, op -> Integer.parseInt(op.id().substring(1)) % 3 == 2 ? 201 : 400)));
        BulkSinkSettings settings = SMALL.withMaxActions(3).withMaxConcurrentRequests(1)
                .withErrorBreaker(0, 0, 0.5, 10);

        new BulkSink(client, settings, stats).write(indexOps("d", 100))
                .as(StepVerifier::create)
                .expectNextCount(3)
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOfSatisfying(ErrorBreakerTrippedException.class,
                                t -> assertThat(t.limit()).isEqualTo(ErrorBreakerTrippedException.Limit.RATE))
                        .hasMessageStartingWith("Error breaker tripped: 7 of the last 10 documents failed (70.0%), "
                                + "more than bulk.error_breaker.max_error_rate=0.5"))
                .verify(TIMEOUT);
    }

    @Test
    void breakerRateSlidesOverTheWindow() {
        // 5 failures, 20 successes, 5 failures: never more than half of any 10 consecutive outcomes.
        FakeClient client = FakeClient.answering((n, ops) -> Mono.just(FakeClient.items(ops, op -> {
            int i = Integer.parseInt(op.id().substring(1));
            return i < 5 || i >= 25 ? 400 : 201;
        })));
        BulkSinkSettings settings = SMALL.withMaxActions(5).withErrorBreaker(0, 0, 0.5, 10);

        new BulkSink(client, settings, stats).write(indexOps("d", 30))
                .as(StepVerifier::create)
                .expectNextCount(6)
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(stats.failed()).isEqualTo(10);
    }

    @Test
    void operationsAnswered429KeepBeingResentBeyondMaxRetriesWithinTheThrottledTime() {
        // A cluster overloaded for 12 requests in a row, then healthy: with 5 retries and no time budget the documents
        // would fail; with one they are all indexed and none fails.
        FakeClient client = FakeClient.answering((n, ops) ->
                Mono.just(n < 12 ? FakeClient.statuses(ops, 429) : FakeClient.ok(n, ops)));
        BulkSinkSettings settings = SMALL.withMaxConcurrentRequests(1).withRetries(5, Duration.ofMillis(200),
                Duration.ofSeconds(2)).withMaxThrottledTime(Duration.ofMinutes(5));

        StepVerifier.withVirtualTime(() -> new BulkSink(client, settings, stats).write(indexOps("d", 10)))
                .expectSubscription()
                .thenAwait(Duration.ofMinutes(1))
                .assertNext(r -> assertThat(r).extracting(BatchResult::succeeded, BatchResult::failed)
                        .containsExactly(10, 0))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(client.requests).hasSize(13);
        assertThat(stats.indexed()).isEqualTo(10);
        assertThat(stats.failed()).isZero();
    }

    @Test
    void operationsStillAnswered429WhenTheThrottledTimeRunsOutFailThenAndOnlyThen() {
        FakeClient client = FakeClient.answering((n, ops) -> Mono.just(FakeClient.statuses(ops, 429)));
        BulkSinkSettings settings = SMALL.withRetries(2, Duration.ofMillis(100), Duration.ofSeconds(1))
                .withMaxThrottledTime(Duration.ofSeconds(20));

        StepVerifier.withVirtualTime(() -> new BulkSink(client, settings, stats).write(indexOps("d", 10)))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(19))
                .then(() -> assertThat(stats.failed()).as("failed within the budget").isZero())
                .thenAwait(Duration.ofSeconds(2))
                .assertNext(r -> assertThat(r.failed()).isEqualTo(10))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(client.requests.size()).as("re-sent well beyond max_retries=2").isGreaterThan(10);
    }

    @Test
    void otherRetryableFailuresStillStopAtMaxRetriesWhateverTheThrottledTime() {
        FakeClient client = FakeClient.answering((n, ops) -> Mono.just(FakeClient.statuses(ops, 503)));
        BulkSinkSettings settings = SMALL.withRetries(2, Duration.ofMillis(100), Duration.ofSeconds(1))
                .withMaxThrottledTime(Duration.ofMinutes(10));

        StepVerifier.withVirtualTime(() -> new BulkSink(client, settings, stats).write(indexOps("d", 10)))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(5))
                .assertNext(r -> assertThat(r.failed()).isEqualTo(10))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(client.requests).hasSize(3);
    }

    @Test
    void breakerCountsOnlyFinalOutcomes() {
        // Every item fails twice with 429 before succeeding: no failure reaches the breaker.
        FakeClient client = FakeClient.answering((n, ops) ->
                Mono.just(n % 3 < 2 ? FakeClient.statuses(ops, 429) : FakeClient.ok(n, ops)));
        BulkSinkSettings settings = SMALL.withMaxActions(10).withMaxConcurrentRequests(1)
                .withErrorBreaker(1, 1, 0.1, 10);

        StepVerifier.withVirtualTime(() -> new BulkSink(client, settings, stats).write(indexOps("d", 30)))
                .expectSubscription()
                .thenAwait(Duration.ofMinutes(1))
                .expectNextCount(3)
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(stats.indexed()).isEqualTo(30);
    }

    // ---------------------------------------------------------------- dropping, counts, logging

    @Test
    void oversizedDocumentsAreDroppedAndCountedWhileTheRestProceed() {
        FakeClient client = FakeClient.acceptingAll();
        BulkSinkSettings settings = SMALL.withMaxActions(3).withMaxDocumentBytes(100);
        Flux<BulkOp> ops = Flux.just(index("a", 10), index("huge1", 101), index("b", 100),
                new BulkOp.Delete("gone"), index("huge2", 5000), index("huge3", 5000), index("c", 10));

        new BulkSink(client, settings, stats).write(ops)
                .as(StepVerifier::create)
                .assertNext(r -> assertThat(r).extracting(BatchResult::ops, BatchResult::succeeded, BatchResult::dropped)
                        .containsExactly(3, 2, 1))
                .assertNext(r -> assertThat(r).extracting(BatchResult::ops, BatchResult::succeeded, BatchResult::dropped)
                        .containsExactly(3, 1, 2))
                .assertNext(r -> assertThat(r).extracting(BatchResult::ops, BatchResult::succeeded, BatchResult::dropped)
                        .containsExactly(1, 1, 0))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(client.requests).containsExactly(List.of("a", "b"), List.of("gone"), List.of("c"));
        assertThat(stats.dropped()).isEqualTo(3);
        assertThat(stats.failed()).isZero();
        assertThat(stats.droppedSamples()).extracting(SyncStats.DocumentProblem::id, SyncStats.DocumentProblem::operation,
                        SyncStats.DocumentProblem::errorType)
                .containsExactly(tuple("huge1", "index", "too_large"), tuple("huge2", "index", "too_large"),
                        tuple("huge3", "index", "too_large"));
        assertThat(stats.droppedSamples().get(0).reason())
                .isEqualTo("its source is 101 bytes, more than bulk.max_document_size=100");
        assertThat(stats.failedSamples()).isEmpty();
    }

    @Test
    void aBatchOfOnlyDroppedDocumentsSendsNothing() {
        FakeClient client = FakeClient.acceptingAll();
        BulkSinkSettings settings = SMALL.withMaxActions(2).withMaxDocumentBytes(100);

        new BulkSink(client, settings, stats).write(Flux.just(index("h1", 200), index("h2", 200), index("a")))
                .as(StepVerifier::create)
                .assertNext(r -> assertThat(r).extracting(BatchResult::ops, BatchResult::dropped).containsExactly(2, 2))
                .assertNext(r -> assertThat(r.succeeded()).isEqualTo(1))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(client.requests).containsExactly(List.of("a"));
    }

    @Test
    void countsPerAcknowledgedItem() {
        FakeClient client = FakeClient.answering((n, ops) -> Mono.just(List.of(
                new ItemResult("new", 201, "created", null, null),
                new ItemResult("changed", 200, "updated", null, null),
                new ItemResult("gone", 200, "deleted", null, null),
                new ItemResult("missing", 404, "not_found", null, null),
                new ItemResult("same", 200, "noop", null, null))));
        BulkOp.Index created = index("new", 40);
        BulkOp.Index updated = index("changed", 60);
        Flux<BulkOp> ops = Flux.just(created, updated, new BulkOp.Delete("gone"), new BulkOp.Delete("missing"),
                index("same", 7));

        new BulkSink(client, SMALL, stats).write(ops)
                .as(StepVerifier::create)
                .assertNext(r -> assertThat(r).extracting(BatchResult::succeeded, BatchResult::failed, BatchResult::bytes)
                        .containsExactly(5, 0, 107L))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(stats.snapshot()).containsAllEntriesOf(Map.of(
                "indexed", 1L, "updated", 1L, "deleted", 2L, "failed", 0L, "bytes", 107L));
    }

    @Test
    void failuresAreLoggedInAggregateWithoutDocumentContent() {
        Logger logger = (Logger) LoggerFactory.getLogger(BulkSink.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            FakeClient client = FakeClient.answering((n, ops) -> Mono.just(FakeClient.statuses(ops, 400)));
            BulkSinkSettings settings = SMALL.withMaxActions(100).withMaxDocumentBytes(200)
                    .withErrorBreaker(0, 0, 0, 1000);
            Flux<BulkOp> ops = Flux.concat(indexOps("d", 1000), Flux.range(0, 50).map(i -> index("big" + i, 300)));

            new BulkSink(client, settings, stats).write(ops)
                    .as(StepVerifier::create)
                    .expectNextCount(11)
                    .expectComplete()
                    .verify(TIMEOUT);

            List<String> warnings = appender.list.stream()
                    .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                    .map(ILoggingEvent::getFormattedMessage)
                    .toList();
            assertThat(warnings).hasSizeLessThanOrEqualTo(2 * (BulkSink.LOGGED_EXAMPLES + 2));
            assertThat(warnings).noneMatch(m -> m.contains("SECRET"));
            assertThat(warnings).anyMatch(m -> m.startsWith("1000 documents failed")
                    && m.contains("mapper_parsing_exception=1000"));
            assertThat(warnings).anyMatch(m -> m.startsWith("50 documents dropped"));
            assertThat(stats.failed()).isEqualTo(1000);
            assertThat(stats.dropped()).isEqualTo(50);
        } finally {
            logger.detachAppender(appender);
        }
    }

    @Test
    void wholeRequest429sUnderSustainedOverloadAreLoggedInAggregate() {
        Logger logger = (Logger) LoggerFactory.getLogger(BulkSink.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            // Every batch is refused as a whole twice, then accepted: 40 failed requests over 20 batches.
            Map<String, AtomicInteger> attempts = new java.util.concurrent.ConcurrentHashMap<>();
            FakeClient client = FakeClient.answering((n, ops) ->
                    attempts.computeIfAbsent(ops.get(0).id(), id -> new AtomicInteger()).incrementAndGet() <= 2
                            ? Mono.error(new BulkRequestException(429, "_bulk answered 429: es_rejected_execution_exception", true))
                            : Mono.just(FakeClient.ok(n, ops)));

            StepVerifier.withVirtualTime(() -> new BulkSink(client, SMALL.withMaxConcurrentRequests(4), stats, () -> 1.0)
                            .write(indexOps("d", 200)))
                    .expectSubscription()
                    .thenAwait(Duration.ofMinutes(1))
                    .expectNextCount(20)
                    .expectComplete()
                    .verify(TIMEOUT);

            List<String> warnings = appender.list.stream()
                    .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                    .map(ILoggingEvent::getFormattedMessage)
                    .toList();
            assertThat(stats.indexed()).isEqualTo(200);
            assertThat(stats.failed()).isZero();
            assertThat(warnings).hasSize(BulkSink.LOGGED_EXAMPLES + 2);
            assertThat(warnings.subList(0, BulkSink.LOGGED_EXAMPLES))
                    .allMatch(m -> m.startsWith("_bulk request failed: 10 operations (batch ") && m.contains("429"));
            assertThat(warnings.get(warnings.size() - 1))
                    .isEqualTo("40 _bulk requests failed as a whole and were re-sent (write completed): {http_429=40}");
        } finally {
            logger.detachAppender(appender);
        }
    }

    @Test
    void sanitizedReasonsDropFieldValuePreviews() {
        assertThat(ErrorReasons.sanitize("failed to parse field [n] of type [long] in document with id 'd1'. "
                + "Preview of field's value: 'SECRET'"))
                .isEqualTo("failed to parse field [n] of type [long] in document with id 'd1'.");
        assertThat(ErrorReasons.sanitize("x".repeat(1000))).hasSize(303);
        assertThat(ErrorReasons.sanitize(null)).isEmpty();
    }

    // ---------------------------------------------------------------- settings

    @Test
    void settingsDefaults() {
        BulkSinkSettings d = BulkSinkSettings.defaults();
        assertThat(d).isEqualTo(new BulkSinkSettings(1000, 5L << 20, 2, 5, Duration.ofMillis(200),
                Duration.ofSeconds(30), 10L << 20, Duration.ofSeconds(1), 1000, 100, 0.5, 1000, Duration.ofMinutes(10)));
    }

    // ---------------------------------------------------------------- helpers

    static BulkOp.Index index(String id) {
        return new BulkOp.Index(id, ("{\"id\":\"" + id + "\",\"secret\":\"SECRET\"}").getBytes(UTF_8));
    }

    static BulkOp.Index index(String id, int sourceBytes) {
        byte[] source = new byte[sourceBytes];
        Arrays.fill(source, (byte) 'x');
        return new BulkOp.Index(id, source);
    }

    static Flux<BulkOp> indexOps(String prefix, int n) {
        return Flux.range(0, n).map(i -> index(prefix + i));
    }

    /** Records every request and answers from a script; counts requests in flight. */
    static final class FakeClient implements BulkClient {
        final List<List<String>> requests = new CopyOnWriteArrayList<>();
        /** When each request was sent, in (possibly virtual) milliseconds since the first. */
        final List<Long> times = new CopyOnWriteArrayList<>();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();
        private final BiFunction<Integer, List<BulkOp>, Mono<List<ItemResult>>> script;
        private final AtomicLong start = new AtomicLong(-1);

        private FakeClient(BiFunction<Integer, List<BulkOp>, Mono<List<ItemResult>>> script) {
            this.script = script;
        }

        /** @param script given the request number (from 0) and its operations, the answer */
        static FakeClient answering(BiFunction<Integer, List<BulkOp>, Mono<List<ItemResult>>> script) {
            return new FakeClient(script);
        }

        @Override
        public Mono<List<ItemResult>> bulk(List<BulkOp> ops) {
            return Mono.defer(() -> {
                long now = Schedulers.parallel().now(TimeUnit.MILLISECONDS);
                start.compareAndSet(-1, now);
                int n;
                synchronized (this) {
                    n = requests.size();
                    requests.add(ops.stream().map(BulkOp::id).toList());
                    times.add(now - start.get());
                }
                maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                // Before the answer travels downstream, where it may already trigger the next request.
                return script.apply(n, List.copyOf(ops))
                        .doOnTerminate(inFlight::decrementAndGet)
                        .doOnCancel(inFlight::decrementAndGet);
            });
        }

        /** Answers every request at once, every item acknowledged. */
        static FakeClient acceptingAll() {
            return answering((n, ops) -> Mono.just(ok(n, ops)));
        }

        List<Integer> requestSizes() {
            return requests.stream().map(List::size).toList();
        }

        static List<ItemResult> ok(int requestNumber, List<BulkOp> ops) {
            return items(ops, op -> op instanceof BulkOp.Delete ? 200 : 201);
        }

        static List<ItemResult> statuses(List<BulkOp> ops, int status) {
            return items(ops, op -> status);
        }

        static List<ItemResult> items(List<BulkOp> ops, java.util.function.ToIntFunction<BulkOp> status) {
            List<ItemResult> out = new ArrayList<>(ops.size());
            for (BulkOp op : ops) {
                out.add(item(op, status.applyAsInt(op)));
            }
            return out;
        }

        static ItemResult item(BulkOp op, int status) {
            return switch (status) {
                case 200, 201 -> new ItemResult(op.id(), status,
                        op instanceof BulkOp.Delete ? "deleted" : status == 201 ? "created" : "updated", null, null);
                case 429 -> new ItemResult(op.id(), 429, null, "es_rejected_execution_exception",
                        "rejected execution of coordinating operation");
                case 503 -> new ItemResult(op.id(), 503, null, "unavailable_shards_exception",
                        "primary shard is not active");
                case 400 -> new ItemResult(op.id(), 400, null, "mapper_parsing_exception",
                        "failed to parse field [secret] of type [long] in document with id '" + op.id()
                                + "'. Preview of field's value: 'SECRET'");
                default -> new ItemResult(op.id(), status, null, "error_" + status, "status " + status);
            };
        }
    }
}
