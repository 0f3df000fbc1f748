package io.connectors.source.mongodb;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.changestream.ChangeStreamDocument;
import com.mongodb.client.model.changestream.FullDocument;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.connectors.testkit.functional.SourceFixture.Truth;
import io.connectors.testkit.functional.SourceFixture;
import io.connectors.testkit.functional.SourceFixtureTest;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bson.BsonDocument;
import org.bson.BsonTimestamp;
import org.bson.Document;
import org.bson.UuidRepresentation;
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The fixture of {@code make ftest NAME=mongodb}, against the in-process server: its documents, its ground truth, its
 * mutations, and a digest that a faithful mapping of the documents matches and a broken one does not.
 */
class MongoFixtureTest extends SourceFixtureTest<MongoFixture> {
    private static final DateTimeFormatter ALWAYS_MILLIS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
            .withZone(ZoneOffset.UTC);

    private MongoClient client;
    private MongoCollection<Document> documents;

    @Override
    protected MongoFixture createFixture() {
        return new MongoFixture(null);
    }

    // Reaches every kind of id: strings (non-ASCII from 3, a long one at 3,003), 32-bit (7) and 64-bit (507) integers.
    @Override
    protected int count() {
        return 3_100;
    }

    /** Every document's faithful mapping, as the harness would read it back from the index. */
    @Override
    protected Map<String, Map<String, Object>> indexedSources() {
        Map<String, Map<String, Object>> sources = new HashMap<>();
        Flux.from(documents.find()).toIterable()
                .forEach(doc -> sources.put(BsonJson.id(doc.toBsonDocument().get("_id")), asIndexed(doc)));
        return sources;
    }

    @BeforeEach
    void connect() {
        Map<String, Object> config = fixture().connectorConfiguration();
        client = MongoClients.create((String) config.get("connection_string"));
        documents = client.getDatabase((String) config.get("database"))
                .getCollection(((List<?>) config.get("collections")).get(0).toString());
    }

    @AfterEach
    void disconnect() {
        client.close();
    }

    /**
     * A document as a faithful source indexes it and the harness reads it back from {@code _source}, mapped here
     * independently of the fixture: {@code _id} as {@code mongo_id}, dates as ISO-8601 with milliseconds always
     * written, ObjectIds as hex, and numbers as Jackson parses them (a decimal fraction becomes a double).
     */
    static Map<String, Object> asIndexed(Document doc) {
        Map<String, Object> source = new LinkedHashMap<>();
        doc.forEach((k, v) -> source.put(k.equals("_id") ? "mongo_id" : k, indexed(v)));
        return source;
    }

    private static Object indexed(Object v) {
        if (v instanceof Document d) {
            Map<String, Object> map = new LinkedHashMap<>();
            d.forEach((k, x) -> map.put(k, indexed(x)));
            return map;
        }
        if (v instanceof List<?> list) {
            return list.stream().map(MongoFixtureTest::indexed).toList();
        }
        if (v instanceof Date date) {
            return ALWAYS_MILLIS.format(date.toInstant());
        }
        if (v instanceof ObjectId id) {
            return id.toHexString();
        }
        if (v instanceof Decimal128 d) {
            return d.bigDecimalValue().doubleValue();
        }
        return v;
    }

    @Test
    void pointsTheSourceAtTheServer() {
        assertThat(fixture().supportsIncremental()).isTrue();
        assertThat(fixture().connectorConfiguration()).containsOnlyKeys("connection_string", "database", "collections", "watch_changes");
        // The in-process server would be polled continuously by a watch (see MongoFixture.connectorConfiguration).
        assertThat(fixture().connectorConfiguration()).containsEntry("watch_changes", System.getenv("MONGODB_URI") != null);
        assertThat((String) fixture().connectorConfiguration().get("connection_string")).startsWith("mongodb://127.0.0.1:");
    }

    @Test
    void theGroundTruthHoldsEveryKindOfIdWithDistinctDigests() throws Exception {
        List<Truth> truth = truth();
        Set<String> expected = new HashSet<>();
        int objectIds = 0;
        for (int i = 0; i < count(); i++) {
            expected.add(BsonJson.id(MongoFixture.idOf(i)));
            objectIds += MongoFixture.idOf(i).isObjectId() ? 1 : 0;
        }
        assertThat(objectIds).isEqualTo(count() - 14);
        assertThat(truth).extracting(Truth::id)
                .containsExactlyInAnyOrderElementsOf(expected)
                .anySatisfy(id -> assertThat(id.getBytes(StandardCharsets.UTF_8).length).isGreaterThan(512))
                .anySatisfy(id -> assertThat(id).contains("𝄞"))
                .anySatisfy(id -> assertThat(id).isEqualTo(BsonJson.id(new org.bson.BsonInt32(7))))
                .anySatisfy(id -> assertThat(id).isEqualTo(BsonJson.id(new org.bson.BsonInt64((1L << 40) + 507))))
                .filteredOn(id -> id.matches("[0-9a-f]{24}")).hasSize(objectIds);
        assertThat(new HashSet<>(truth.stream().map(Truth::digest).toList())).hasSize(count());
    }

    @Test
    void theGroundTruthIsWhatTheSourceMappingEmits() throws Exception {
        BsonJson json = new BsonJson(UuidRepresentation.JAVA_LEGACY);
        fixture().mutate(100, 100, 100);
        Map<String, String> emitted = new HashMap<>();
        Flux.from(documents.withDocumentClass(BsonDocument.class).find()).toIterable()
                .forEach(doc -> emitted.put(BsonJson.id(doc.get("_id")), fixture().digestOfIndexed(json.fields(doc))));
        assertThat(emitted).isEqualTo(truthById());
    }

    @Test
    void fetchBuildsFromTheBytesWhatTheSourceBuiltFromDecodedDocuments() {
        fixture().mutate(100, 100, 100);
        MongoDataSourceProvider provider = new MongoDataSourceProvider();
        io.connectors.spi.BaseDataSource source = provider.create(io.connectors.spi.config.SourceConfig.from(provider.configFields(),
                fixture().connectorConfiguration()), new io.connectors.spi.SourceContext("fixture"));
        try {
            List<io.connectors.spi.SourceDocument> listed = source.getDocs(io.connectors.spi.rules.SyncRules.NONE).collectList()
                    .block(Duration.ofSeconds(60));
            Map<String, Map<String, Object>> built = new HashMap<>();
            io.connectors.testkit.contract.DeferredDocuments.build(source, listed, Duration.ofSeconds(60))
                    .forEach(d -> built.put(d.id(), d.fields()));
            Map<String, Map<String, Object>> eager = new HashMap<>();
            Flux.from(documents.withDocumentClass(BsonDocument.class).find()).toIterable()
                    .forEach(doc -> eager.put(BsonJson.id(doc.get("_id")), MongoSourceBehaviour.eagerFields(doc, null)));
            assertThat(listed).hasSize(count()).allSatisfy(d -> assertThat(d.isDeferred()).isTrue());
            assertThat(built).hasSize(count()).isEqualTo(eager);
        } finally {
            source.close().block(Duration.ofSeconds(30));
        }
    }

    @Test
    void documentsHaveRealisticShapesAndSizes() {
        List<Document> all = Flux.from(documents.find()).collectList().block();
        assertThat(all).hasSize(count()).allSatisfy(doc -> {
            assertThat(doc.keySet()).containsExactlyInAnyOrder("_id", "title", "body", "status", "published", "views",
                    "sequence", "price", "rating", "created_at", "updated_at", "tags", "author", "comments", "reviewer",
                    "revision");
            assertThat(doc.getLong("sequence")).isGreaterThan(1L << 53);
            assertThat(doc.get("price")).isInstanceOf(Decimal128.class);
            assertThat(doc.get("created_at")).isInstanceOf(Date.class);
            assertThat(doc.get("author", Document.class).get("location")).isInstanceOf(Document.class);
        });
        int[] sizes = all.stream().mapToInt(d -> d.getString("body").getBytes(StandardCharsets.UTF_8).length).sorted().toArray();
        assertThat(sizes[0]).isBetween(250, 400);
        assertThat(sizes[sizes.length - 1]).isBetween(3_000, 5_000);
        assertThat(sizes[sizes.length / 2]).isBetween(700, 2_000);
        assertThat(all).anySatisfy(d -> assertThat(d.get("reviewer")).isNull())
                .anySatisfy(d -> assertThat(d.getList("tags", String.class)).isEmpty())
                .anySatisfy(d -> assertThat(d.getList("comments", Document.class)).hasSizeGreaterThan(1))
                .anySatisfy(d -> assertThat(d.get("price", Decimal128.class).bigDecimalValue().toPlainString()).endsWith("0"));
        assertThat(MongoFixture.document(42, 0)).isEqualTo(MongoFixture.document(42, 0))
                .isNotEqualTo(MongoFixture.document(42, 1));
    }

    @Test
    void mutationsUseBothKindsOfUpdateAndAddEveryKindOfId() throws Exception {
        SourceFixture.Mutation m = fixture().mutate(1_000, 120, 130);

        assertThat(Flux.from(documents.find(Filters.gt("revision", 0))).collectList().block()).hasSize(120)
                .anySatisfy(d -> assertThat(d.getString("title")).endsWith("(revision 1)"));
        assertThat(m.added()).anySatisfy(id -> assertThat(id).startsWith("sku-"))
                .anySatisfy(id -> assertThat(id).matches("[0-9a-f]{24}"));
    }

    @Test
    void aChangeStreamSeesEveryMutation() throws Exception {
        MongoCollection<BsonDocument> oplog = client.getDatabase("local").getCollection("oplog.rs", BsonDocument.class);
        assertThat(Mono.from(oplog.countDocuments()).block()).as("the oplog is emptied after the load").isZero();

        SourceFixture.Mutation m = fixture().mutate(40, 30, 20);

        List<ChangeStreamDocument<Document>> events = Flux.from(documents.watch()
                        .startAtOperationTime(new BsonTimestamp(1, 0))
                        .fullDocument(FullDocument.UPDATE_LOOKUP))
                .take(90)
                .collectList()
                .block(Duration.ofSeconds(30));
        Map<String, List<String>> byKind = new HashMap<>();
        Map<String, Document> full = new HashMap<>();
        for (ChangeStreamDocument<Document> e : events) {
            // mongo-java-server 1.47.0 puts the update itself in an update's documentKey, not {_id}: take the id
            // from the looked-up document then.
            String id = BsonJson.id(e.getDocumentKey().containsKey("_id") ? e.getDocumentKey().get("_id")
                    : e.getFullDocument().toBsonDocument().get("_id"));
            byKind.computeIfAbsent(e.getOperationTypeString(), k -> new ArrayList<>()).add(id);
            full.put(id, e.getFullDocument());
        }
        assertThat(byKind.get("insert")).containsExactlyInAnyOrderElementsOf(m.added());
        assertThat(byKind.get("delete")).containsExactlyInAnyOrderElementsOf(m.deleted());
        // mongo-java-server reports replaceOne as an update; MongoDB as a replace.
        List<String> updated = new ArrayList<>(byKind.getOrDefault("update", List.of()));
        updated.addAll(byKind.getOrDefault("replace", List.of()));
        assertThat(updated).containsExactlyInAnyOrderElementsOf(m.updated());
        Map<String, String> truth = truthById();
        for (String id : m.updated()) {
            assertThat(fixture().digestOfIndexed(asIndexed(full.get(id)))).as(id).isEqualTo(truth.get(id));
        }
    }

    @Test
    void aRestartedBackendKeepsItsDataAndAddress() throws Exception {
        Object address = fixture().connectorConfiguration().get("connection_string");
        List<SourceFixture.Truth> before = new ArrayList<>();
        fixture().groundTruth().forEachRemaining(before::add);
        assertThat(fixture().restartable()).isTrue();

        fixture().stopBackend();
        fixture().startBackend();

        List<SourceFixture.Truth> after = new ArrayList<>();
        fixture().groundTruth().forEachRemaining(after::add);
        assertThat(after).isEqualTo(before).hasSize(count());
        assertThat(fixture().connectorConfiguration().get("connection_string")).isEqualTo(address);
        assertThat(new MongoFixture("mongodb://127.0.0.1:1").restartable()).isFalse();
    }

    @Test
    void theDigestToleratesHowJsonSpellsAValueButNotAWrongValue() {
        Document doc = Flux.from(documents.find(Filters.eq("_id", MongoFixture.objectId(11)))).blockFirst();
        Map<String, Object> faithful = asIndexed(doc);
        String digest = fixture().digestOfIndexed(faithful);
        assertThat(digest).isEqualTo(MongoFixtureDigest.ofBackend(doc.toBsonDocument()));

        // Other spellings of the same values.
        assertThat(fixture().digestOfIndexed(with(faithful, "price", ((Decimal128) doc.get("price")).bigDecimalValue()))).isEqualTo(digest);
        assertThat(fixture().digestOfIndexed(with(faithful, "price", new BigDecimal(doc.get("price").toString() + "000")))).isEqualTo(digest);
        assertThat(fixture().digestOfIndexed(with(faithful, "views", ((Number) faithful.get("views")).longValue()))).isEqualTo(digest);
        assertThat(fixture().digestOfIndexed(with(faithful, "created_at", doc.getDate("created_at").toInstant().toString()))).isEqualTo(digest);
        assertThat(fixture().digestOfIndexed(with(faithful, "created_at", doc.getDate("created_at").toInstant().atOffset(ZoneOffset.UTC).toString()))).isEqualTo(digest);
        assertThat(fixture().digestOfIndexed(with(faithful, "unrelated", "ignored"))).isEqualTo(digest);
        Map<String, Object> reordered = new LinkedHashMap<>();
        List<String> keys = new ArrayList<>(faithful.keySet());
        Collections.reverse(keys);
        keys.forEach(k -> reordered.put(k, faithful.get(k)));
        assertThat(fixture().digestOfIndexed(reordered)).isEqualTo(digest);

        // Wrong values.
        long sequence = doc.getLong("sequence");
        assertThat(fixture().digestOfIndexed(with(faithful, "sequence", (double) sequence))).isNotEqualTo(digest);
        assertThat(fixture().digestOfIndexed(with(faithful, "sequence", String.valueOf(sequence)))).isNotEqualTo(digest);
        assertThat(fixture().digestOfIndexed(with(faithful, "created_at", doc.getDate("created_at").getTime()))).isNotEqualTo(digest);
        assertThat(fixture().digestOfIndexed(with(faithful, "mongo_id", doc.get("_id").toString() + "x"))).isNotEqualTo(digest);
        assertThat(fixture().digestOfIndexed(with(faithful, "mongo_id", Map.of("$oid", doc.get("_id").toString())))).isNotEqualTo(digest);
        assertThat(fixture().digestOfIndexed(with(faithful, "tags", null))).isNotEqualTo(digest);
        assertThat(fixture().digestOfIndexed(with(faithful, "price", doc.get("price").toString()))).isNotEqualTo(digest);
        @SuppressWarnings("unchecked")
        Map<String, Object> author = new LinkedHashMap<>((Map<String, Object>) faithful.get("author"));
        author.put("followers", ((Number) author.get("followers")).intValue() + 1);
        assertThat(fixture().digestOfIndexed(with(faithful, "author", author))).isNotEqualTo(digest);
        assertThat(fixture().digestFields()).contains("mongo_id", "title", "body", "author", "comments")
                .doesNotContain("_id");
        assertThat(MongoFixtureDigest.number(3.0)).isEqualTo(MongoFixtureDigest.number(new BigDecimal("3.00")))
                .isEqualTo(MongoFixtureDigest.number(3L)).isEqualTo("3");
        assertThat(MongoFixtureDigest.dateTime("2024-02-03T04:05:06.700+00:00")).isEqualTo("2024-02-03T04:05:06.700Z");
        assertThat(MongoFixtureDigest.dateTime("no date")).isEqualTo("no date");
    }

    @Test
    void anIntegerIdMayBeIndexedAsANumberOrAsText() {
        Document doc = Flux.from(documents.find(Filters.eq("_id", 7))).blockFirst();
        Map<String, Object> faithful = asIndexed(doc);
        String digest = MongoFixtureDigest.ofBackend(doc.toBsonDocument());
        assertThat(fixture().digestOfIndexed(faithful)).isEqualTo(digest);
        assertThat(fixture().digestOfIndexed(with(faithful, "mongo_id", "7"))).isEqualTo(digest);
        assertThat(fixture().digestOfIndexed(with(faithful, "mongo_id", 8))).isNotEqualTo(digest);
    }

    private static Map<String, Object> with(Map<String, Object> source, String field, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(source);
        copy.put(field, value);
        return copy;
    }
}
