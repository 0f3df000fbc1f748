package io.connectors.source.mongodb;

import com.mongodb.MongoClientSettings;
import com.mongodb.MongoCommandException;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import io.connectors.spi.BaseDataSource;
import io.connectors.spi.ChangeEvent;
import io.connectors.spi.ChangeWatchingSource;
import io.connectors.spi.DeferredSource;
import io.connectors.spi.RealtimeSource;
import io.connectors.spi.SourceContext;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SourceException;
import io.connectors.spi.SourceSplit;
import io.connectors.spi.SplitEvent;
import io.connectors.spi.SplitPosition;
import io.connectors.spi.SplittableSource;
import io.connectors.spi.SyncCursor;
import io.connectors.spi.config.ConfigValidationException;
import io.connectors.spi.config.FieldError;
import io.connectors.spi.rules.AdvancedRulesValidator;
import io.connectors.spi.rules.SyncRules;
import io.connectors.spi.support.Throttle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A MongoDB database's collections, read with the reactive streams driver.
 *
 * <ul>
 *   <li>Full syncs stream each collection in {@code _id} order (or the rules' sort), in batches of
 *       {@code batch_size}, with backpressure: a batch is fetched when the runtime asks for more.</li>
 *   <li>Documents are read as BSON bytes and listed {@linkplain SourceDocument#deferred deferred}: the id and the
 *       {@link DocumentVersion} (a hash of the bytes) only. {@link #fetch} decodes and maps the ones the runtime
 *       found new or changed, on the runtime's threads; an unchanged document is never decoded.</li>
 *   <li>Advanced rules ({@link MongoRules}) are pushed down to the server as a find or an aggregation.</li>
 *   <li>Change streams ({@link ChangeStreams}) give incremental syncs, real-time mode and the watch that lets a
 *       scheduled sync of an unchanged collection be skipped.</li>
 *   <li>Connections come from the driver's pool, bounded by {@code max_pool_size} and recycled by idle and life
 *       time; {@link Throttle} bounds concurrent operations and round trips per second.</li>
 * </ul>
 * One client per instance, created on first use and closed by {@link #close()}.
 */
final class MongoDataSource implements BaseDataSource, DeferredSource, AdvancedRulesValidator, RealtimeSource,
        ChangeWatchingSource, SplittableSource {
    private static final Logger LOG = LoggerFactory.getLogger(MongoDataSource.class);
    /** Documents without an _id (from a pipeline) are skipped; this many are logged one by one per read. */
    private static final int LOGGED_SKIPS = 5;
    /** Tries of the _id sample a collection's splits are planned from, before it is read as one split. */
    private static final int SAMPLE_ATTEMPTS = 5;
    /** How long close() waits for commands in flight, then for the kill of cursors left open. */
    private static final Duration CLOSE_SETTLE = Duration.ofSeconds(2);

    private final MongoConfig config;
    private final SourceContext context;
    private final BsonJson json;
    private final Throttle throttle;
    private final AtomicReference<MongoClient> client = new AtomicReference<>();
    private final ServerCursors cursors = new ServerCursors();
    private final MongoHostCheck hostCheck;
    private volatile boolean closed;

    MongoDataSource(MongoConfig config, SourceContext context) {
        this.config = config;
        this.context = context;
        this.json = new BsonJson(config.legacyUuid());
        this.throttle = new Throttle(config.maxConcurrentOperations(), config.operationsPerSecond());
        this.hostCheck = new MongoHostCheck(context.network(), context.connectorId());
    }

    MongoConfig config() {
        return config;
    }

    Throttle throttle() {
        return throttle;
    }

    /**
     * The database, with a client created on first use, once the network policy allowed the connection string's hosts;
     * the client resolves every name through the policy too.
     */
    Mono<MongoDatabase> database() {
        return Mono.defer(() -> client.get() != null || closed ? Mono.<Void>empty()
                : hostCheck.checkHosts(new com.mongodb.ConnectionString(config.connectionString()))).then(Mono.fromCallable(() -> {
            if (closed) {
                throw new SourceException("the MongoDB source of connector " + context.connectorId() + " was closed");
            }
            MongoClient c = client.get();
            if (c == null) {
                MongoClient created = MongoClients.create(MongoClientSettings.builder(config.clientSettings())
                        .addCommandListener(cursors).inetAddressResolver(hostCheck).build());
                if (client.compareAndSet(null, created)) {
                    c = created;
                } else {
                    created.close();
                    c = client.get();
                }
            }
            return c.getDatabase(config.database());
        }));
    }

    /**
     * {@link MongoErrors#describe}, except that an operation which found no server after the policy refused a host says
     * so: the driver's time-out would only list the member as unknown.
     */
    RuntimeException describe(Throwable e, String what) {
        if (e instanceof com.mongodb.MongoTimeoutException && hostCheck.refusal().isPresent()) {
            return new SourceException("cannot reach MongoDB while " + what + ": " + hostCheck.refusal().get().getMessage(),
                    hostCheck.refusal().get(), false);
        }
        return MongoErrors.describe(e, config, what);
    }

    MongoHostCheck hostCheck() {
        return hostCheck;
    }

    /** The client; only after {@link #database()} emitted. */
    MongoClient mongoClient() {
        MongoClient c = client.get();
        if (c == null) {
            throw new SourceException("the MongoDB source of connector " + context.connectorId() + " was closed");
        }
        return c;
    }

    @Override
    public Mono<Void> ping() {
        return throttle.single(database().flatMap(db -> Mono.from(db.runCommand(new BsonDocument("ping", new BsonInt32(1))))))
                .onErrorMap(e -> describe(e, "pinging the server"))
                .then();
    }

    @Override
    public Mono<Void> validateConfig() {
        return ping().then(database().flatMap(db -> throttle.single(Flux.from(db.listCollectionNames())
                .collect(java.util.stream.Collectors.toSet()))
                // A database without collections may not exist at all: only then are the databases listed.
                .flatMap(collections -> (collections.isEmpty() ? databaseListed() : Mono.just(true)).flatMap(exists -> {
                    List<FieldError> errors = new ArrayList<>();
                    if (!exists) {
                        errors.add(new FieldError(MongoConfig.DATABASE, "database '" + config.database() + "' does not exist on "
                                + config.hosts()));
                    } else {
                        for (String name : config.collections()) {
                            if (!collections.contains(name)) {
                                errors.add(new FieldError(MongoConfig.COLLECTIONS, "collection '" + name + "' does not exist in"
                                        + " database '" + config.database() + "' on " + config.hosts()));
                            }
                        }
                    }
                    return errors.isEmpty() ? Mono.<Void>empty() : Mono.error(new ConfigValidationException(errors));
                }))
        ).onErrorMap(e -> !(e instanceof ConfigValidationException),
                e -> describe(e, "listing the collections")));
    }

    /** Whether the database is listed; true when the user may not list databases (then only collections are checked). */
    private Mono<Boolean> databaseListed() {
        return database().flatMap(db -> {
            MongoClient c = mongoClient();
            return throttle.single(Flux.from(c.listDatabaseNames()).collectList())
                    .map(names -> names.contains(config.database()))
                    .onErrorResume(e -> e instanceof MongoCommandException m && m.getErrorCode() == MongoErrors.UNAUTHORIZED,
                            e -> Mono.just(true));
        });
    }

    @Override
    public Flux<SourceDocument> getDocs(SyncRules rules) {
        MongoRules parsed = MongoRules.parse(rules.advanced());
        return Flux.fromIterable(config.collections()).concatMap(name -> read(name, parsed), 0);
    }

    private Flux<SourceDocument> read(String collection, MongoRules rules) {
        AtomicLong skipped = new AtomicLong();
        return throttle.operation(permit -> database().flatMapMany(db -> {
                    MongoCollection<RawBsonDocument> c = raw(db, collection);
                    Publisher<RawBsonDocument> documents = rules.isPipeline()
                            ? c.aggregate(rules.pipeline(), RawBsonDocument.class).allowDiskUse(true).batchSize(config.batchSize())
                            : c.find(rules.filter()).projection(rules.projection()).sort(rules.sort()).batchSize(config.batchSize());
                    return paced(Flux.from(documents));
                }))
                .onErrorMap(e -> describe(e, "reading collection '" + collection + "'"))
                .mapNotNull(doc -> {
                    SourceDocument d = listed(collection, doc);
                    if (d == null && skipped.incrementAndGet() <= LOGGED_SKIPS) {
                        LOG.warn("Connector {}: a document of collection '{}' has no _id (the rules' pipeline removed it) and"
                                + " was skipped", context.connectorId(), collection);
                    }
                    return d;
                })
                .doOnComplete(() -> {
                    if (skipped.get() > LOGGED_SKIPS) {
                        LOG.warn("Connector {}: {} documents of collection '{}' had no _id and were skipped",
                                context.connectorId(), skipped.get(), collection);
                    }
                });
    }

    // ------------------------------------------------------------------------------------------------ splits

    @Override
    public Mono<List<SourceSplit>> planSplits(SyncRules rules) {
        MongoRules parsed = MongoRules.parse(rules.advanced());
        return Flux.fromIterable(config.collections())
                .concatMap(name -> planCollection(name, parsed))
                .concatMapIterable(l -> l)
                .collectList()
                .doOnNext(splits -> LOG.info("Connector {}: planned {} split(s) of at most about {} documents",
                        context.connectorId(), splits.size(), config.splitDocuments()));
    }

    private Mono<List<SourceSplit>> planCollection(String collection, MongoRules rules) {
        if (rules.isPipeline() || !rules.sort().equals(new BsonDocument("_id", new BsonInt32(1)))) {
            return Mono.just(List.of(MongoSplits.whole(collection)));
        }
        return throttle.single(database().flatMap(db -> Mono.from(raw(db, collection).estimatedDocumentCount())))
                .flatMap(count -> {
                    if (count <= config.splitDocuments()) {
                        return Mono.just(List.of(MongoSplits.whole(collection)));
                    }
                    int wanted = (int) Math.min(MongoSplits.MAX_SPLITS, (count + config.splitDocuments() - 1) / config.splitDocuments());
                    int size = (int) Math.min(count, (long) wanted * MongoSplits.SAMPLE_PER_SPLIT);
                    return throttle.single(database().flatMapMany(db -> Flux.from(raw(db, collection)
                                    .aggregate(List.of(MongoSplits.sampleStage(size),
                                            new BsonDocument("$project", new BsonDocument("_id", new BsonInt32(1)))),
                                            RawBsonDocument.class)))
                                    .mapNotNull(d -> d.get("_id"))
                                    .collectList()
                                    // A sample that failed or came back empty is taken again: MongoDB's random cursor
                                    // can give up ("could not find a non-duplicate document"), and the in-process
                                    // server's $sample sorts with a random comparator that Java's sort may refuse.
                                    .filter(list -> !list.isEmpty())
                                    .repeatWhenEmpty(SAMPLE_ATTEMPTS - 1, attempts -> attempts)
                                    .retryWhen(reactor.util.retry.Retry.max(SAMPLE_ATTEMPTS - 1)
                                            .filter(com.mongodb.MongoException.class::isInstance)
                                            .onRetryExhaustedThrow((spec, signal) -> signal.failure()))
                                    .defaultIfEmpty(List.of()))
                            .map(sample -> MongoSplits.fromSample(collection, sample, wanted))
                            .onErrorResume(com.mongodb.MongoException.class, e -> {
                                LOG.warn("Connector {}: sampling the _ids of collection '{}' failed ({}); it is read as one"
                                        + " split", context.connectorId(), collection, e.getMessage());
                                return Mono.just(List.of(MongoSplits.whole(collection)));
                            });
                })
                .onErrorMap(e -> !(e instanceof SourceException), e -> describe(e, "planning the splits of collection '"
                        + collection + "'"));
    }

    /**
     * A split's documents in {@code _id} order, with a position ({@code {"after": <last _id>}}) after every
     * {@code batch_size} documents and at the end; a split whose _ids are of several kinds (a whole collection, the
     * others of a divided one) emits its position only at its end.
     */
    @Override
    public Flux<SplitEvent> readSplit(SourceSplit split, SplitPosition from, SyncRules rules) {
        return Flux.defer(() -> {
            Object name = split.values().get(MongoSplits.COLLECTION);
            if (name == null || !config.collections().contains(name.toString())) {
                return Flux.error(new SourceException("split " + split.id() + " reads collection '" + name + "', which"
                        + " this connector's collections " + config.collections() + " no longer include", null, false));
            }
            String collection = name.toString();
            if (from != null && Boolean.TRUE.equals(from.values().get("end"))) {
                return Flux.empty();
            }
            boolean resumable = MongoSplits.resumable(split.values());
            BsonValue after = from == null || !resumable ? null : MongoSplits.after(from).orElse(null);
            MongoRules parsed = MongoRules.parse(rules.advanced());
            BsonDocument range = MongoSplits.filter(split.values(), after);
            MongoRules within = range == null ? parsed : parsed.and(range);
            BsonValue[] last = {after};
            long[] count = {0};
            Flux<SplitEvent> events = read(collection, within).concatMap(doc -> {
                last[0] = ((Listed) doc.state()).bytes().get("_id");
                SplitEvent event = SplitEvent.of(doc);
                return resumable && ++count[0] % config.batchSize() == 0
                        ? Flux.just(event, SplitEvent.at(MongoSplits.position(last[0]))) : Flux.just(event);
            }, 0);
            return events.concatWith(Mono.fromSupplier(() -> resumable && last[0] != null
                    ? SplitEvent.at(MongoSplits.position(last[0])) : SplitEvent.at(new SplitPosition(Map.of("end", true)))));
        });
    }

    /** {@code collection}, its documents read as BSON bytes. */
    static MongoCollection<RawBsonDocument> raw(MongoDatabase db, String collection) {
        return db.getCollection(collection, RawBsonDocument.class)
                .withCodecRegistry(RawDocumentCodec.registry(db.getCodecRegistry()));
    }

    /** Applies the round-trip rate limit: one round trip per batch of documents read. */
    <T> Flux<T> paced(Flux<T> items) {
        if (config.operationsPerSecond() == 0) {
            return items;
        }
        return items.buffer(config.batchSize()).concatMap(batch -> throttle.roundTrip().thenMany(Flux.fromIterable(batch)), 0);
    }

    /** What a deferred document of this source holds until it is built: its collection and its BSON bytes. */
    record Listed(String collection, RawBsonDocument bytes) {
    }

    /**
     * The deferred document of a MongoDB document of {@code collection}, or {@code null} when it has no _id: its id and
     * version only, the bytes kept for {@link #fetch}.
     */
    SourceDocument listed(String collection, RawBsonDocument doc) {
        BsonValue id = doc.get("_id");
        if (id == null) {
            return null;
        }
        return SourceDocument.deferred(id(collection, id), DocumentVersion.of(doc), new Listed(collection, doc));
    }

    /** The built document of a MongoDB document of {@code collection}, with its version, or {@code null} when it has no _id. */
    SourceDocument built(String collection, RawBsonDocument doc) {
        return document(collection, RawDocumentCodec.decode(doc), DocumentVersion.of(doc));
    }

    /**
     * Decodes and maps the deferred documents: CPU only, on the subscriber's thread, nothing read again. Each is built
     * from the bytes its listing read, with the version of those bytes, so every one is emitted: a document deleted
     * since the listing is indexed as listed and deleted by the next sync, as when documents were built at once.
     */
    @Override
    public Flux<SourceDocument> fetch(List<SourceDocument> deferred) {
        return Flux.fromIterable(deferred).map(d -> {
            if (!(d.state() instanceof Listed listed)) {
                throw new IllegalArgumentException("document '" + d.id() + "' was not listed by a MongoDB source");
            }
            // Listed documents have an _id, so the document is never null.
            return document(listed.collection(), RawDocumentCodec.decode(listed.bytes()), d.version().orElseThrow());
        });
    }

    /** The source document of a MongoDB document of {@code collection}, or {@code null} when it has no _id. */
    private SourceDocument document(String collection, BsonDocument doc, String version) {
        BsonValue id = doc.get("_id");
        if (id == null) {
            return null;
        }
        SourceDocument.Builder b = SourceDocument.builder(id(collection, id)).version(version);
        Map<String, Object> fields = json.fields(doc);
        fields.forEach(b::field);
        b.field("mongo_id", idText(id));
        if (config.multiCollection()) {
            b.field("mongo_collection", collection);
        }
        return b.build();
    }

    /**
     * The {@code mongo_id} field: always text, because a collection may mix _id types (numbers, strings, ObjectIds)
     * and one Elasticsearch field holds one type: an ObjectId as hex, a string as itself, a number in plain decimal,
     * any other type in the tagged form of {@link BsonJson#id}.
     */
    static String idText(BsonValue id) {
        if (id.isObjectId()) {
            return id.asObjectId().getValue().toHexString();
        }
        if (id.isString()) {
            return id.asString().getValue();
        }
        if (id.isInt32() || id.isInt64()) {
            return String.valueOf(id.asNumber().longValue());
        }
        if (id.isDecimal128() && id.asDecimal128().getValue().isFinite()) {
            return id.asDecimal128().getValue().bigDecimalValue().toPlainString();
        }
        if (id.isDouble() && Double.isFinite(id.asDouble().getValue())) {
            return java.math.BigDecimal.valueOf(id.asDouble().getValue()).toPlainString();
        }
        return BsonJson.id(id);
    }

    /** The source id of the document with {@code _id} in {@code collection}. */
    String id(String collection, BsonValue id) {
        String base = BsonJson.id(id);
        return config.multiCollection() ? collection + "/" + base : base;
    }

    @Override
    public Mono<List<String>> validateAdvancedRules(Map<String, Object> advanced) {
        return Mono.fromCallable(() -> MongoRules.validate(advanced));
    }

    @Override
    public Flux<ChangeEvent> getDocsIncrementally(SyncCursor cursor, SyncRules rules) {
        return new ChangeStreams(this).changesSince(cursor, MongoRules.parse(rules.advanced()));
    }

    @Override
    public Flux<ChangeEvent> followChanges(SyncCursor cursor, SyncRules rules) {
        return new ChangeStreams(this).follow(cursor, MongoRules.parse(rules.advanced()));
    }

    @Override
    public Mono<SyncCursor> currentCursor() {
        return new ChangeStreams(this).currentCursor();
    }

    @Override
    public Flux<Signal> watchChanges() {
        return new ChangeStreams(this).watch();
    }

    SourceContext context() {
        return context;
    }

    @Override
    public Mono<Void> close() {
        // Cursors the driver has not killed yet (a getMore was in flight at cancellation) are killed before the
        // client closes, or they would stay open on the server.
        return Mono.defer(() -> {
            closed = true;
            MongoClient c = client.getAndSet(null);
            if (c == null) {
                return Mono.<Void>empty();
            }
            // close() blocks (it takes locks and waits for the driver's threads): not on the thread release() completed
            // on, a parallel one or the driver's own.
            return cursors.release(c, CLOSE_SETTLE).then(Mono.fromRunnable(() -> {
                try {
                    c.close();
                } catch (RuntimeException e) {
                    LOG.warn("Connector {}: closing the MongoDB client failed: {}", context.connectorId(), e.toString());
                }
            }).subscribeOn(Schedulers.boundedElastic())).then();
        });
    }
}
