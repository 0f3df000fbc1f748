package io.connectors.source.mongodb;

import com.mongodb.client.model.changestream.FullDocument;
import com.mongodb.reactivestreams.client.ChangeStreamPublisher;
import io.connectors.spi.ChangeEvent;
import io.connectors.spi.ChangeWatchingSource.Signal;
import io.connectors.spi.CursorExpiredException;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SyncCursor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonTimestamp;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The MongoDB source's change streams: incremental syncs, real-time mode, and the watch behind skipped syncs.
 *
 * <h2>The cursor</h2>
 * One position per collection, {@code {"positions": {"<collection>": P}}}, where P is either
 * {@code {"resume_token": "<the last event's resume token, as Extended JSON>"}} or, before any event was seen,
 * {@code {"operation_time": {"t": seconds, "i": increment}}}: the cluster time at which the position was taken (see
 * {@link #now()}). Resuming re-reads a few events at worst, which is harmless:
 * every change is applied as the document's current state.
 *
 * <h2>Changes</h2>
 * Events are read in batches of {@code batch_size}. Within a batch, the last event of each document wins. Inserts,
 * updates and replaces become index operations with the document as it is now ({@code fullDocument: updateLookup});
 * a document that no longer exists becomes a delete. With advanced rules, the changed documents are read again
 * through the rules ({@code find} with the filter and projection, or the pipeline after a {@code $match} on their ids),
 * so a document that stopped matching is deleted from the index. Upserted documents are built at once (a batch is
 * small) and carry the {@link DocumentVersion} of the bytes read, the one a full sync's listing gives the same stored
 * document: the runtime recognises a change replayed after a resume, or already synced by a full sync, as unchanged. A {@code drop}, {@code rename},
 * {@code dropDatabase} or {@code invalidate} event, a position MongoDB no longer has in its oplog, a collection
 * with no saved position, or rules whose pipeline changes document identity ({@code $group}, {@code $unwind}, ...)
 * end the sync with {@link CursorExpiredException}: the runtime then runs a full sync and says so in the job.
 * After each batch a {@link ChangeEvent.Checkpoint} carries every collection's position.
 *
 * <p>An incremental sync stops at the first event after the cluster time it started at, or once the streams were
 * quiet for {@code change_stream_idle}; real-time mode ({@link #follow}) never stops.
 */
final class ChangeStreams {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeStreams.class);
    static final String POSITIONS = "positions";
    static final String RESUME_TOKEN = "resume_token";
    static final String OPERATION_TIME = "operation_time";
    /** How long a getMore of an open-ended stream waits on the server for changes. */
    static final Duration FOLLOW_AWAIT = Duration.ofSeconds(1);
    /** A partial batch of a followed stream is applied after this long. */
    static final Duration FOLLOW_BATCH_WAIT = Duration.ofMillis(200);

    private final MongoDataSource source;
    private final MongoConfig config;

    ChangeStreams(MongoDataSource source) {
        this.source = source;
        this.config = source.config();
    }

    /** One collection's position in its change stream. */
    record Position(BsonDocument resumeToken, BsonTimestamp operationTime) {
        Position {
            if ((resumeToken == null) == (operationTime == null)) {
                throw new IllegalArgumentException("a position is a resume token or an operation time");
            }
        }

        Map<String, Object> toMap() {
            if (resumeToken != null) {
                return Map.of(RESUME_TOKEN, resumeToken.toJson());
            }
            return Map.of(OPERATION_TIME, Map.of("t", (long) operationTime.getTime(), "i", (long) operationTime.getInc()));
        }

        static Position from(Object value, String collection) {
            if (value instanceof Map<?, ?> map) {
                try {
                    if (map.get(RESUME_TOKEN) instanceof String token) {
                        return new Position(BsonDocument.parse(token), null);
                    }
                    if (map.get(OPERATION_TIME) instanceof Map<?, ?> time
                            && time.get("t") instanceof Number t && time.get("i") instanceof Number i) {
                        return new Position(null, new BsonTimestamp(t.intValue(), i.intValue()));
                    }
                } catch (RuntimeException e) {
                    throw new CursorExpiredException("the saved position of collection '" + collection + "' cannot be read ("
                            + e.getMessage() + ")");
                }
            }
            throw new CursorExpiredException("the saved cursor holds no position for collection '" + collection
                    + "' (was it added to the configuration since?)");
        }
    }

    /** The positions of a cursor, one per configured collection. */
    Map<String, Position> positions(SyncCursor cursor) {
        Object all = cursor == null ? null : cursor.values().get(POSITIONS);
        if (!(all instanceof Map<?, ?> map)) {
            throw new CursorExpiredException("the saved cursor is not a MongoDB change stream position");
        }
        Map<String, Position> positions = new LinkedHashMap<>();
        for (String collection : config.collections()) {
            positions.put(collection, Position.from(map.get(collection), collection));
        }
        return positions;
    }

    static SyncCursor cursor(Map<String, Position> positions) {
        Map<String, Object> map = new TreeMap<>();
        positions.forEach((collection, p) -> map.put(collection, p.toMap()));
        return new SyncCursor(Map.of(POSITIONS, map));
    }

    /** The position of every collection now. */
    Mono<SyncCursor> currentCursor() {
        return now().map(time -> cursor(positionsAt(time)));
    }

    /** Every collection at the cluster time {@code time}. */
    private Map<String, Position> positionsAt(BsonTimestamp time) {
        Map<String, Position> positions = new LinkedHashMap<>();
        config.collections().forEach(c -> positions.put(c, new Position(null, time)));
        return positions;
    }

    /**
     * The cluster time now: the {@code operationTime} (or {@code $clusterTime}) of a command's reply, which replica
     * sets and sharded clusters report; else just after the last entry of {@code local.oplog.rs}; else the server's
     * clock less a second.
     */
    Mono<BsonTimestamp> now() {
        return source.throttle().single(source.database().flatMap(db ->
                        Mono.from(db.runCommand(new BsonDocument("isMaster", new BsonInt32(1)), BsonDocument.class))
                                .flatMap(reply -> {
                                    if (reply.isTimestamp("operationTime")) {
                                        return Mono.just(reply.getTimestamp("operationTime"));
                                    }
                                    if (reply.isDocument("$clusterTime") && reply.getDocument("$clusterTime").isTimestamp("clusterTime")) {
                                        return Mono.just(reply.getDocument("$clusterTime").getTimestamp("clusterTime"));
                                    }
                                    Instant at = reply.isDateTime("localTime")
                                            ? Instant.ofEpochMilli(reply.getDateTime("localTime").getValue()) : Instant.now();
                                    BsonTimestamp clock = new BsonTimestamp((int) (at.getEpochSecond() - 1), 0);
                                    return lastOplogEntry().defaultIfEmpty(clock);
                                })))
                .onErrorMap(e -> source.describe(e, "reading the cluster time"));
    }

    /** Just after the newest entry of the oplog, when it can be read. */
    private Mono<BsonTimestamp> lastOplogEntry() {
        return Mono.from(source.mongoClient().getDatabase("local").getCollection("oplog.rs", BsonDocument.class)
                        .find().sort(new BsonDocument("ts", new BsonInt32(-1))).limit(1).first())
                .flatMap(entry -> entry.isTimestamp("ts")
                        ? Mono.just(new BsonTimestamp(entry.getTimestamp("ts").getTime(), entry.getTimestamp("ts").getInc() + 1))
                        : Mono.empty())
                // Harmless: the caller falls back to the cluster clock (a second earlier) when the oplog cannot be read.
                .onErrorResume(e -> Mono.empty());
    }

    /** The changes after {@code cursor}, until the cluster time at which this call was subscribed. */
    Flux<ChangeEvent> changesSince(SyncCursor cursor, MongoRules rules) {
        return Flux.defer(() -> {
            Map<String, Position> positions = positions(cursor);
            checkRules(rules);
            return now().flatMapMany(end -> {
                Flux<Change> changes = merged(positions, false)
                        .takeUntil(change -> change.clusterTime() != null && change.clusterTime().compareTo(end) > 0)
                        // The first event may wait for the stream to open; later ones only for the idle time.
                        .timeout(Mono.delay(config.changeStreamIdle().multipliedBy(2)),
                                change -> Mono.delay(config.changeStreamIdle()), Flux.empty());
                return apply(changes.buffer(config.batchSize()), positions, rules)
                        .concatWith(Mono.fromSupplier(() -> new ChangeEvent.Checkpoint(cursor(positions))));
            });
        });
    }

    /** The changes after {@code cursor}, as they happen; never completes. */
    Flux<ChangeEvent> follow(SyncCursor cursor, MongoRules rules) {
        return Flux.defer(() -> {
            Map<String, Position> positions = positions(cursor);
            checkRules(rules);
            return apply(merged(positions, true).bufferTimeout(config.batchSize(), FOLLOW_BATCH_WAIT, true), positions, rules);
        });
    }

    /** WATCHING once the position is taken (every later change will be seen), then CHANGED per change. */
    Flux<Signal> watch() {
        if (!config.watchChanges()) {
            // Never WATCHING: the runtime then never skips a sync on the watch's word.
            return Flux.never();
        }
        return now().flatMapMany(time -> Flux.just(Signal.WATCHING).concatWith(merged(positionsAt(time), true)
                .map(change -> Signal.CHANGED)
                .onBackpressureLatest()));
    }

    private void checkRules(MongoRules rules) {
        if (!rules.preservesIdentity()) {
            throw new CursorExpiredException("the sync rules' pipeline has stages that do not keep documents one for one ("
                    + String.join(", ", rules.nonIdentityStages()) + "), so changes cannot be applied incrementally");
        }
    }

    /** One event of one collection's stream. */
    record Change(String collection, RawBsonDocument event) {
        String type() {
            return event.getString("operationType", new org.bson.BsonString("")).getValue();
        }

        BsonTimestamp clusterTime() {
            BsonValue t = event.get("clusterTime");
            return t != null && t.isTimestamp() ? t.asTimestamp() : null;
        }

        /** The resume token, decoded: kept as the position, it must not hold on to the event's bytes. */
        BsonDocument token() {
            BsonValue id = event.get("_id");
            if (id == null || !id.isDocument()) {
                return null;
            }
            return id instanceof RawBsonDocument raw ? RawDocumentCodec.decode(raw) : id.asDocument();
        }

        /** The changed document's _id: from the event's documentKey, else from its fullDocument. */
        BsonValue documentId() {
            BsonValue key = event.get("documentKey");
            if (key != null && key.isDocument() && key.asDocument().containsKey("_id")) {
                return key.asDocument().get("_id");
            }
            // mongo-java-server puts the update's operators in documentKey; the looked-up document has the _id.
            RawBsonDocument full = fullDocument();
            return full == null ? null : full.get("_id");
        }

        /** The document looked up, as the bytes the server sent (a slice of the event's). */
        RawBsonDocument fullDocument() {
            BsonValue doc = event.get("fullDocument");
            return doc instanceof RawBsonDocument raw && raw.containsKey("_id") ? raw : null;
        }

        /** Whether a collection-level event concerns another collection (MongoDB names it in {@code ns.coll}). */
        boolean aboutOtherCollection() {
            BsonValue ns = event.get("ns");
            if (ns == null || !ns.isDocument() || !ns.asDocument().containsKey("coll")) {
                return false;
            }
            return !collection.equals(ns.asDocument().get("coll").asString().getValue());
        }
    }

    private Flux<Change> merged(Map<String, Position> positions, boolean follow) {
        List<Flux<Change>> streams = new ArrayList<>();
        positions.forEach((collection, position) -> streams.add(stream(collection, position, follow)));
        return Flux.merge(streams);
    }

    private Flux<Change> stream(String collection, Position position, boolean follow) {
        return source.throttle().operation(permit -> source.database().flatMapMany(db -> {
                    ChangeStreamPublisher<RawBsonDocument> publisher = MongoDataSource.raw(db, collection)
                            .watch(RawBsonDocument.class)
                            .fullDocument(FullDocument.UPDATE_LOOKUP)
                            .batchSize(config.batchSize())
                            .maxAwaitTime(follow ? FOLLOW_AWAIT.toMillis() : Math.min(500, config.changeStreamIdle().toMillis()),
                                    java.util.concurrent.TimeUnit.MILLISECONDS);
                    if (position.resumeToken() != null) {
                        publisher = publisher.resumeAfter(position.resumeToken());
                    } else {
                        publisher = publisher.startAtOperationTime(position.operationTime());
                    }
                    return source.paced(Flux.from(publisher.withDocumentClass(RawBsonDocument.class)));
                }))
                .map(event -> new Change(collection, event))
                .onErrorMap(e -> source.describe(e, "following the changes of collection '" + collection + "'"));
    }

    /** Turns batches of events into index and delete operations, each batch followed by a checkpoint. */
    private Flux<ChangeEvent> apply(Flux<List<Change>> batches, Map<String, Position> positions, MongoRules rules) {
        return batches.filter(batch -> !batch.isEmpty()).concatMap(batch -> {
            // The last event of each document wins; the order of last events is kept.
            Map<String, Change> latest = new LinkedHashMap<>();
            for (Change change : batch) {
                String type = change.type();
                switch (type) {
                    case "insert", "update", "replace", "delete" -> {
                        BsonValue id = change.documentId();
                        if (id != null) {
                            String key = source.id(change.collection(), id);
                            latest.remove(key);
                            latest.put(key, change);
                        }
                    }
                    case "drop", "rename", "dropDatabase", "invalidate" -> {
                        if (!change.aboutOtherCollection()) {
                            return Flux.error(new CursorExpiredException("collection '" + change.collection() + "' saw a '"
                                    + type + "' event, after which its change stream cannot go on"));
                        }
                    }
                    default -> LOG.debug("Connector {}: ignoring a '{}' event of collection '{}'",
                            source.context().connectorId(), type, change.collection());
                }
                if (change.token() != null) {
                    positions.put(change.collection(), new Position(change.token(), null));
                }
            }
            SyncCursor checkpoint = cursor(positions);
            return resolve(latest, rules).concatWith(Mono.just(new ChangeEvent.Checkpoint(checkpoint)));
        }, 0);
    }

    /** The operations for the documents whose last events are {@code latest}. */
    private Flux<ChangeEvent> resolve(Map<String, Change> latest, MongoRules rules) {
        if (rules.isEmpty()) {
            return Flux.fromIterable(latest.entrySet()).map(e -> {
                Change change = e.getValue();
                RawBsonDocument full = "delete".equals(change.type()) ? null : change.fullDocument();
                if (full == null) {
                    return new ChangeEvent.Delete(e.getKey());
                }
                SourceDocument document = source.built(change.collection(), full);
                return document == null ? new ChangeEvent.Delete(e.getKey()) : new ChangeEvent.Upsert(document);
            });
        }
        // Read the changed documents again through the rules, one query per collection; what is not found is deleted.
        Map<String, List<BsonValue>> idsByCollection = new LinkedHashMap<>();
        latest.values().stream()
                .filter(change -> !"delete".equals(change.type()))
                .forEach(change -> idsByCollection.computeIfAbsent(change.collection(), c -> new ArrayList<>()).add(change.documentId()));
        return Flux.fromIterable(idsByCollection.entrySet())
                .concatMap(e -> lookUp(e.getKey(), e.getValue(), rules))
                .collectMap(SourceDocument::id)
                .flatMapMany(found -> Flux.fromIterable(latest.keySet())
                        .map(id -> found.containsKey(id) ? new ChangeEvent.Upsert(found.get(id)) : new ChangeEvent.Delete(id)));
    }

    private Flux<SourceDocument> lookUp(String collection, List<BsonValue> ids, MongoRules rules) {
        BsonDocument byId = new BsonDocument("_id", new BsonDocument("$in", new BsonArray(ids)));
        return source.throttle().operation(permit -> source.database().flatMapMany(db -> {
                    var c = MongoDataSource.raw(db, collection);
                    if (rules.isPipeline()) {
                        List<BsonDocument> pipeline = new ArrayList<>();
                        pipeline.add(new BsonDocument("$match", byId));
                        pipeline.addAll(rules.pipeline());
                        return Flux.from(c.aggregate(pipeline, RawBsonDocument.class).batchSize(config.batchSize()));
                    }
                    BsonDocument filter = rules.filter().isEmpty() ? byId
                            : new BsonDocument("$and", new BsonArray(List.of(byId, rules.filter())));
                    return Flux.from(c.find(filter).projection(rules.projection()).batchSize(config.batchSize()));
                }))
                .onErrorMap(e -> source.describe(e, "reading changed documents of collection '" + collection + "'"))
                .mapNotNull(doc -> source.built(collection, doc));
    }
}
