package io.connectors.source.mongodb;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.client.model.InsertOneModel;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.connectors.testkit.functional.FixtureSampling;
import io.connectors.testkit.functional.RestartableBackend;
import io.connectors.testkit.functional.SourceFixture;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.bson.BsonArray;
import org.bson.BsonBoolean;
import org.bson.BsonDateTime;
import org.bson.BsonDecimal128;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonNull;
import org.bson.BsonObjectId;
import org.bson.BsonString;
import org.bson.BsonType;
import org.bson.BsonValue;
import org.bson.conversions.Bson;
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The MongoDB source's fixture for {@code make ftest NAME=mongodb} and {@code make bench NAME=mongodb}: one collection
 * of article-like documents (a title, a body of 300 bytes to about 4 KB, numbers including a 64-bit integer above
 * 2<sup>53</sup>, a Decimal128 and a double, dates, a tags array, a nested author, an array of comment objects, a
 * null now and then), generated deterministically from their number.
 *
 * <p>Ids are ObjectIds built from the number, except one document in 500 with a string {@code _id} (some non-ASCII,
 * some outside the Basic Multilingual Plane, one in 5,000 longer than 512 bytes, which the runtime hashes) and one in
 * 500 with an integer {@code _id} (32 or 64 bits). The ground truth's ids are {@link BsonJson#id}'s.
 *
 * <p>The backend is the MongoDB in {@code MONGODB_URI} when set (in a database of its own, dropped at the end), else
 * an in-process mongo-java-server with an oplog (so change streams work) listening on 127.0.0.1, which the daemon
 * reaches over TCP like a real server. It keeps every document in the harness's heap, about 6 KB each: 100,000
 * documents fit the harness's default {@code -Xmx1g}; 1,000,000 need {@code -Xmx8g} ({@code FTEST_JAVA_OPTS},
 * {@code BENCH_JAVA_OPTS}) or a real MongoDB, and {@link #load} says so before it starts.
 */
public final class MongoFixture implements SourceFixture, RestartableBackend {
    static final String TYPE = "mongodb";
    static final String COLLECTION = "documents";
    static final String URI_VARIABLE = "MONGODB_URI";
    static final int INSERT_BATCH = 1_000;
    static final int WRITE_BATCH = 500;
    static final int TRIM_EVERY = 20;
    /** What mongo-java-server's memory backend holds per document loaded (measured: 5.9 KB), and a margin. */
    static final long IN_PROCESS_BYTES_PER_DOCUMENT = 6_000;
    static final long IN_PROCESS_HEADROOM = 192L << 20;
    /** 2<sup>53</sup> + 1: the first integer a double cannot hold. */
    static final long ABOVE_DOUBLE_PRECISION = (1L << 53) + 1;

    private static final long SEED = 0x6D0_6D0D_BL;
    private static final long CREATED_BASE = Instant.parse("2023-01-01T00:00:00Z").toEpochMilli();
    private static final byte[] MACHINE = {0x5f, 0x1c, 0x7e, 0x0a, 0x42};
    private static final String[] STATUSES = {"draft", "review", "published", "published", "published", "archived"};
    private static final String[] TAGS = {"release", "howto", "ops", "security", "performance", "search", "ingest",
        "mapping", "java", "reactive", "benchmark", "incident", "design", "café", "東京", "faq"};
    private static final String[] NAMES = {"Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra",
        "Barbara Liskov", "Donald Knuth", "Frances Allen", "Ken Thompson", "Zoë Müller", "José Núñez",
        "Søren Kierkegaard", "Łukasz Nowak", "田中 花子", "Ελένη Παππά"};
    private static final String[] CITIES = {"Amsterdam", "Berlin", "Zürich", "São Paulo", "Tokyo", "Montréal",
        "Nairobi", "Kraków", "Reykjavík", "Austin"};
    private static final String[] COUNTRIES = {"NL", "DE", "CH", "BR", "JP", "CA", "KE", "PL", "IS", "US"};
    private static final String[] UNICODE_STEMS = {"𝄞-score", "東京", "café", "naïve", "Zürich", "ñandú", "résumé",
        "Ωmega", "📄-inbox", "Ελληνικά"};
    private static final String LONG_ID_PART = "a-string-id-that-is-deliberately-longer-than-the-runtime-keeps-".repeat(9);
    private static final String[] WORDS = ("the of and to in is that for it as was with be by on not he this are or his"
            + " from at which but have an they you were her she there been one all we their has would when if so no"
            + " more will can time only other new some could these two may first then do any like my now over such our"
            + " man me even most made after also did many before must through back years where much your way well down"
            + " should because each just those people how too little state good very make world still own see men work"
            + " long get here between both life being under never day same another know while last might us great old"
            + " year off come since against go came right used take three index cluster shard replica document mapping"
            + " query bulk request response latency throughput connector source sync cursor pipeline schema field"
            + " backpressure scheduler daemon elasticsearch reactor buffer batch retry timeout snapshot oplog stream")
            .split(" ");
    private static final String[] UNICODE_WORDS = {"café", "naïve", "Zürich", "façade", "déjà-vu", "東京", "データ",
        "ñandú", "Ωmega", "𝄞"};

    private MongoServer server;
    private KeptMemoryBackend memory;
    private int port;
    private MongoClient client;
    private String connectionString;
    private String databaseName;
    private boolean ownDatabase;
    private MongoDatabase database;
    private MongoCollection<BsonDocument> collection;
    private int loaded;
    private int next;
    private BitSet live = new BitSet();
    private final Map<Integer, Integer> revisions = new HashMap<>();
    private int rounds;

    private final String uri;

    public MongoFixture() {
        this(System.getenv(URI_VARIABLE));
    }

    /** A fixture on the MongoDB at {@code uri}, or on an in-process server when it is {@code null} or blank. */
    MongoFixture(String uri) {
        this.uri = uri;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void start(Path workDir) {
        if (uri != null && !uri.isBlank()) {
            connectionString = uri.trim();
            databaseName = "ftest_" + Long.toString(System.currentTimeMillis(), 36) + "_"
                    + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20), 36);
            ownDatabase = true;
        } else {
            memory = new KeptMemoryBackend();
            server = new MongoServer(memory);
            server.enableOplog();
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            port = server.getLocalAddress().getPort();
            connectionString = "mongodb://127.0.0.1:" + port;
            databaseName = "ftest";
        }
        client = MongoClients.create(MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString(connectionString))
                .build());
        database = client.getDatabase(databaseName);
        collection = database.getCollection(COLLECTION, BsonDocument.class);
    }

    @Override
    public void load(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, got " + count);
        }
        // Dropping a collection that does not exist is an error logged by mongo-java-server: drop only what exists.
        if (Boolean.TRUE.equals(Flux.from(database.listCollectionNames()).any(COLLECTION::equals).block())) {
            Mono.from(collection.drop()).block();
        }
        if (memory != null) {
            long needed = IN_PROCESS_HEADROOM + count * IN_PROCESS_BYTES_PER_DOCUMENT;
            if (needed > Runtime.getRuntime().maxMemory()) {
                throw new IllegalStateException(String.format(Locale.ROOT, "%,d documents in the in-process MongoDB need"
                        + " about %,d MiB of this JVM's heap, which is at most %,d MiB: give it more (make ftest"
                        + " FTEST_JAVA_OPTS=-Xmx%dg, make bench BENCH_JAVA_OPTS=-Xmx%dg) or set %s to a MongoDB replica set",
                        count, needed >> 20, Runtime.getRuntime().maxMemory() >> 20, (needed >> 30) + 3,
                        (needed >> 30) + 3, URI_VARIABLE));
            }
        }
        loaded = count;
        next = count;
        live = new BitSet(count);
        live.set(0, count);
        revisions.clear();
        rounds = 0;
        int batches = (count + INSERT_BATCH - 1) / INSERT_BATCH;
        // Two batches in flight: documents are generated while the previous batch is written.
        Flux.range(0, batches)
                .flatMap(b -> Mono.defer(() -> {
                    int from = b * INSERT_BATCH;
                    List<BsonDocument> docs = new ArrayList<>(INSERT_BATCH);
                    for (int i = from; i < Math.min(count, from + INSERT_BATCH); i++) {
                        docs.add(document(i, 0));
                    }
                    return Mono.from(collection.insertMany(docs, new InsertManyOptions().ordered(false)));
                }), 2)
                .index()
                .concatMap(done -> memory != null && (done.getT1() + 1) % TRIM_EVERY == 0 ? trimOplog() : Mono.empty())
                .then(memory != null ? trimOplog() : Mono.empty())
                .block();
    }

    /**
     * Empties mongo-java-server's oplog, as a capped oplog rolls over; during the load every {@value #TRIM_EVERY}
     * batches, and at its end. It never shrinks by itself: it would hold a copy of every document loaded (a third of
     * the memory), and every change-stream read scans it whole. The daemon's syncs start after the load, so no change
     * stream needs those entries; the mutation's stay.
     */
    private Mono<Void> trimOplog() {
        return Mono.from(client.getDatabase("local").getCollection("oplog.rs", BsonDocument.class)
                .deleteMany(new BsonDocument())).then();
    }

    @Override
    public Map<String, Object> connectorConfiguration() {
        // The in-process server answers an empty change-stream getMore at once, so a watch against it would poll
        // continuously and take a core from the run being measured; a real MongoDB holds it on the server.
        return Map.of("connection_string", connectionString, "database", databaseName, "collections", List.of(COLLECTION),
                "watch_changes", memory == null);
    }

    @Override
    public Map<String, Object> splittingConfiguration() {
        return Map.of("split_documents", 2000);
    }

    @Override
    public TypeZoo loadTypeZoo() {
        Map<String, Object> connection = new java.util.LinkedHashMap<>(connectorConfiguration());
        connection.remove("collections");
        return MongoTypeZoo.load(database, connection, memory != null);
    }

    /**
     * Updates first (even ones with {@code $set} on some fields, nested ones included, odd ones replacing the whole
     * document), then deletes, then adds; a document is touched once. Every update changes the content.
     */
    @Override
    public Mutation mutate(int adds, int updates, int deletes) {
        if (updates + deletes > live.cardinality()) {
            throw new IllegalArgumentException("cannot update " + updates + " and delete " + deletes + " of "
                    + live.cardinality() + " documents");
        }
        SplittableRandom random = new SplittableRandom(SEED + ++rounds);
        Set<Integer> chosen = new HashSet<>();
        List<Integer> toUpdate = FixtureSampling.pick(random, updates, next, live, chosen);
        List<Integer> toDelete = FixtureSampling.pick(random, deletes, next, live, chosen);

        List<String> updated = new ArrayList<>(updates);
        List<WriteModel<BsonDocument>> writes = new ArrayList<>(updates);
        for (int n = 0; n < toUpdate.size(); n++) {
            int i = toUpdate.get(n);
            int revision = revisions.merge(i, 1, Integer::sum);
            BsonValue id = idOf(i);
            if (n % 2 == 0) {
                writes.add(new UpdateOneModel<>(Filters.eq("_id", id), edit(i, revision)));
            } else {
                writes.add(new ReplaceOneModel<>(Filters.eq("_id", id), document(i, revision)));
            }
            updated.add(BsonJson.id(id));
        }
        write(writes);

        List<String> deleted = new ArrayList<>(deletes);
        writes = new ArrayList<>(deletes);
        for (int i : toDelete) {
            BsonValue id = idOf(i);
            writes.add(new DeleteOneModel<>(Filters.eq("_id", id)));
            live.clear(i);
            deleted.add(BsonJson.id(id));
        }
        write(writes);

        List<String> added = new ArrayList<>(adds);
        writes = new ArrayList<>(adds);
        for (int n = 0; n < adds; n++) {
            int i = next++;
            live.set(i);
            BsonDocument doc = document(i, 0);
            writes.add(new InsertOneModel<>(doc));
            added.add(BsonJson.id(doc.get("_id")));
        }
        write(writes);
        return new Mutation(added, updated, deleted);
    }

    private void write(List<WriteModel<BsonDocument>> writes) {
        for (int from = 0; from < writes.size(); from += WRITE_BATCH) {
            List<WriteModel<BsonDocument>> batch = writes.subList(from, Math.min(writes.size(), from + WRITE_BATCH));
            var result = Mono.from(collection.bulkWrite(batch, new BulkWriteOptions().ordered(true))).block();
            long done = result.getInsertedCount() + result.getMatchedCount() + result.getDeletedCount();
            if (done != batch.size()) {
                throw new IllegalStateException("a mutation of " + batch.size() + " writes matched " + done + ": " + result);
            }
        }
    }

    /**
     * Ids other than ObjectIds (a small share) are read first and sorted in memory; the ObjectIds then stream in
     * {@code _id} order, which is the order of their hex ids, and the two are merged.
     */
    @Override
    public Iterator<Truth> groundTruth() {
        List<Truth> others = Flux.from(collection.find(Filters.not(Filters.type("_id", BsonType.OBJECT_ID))))
                .map(MongoFixture::truthOf)
                .collectList()
                .block();
        others.sort((a, b) -> Arrays.compareUnsigned(utf8(a.id()), utf8(b.id())));
        Stream<Truth> objectIds = Flux.from(collection.find(Filters.type("_id", BsonType.OBJECT_ID))
                        .sort(Sorts.ascending("_id"))
                        .batchSize(INSERT_BATCH))
                .map(MongoFixture::truthOf)
                .toStream(INSERT_BATCH);
        return new Merge(others.iterator(), objectIds);
    }

    static Truth truthOf(BsonDocument doc) {
        return new Truth(BsonJson.id(doc.get("_id")), MongoFixtureDigest.ofBackend(doc));
    }

    @Override
    public String digestOfIndexed(Map<String, Object> source) {
        return MongoFixtureDigest.ofIndexed(source);
    }

    @Override
    public List<String> digestFields() {
        return MongoFixtureDigest.FIELDS;
    }

    @Override
    public long readAllWithOwnDriver() {
        return Flux.from(collection.find().batchSize(INSERT_BATCH)).count().block();
    }

    @Override
    public boolean restartable() {
        return memory != null;
    }

    /** Shuts the in-process server down (its clients' connections are closed); the memory backend keeps the data. */
    @Override
    public void stopBackend() {
        if (memory == null) {
            throw new IllegalStateException("the MongoDB in " + URI_VARIABLE + " is not this fixture's to stop");
        }
        if (server != null) {
            memory.keep = true;
            try {
                server.shutdownNow();
            } finally {
                memory.keep = false;
            }
            server = null;
        }
    }

    /** A memory backend that a server's shutdown leaves intact while {@link #keep} is set: a restart keeps the data. */
    private static final class KeptMemoryBackend extends MemoryBackend {
        volatile boolean keep;

        @Override
        public void close() {
            if (!keep) {
                super.close();
            }
        }
    }

    /** A new server on the same port and the same memory backend (its oplog included). */
    @Override
    public void startBackend() {
        if (memory == null) {
            throw new IllegalStateException("the MongoDB in " + URI_VARIABLE + " is not this fixture's to start");
        }
        if (server == null) {
            MongoServer restarted = new MongoServer(memory);
            restarted.bind(new InetSocketAddress("127.0.0.1", port));
            server = restarted;
        }
    }

    @Override
    public boolean supportsIncremental() {
        return true;
    }

    @Override
    public void close() {
        try {
            if (client != null && ownDatabase) {
                Mono.from(client.getDatabase(databaseName).drop()).block();
            }
        } finally {
            if (client != null) {
                client.close();
            }
            if (server != null) {
                server.shutdownNow();
            }
        }
    }

    // ---- the generated documents ----------------------------------------------------------------------------------

    /**
     * The {@code _id} of document {@code i}: mostly an ObjectId built from the number (a timestamp advancing a second
     * every 1,000 documents, a fixed machine part, the number as counter), some strings and integers.
     */
    static BsonValue idOf(int i) {
        return switch (i % 500) {
            case 3 -> new BsonString(i % 5_000 == 3003 ? LONG_ID_PART + i
                    : i % 1_000 == 3 ? UNICODE_STEMS[(i / 1_000) % UNICODE_STEMS.length] + "-" + i
                    : String.format(Locale.ROOT, "sku-%08d", i));
            case 7 -> i % 1_000 == 7 ? new BsonInt32(i) : new BsonInt64((1L << 40) + i);
            default -> new BsonObjectId(objectId(i));
        };
    }

    static ObjectId objectId(int i) {
        ByteBuffer bytes = ByteBuffer.allocate(12);
        bytes.putInt(1_700_000_000 + i / 1_000);
        bytes.put(MACHINE);
        bytes.put((byte) (i >>> 16)).put((byte) (i >>> 8)).put((byte) i);
        return new ObjectId(bytes.array());
    }

    /** Document {@code i} at {@code revision}, with its {@code _id}. */
    static BsonDocument document(int i, int revision) {
        SplittableRandom random = random(i, revision);
        long created = CREATED_BASE + i * 37_000L + (i * 7L) % 1_000;
        String status = STATUSES[random.nextInt(STATUSES.length)];
        BsonDocument doc = new BsonDocument("_id", idOf(i))
                .append("title", new BsonString(title(random, i, revision)))
                .append("body", new BsonString(body(random, i, revision)))
                .append("status", new BsonString(status))
                .append("published", BsonBoolean.valueOf(status.equals("published")))
                .append("views", new BsonInt32(random.nextInt(1_000_000)))
                .append("sequence", new BsonInt64(ABOVE_DOUBLE_PRECISION + 2L * i + 1_000_000_000L * revision))
                .append("price", new BsonDecimal128(new Decimal128(price(random))))
                .append("rating", new BsonDouble(random.nextDouble() * 5))
                .append("created_at", new BsonDateTime(created))
                .append("updated_at", new BsonDateTime(created + revision * 86_400_000L + random.nextInt(86_400_000)))
                .append("tags", tags(random))
                .append("author", author(random))
                .append("comments", comments(random, created))
                .append("reviewer", random.nextInt(3) == 0 ? BsonNull.VALUE : new BsonString(name(random)))
                .append("revision", new BsonInt32(revision));
        return doc;
    }

    /** An edit of document {@code i} to {@code revision} with {@code $set}: new text, a nested field, a new array. */
    static Bson edit(int i, int revision) {
        SplittableRandom random = random(i, revision);
        return Updates.combine(
                Updates.set("title", new BsonString(title(random, i, revision))),
                Updates.set("body", new BsonString(body(random, i, revision))),
                Updates.set("author.followers", new BsonInt32(random.nextInt(100_000))),
                Updates.set("tags", tags(random)),
                Updates.set("updated_at", new BsonDateTime(CREATED_BASE + i * 37_000L + revision * 86_400_000L)),
                Updates.set("revision", new BsonInt32(revision)));
    }

    private static SplittableRandom random(int i, int revision) {
        return new SplittableRandom(SEED ^ (i * 0x9E37_79B9_7F4A_7C15L) ^ (revision * 0xBF58_476D_1CE4_E5B9L));
    }

    private static String title(SplittableRandom random, int i, int revision) {
        String title = capitalized(sentence(random, 3, 9, i % 7 == 0));
        return revision == 0 ? title : title + " (revision " + revision + ")";
    }

    /** Paragraphs of text, log-uniform in size from 300 bytes to about 4 KB; one body in 8 has non-ASCII words. */
    private static String body(SplittableRandom random, int i, int revision) {
        int target = (int) (300 * Math.pow(2, random.nextDouble() * 3.7));
        boolean unicode = i % 8 == 5;
        StringBuilder text = new StringBuilder(target + 200);
        text.append("Document ").append(i).append(", revision ").append(revision).append(". ");
        while (text.length() < target) {
            text.append(capitalized(sentence(random, 6, 18, unicode))).append(random.nextInt(5) == 0 ? ".\n\n" : ". ");
        }
        return text.toString().strip();
    }

    private static BigDecimal price(SplittableRandom random) {
        // Two decimals, a trailing zero now and then; at most 9 digits, so a double holds it exactly as text.
        return BigDecimal.valueOf(random.nextLong(1, 10_000_000), 2);
    }

    private static BsonArray tags(SplittableRandom random) {
        BsonArray tags = new BsonArray();
        for (int n = random.nextInt(6); n > 0; n--) {
            tags.add(new BsonString(TAGS[random.nextInt(TAGS.length)]));
        }
        return tags;
    }

    private static BsonDocument author(SplittableRandom random) {
        String name = name(random);
        int city = random.nextInt(CITIES.length);
        return new BsonDocument("name", new BsonString(name))
                .append("email", new BsonString(name.toLowerCase(Locale.ROOT).replace(' ', '.') + "@example.com"))
                .append("followers", new BsonInt32(random.nextInt(100_000)))
                .append("location", new BsonDocument("city", new BsonString(CITIES[city]))
                        .append("country", new BsonString(COUNTRIES[city])));
    }

    private static BsonArray comments(SplittableRandom random, long created) {
        BsonArray comments = new BsonArray();
        long at = created;
        for (int n = random.nextInt(3); n > 0; n--) {
            at += random.nextLong(1, 30L * 86_400_000L);
            comments.add(new BsonDocument("by", new BsonString(name(random)))
                    .append("at", new BsonDateTime(at))
                    .append("text", new BsonString(capitalized(sentence(random, 4, 20, false)) + "."))
                    .append("likes", new BsonInt32(random.nextInt(50))));
        }
        return comments;
    }

    private static String name(SplittableRandom random) {
        return NAMES[random.nextInt(NAMES.length)];
    }

    private static String sentence(SplittableRandom random, int min, int max, boolean unicode) {
        StringBuilder s = new StringBuilder();
        for (int w = min + random.nextInt(max - min + 1); w > 0; w--) {
            // Common words far more often than rare ones, as in real text.
            double r = random.nextDouble();
            s.append(unicode && random.nextInt(10) == 0
                    ? UNICODE_WORDS[random.nextInt(UNICODE_WORDS.length)]
                    : WORDS[(int) (r * r * WORDS.length)]);
            if (w > 1) {
                s.append(random.nextInt(12) == 0 ? ", " : " ");
            }
        }
        return s.toString();
    }

    private static String capitalized(String s) {
        return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Merges the sorted non-ObjectId truths with the ObjectId stream, checking that the stream ascends. */
    private static final class Merge implements Iterator<Truth> {
        private final Iterator<Truth> others;
        private final Stream<Truth> stream;
        private final Iterator<Truth> objectIds;
        private Truth other;
        private Truth objectId;
        private byte[] previous;

        Merge(Iterator<Truth> others, Stream<Truth> objectIds) {
            this.others = others;
            this.stream = objectIds;
            this.objectIds = objectIds.iterator();
            this.other = others.hasNext() ? others.next() : null;
        }

        @Override
        public boolean hasNext() {
            if (objectId == null && objectIds.hasNext()) {
                objectId = objectIds.next();
                byte[] key = utf8(objectId.id());
                if (previous != null && Arrays.compareUnsigned(previous, key) >= 0) {
                    throw new IllegalStateException("ObjectId ids do not ascend with _id: " + new String(previous,
                            StandardCharsets.UTF_8) + " before " + objectId.id() + " (BsonJson.id is expected to give"
                            + " the lowercase hex of an ObjectId)");
                }
                previous = key;
            }
            if (objectId == null && other == null) {
                stream.close();
                return false;
            }
            return true;
        }

        @Override
        public Truth next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Truth t;
            if (other != null && (objectId == null
                    || Arrays.compareUnsigned(utf8(other.id()), utf8(objectId.id())) < 0)) {
                t = other;
                other = others.hasNext() ? others.next() : null;
            } else {
                t = objectId;
                objectId = null;
            }
            return t;
        }
    }
}
