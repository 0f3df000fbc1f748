package io.connectors.source.mongodb;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.connectors.spi.ChangeEvent;
import io.connectors.spi.ChangeWatchingSource;
import io.connectors.spi.ConfigValidationException;
import io.connectors.spi.CursorExpiredException;
import io.connectors.spi.FieldError;
import io.connectors.spi.SourceConfig;
import io.connectors.spi.SourceContext;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SourceException;
import io.connectors.spi.SyncCursor;
import io.connectors.spi.SyncRules;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What the MongoDB source does against a MongoDB: full syncs, rules pushed down, change streams (incremental syncs,
 * the fall-back when a position cannot be resumed, real-time following, the watch) and clear errors. Run against
 * the in-process server always, and against a real MongoDB when {@code MONGODB_URI} is set.
 */
abstract class MongoSourceBehaviour {
    static final Duration WAIT = Duration.ofSeconds(30);

    MongoBackend backend;
    MongoCollection<BsonDocument> items;
    private final List<MongoDataSource> sources = new ArrayList<>();

    abstract MongoBackend backend();

    @BeforeEach
    void fill() {
        backend = backend();
        items = backend.db().getCollection("items", BsonDocument.class);
        List<BsonDocument> docs = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            docs.add(item(i, i % 2 == 0 ? "published" : "draft"));
        }
        Mono.from(items.insertMany(docs)).block();
        Mono.from(backend.db().getCollection("other", BsonDocument.class).insertOne(item(0, "published"))).block();
    }

    @AfterEach
    void tearDown() {
        sources.forEach(s -> s.close().block());
        if (backend != null) {
            backend.close();
        }
    }

    static BsonDocument item(int i, String status) {
        return new BsonDocument("_id", new BsonInt32(i)).append("title", new BsonString("item " + i))
                .append("status", new BsonString(status)).append("n", new BsonInt32(i));
    }

    MongoDataSource source(Map<String, Object> extra) {
        Map<String, Object> raw = new LinkedHashMap<>(Map.of("connection_string", backend.connectionString(),
                "database", backend.database(), "collections", List.of("items"), "batch_size", 7,
                "change_stream_idle", "1s"));
        raw.putAll(extra);
        MongoDataSourceProvider provider = new MongoDataSourceProvider();
        MongoDataSource source = (MongoDataSource) provider.create(SourceConfig.from(provider.configFields(), raw),
                new SourceContext("test"));
        sources.add(source);
        return source;
    }

    static SyncRules advanced(Map<String, Object> advanced) {
        return new SyncRules(List.of(), advanced);
    }

    // ------------------------------------------------------------------------------------------ full sync

    @Test
    void fullSyncStreamsEveryDocumentInIdOrder() {
        List<SourceDocument> docs = source(Map.of()).getDocs(SyncRules.NONE).collectList().block(WAIT);
        assertThat(docs).extracting(SourceDocument::id)
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 25).mapToObj(MongoSourceBehaviour::id).toList());
        assertThat(docs.get(3).fields()).containsEntry("title", "item 3").containsEntry("n", 3).containsEntry("mongo_id", "3")
                .doesNotContainKey("_id");
    }

    @Test
    void mongoIdIsAlwaysTextSoMixedIdTypesShareOneField() {
        assertThat(MongoDataSource.idText(new org.bson.BsonObjectId(new org.bson.types.ObjectId("5f0000000000000000000001"))))
                .isEqualTo("5f0000000000000000000001");
        assertThat(MongoDataSource.idText(new BsonString("sku-1"))).isEqualTo("sku-1");
        assertThat(MongoDataSource.idText(new org.bson.BsonInt64(1L << 60))).isEqualTo(String.valueOf(1L << 60));
        assertThat(MongoDataSource.idText(new org.bson.BsonDecimal128(org.bson.types.Decimal128.parse("1.50")))).isEqualTo("1.50");
        assertThat(MongoDataSource.idText(new org.bson.BsonDouble(2.5))).isEqualTo("2.5");
        assertThat(MongoDataSource.idText(new org.bson.BsonDouble(Double.NaN))).isEqualTo(BsonJson.id(new org.bson.BsonDouble(Double.NaN)));
        assertThat(MongoDataSource.idText(new org.bson.BsonBoolean(true))).isEqualTo(BsonJson.id(new org.bson.BsonBoolean(true)));
    }

    @Test
    void severalCollectionsPrefixIds() {
        List<SourceDocument> docs = source(Map.of("collections", List.of("items", "other"))).getDocs(SyncRules.NONE)
                .collectList().block(WAIT);
        assertThat(docs).hasSize(26);
        assertThat(docs).extracting(SourceDocument::id).contains("items/" + id(0), "other/" + id(0));
        assertThat(docs.get(25).fields()).containsEntry("mongo_collection", "other");
    }

    @Test
    void findRulesArePushedDown() {
        SyncRules rules = advanced(Map.of("find", Map.of("filter", Map.of("status", "published", "n", Map.of("$gte", 10)),
                "projection", Map.of("title", 1), "sort", Map.of("n", -1))));
        List<SourceDocument> docs = source(Map.of()).getDocs(rules).collectList().block(WAIT);
        assertThat(docs).extracting(d -> d.fields().get("title"))
                .containsExactly("item 24", "item 22", "item 20", "item 18", "item 16", "item 14", "item 12", "item 10");
        assertThat(docs.get(0).fields()).containsOnlyKeys("mongo_id", "title");
    }

    @Test
    void aggregationRulesArePushedDown() {
        SyncRules rules = advanced(Map.of("aggregate", Map.of("pipeline", List.of(
                Map.of("$match", Map.of("status", "draft")),
                Map.of("$addFields", Map.of("double", Map.of("$multiply", List.of("$n", 2)))),
                Map.of("$limit", 3)))));
        List<SourceDocument> docs = source(Map.of()).getDocs(rules).collectList().block(WAIT);
        assertThat(docs).hasSize(3);
        assertThat(docs).allSatisfy(d -> assertThat(d.fields()).containsEntry("status", "draft"));
        assertThat(docs.get(0).fields().get("double")).isEqualTo(2 * ((Number) docs.get(0).fields().get("n")).intValue());
    }

    // ------------------------------------------------------------------------------------------ validation

    @Test
    void validationNamesMissingCollectionsAndDatabases() {
        Throwable missingCollection = source(Map.of("collections", List.of("items", "nope"))).validateConfig()
                .thenReturn(new Object()).onErrorResume(Mono::just).block(WAIT) instanceof Throwable t ? t : null;
        assertThat(missingCollection).isInstanceOf(ConfigValidationException.class);
        assertThat(((ConfigValidationException) missingCollection).errors()).extracting(FieldError::field).containsExactly("collections");
        assertThat(missingCollection.getMessage()).contains("'nope'").doesNotContain("'items'");

        Throwable missingDatabase = source(Map.of("database", "no_such_db_here")).validateConfig()
                .thenReturn(new Object()).onErrorResume(Mono::just).block(WAIT) instanceof Throwable t ? t : null;
        assertThat(missingDatabase).isInstanceOf(ConfigValidationException.class);
        assertThat(missingDatabase.getMessage()).contains("no_such_db_here");
    }

    @Test
    void unreachableHostFailsFastAndNamesTheHost() {
        MongoDataSource source = source(Map.of("connection_string", "mongodb://user:hunter22@127.0.0.1:1",
                "server_selection_timeout", "1s"));
        Throwable error = source.ping().thenReturn(new Object()).onErrorResume(Mono::just).block(WAIT) instanceof Throwable t ? t : null;
        assertThat(error).isInstanceOf(SourceException.class);
        assertThat(error.getMessage()).contains("127.0.0.1:1").doesNotContain("hunter22");
        assertThat(((SourceException) error).retryable()).isTrue();
    }

    // ------------------------------------------------------------------------------------------ change streams

    @Test
    void incrementalSyncAppliesInsertsUpdatesReplacesAndDeletes() {
        MongoDataSource source = source(Map.of());
        SyncCursor start = source.currentCursor().block(WAIT);
        Mono.from(items.insertOne(item(100, "published"))).block();
        Mono.from(items.updateOne(Filters.eq("_id", 1), Updates.set("title", "changed"))).block();
        Mono.from(items.replaceOne(Filters.eq("_id", 2), item(2, "replaced"))).block();
        Mono.from(items.deleteOne(Filters.eq("_id", 3))).block();

        List<ChangeEvent> events = source.getDocsIncrementally(start, SyncRules.NONE).collectList().block(WAIT);
        Map<String, Object> state = replay(events);
        assertThat(state).containsEntry(id(3), "deleted");
        assertThat(title(state, 100)).isEqualTo("item 100");
        assertThat(title(state, 1)).isEqualTo("changed");
        assertThat(((SourceDocument) state.get(id(2))).fields()).containsEntry("status", "replaced");
        assertThat(events.get(events.size() - 1)).isInstanceOf(ChangeEvent.Checkpoint.class);

        // From the last checkpoint, nothing more; a later change is all the next sync sees.
        SyncCursor next = ((ChangeEvent.Checkpoint) events.get(events.size() - 1)).cursor();
        Mono.from(items.deleteOne(Filters.eq("_id", 4))).block();
        List<ChangeEvent> after = source.getDocsIncrementally(next, SyncRules.NONE).collectList().block(WAIT);
        assertThat(replay(after)).containsOnlyKeys(id(4)).containsEntry(id(4), "deleted");
    }

    @Test
    void incrementalSyncWithRulesDeletesWhatStoppedMatching() {
        MongoDataSource source = source(Map.of());
        SyncRules rules = advanced(Map.of("find", Map.of("filter", Map.of("status", "published"))));
        SyncCursor start = source.currentCursor().block(WAIT);
        Mono.from(items.updateOne(Filters.eq("_id", 0), Updates.set("status", "draft"))).block();
        Mono.from(items.updateOne(Filters.eq("_id", 1), Updates.set("status", "published"))).block();
        Map<String, Object> state = replay(source.getDocsIncrementally(start, rules).collectList().block(WAIT));
        assertThat(state).containsEntry(id(0), "deleted");
        assertThat(title(state, 1)).isEqualTo("item 1");
    }

    @Test
    void unresumablePositionsAreReportedAsExpiredCursors() {
        MongoDataSource source = source(Map.of());
        Throwable notOurs = source.getDocsIncrementally(new SyncCursor(Map.of("updated_at", "2024")), SyncRules.NONE)
                .then(Mono.<Throwable>empty()).onErrorResume(Mono::just).block(WAIT);
        assertThat(notOurs).isInstanceOf(CursorExpiredException.class);

        SyncCursor onlyItems = source.currentCursor().block(WAIT);
        Throwable newCollection = source(Map.of("collections", List.of("items", "other")))
                .getDocsIncrementally(onlyItems, SyncRules.NONE).then(Mono.<Throwable>empty()).onErrorResume(Mono::just).block(WAIT);
        assertThat(newCollection).isInstanceOf(CursorExpiredException.class).hasMessageContaining("'other'");

        SyncRules grouping = advanced(Map.of("aggregate", Map.of("pipeline", List.of(Map.of("$group", Map.of("_id", "$status"))))));
        Throwable grouped = source.getDocsIncrementally(onlyItems, grouping).then(Mono.<Throwable>empty())
                .onErrorResume(Mono::just).block(WAIT);
        assertThat(grouped).isInstanceOf(CursorExpiredException.class).hasMessageContaining("$group");
    }

    @Test
    void droppedCollectionEndsTheStreamWithAnExpiredCursor() {
        MongoDataSource source = source(Map.of());
        SyncCursor start = source.currentCursor().block(WAIT);
        Mono.from(items.insertOne(item(200, "published"))).block();
        List<ChangeEvent> events = source.getDocsIncrementally(start, SyncRules.NONE).collectList().block(WAIT);
        SyncCursor afterInsert = ((ChangeEvent.Checkpoint) events.get(events.size() - 1)).cursor();
        Mono.from(items.drop()).block();
        Mono.from(items.insertOne(item(300, "published"))).block();
        Throwable error = source.getDocsIncrementally(afterInsert, SyncRules.NONE).then(Mono.<Throwable>empty())
                .onErrorResume(Mono::just).block(WAIT);
        assertThat(error).isInstanceOf(CursorExpiredException.class);
    }

    @Test
    void followingSeesChangesWithinSecondsAndCheckpointsEachBatch() throws InterruptedException {
        MongoDataSource source = source(Map.of());
        SyncCursor start = source.currentCursor().block(WAIT);
        List<ChangeEvent> seen = new CopyOnWriteArrayList<>();
        // A bounded demand, as the runtime requests: a few events at a time.
        Disposable following = source.followChanges(start, SyncRules.NONE).limitRate(2).subscribe(seen::add);
        try {
            // Several changes one after the other: each is followed by its own batch and checkpoint.
            for (int i = 0; i < 4; i++) {
                int n = 400 + i;
                Mono.from(items.updateOne(Filters.eq("_id", i), Updates.set("title", "followed " + i))).block();
                Mono.from(items.deleteOne(Filters.eq("_id", 10 + i))).block();
                long wrote = System.nanoTime();
                Mono.from(items.insertOne(item(n, "published"))).block();
                await(() -> indexOfUpsert(seen, id(n)) >= 0);
                int upsertAt = indexOfUpsert(seen, id(n));
                await(() -> seen.size() > upsertAt + 1);
                assertThat(seen.get(upsertAt + 1)).as("a checkpoint follows the batch").isInstanceOf(ChangeEvent.Checkpoint.class);
                Duration latency = Duration.ofNanos(System.nanoTime() - wrote);
                assertThat(latency).as("time until the change and its checkpoint were emitted").isLessThan(Duration.ofSeconds(5));
            }
        } finally {
            following.dispose();
        }
        assertThat(following.isDisposed()).isTrue();
    }

    @Test
    void watchSaysWatchingThenReportsChanges() throws InterruptedException {
        MongoDataSource source = source(Map.of());
        List<ChangeWatchingSource.Signal> signals = new CopyOnWriteArrayList<>();
        Disposable watching = source.watchChanges().subscribe(signals::add);
        try {
            await(() -> signals.contains(ChangeWatchingSource.Signal.WATCHING));
                Mono.from(items.deleteOne(Filters.eq("_id", 5))).block();
            await(() -> signals.contains(ChangeWatchingSource.Signal.CHANGED));
            assertThat(signals.get(0)).isEqualTo(ChangeWatchingSource.Signal.WATCHING);
        } finally {
            watching.dispose();
        }
    }

    @Test
    void watchCanBeTurnedOff() {
        reactor.test.StepVerifier.create(source(Map.of("watch_changes", false)).watchChanges())
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(500))
                .thenCancel()
                .verify(WAIT);
    }

    // ------------------------------------------------------------------------------------------ helpers

    /** The index as the events leave it: id → document or "deleted". */
    static Map<String, Object> replay(List<ChangeEvent> events) {
        Map<String, Object> state = new LinkedHashMap<>();
        for (ChangeEvent e : events) {
            if (e instanceof ChangeEvent.Upsert u) {
                state.put(u.document().id(), u.document());
            } else if (e instanceof ChangeEvent.Delete d) {
                state.put(d.id(), "deleted");
            }
        }
        return state;
    }

    static int indexOfUpsert(List<ChangeEvent> events, String id) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i) instanceof ChangeEvent.Upsert u && u.document().id().equals(id)) {
                return i;
            }
        }
        return -1;
    }

    static Object title(Map<String, Object> state, int id) {
        Object doc = state.get(id(id));
        return doc instanceof SourceDocument d ? d.fields().get("title") : doc;
    }

    static String id(int n) {
        return BsonJson.id(new BsonInt32(n));
    }

    static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + WAIT);
            }
            Thread.sleep(20);
        }
    }

    static Flux<ChangeEvent> none() {
        return Flux.empty();
    }
}
