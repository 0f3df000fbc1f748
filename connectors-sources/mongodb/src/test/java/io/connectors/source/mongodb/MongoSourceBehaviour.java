package io.connectors.source.mongodb;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.connectors.spi.ChangeEvent;
import io.connectors.spi.ChangeWatchingSource;
import io.connectors.spi.CursorExpiredException;
import io.connectors.spi.SourceContext;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SourceException;
import io.connectors.spi.SyncCursor;
import io.connectors.spi.config.ConfigValidationException;
import io.connectors.spi.config.FieldError;
import io.connectors.spi.config.SourceConfig;
import io.connectors.spi.rules.SyncRules;
import io.connectors.testkit.contract.DeferredDocuments;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.bson.UuidRepresentation;
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

    // ------------------------------------------------------------------------------------------ splits

    /** 2,500 integer _ids, 400 string ones and 100 ObjectIds in collection {@code big}. */
    private void fillBig() {
        List<BsonDocument> docs = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            docs.add(new BsonDocument("_id", new BsonInt32(i * 7)).append("n", new BsonInt32(i)));
        }
        for (int i = 0; i < 400; i++) {
            docs.add(new BsonDocument("_id", new BsonString(String.format("sku-%05d", i))).append("n", new BsonInt32(i)));
        }
        for (int i = 0; i < 100; i++) {
            docs.add(new BsonDocument("_id", new org.bson.BsonObjectId(new org.bson.types.ObjectId())).append("n", new BsonInt32(i)));
        }
        Mono.from(backend.db().getCollection("big", BsonDocument.class).insertMany(docs)).block(WAIT);
    }

    private MongoDataSource bigSource() {
        return source(Map.of("collections", List.of("big"), "split_documents", 1000, "batch_size", 100));
    }

    private static List<io.connectors.spi.SplitEvent> read(MongoDataSource source, io.connectors.spi.SourceSplit split,
                                                          io.connectors.spi.SplitPosition from) {
        return source.readSplit(split, from, SyncRules.NONE).collectList().block(WAIT);
    }

    private static List<String> ids(List<io.connectors.spi.SplitEvent> events) {
        return events.stream().filter(e -> e instanceof io.connectors.spi.SplitEvent.Document)
                .map(e -> ((io.connectors.spi.SplitEvent.Document) e).document().id()).toList();
    }

    @Test
    void aLargeCollectionIsSplitByIdRangesAndTheSplitsAreExactlyTheFullRead() {
        fillBig();
        MongoDataSource source = bigSource();
        List<io.connectors.spi.SourceSplit> splits = source.planSplits(SyncRules.NONE).block(WAIT);
        assertThat(splits.size()).as("3 ranges of the integer _ids and the others").isBetween(3, 6);
        assertThat(splits.get(splits.size() - 1).id()).isEqualTo("big#others");
        List<String> union = new ArrayList<>();
        for (io.connectors.spi.SourceSplit split : splits) {
            union.addAll(ids(read(source, split, null)));
        }
        assertThat(union).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(source.getDocs(SyncRules.NONE).map(SourceDocument::id).collectList().block(WAIT));
        assertThat(union).hasSize(3000);
    }

    @Test
    void aSampleThatFailsOrComesBackEmptyIsTakenAgainBeforeTheCollectionIsReadWhole() {
        // The in-process server's $sample fails about one time in eight ("Comparison method violates its general
        // contract"); a real MongoDB's random cursor can give up too. Twenty plans in a row each divide the collection.
        fillBig();
        MongoDataSource source = bigSource();
        for (int i = 0; i < 20; i++) {
            assertThat(source.planSplits(SyncRules.NONE).block(WAIT)).as("plan %d", i).hasSizeGreaterThan(2);
        }
    }

    @Test
    void aSplitReadFromAJsonPositionYieldsExactlyTheRestAndLateDocumentsAreCovered() throws Exception {
        fillBig();
        MongoDataSource source = bigSource();
        List<io.connectors.spi.SourceSplit> splits = source.planSplits(SyncRules.NONE).block(WAIT);
        assertThat(splits).as("ranges of the integer _ids and the others").hasSizeGreaterThan(2);
        io.connectors.spi.SourceSplit first = splits.get(0);
        List<io.connectors.spi.SplitEvent> events = read(source, first, null);
        int at = -1;
        for (int i = 0; i < events.size() && at < 0; i++) {
            if (events.get(i) instanceof io.connectors.spi.SplitEvent.Position && i > 150) {
                at = i;
            }
        }
        assertThat(at).as("a position after the second batch").isPositive();
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        @SuppressWarnings("unchecked")
        Map<String, Object> position = json.readValue(json.writeValueAsString(
                ((io.connectors.spi.SplitEvent.Position) events.get(at)).position().values()), Map.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> values = json.readValue(json.writeValueAsString(first.values()), Map.class);
        List<String> rest = ids(read(bigSource(), new io.connectors.spi.SourceSplit(first.id(), first.description(), values),
                new io.connectors.spi.SplitPosition(position)));
        assertThat(rest).containsExactlyElementsOf(ids(events.subList(at + 1, events.size())));

        // Added after planning: a larger integer _id is read by the last range, a date _id by the others.
        MongoCollection<BsonDocument> big = backend.db().getCollection("big", BsonDocument.class);
        Mono.from(big.insertOne(new BsonDocument("_id", new BsonInt32(1_000_000)))).block(WAIT);
        Mono.from(big.insertOne(new BsonDocument("_id", new org.bson.BsonDateTime(0)))).block(WAIT);
        List<String> lastRange = ids(read(source, splits.get(splits.size() - 2), null));
        assertThat(lastRange).contains(BsonJson.id(new BsonInt32(1_000_000)));
        assertThat(ids(read(source, splits.get(splits.size() - 1), null))).contains(BsonJson.id(new org.bson.BsonDateTime(0)));
    }

    @Test
    void aSmallCollectionOrAPipelineIsOneSplitAndASplitOfAnotherCollectionIsRefused() {
        MongoDataSource source = source(Map.of());
        assertThat(source.planSplits(SyncRules.NONE).block(WAIT)).extracting(io.connectors.spi.SourceSplit::id)
                .containsExactly("items");
        List<io.connectors.spi.SplitEvent> events = read(source, MongoSplits.whole("items"), null);
        assertThat(ids(events)).hasSize(25);
        assertThat(events.get(events.size() - 1)).isInstanceOf(io.connectors.spi.SplitEvent.Position.class);
        assertThat(read(source, MongoSplits.whole("items"),
                ((io.connectors.spi.SplitEvent.Position) events.get(events.size() - 1)).position())).isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> read(source, MongoSplits.whole("gone"), null))
                .hasMessageContaining("split gone").hasMessageContaining("'gone'");
    }

    // ------------------------------------------------------------------------------------------ full sync

    @Test
    void fullSyncStreamsEveryDocumentInIdOrder() {
        MongoDataSource source = source(Map.of());
        List<SourceDocument> listed = source.getDocs(SyncRules.NONE).collectList().block(WAIT);
        assertThat(listed).extracting(SourceDocument::id)
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 25).mapToObj(MongoSourceBehaviour::id).toList());
        assertThat(listed).allSatisfy(d -> assertThat(d.isDeferred()).as("%s is deferred", d.id()).isTrue());
        List<SourceDocument> docs = built(source, listed);
        assertThat(docs).extracting(SourceDocument::id).containsExactlyElementsOf(listed.stream().map(SourceDocument::id).toList());
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
        MongoDataSource source = source(Map.of("collections", List.of("items", "other")));
        List<SourceDocument> docs = built(source, source.getDocs(SyncRules.NONE).collectList().block(WAIT));
        assertThat(docs).hasSize(26);
        assertThat(docs).extracting(SourceDocument::id).contains("items/" + id(0), "other/" + id(0));
        assertThat(docs.get(25).fields()).containsEntry("mongo_collection", "other");
    }

    @Test
    void findRulesArePushedDown() {
        SyncRules rules = advanced(Map.of("find", Map.of("filter", Map.of("status", "published", "n", Map.of("$gte", 10)),
                "projection", Map.of("title", 1), "sort", Map.of("n", -1))));
        MongoDataSource source = source(Map.of());
        List<SourceDocument> docs = built(source, source.getDocs(rules).collectList().block(WAIT));
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
        MongoDataSource source = source(Map.of());
        List<SourceDocument> docs = built(source, source.getDocs(rules).collectList().block(WAIT));
        assertThat(docs).hasSize(3);
        assertThat(docs).allSatisfy(d -> assertThat(d.fields()).containsEntry("status", "draft"));
        assertThat(docs.get(0).fields().get("double")).isEqualTo(2 * ((Number) docs.get(0).fields().get("n")).intValue());
    }

    // ------------------------------------------------------------------------------------------ versions

    @Test
    void theVersionIsStableAcrossListingsAndChangesWithAnyValueOrType() {
        MongoDataSource source = source(Map.of());
        Map<String, String> first = versions(source.getDocs(SyncRules.NONE));
        assertThat(first).hasSize(25).allSatisfy((id, version) -> assertThat(version).matches("bson1:[0-9a-f]{32}"));
        assertThat(new java.util.HashSet<>(first.values())).as("distinct versions").hasSize(25);
        assertThat(versions(source(Map.of()).getDocs(SyncRules.NONE))).as("a second listing, by another instance")
                .isEqualTo(first);

        Mono.from(items.updateOne(Filters.eq("_id", 1), Updates.set("title", "changed"))).block();
        // The same number as a 64-bit integer: the same JSON, but another BSON type.
        Mono.from(items.replaceOne(Filters.eq("_id", 2), item(2, "published").append("n", new org.bson.BsonInt64(2)))).block();
        Map<String, String> after = versions(source.getDocs(SyncRules.NONE));
        Map<String, String> changed = new LinkedHashMap<>();
        after.forEach((id, version) -> {
            if (!version.equals(first.get(id))) {
                changed.put(id, version);
            }
        });
        assertThat(changed).containsOnlyKeys(id(1), id(2));
        assertThat(versions(source.getDocs(SyncRules.NONE))).isEqualTo(after);
    }

    @Test
    void fetchBuildsWhatTheDriverDecodedDocumentGives() {
        BsonDocument everyType = BsonJsonWireTest.everyType();
        Mono.from(items.insertOne(everyType)).block();
        for (List<String> collections : List.of(List.of("items"), List.of("items", "other"))) {
            MongoDataSource source = source(Map.of("collections", collections));
            List<SourceDocument> listed = source.getDocs(SyncRules.NONE).collectList().block(WAIT);
            Map<String, SourceDocument> built = new LinkedHashMap<>();
            built(source, listed).forEach(d -> built.put(d.id(), d));

            Map<String, Map<String, Object>> eager = new LinkedHashMap<>();
            for (String collection : collections) {
                Flux.from(backend.db().getCollection(collection, BsonDocument.class).find()).collectList().block(WAIT)
                        .forEach(doc -> eager.put(source.id(collection, doc.get("_id")), eagerFields(doc,
                                collections.size() > 1 ? collection : null)));
            }
            assertThat(built.keySet()).isEqualTo(eager.keySet());
            eager.forEach((id, fields) -> assertThat(built.get(id).fields()).as(id).isEqualTo(fields));
            listed.forEach(d -> assertThat(built.get(d.id()).version()).as(d.id()).isEqualTo(d.version()));
        }
    }

    @Test
    void aListedDocumentHoldsItsBytesInAnArrayOfTheirSize() {
        for (SourceDocument d : source(Map.of()).getDocs(SyncRules.NONE).collectList().block(WAIT)) {
            RawBsonDocument bytes = ((MongoDataSource.Listed) d.state()).bytes();
            java.nio.ByteBuffer buffer = bytes.getByteBuffer().asNIO();
            assertThat(buffer.array()).as(d.id()).hasSize(buffer.remaining());
        }
    }

    @Test
    void fetchRefusesDocumentsItDidNotList() {
        MongoDataSource source = source(Map.of());
        reactor.test.StepVerifier.create(source.fetch(List.of(SourceDocument.deferred("x", "v1", "not ours"))))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'x'"))
                .verify(WAIT);
    }

    @Test
    void anUpsertCarriesTheVersionTheListingGivesTheSameDocument() {
        MongoDataSource source = source(Map.of());
        SyncCursor start = source.currentCursor().block(WAIT);
        Mono.from(items.updateOne(Filters.eq("_id", 1), Updates.set("title", "changed"))).block();
        Mono.from(items.insertOne(item(100, "published"))).block();
        Mono.from(items.replaceOne(Filters.eq("_id", 2), item(2, "replaced"))).block();
        Map<String, String> listed = versions(source.getDocs(SyncRules.NONE));

        List<ChangeEvent> events = source.getDocsIncrementally(start, SyncRules.NONE).collectList().block(WAIT);
        Map<String, String> upserted = upsertVersions(events);
        assertThat(upserted).containsOnlyKeys(id(1), id(100), id(2));
        upserted.forEach((id, version) -> assertThat(version).as(id).isEqualTo(listed.get(id)));

        // The same changes replayed from the same position: the same versions, so the runtime can skip them.
        assertThat(upsertVersions(source.getDocsIncrementally(start, SyncRules.NONE).collectList().block(WAIT)))
                .isEqualTo(upserted);

        // Read again through rules, a changed document has the version the same rules' listing gives it.
        SyncRules rules = advanced(Map.of("find", Map.of("filter", Map.of("status", "published"), "projection",
                Map.of("title", 1))));
        Map<String, String> listedWithRules = versions(source.getDocs(rules));
        Map<String, String> upsertedWithRules = upsertVersions(source.getDocsIncrementally(start, rules).collectList().block(WAIT));
        assertThat(upsertedWithRules).containsKey(id(100));
        upsertedWithRules.forEach((id, version) -> assertThat(version).as(id).isEqualTo(listedWithRules.get(id)));
        assertThat(upsertedWithRules.get(id(100))).isNotEqualTo(upserted.get(id(100)));
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

    /** The documents with the deferred ones built, as the runtime builds them. */
    static List<SourceDocument> built(MongoDataSource source, List<SourceDocument> docs) {
        return DeferredDocuments.build(source, docs, WAIT);
    }

    /** Id to version of the documents a listing emits. */
    static Map<String, String> versions(Flux<SourceDocument> docs) {
        Map<String, String> versions = new LinkedHashMap<>();
        docs.toStream().forEach(d -> versions.put(d.id(), d.version().orElseThrow()));
        return versions;
    }

    /** Id to version of the upserted documents. */
    static Map<String, String> upsertVersions(List<ChangeEvent> events) {
        Map<String, String> versions = new LinkedHashMap<>();
        events.stream().filter(e -> e instanceof ChangeEvent.Upsert).map(e -> ((ChangeEvent.Upsert) e).document())
                .forEach(d -> {
                    assertThat(d.isDeferred()).as("%s is built", d.id()).isFalse();
                    versions.put(d.id(), d.version().orElseThrow());
                });
        return versions;
    }

    /**
     * The fields of a document the driver decoded, as the source built them before it read bytes: the mapping, the
     * _id as text, and the collection when there are several.
     */
    static Map<String, Object> eagerFields(BsonDocument doc, String collection) {
        Map<String, Object> fields = new LinkedHashMap<>(new BsonJson(UuidRepresentation.JAVA_LEGACY).fields(doc));
        BsonValue id = doc.get("_id");
        fields.put("mongo_id", MongoDataSource.idText(id));
        if (collection != null) {
            fields.put("mongo_collection", collection);
        }
        return fields;
    }

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
