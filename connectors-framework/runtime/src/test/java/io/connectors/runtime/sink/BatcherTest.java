package io.connectors.runtime.sink;

import static io.connectors.runtime.sink.BulkSinkTest.index;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.connectors.runtime.config.BulkSinkSettings;
import io.connectors.runtime.sync.SyncStats;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;

/** The batcher alone: operations in, batches out, bounded by count, bytes and time. */
class BatcherTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final BulkSinkSettings SETTINGS = BulkSinkSettings.defaults()
            .withMaxActions(3)
            .withFlushInterval(Duration.ofSeconds(1));

    private final SyncStats stats = new SyncStats();

    private Flux<Batch> batches(Flux<? extends BulkOp> ops, BulkSinkSettings settings) {
        return new Batcher(ops, settings, Schedulers.parallel(), new WriteRun(settings, stats));
    }

    private static List<String> ids(Batch batch) {
        return batch.ops().stream().map(BulkOp::id).toList();
    }

    @Test
    void aBatchClosesAtMaxActionsAndTheRestClosesAtTheEnd() {
        batches(Flux.range(0, 7).map(i -> index("d" + i)), SETTINGS)
                .as(StepVerifier::create)
                .assertNext(b -> assertThat(b).extracting(Batch::sequence, BatcherTest::ids)
                        .containsExactly(0L, List.of("d0", "d1", "d2")))
                .assertNext(b -> assertThat(b).extracting(Batch::sequence, BatcherTest::ids)
                        .containsExactly(1L, List.of("d3", "d4", "d5")))
                .assertNext(b -> assertThat(b).extracting(Batch::sequence, BatcherTest::ids)
                        .containsExactly(2L, List.of("d6")))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void anOperationThatWouldPassTheByteBoundStartsTheNextBatch() {
        // 100 bytes of source + 2 of id + 64 of action line = 166 bytes each: two fit under 400, a third does not.
        BulkSinkSettings settings = SETTINGS.withMaxActions(100).withMaxBytes(400);

        batches(Flux.just(index("a1", 100), index("a2", 100), index("a3", 100)), settings)
                .as(StepVerifier::create)
                .assertNext(b -> {
                    assertThat(ids(b)).containsExactly("a1", "a2");
                    assertThat(b.bytes()).isEqualTo(332);
                })
                .assertNext(b -> assertThat(ids(b)).containsExactly("a3"))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void anOperationLargerThanTheByteBoundGoesAlone() {
        BulkSinkSettings settings = SETTINGS.withMaxActions(100).withMaxBytes(400);

        batches(Flux.just(index("a", 100), index("big", 600), index("c", 100)), settings)
                .map(BatcherTest::ids)
                .as(StepVerifier::create)
                .expectNext(List.of("a"), List.of("big"), List.of("c"))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void aDroppedOperationKeepsItsPlaceInTheBatchButIsNotSent() {
        BulkSinkSettings settings = SETTINGS.withMaxDocumentBytes(50);

        batches(Flux.just(index("a", 10), index("huge", 51), index("b", 10), index("c", 10)), settings)
                .as(StepVerifier::create)
                .assertNext(b -> {
                    assertThat(ids(b)).containsExactly("a", "b");
                    assertThat(b.dropped()).isEqualTo(1);
                    assertThat(b.size()).isEqualTo(3);
                })
                .assertNext(b -> assertThat(ids(b)).containsExactly("c"))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(stats.dropped()).isEqualTo(1);
        assertThat(stats.droppedSamples()).extracting(SyncStats.DocumentProblem::id, SyncStats.DocumentProblem::errorType)
                .containsExactly(tuple("huge", "too_large"));
    }

    @Test
    void aPartialBatchIsFlushedOneIntervalAfterItsFirstOperation() {
        StepVerifier.withVirtualTime(() -> batches(Flux.concat(Flux.just(index("a")),
                        Mono.delay(Duration.ofMillis(600)).map(x -> index("b")), Flux.never()), SETTINGS))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(999))
                .thenAwait(Duration.ofMillis(1))
                .assertNext(b -> assertThat(ids(b)).containsExactly("a", "b"))
                .expectNoEvent(Duration.ofSeconds(10))
                .thenCancel()
                .verify(TIMEOUT);
    }

    @Test
    void upstreamIsReadOneOperationAtATimeAndNotWhileAClosedBatchWaits() {
        TestPublisher<BulkOp> upstream = TestPublisher.createCold();
        List<Long> requests = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 10; i++) {
            upstream.next(index("d" + i));
        }

        StepVerifier.create(batches(upstream.flux().doOnRequest(requests::add), SETTINGS), 0)
                .expectSubscription()
                .then(() -> assertThat(requests).isEmpty())
                .thenRequest(1)
                .assertNext(b -> assertThat(ids(b)).containsExactly("d0", "d1", "d2"))
                // The next batch is prepared and closed; with no demand for it, nothing more is read.
                .then(() -> assertThat(requests).hasSize(6).allMatch(n -> n == 1L))
                .thenRequest(1)
                .assertNext(b -> assertThat(ids(b)).containsExactly("d3", "d4", "d5"))
                .then(() -> assertThat(requests).hasSize(9))
                .thenCancel()
                .verify(TIMEOUT);
    }
}
