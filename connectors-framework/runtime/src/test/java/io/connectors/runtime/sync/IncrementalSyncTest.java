package io.connectors.runtime.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.connectors.runtime.sink.BulkClient;
import io.connectors.runtime.sink.BulkOp;
import io.connectors.runtime.sink.BulkRequestException;
import io.connectors.runtime.sink.BulkSink;
import io.connectors.runtime.config.BulkSinkSettings;
import io.connectors.runtime.sink.ItemResult;
import io.connectors.spi.ChangeEvent;
import io.connectors.spi.IncrementalSource;
import io.connectors.spi.RealtimeSource;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SourceException;
import io.connectors.spi.SyncCursor;
import io.connectors.spi.rules.BasicRule;
import io.connectors.spi.rules.SyncRules;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.publisher.PublisherProbe;
import reactor.test.scheduler.VirtualTimeScheduler;

class IncrementalSyncTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final BulkSinkSettings SETTINGS = BulkSinkSettings.defaults()
            .withMaxActions(10)
            .withRetries(3, Duration.ofMillis(200), Duration.ofSeconds(5))
            .withFlushInterval(Duration.ofSeconds(1));
    /** One operation per request, two requests in flight: makes the order of answers easy to script. */
    private static final BulkSinkSettings ONE_BY_ONE = SETTINGS.withMaxActions(1).withMaxConcurrentRequests(2);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SyncStats stats = new SyncStats();
    /** What happened, in order: "ack id:version", "ack delete id", "save n". */
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final List<Long> saved = new CopyOnWriteArrayList<>();

    // ---------------------------------------------------------------- applying changes

    @Test
    void appliesUpsertsAndDeletesAndSavesTheLastCheckpoint() {
        FakeElasticsearch es = FakeElasticsearch.acceptingAll(log);
        es.docs.put("old", "{\"v\":0}");
        source = new ScriptedSource(() -> Flux.just(upsert("a", 1), upsert("b", 1), checkpoint(1),
                delete("old"), upsert("a", 2), checkpoint(2)));
        SyncRules rules = new SyncRules(List.of(), Map.of("query", "x"));
        SyncCursor from = new SyncCursor(Map.of("n", 0L));

        sync(es, SETTINGS, rules).run(from, rules, this::save)
                .as(StepVerifier::create)
                .expectNext(cursor(2))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(source.cursors).containsExactly(from);
        assertThat(source.rules).containsExactly(rules);
        assertThat(es.versions()).isEqualTo(Map.of("a", 2L, "b", 1L));
        assertThat(saved).isNotEmpty().endsWith(2L).isSorted();
        assertThat(stats.seen()).isEqualTo(3);
        assertThat(stats.deleted()).isEqualTo(1);
        assertThat(es.violations).isEmpty();
    }

    @Test
    void upsertedBodiesAreExtractedBeforeTheirCheckpointIsSaved(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        FakeElasticsearch es = FakeElasticsearch.acceptingAll(log);
        io.connectors.testkit.corpus.DocumentCorpus.Sample pdf =
                io.connectors.testkit.corpus.DocumentCorpus.writeFormats(dir.resolve("corpus"), "inc1").get(0);
        byte[] bytes = java.nio.file.Files.readAllBytes(pdf.file());
        io.connectors.spi.LazyBody body = new io.connectors.spi.LazyBody() {
            @Override
            public long size() {
                return bytes.length;
            }

            @Override
            public String mimeType() {
                return "application/octet-stream";
            }

            @Override
            public Flux<java.nio.ByteBuffer> content() {
                // Two chunks, the second on another thread: the spill keeps both, in order.
                return Flux.just(java.nio.ByteBuffer.wrap(bytes, 0, 100),
                        java.nio.ByteBuffer.wrap(bytes, 100, bytes.length - 100))
                        .delayElements(Duration.ofMillis(10));
            }
        };
        source = new ScriptedSource(() -> Flux.just(
                new ChangeEvent.Upsert(SourceDocument.builder("report.pdf").version("1").field("name", "report.pdf")
                        .body(body).build()),
                upsert("plain", 1), checkpoint(1)));

        try (ContentExtractor extractor = new ContentExtractor(io.connectors.runtime.config.ExtractionSettings.defaults(),
                dir.resolve("spill"), null)) {
            sync(es, SETTINGS, SyncRules.NONE).extracting(extractor).run(cursor(0), SyncRules.NONE, this::save)
                    .as(StepVerifier::create)
                    .expectNext(cursor(1))
                    .expectComplete()
                    .verify(Duration.ofSeconds(90));
        }

        Map<?, ?> stored = JSON.readValue(es.docs.get("report.pdf"), Map.class);
        assertThat(((String) stored.get("content")).replaceAll("\\s+", " ")).contains(pdf.phrase());
        @SuppressWarnings("unchecked")
        Map<String, Object> metadata = (Map<String, Object>) stored.get("content_metadata");
        assertThat(metadata).containsEntry("outcome", "extracted").containsEntry("content_type", "application/pdf")
                .containsEntry("page_count", 1);
        assertThat(es.docs.get("plain")).doesNotContain("\"content\"");
        assertThat(stats.extracted()).isEqualTo(1);
        assertThat(stats.snapshot()).containsEntry("extracted", 1L).containsEntry("not_extracted", 0L);
        assertThat(saved).endsWith(1L);
        // The spill file is gone once the parser answered.
        try (var left = java.nio.file.Files.list(dir.resolve("spill"))) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void theStoredDocumentCarriesTheBookkeepingFields() throws IOException {
        FakeElasticsearch es = FakeElasticsearch.acceptingAll(log);
        source = new ScriptedSource(() -> Flux.just(upsert("a", 7), checkpoint(1)));

        sync(es, SETTINGS, SyncRules.NONE).run(cursor(0), SyncRules.NONE, this::save)
                .as(StepVerifier::create)
                .expectNext(cursor(1))
                .expectComplete()
                .verify(TIMEOUT);

        Map<?, ?> stored = JSON.readValue(es.docs.get("a"), Map.class);
        assertThat(stored.get("v")).isEqualTo(7);
        assertThat(stored.get(DocumentSerializer.ID_FIELD)).isEqualTo("a");
        assertThat((String) stored.get(DocumentSerializer.VERSION_FIELD)).startsWith("fp:");
    }

    @Test
    void documentsTheRulesNowExcludeAreDeleted() {
        FakeElasticsearch es = FakeElasticsearch.acceptingAll(log);
        es.docs.put("drafts/x", "{}");
        SyncRules rules = new SyncRules(List.of(
                new BasicRule("path", BasicRule.Policy.EXCLUDE, BasicRule.Condition.STARTS_WITH, "drafts/")), Map.of());
        source = new ScriptedSource(() -> Flux.just(
                new ChangeEvent.Upsert(SourceDocument.builder("drafts/x").field("path", "drafts/x").build()),
                new ChangeEvent.Upsert(SourceDocument.builder("docs/y").field("path", "docs/y").build()),
                checkpoint(1)));

        sync(es, SETTINGS, rules).run(cursor(0), rules, this::save)
                .as(StepVerifier::create)
                .expectNext(cursor(1))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(es.sent).containsExactly("delete drafts/x", "index docs/y");
        assertThat(es.docs).containsOnlyKeys("docs/y");
    }

    @Test
    void idsLongerThanElasticsearchAllowsAreNormalizedForDeletesToo() {
        FakeElasticsearch es = FakeElasticsearch.acceptingAll(log);
        String longId = "x".repeat(600);
        source = new ScriptedSource(() -> Flux.just(upsert(longId, 1), delete(longId), checkpoint(1)));

        sync(es, ONE_BY_ONE, SyncRules.NONE).run(cursor(0), SyncRules.NONE, this::save)
                .as(StepVerifier::create)
                .expectNext(cursor(1))
                .expectComplete()
                .verify(TIMEOUT);

        String normalized = DocIds.normalize(longId);
        assertThat(normalized).startsWith("sha256-");
        assertThat(es.sent).allMatch(s -> s.endsWith(" " + normalized));
        assertThat(es.docs).isEmpty();
    }

    @Test
    void withoutCheckpointsNothingIsSaved() {
        FakeElasticsearch es = FakeElasticsearch.acceptingAll(log);
        source = new ScriptedSource(() -> Flux.just(upsert("a", 1), upsert("b", 1)));

        sync(es, SETTINGS, SyncRules.NONE).run(cursor(0), SyncRules.NONE, this::save)
                .as(StepVerifier::create)
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(es.versions()).containsOnlyKeys("a", "b");
        assertThat(saved).isEmpty();
    }

    @Test
    void checkpointsWithoutChangesAreSavedWithoutWriting() {
        FakeElasticsearch es = FakeElasticsearch.acceptingAll(log);
        source = new ScriptedSource(() -> Flux.just(checkpoint(1), checkpoint(2)));

        sync(es, SETTINGS, SyncRules.NONE).run(cursor(0), SyncRules.NONE, this::save)
                .as(StepVerifier::create)
                .expectNext(cursor(2))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(es.requests).isEmpty();
        assertThat(saved).endsWith(2L);
    }

    // ---------------------------------------------------------------- acknowledgement before saving

    @Test
    void theCursorIsSavedOnlyOnceElasticsearchAcknowledgedTheWrites() {
        FakeElasticsearch es = FakeElasticsearch.answering(log, (n, ops) -> Mono.delay(Duration.ofSeconds(5))
                .map(x -> FakeElasticsearch.statuses(ops, 201)));
        // The stream goes on after the checkpoint: the save happens mid-stream, when the write is acknowledged.
        source = new ScriptedSource(() -> Flux.concat(Flux.just(upsert("a", 1), upsert("b", 1), checkpoint(1)),
                Mono.delay(Duration.ofSeconds(20)).thenMany(Flux.just(upsert("c", 1), checkpoint(2)))));

        StepVerifier.withVirtualTime(() -> sync(es, SETTINGS, SyncRules.NONE).run(cursor(0), SyncRules.NONE, this::save))
                .expectSubscription()
                // The partial batch leaves after the flush interval (1s) and is answered 5s later.
                .expectNoEvent(Duration.ofMillis(5999))
                .then(() -> {
                    assertThat(es.requests).hasSize(1);
                    assertThat(saved).isEmpty();
                    assertThat(log).isEmpty();
                })
                .thenAwait(Duration.ofMillis(1))
                .then(() -> {
                    assertThat(saved).containsExactly(1L);
                    assertThat(log).containsExactly("ack a:1", "ack b:1", "save 1");
                })
                .thenAwait(Duration.ofSeconds(30))
                .expectNext(cursor(2))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(log).containsExactly("ack a:1", "ack b:1", "save 1", "ack c:1", "save 2");
    }

    @Test
    void theLastCheckpointIsSavedBeforeTheSyncCompletes() {
        FakeElasticsearch es = FakeElasticsearch.answering(log, (n, ops) -> Mono.delay(Duration.ofSeconds(3))
                .map(x -> FakeElasticsearch.statuses(ops, 201)));
        source = new ScriptedSource(() -> Flux.just(upsert("a", 1), checkpoint(1)));
        AtomicInteger saving = new AtomicInteger();

        StepVerifier.withVirtualTime(() -> sync(es, SETTINGS, SyncRules.NONE).run(cursor(0), SyncRules.NONE,
                        c -> Mono.delay(Duration.ofSeconds(2)).then(Mono.fromRunnable(() -> {
                            saving.incrementAndGet();
                            saved.add((Long) c.values().get("n"));
                        }))))
                .expectSubscription()
                .expectNoEvent(Duration.ofSeconds(4))
                .then(() -> assertThat(saved).isEmpty())
                .thenAwait(Duration.ofSeconds(1))
                .expectNext(cursor(1))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(saving.get()).isEqualTo(1);
    }

    @Test
    void savesAreSequentialInOrderAndCoalesced() {
        FakeElasticsearch es = FakeElasticsearch.acceptingAll(log);
        List<ChangeEvent> events = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            events.add(upsert("d" + i, i));
            events.add(checkpoint(i));
        }
        source = new ScriptedSource(() -> Flux.fromIterable(events));
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger maxConcurrent = new AtomicInteger();

        StepVerifier.withVirtualTime(() -> sync(es, ONE_BY_ONE, SyncRules.NONE).run(cursor(0), SyncRules.NONE,
                        c -> Mono.defer(() -> {
                            maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
                            saved.add((Long) c.values().get("n"));
                            return Mono.delay(Duration.ofSeconds(1)).then(Mono.fromRunnable(concurrent::decrementAndGet));
                        })))
                .expectSubscription()
                .thenAwait(Duration.ofMinutes(5))
                .expectNext(cursor(50))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(maxConcurrent.get()).isEqualTo(1);
        assertThat(saved).isSorted().doesNotHaveDuplicates().endsWith(50L);
        assertThat(saved.size()).isLessThan(50);
    }

    // ---------------------------------------------------------------- failures

    @Test
    void aRefusedWriteKeepsTheCursorAtTheLastSafeCheckpoint() {
        FakeElasticsearch es = FakeElasticsearch.answering(log, (n, ops) ->
                Mono.just(FakeElasticsearch.items(ops, op -> op.id().equals("bad") ? 400 : 201)));
        source = new ScriptedSource(() -> Flux.just(upsert("a", 1), checkpoint(1), upsert("bad", 1), checkpoint(2),
                upsert("c", 1), checkpoint(3)));

        sync(es, ONE_BY_ONE, SyncRules.NONE).run(cursor(0), SyncRules.NONE, this::save)
                .as(StepVerifier::create)
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(IncrementalSync.ChangesNotAppliedException.class)
                        .hasMessage("1 change was not applied (1 refused by Elasticsearch); the cursor stays at the "
                                + "last safe checkpoint before them, so the next incremental sync retries them"))
                .verify(TIMEOUT);

        assertThat(saved).containsExactly(1L);
        // The changes after the failure are still applied; the next sync applies them again, harmlessly.
        assertThat(es.versions()).containsOnlyKeys("a", "c");
        assertThat(stats.failed()).isEqualTo(1);
    }

    @Test
    void aFailureInABatchBlocksTheCheckpointsWithinIt() {
        FakeElasticsearch es = FakeElasticsearch.answering(log, (n, ops) ->
                Mono.just(FakeElasticsearch.items(ops, op -> op.id().equals("bad") ? 400 : 201)));
        // One batch: which of its operations failed is not known, so no checkpoint inside it is safe.
        source = new ScriptedSource(() -> Flux.just(upsert("a", 1), checkpoint(1), upsert("bad", 1), checkpoint(2)));

        sync(es, SETTINGS, SyncRules.NONE).run(cursor(0), SyncRules.NONE, this::save)
                .as(StepVerifier::create)
                .expectError(IncrementalSync.ChangesNotAppliedException.class)
                .verify(TIMEOUT);

        assertThat(es.requests).hasSize(1);
        assertThat(saved).isEmpty();
    }

    @Test
    void anInvalidDocumentBlocksTheCheckpointsAfterIt() {
        FakeElasticsearch es = FakeElasticsearch.acceptingAll(log);
        source = new ScriptedSource(() -> Flux.just(upsert("a", 1), checkpoint(1),
                new ChangeEvent.Upsert(SourceDocument.builder("odd").field("v", new Object()).build()), checkpoint(2),
                upsert("b", 1), checkpoint(3)));

        sync(es, SETTINGS, SyncRules.NONE).run(cursor(0), SyncRules.NONE, this::save)
                .as(StepVerifier::create)
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(IncrementalSync.ChangesNotAppliedException.class)
                        .hasMessageStartingWith("1 change was not applied (1 invalid document); the cursor stays"))
                .verify(TIMEOUT);

        assertThat(saved).containsExactly(1L);
        assertThat(es.versions()).containsOnlyKeys("a", "b");
        assertThat(stats.failed()).isEqualTo(1);
    }

    @Test
    void aDocumentTooLargeToSendBlocksTheCheckpointsAfterIt() {
        FakeElasticsearch es = FakeElasticsearch.acceptingAll(log);
        source = new ScriptedSource(() -> Flux.just(upsert("a", 1), checkpoint(1),
                new ChangeEvent.Upsert(SourceDocument.builder("big").field("text", "x".repeat(500)).build()),
                checkpoint(2)));

        sync(es, ONE_BY_ONE.withMaxDocumentBytes(200), SyncRules.NONE).run(cursor(0), SyncRules.NONE, this::save)
                .as(StepVerifier::create)
                .expectErrorSatisfies(e -> {
                    assertThat(e).hasMessageStartingWith("1 change was not applied (1 dropped as larger than "
                            + "bulk.max_document_size)");
                    assertThat(((IncrementalSync.ChangesNotAppliedException) e).dropped()).isEqualTo(1);
                })
                .verify(TIMEOUT);

        assertThat(saved).containsExactly(1L);
        assertThat(stats.dropped()).isEqualTo(1);
    }

    @Test
    void failuresOfEveryKindAreCountedInOneMessage() {
        FakeElasticsearch es = FakeElasticsearch.answering(log, (n, ops) ->
                Mono.just(FakeElasticsearch.items(ops, op -> op.id().startsWith("bad") ? 400 : 201)));
        source = new ScriptedSource(() -> Flux.just(upsert("bad1", 1), upsert("bad2", 1),
                new ChangeEvent.Upsert(SourceDocument.builder("odd").field("v", Double.NaN).build()),
                new ChangeEvent.Upsert(SourceDocument.builder("big").field("text", "x".repeat(500)).build()),
                checkpoint(1)));

        sync(es, ONE_BY_ONE.withMaxDocumentBytes(200), SyncRules.NONE).run(cursor(0), SyncRules.NONE, this::save)
                .as(StepVerifier::create)
                .expectErrorSatisfies(e -> assertThat(e).hasMessageStartingWith("4 changes were not applied "
                        + "(2 refused by Elasticsearch, 1 dropped as larger than bulk.max_document_size, "
                        + "1 invalid document)"))
                .verify(TIMEOUT);

        assertThat(saved).isEmpty();
    }

    @Test
    void aFailingSaveFailsTheSyncWithItsErrorAndStopsReading() {
        FakeElasticsearch es = FakeElasticsearch.acceptingAll(log);
        PublisherProbe<ChangeEvent> events = PublisherProbe.of(Flux.concat(
                Flux.just(upsert("a", 1), checkpoint(1)), Flux.never()));
        source = new ScriptedSource(() -> events.flux());
        IllegalStateException refused = new IllegalStateException("the connectors index is read-only");

        StepVerifier.withVirtualTime(() -> sync(es, SETTINGS, SyncRules.NONE).run(cursor(0), SyncRules.NONE,
                        c -> Mono.error(refused)))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(2))
                .expectErrorSatisfies(e -> assertThat(e).isSameAs(refused))
                .verify(TIMEOUT);

        events.assertWasCancelled();
    }

    @Test
    void aSourceErrorFailsTheSyncUnchangedAfterSavingWhatWasSafe() {
        FakeElasticsearch es = FakeElasticsearch.acceptingAll(log);
        SourceException expired = new SourceException("the resume token is no longer in the oplog");
        source = new ScriptedSource(() -> Flux.concat(Flux.just(upsert("a", 1), checkpoint(1), upsert("b", 1)),
                Mono.delay(Duration.ofSeconds(5)).then(Mono.error(expired))));

        StepVerifier.withVirtualTime(() -> sync(es, SETTINGS, SyncRules.NONE).run(cursor(0), SyncRules.NONE, this::save))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(5))
                .expectErrorSatisfies(e -> assertThat(e).isSameAs(expired))
                .verify(TIMEOUT);

        assertThat(saved).containsExactly(1L);
    }

    @Test
    void aSourceFailingAtOnceSavesNothing() {
        FakeElasticsearch es = FakeElasticsearch.acceptingAll(log);
        SourceException expired = new SourceException("cursor expired");
        source = new ScriptedSource(() -> Flux.error(expired));

        sync(es, SETTINGS, SyncRules.NONE).run(cursor(0), SyncRules.NONE, this::save)
                .as(StepVerifier::create)
                .expectErrorSatisfies(e -> assertThat(e).isSameAs(expired))
                .verify(TIMEOUT);

        assertThat(saved).isEmpty();
        assertThat(es.requests).isEmpty();
    }

    @Test
    void aSinkErrorFailsTheSyncAfterSavingWhatWasSafe() {
        BulkRequestException forbidden = new BulkRequestException(403, "action [indices:data/write/bulk] is unauthorized",
                false);
        FakeElasticsearch es = FakeElasticsearch.answering(log, (n, ops) -> n == 0
                ? Mono.just(FakeElasticsearch.statuses(ops, 201))
                : Mono.error(forbidden));
        source = new ScriptedSource(() -> Flux.just(upsert("a", 1), checkpoint(1), upsert("b", 1), checkpoint(2)));

        sync(es, ONE_BY_ONE, SyncRules.NONE).run(cursor(0), SyncRules.NONE, this::save)
                .as(StepVerifier::create)
                .expectErrorSatisfies(e -> assertThat(e).isSameAs(forbidden))
                .verify(TIMEOUT);

        assertThat(saved).containsExactly(1L);
    }

    // ---------------------------------------------------------------- cancellation

    @Test
    void cancellingStopsTheSyncAndNothingIsSavedAfterwards() {
        VirtualTimeScheduler time = VirtualTimeScheduler.getOrSet();
        PublisherProbe<List<ItemResult>> answer = PublisherProbe.of(Mono.delay(Duration.ofSeconds(5))
                .thenReturn(List.of(new ItemResult("a", 201, "created", null, null))));
        FakeElasticsearch es = FakeElasticsearch.answering(log, (n, ops) -> answer.mono());
        PublisherProbe<ChangeEvent> events = PublisherProbe.of(Flux.concat(Flux.just(upsert("a", 1), checkpoint(1)),
                Flux.never()));
        source = new ScriptedSource(() -> events.flux());
        try {
            Disposable running = sync(es, SETTINGS, SyncRules.NONE).run(cursor(0), SyncRules.NONE, this::save)
                    .subscribe();
            time.advanceTimeBy(Duration.ofSeconds(2));
            assertThat(es.requests).hasSize(1);

            running.dispose();
            time.advanceTimeBy(Duration.ofMinutes(1));

            answer.assertWasCancelled();
            events.assertWasCancelled();
            assertThat(saved).isEmpty();
            assertThat(log).isEmpty();
            assertThat(es.inFlight).isEmpty();
        } finally {
            VirtualTimeScheduler.reset();
        }
    }

    @Test
    void cancellingDuringASaveCancelsItAndStartsNoOther() {
        FakeElasticsearch es = FakeElasticsearch.acceptingAll(log);
        source = new ScriptedSource(() -> Flux.concat(Flux.just(upsert("a", 1), checkpoint(1), upsert("b", 1), checkpoint(2)),
                Flux.never()));
        PublisherProbe<Void> firstSave = PublisherProbe.of(Mono.never());
        AtomicInteger saves = new AtomicInteger();

        sync(es, ONE_BY_ONE, SyncRules.NONE).run(cursor(0), SyncRules.NONE, c -> {
                    saves.incrementAndGet();
                    return firstSave.mono();
                })
                .as(StepVerifier::create)
                .expectSubscription()
                .then(firstSave::assertWasSubscribed)
                .thenCancel()
                .verify(TIMEOUT);

        firstSave.assertWasCancelled();
        assertThat(saves.get()).isEqualTo(1);
    }

    // ---------------------------------------------------------------- the same document changed twice

    @Test
    void changesReadBeforeTheyCouldBeSentAreReplacedByLaterOnes() {
        FakeElasticsearch es = FakeElasticsearch.acceptingAll(log);
        // Read ahead together, before the sink asked for more than one operation.
        source = new ScriptedSource(() -> Flux.just(upsert("a", 1), upsert("x", 1), upsert("x", 2), checkpoint(1),
                delete("x"), upsert("x", 4), upsert("y", 1), checkpoint(2)));

        sync(es, SETTINGS, SyncRules.NONE).run(cursor(0), SyncRules.NONE, this::save)
                .as(StepVerifier::create)
                .expectNext(cursor(2))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(es.sent).containsExactly("index a", "index x", "index y");
        assertThat(es.versions()).isEqualTo(Map.of("a", 1L, "x", 4L, "y", 1L));
        assertThat(es.violations).isEmpty();
    }

    @Test
    void aDocumentUpdatedTwiceEndsWithTheLastVersionEvenWhenTheFirstWriteIsSlow() {
        // Sent concurrently, the second version would be written first and then overwritten by the first.
        FakeElasticsearch es = FakeElasticsearch.answering(log, (n, ops) -> Mono.delay(Duration.ofMillis(n == 0 ? 3000 : 100))
                .map(x -> FakeElasticsearch.statuses(ops, 201)));
        source = new ScriptedSource(() -> Flux.concat(Flux.just(upsert("x", 1)), later(upsert("x", 2), checkpoint(1))));

        StepVerifier.withVirtualTime(() -> sync(es, ONE_BY_ONE, SyncRules.NONE).run(cursor(0), SyncRules.NONE, this::save))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(10))
                .expectNext(cursor(1))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(es.violations).isEmpty();
        assertThat(es.versions()).isEqualTo(Map.of("x", 2L));
        assertThat(log).containsExactly("ack x:1", "ack x:2", "save 1");
    }

    @Test
    void aDocumentInsertedThenDeletedEndsDeleted() {
        FakeElasticsearch es = FakeElasticsearch.answering(log, (n, ops) -> Mono.delay(Duration.ofMillis(n == 0 ? 3000 : 100))
                .map(x -> FakeElasticsearch.statuses(ops, 201)));
        source = new ScriptedSource(() -> Flux.concat(Flux.just(upsert("x", 1)), later(delete("x"), checkpoint(1))));

        StepVerifier.withVirtualTime(() -> sync(es, ONE_BY_ONE, SyncRules.NONE).run(cursor(0), SyncRules.NONE, this::save))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(10))
                .expectNext(cursor(1))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(es.violations).isEmpty();
        assertThat(es.docs).isEmpty();
        assertThat(log).containsExactly("ack x:1", "ack delete x", "save 1");
    }

    @Test
    void aRetriedWriteIsNotOvertakenByALaterChangeOfTheSameDocument() {
        // The first write of x is answered 429 and retried; the second must wait for the retry's outcome.
        AtomicInteger attempts = new AtomicInteger();
        FakeElasticsearch es = FakeElasticsearch.answering(log, (n, ops) -> Mono.delay(Duration.ofMillis(100))
                .map(x -> FakeElasticsearch.items(ops, op -> op.id().equals("x") && attempts.getAndIncrement() == 0
                        ? 429 : 201)));
        source = new ScriptedSource(() -> Flux.concat(Flux.just(upsert("x", 1)),
                later(upsert("y", 1), upsert("x", 2), checkpoint(1))));

        StepVerifier.withVirtualTime(() -> sync(es, ONE_BY_ONE, SyncRules.NONE).run(cursor(0), SyncRules.NONE, this::save))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(30))
                .expectNext(cursor(1))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(es.violations).isEmpty();
        assertThat(es.versions()).isEqualTo(Map.of("x", 2L, "y", 1L));
    }

    @Test
    void changesToADocumentInFlightAreCoalescedAndOthersOvertakeThem() {
        FakeElasticsearch es = FakeElasticsearch.answering(log, (n, ops) -> Mono.delay(Duration.ofMillis(n == 0 ? 3000 : 100))
                .map(x -> FakeElasticsearch.statuses(ops, 201)));
        source = new ScriptedSource(() -> Flux.concat(Flux.just(upsert("x", 1)), later(upsert("x", 2), delete("x"),
                upsert("x", 4), checkpoint(1), upsert("y", 1), upsert("x", 5), checkpoint(2))));

        StepVerifier.withVirtualTime(() -> sync(es, ONE_BY_ONE, SyncRules.NONE).run(cursor(0), SyncRules.NONE, this::save))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(10))
                .expectNext(cursor(2))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(es.violations).isEmpty();
        // y did not wait for x; x was written twice: its first version, then its last.
        assertThat(es.sent).containsExactly("index x", "index y", "index x");
        assertThat(es.versions()).isEqualTo(Map.of("x", 5L, "y", 1L));
        // Both checkpoints waited for the same change of x: only the later one is saved, after it.
        assertThat(saved).containsExactly(2L);
        assertThat(log.indexOf("save 2")).isGreaterThan(log.indexOf("ack x:5"));
    }

    @Test
    void aCheckpointBehindAWaitingChangeIsSavedOnlyOnceThatChangeIsWritten() {
        FakeElasticsearch es = FakeElasticsearch.answering(log, (n, ops) -> Mono.delay(Duration.ofMillis(n == 0 ? 3000 : 100))
                .map(x -> FakeElasticsearch.statuses(ops, 201)));
        source = new ScriptedSource(() -> Flux.concat(Flux.just(upsert("x", 1)),
                later(upsert("x", 2), checkpoint(1), upsert("y", 1), checkpoint(2)), Flux.never()));

        StepVerifier.withVirtualTime(() -> sync(es, ONE_BY_ONE, SyncRules.NONE).run(cursor(0), SyncRules.NONE, this::save))
                .expectSubscription()
                .thenAwait(Duration.ofMillis(3000))
                .then(() -> {
                    // y overtook x; x:2 was sent only once x:1 was acknowledged.
                    assertThat(log).containsExactly("ack y:1", "ack x:1");
                    assertThat(saved).isEmpty();
                })
                .thenAwait(Duration.ofMillis(100))
                .then(() -> assertThat(log).containsExactly("ack y:1", "ack x:1", "ack x:2", "save 2"))
                .thenCancel()
                .verify(TIMEOUT);
    }

    // ---------------------------------------------------------------- memory

    @Test
    void readsFromTheSourceOnlyAsFastAsTheSinkTakes() {
        FakeElasticsearch es = FakeElasticsearch.answering(log, (n, ops) -> Mono.never());
        AtomicLong requested = new AtomicLong();
        source = new ScriptedSource(() -> Flux.range(0, 1_000_000).<ChangeEvent>map(i -> upsert("d" + i, 1))
                .doOnRequest(requested::addAndGet));

        StepVerifier.withVirtualTime(() -> sync(es, SETTINGS, SyncRules.NONE).run(cursor(0), SyncRules.NONE, this::save))
                .expectSubscription()
                .thenAwait(Duration.ofMinutes(1))
                .then(() -> {
                    // Two requests in flight, one batch ready, one open, plus the read-ahead.
                    long bound = 4L * SETTINGS.maxActions() + 2L * IncrementalSync.READ_AHEAD;
                    assertThat(requested.get()).isLessThanOrEqualTo(bound);
                    assertThat(es.requests).hasSize(2);
                })
                .thenCancel()
                .verify(TIMEOUT);
    }

    // ---------------------------------------------------------------- everything at once, across threads

    @Test
    void randomChangesAcrossThreadsEndWithTheSourcesStateAndOrderedSaves() {
        Random random = new Random(42);
        List<ChangeEvent> events = new ArrayList<>();
        Map<String, Long> expected = new HashMap<>();
        long checkpoints = 0;
        for (int i = 0; i < 5000; i++) {
            String id = "d" + random.nextInt(25);
            int kind = random.nextInt(10);
            if (kind < 6) {
                events.add(upsert(id, i));
                expected.put(id, (long) i);
            } else if (kind < 8) {
                events.add(delete(id));
                expected.remove(id);
            } else {
                events.add(checkpoint(++checkpoints));
            }
        }
        events.add(checkpoint(++checkpoints));
        Random answers = new Random(7);
        FakeElasticsearch es = FakeElasticsearch.answering(log, (n, ops) -> {
            boolean throttle;
            long delay;
            synchronized (answers) {
                throttle = answers.nextInt(5) == 0;
                delay = answers.nextInt(3);
            }
            return Mono.delay(Duration.ofMillis(delay), Schedulers.parallel())
                    .map(x -> FakeElasticsearch.items(ops, op -> throttle && op.id().hashCode() % 2 == 0 ? 429 : 201));
        });
        source = new ScriptedSource(() -> Flux.fromIterable(events).publishOn(Schedulers.boundedElastic(), 16));
        BulkSinkSettings settings = SETTINGS.withMaxActions(7).withMaxConcurrentRequests(3)
                .withFlushInterval(Duration.ofMillis(5))
                .withRetries(10, Duration.ofMillis(1), Duration.ofMillis(5));

        sync(es, settings, SyncRules.NONE).run(cursor(0), SyncRules.NONE, c -> Mono.fromRunnable(() ->
                        saved.add((Long) c.values().get("n"))).subscribeOn(Schedulers.parallel()).then())
                .as(StepVerifier::create)
                .expectNext(cursor(checkpoints))
                .expectComplete()
                .verify(Duration.ofSeconds(60));

        assertThat(es.violations).isEmpty();
        assertThat(es.versions()).isEqualTo(expected);
        assertThat(saved).isSorted().doesNotHaveDuplicates().endsWith(checkpoints);
        assertThat(stats.failed()).isZero();
    }

    // ---------------------------------------------------------------- following a real-time source

    @Test
    void aCheckpointThatIsSafeOnArrivalIsSavedAtOnceEvenWhileTheStreamIsQuiet() {
        FakeElasticsearch es = FakeElasticsearch.acceptingAll(log);
        // The write of a is acknowledged long before the idle checkpoint 2 arrives; no further result follows it.
        source = new ScriptedSource(() -> Flux.concat(Flux.just(upsert("a", 1), checkpoint(1)),
                Mono.delay(Duration.ofSeconds(5)).thenMany(Flux.just(checkpoint(2))), Flux.never()));

        StepVerifier.withVirtualTime(() -> following(es, SETTINGS).run(cursor(0), SyncRules.NONE, this::save))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(2))
                .then(() -> assertThat(log).containsExactly("ack a:1", "save 1"))
                .thenAwait(Duration.ofSeconds(4))
                .then(() -> assertThat(log).containsExactly("ack a:1", "save 1", "save 2"))
                .thenCancel()
                .verify(TIMEOUT);
        // The source heard of each checkpoint once it was stored, in order.
        assertThat(source.confirmed).containsExactly(cursor(1), cursor(2));
    }

    @Test
    void aFollowedSourceHearsOfNoCheckpointBeforeItIsStored() {
        FakeElasticsearch es = FakeElasticsearch.acceptingAll(log);
        source = new ScriptedSource(() -> Flux.concat(Flux.just(upsert("a", 1), checkpoint(1)), Flux.never()));

        StepVerifier.withVirtualTime(() -> following(es, SETTINGS).run(cursor(0), SyncRules.NONE,
                        c -> Mono.delay(Duration.ofSeconds(10)).then(save(c))))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(5))
                .then(() -> assertThat(source.confirmed).isEmpty())
                .thenAwait(Duration.ofSeconds(10))
                .then(() -> assertThat(source.confirmed).containsExactly(cursor(1)))
                .thenCancel()
                .verify(TIMEOUT);
    }

    @Test
    void followingAQuietStreamWritesItsPartialBatchWithinTheFlushIntervalAndSavesItsCheckpoint() {
        FakeElasticsearch es = FakeElasticsearch.acceptingAll(log);
        source = new ScriptedSource(() -> Flux.concat(Flux.just(upsert("a", 1), upsert("b", 1), checkpoint(1)), Flux.never()));

        StepVerifier.withVirtualTime(() -> following(es, SETTINGS).run(cursor(0), SyncRules.NONE, this::save))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(999))
                .then(() -> assertThat(es.requests).isEmpty())
                .thenAwait(Duration.ofMillis(1))
                .then(() -> {
                    assertThat(es.requests).containsExactly(List.of("a", "b"));
                    assertThat(log).containsExactly("ack a:1", "ack b:1", "save 1");
                })
                .thenAwait(Duration.ofHours(1))
                .thenCancel()
                .verify(TIMEOUT);
        assertThat(source.followed).isTrue();
    }

    @Test
    void followingEndsAtTheFirstRefusedWriteWithoutWaitingForTheStreamToEnd() {
        FakeElasticsearch es = FakeElasticsearch.answering(log, (n, ops) ->
                Mono.just(FakeElasticsearch.items(ops, op -> op.id().equals("bad") ? 400 : 201)));
        PublisherProbe<ChangeEvent> events = PublisherProbe.of(Flux.concat(Flux.just(upsert("a", 1), checkpoint(1)),
                // In a batch of its own: a's was written by then.
                // Assembled at subscription, under virtual time.
                Flux.defer(() -> Mono.delay(Duration.ofSeconds(2)).thenMany(Flux.just(upsert("bad", 1), checkpoint(2)))),
                Flux.never()));
        source = new ScriptedSource(events::flux);

        StepVerifier.withVirtualTime(() -> following(es, SETTINGS).run(cursor(0), SyncRules.NONE, this::save))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(5))
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(IncrementalSync.ChangesNotAppliedException.class)
                        .hasMessageContaining("1 refused by Elasticsearch")
                        .hasMessageContaining("real-time job"))
                .verify(TIMEOUT);

        events.assertWasCancelled();
        assertThat(saved).containsExactly(1L);
    }

    @Test
    void followingEndsAtTheFirstInvalidDocument() {
        FakeElasticsearch es = FakeElasticsearch.acceptingAll(log);
        PublisherProbe<ChangeEvent> events = PublisherProbe.of(Flux.concat(Flux.just(upsert("a", 1), checkpoint(1),
                new ChangeEvent.Upsert(SourceDocument.builder("odd").field("v", new Object()).build()), checkpoint(2)),
                Flux.never()));
        source = new ScriptedSource(events::flux);

        StepVerifier.withVirtualTime(() -> following(es, SETTINGS).run(cursor(0), SyncRules.NONE, this::save))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(5))
                .expectError(IncrementalSync.ChangesNotAppliedException.class)
                .verify(TIMEOUT);

        events.assertWasCancelled();
        assertThat(saved).isEmpty();
        assertThat(stats.failed()).isEqualTo(1);
    }

    // ---------------------------------------------------------------- helpers

    private IncrementalSync following(FakeElasticsearch es, BulkSinkSettings settings) {
        return IncrementalSync.following(source, new BulkSink(es, settings, stats), new DocumentSerializer("fp"),
                new BasicRulesFilter(List.of()), stats);
    }

    private ScriptedSource source;

    private IncrementalSync sync(FakeElasticsearch es, BulkSinkSettings settings, SyncRules rules) {
        return new IncrementalSync(source, new BulkSink(es, settings, stats), new DocumentSerializer("fp"),
                new BasicRulesFilter(rules.basic()), stats);
    }

    private Mono<Void> save(SyncCursor cursor) {
        return Mono.fromRunnable(() -> {
            long n = (Long) cursor.values().get("n");
            saved.add(n);
            log.add("save " + n);
        });
    }

    /** The events, 10ms later: what came before was handed to the sink by then. */
    private static Flux<ChangeEvent> later(ChangeEvent... events) {
        return Mono.delay(Duration.ofMillis(10)).thenMany(Flux.just(events));
    }

    private static ChangeEvent upsert(String id, long version) {
        return new ChangeEvent.Upsert(SourceDocument.builder(id).field("v", version).build());
    }

    private static ChangeEvent delete(String id) {
        return new ChangeEvent.Delete(id);
    }

    private static ChangeEvent checkpoint(long n) {
        return new ChangeEvent.Checkpoint(cursor(n));
    }

    private static SyncCursor cursor(long n) {
        return new SyncCursor(Map.of("n", n));
    }

    /** Emits a scripted stream of change events and records what it was asked for. */
    private static final class ScriptedSource implements RealtimeSource {
        volatile boolean followed;
        final List<SyncCursor> cursors = new CopyOnWriteArrayList<>();
        final List<SyncRules> rules = new CopyOnWriteArrayList<>();
        private final Supplier<Flux<ChangeEvent>> events;

        /** @param events called at each subscription, so virtual time applies to the delays it assembles */
        ScriptedSource(Supplier<Flux<ChangeEvent>> events) {
            this.events = events;
        }

        @Override
        public Flux<ChangeEvent> getDocsIncrementally(SyncCursor cursor, SyncRules rules) {
            cursors.add(cursor);
            this.rules.add(rules);
            return events.get();
        }

        @Override
        public Flux<ChangeEvent> followChanges(SyncCursor cursor, SyncRules rules) {
            followed = true;
            return getDocsIncrementally(cursor, rules);
        }

        final List<SyncCursor> confirmed = new CopyOnWriteArrayList<>();

        @Override
        public void checkpointSaved(SyncCursor cursor) {
            confirmed.add(cursor);
        }

        @Override
        public Mono<SyncCursor> currentCursor() {
            return Mono.empty();
        }
    }

    /**
     * A scripted {@code _bulk} endpoint (like BulkSinkTest's) that also keeps the documents it acknowledged, applying
     * each operation when it is answered, as Elasticsearch would, and records any id sent while already in flight.
     */
    static final class FakeElasticsearch implements BulkClient {
        final Map<String, String> docs = new ConcurrentHashMap<>();
        final List<List<String>> requests = new CopyOnWriteArrayList<>();
        /** Every operation sent, in order: "index id" or "delete id". */
        final List<String> sent = new CopyOnWriteArrayList<>();
        final Set<String> inFlight = ConcurrentHashMap.newKeySet();
        final List<String> violations = new CopyOnWriteArrayList<>();
        private final List<String> log;
        private final BiFunction<Integer, List<BulkOp>, Mono<List<ItemResult>>> script;

        private FakeElasticsearch(List<String> log, BiFunction<Integer, List<BulkOp>, Mono<List<ItemResult>>> script) {
            this.log = log;
            this.script = script;
        }

        static FakeElasticsearch answering(List<String> log, BiFunction<Integer, List<BulkOp>, Mono<List<ItemResult>>> script) {
            return new FakeElasticsearch(log, script);
        }

        static FakeElasticsearch acceptingAll(List<String> log) {
            return answering(log, (n, ops) -> Mono.just(statuses(ops, 201)));
        }

        @Override
        public Mono<List<ItemResult>> bulk(List<BulkOp> ops) {
            return Mono.defer(() -> {
                int n;
                synchronized (this) {
                    n = requests.size();
                    requests.add(ops.stream().map(BulkOp::id).toList());
                    for (BulkOp op : ops) {
                        sent.add((op instanceof BulkOp.Delete ? "delete " : "index ") + op.id());
                        if (!inFlight.add(op.id())) {
                            violations.add(op.id() + " sent while in flight");
                        }
                    }
                }
                List<BulkOp> copy = List.copyOf(ops);
                Runnable done = () -> copy.forEach(op -> inFlight.remove(op.id()));
                return script.apply(n, copy)
                        .map(items -> {
                            apply(copy, items);
                            return items;
                        })
                        .doOnTerminate(done)
                        .doOnCancel(done);
            });
        }

        private synchronized void apply(List<BulkOp> ops, List<ItemResult> items) {
            for (int i = 0; i < ops.size(); i++) {
                if (!items.get(i).succeeded()) {
                    continue;
                }
                BulkOp op = ops.get(i);
                if (op instanceof BulkOp.Index index) {
                    String json = new String(index.source(), StandardCharsets.UTF_8);
                    docs.put(op.id(), json);
                    log.add("ack " + op.id() + ":" + version(json));
                } else {
                    docs.remove(op.id());
                    log.add("ack delete " + op.id());
                }
            }
        }

        /** The field v of every document. */
        Map<String, Long> versions() {
            Map<String, Long> out = new HashMap<>();
            docs.forEach((id, json) -> out.put(id, version(json)));
            return out;
        }

        private static Long version(String json) {
            try {
                Object v = JSON.readValue(json, Map.class).get("v");
                return v == null ? null : ((Number) v).longValue();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        static List<ItemResult> statuses(List<BulkOp> ops, int status) {
            return items(ops, op -> status);
        }

        static List<ItemResult> items(List<BulkOp> ops, Function<BulkOp, Integer> status) {
            List<ItemResult> out = new ArrayList<>(ops.size());
            for (BulkOp op : ops) {
                int s = status.apply(op);
                out.add(switch (s) {
                    case 200, 201 -> new ItemResult(op.id(), op instanceof BulkOp.Delete ? 200 : s,
                            op instanceof BulkOp.Delete ? "deleted" : "created", null, null);
                    case 429 -> new ItemResult(op.id(), 429, null, "es_rejected_execution_exception", "rejected");
                    default -> new ItemResult(op.id(), s, null, "mapper_parsing_exception", "failed to parse");
                });
            }
            return out;
        }
    }
}
