package io.connectors.source.mongodb;

import com.mongodb.event.CommandFailedEvent;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import com.mongodb.event.CommandSucceededEvent;
import com.mongodb.reactivestreams.client.MongoClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonValue;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The server cursors a client holds, followed from the driver's command events, so that closing the client leaves
 * none open on the server.
 *
 * <p>When a read is cancelled while a {@code getMore} is in flight, the driver kills the cursor only once that
 * {@code getMore} returns, and asynchronously: a client closed in between drops the {@code killCursors} and the cursor
 * stays open on the server until its idle timeout (ten minutes on MongoDB, forever on some servers). {@link #release}
 * waits, bounded, for commands in flight to return, then kills every cursor still known open, then lets the client
 * close.
 */
final class ServerCursors implements CommandListener {
    private static final long POLL_MILLIS = 10;

    /** Open cursor id to its namespace, {@code database.collection}. */
    private final Map<Long, String> open = new ConcurrentHashMap<>();
    /** Request id of a getMore in flight to the cursor it continues. */
    private final Map<Integer, Long> getMores = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();

    @Override
    public void commandStarted(CommandStartedEvent event) {
        inFlight.incrementAndGet();
        BsonDocument command = event.getCommand();
        switch (event.getCommandName()) {
            case "getMore" -> {
                BsonValue id = command.get("getMore");
                if (id != null && id.isNumber()) {
                    getMores.put(event.getRequestId(), id.asNumber().longValue());
                }
            }
            case "killCursors" -> {
                BsonValue ids = command.get("cursors");
                if (ids != null && ids.isArray()) {
                    ids.asArray().forEach(id -> {
                        if (id.isNumber()) {
                            open.remove(id.asNumber().longValue());
                        }
                    });
                }
            }
            default -> {
                // Other commands open no cursor the driver might leave behind.
            }
        }
    }

    @Override
    public void commandSucceeded(CommandSucceededEvent event) {
        try {
            Long continued = getMores.remove(event.getRequestId());
            BsonValue cursor = event.getResponse().get("cursor");
            if (cursor == null || !cursor.isDocument()) {
                return;
            }
            BsonValue id = cursor.asDocument().get("id");
            if (id == null || !id.isNumber()) {
                return;
            }
            long cursorId = id.asNumber().longValue();
            if (continued != null && cursorId == 0) {
                open.remove(continued);
            } else if (cursorId != 0) {
                BsonValue ns = cursor.asDocument().get("ns");
                open.put(cursorId, ns != null && ns.isString() ? ns.asString().getValue() : event.getDatabaseName() + ".");
            }
        } finally {
            inFlight.decrementAndGet();
        }
    }

    @Override
    public void commandFailed(CommandFailedEvent event) {
        // A failed getMore may leave its cursor open or not: it stays known, and a needless kill is harmless.
        getMores.remove(event.getRequestId());
        inFlight.decrementAndGet();
    }

    /** Cursor ids known open, for tests. */
    List<Long> openIds() {
        return new ArrayList<>(open.keySet());
    }

    /**
     * Waits up to {@code settle} for the commands in flight to return, then kills the cursors still open, each
     * namespace with one {@code killCursors}, within {@code settle} again. Never fails: the client is closing anyway.
     */
    Mono<Void> release(MongoClient client, Duration settle) {
        // Not Flux.interval(ZERO, ...): its first tick can run before the scheduler recorded the task, and a next()
        // that completes in that tick then has the task cancelled with an interrupt, hitting whatever runs after it.
        return Flux.concat(Mono.just(0L), Flux.interval(Duration.ofMillis(POLL_MILLIS)))
                .filter(tick -> inFlight.get() <= 0)
                .next()
                .timeout(settle, Mono.just(0L))
                .thenMany(Flux.defer(() -> Flux.fromIterable(open.entrySet().stream()
                        .collect(Collectors.groupingBy(Map.Entry::getValue,
                                Collectors.mapping(Map.Entry::getKey, Collectors.toList()))).entrySet())))
                .flatMap(byNamespace -> kill(client, byNamespace.getKey(), byNamespace.getValue()))
                .then()
                .timeout(settle, Mono.empty())
                // Harmless: the client is closing; a cursor left open is dropped by the server after its idle timeout.
                .onErrorResume(e -> Mono.empty());
    }

    private Mono<Void> kill(MongoClient client, String namespace, List<Long> ids) {
        int dot = namespace.indexOf('.');
        if (dot <= 0 || dot == namespace.length() - 1) {
            return Mono.empty();
        }
        BsonArray cursors = new BsonArray();
        ids.forEach(id -> cursors.add(new BsonInt64(id)));
        BsonDocument command = new BsonDocument("killCursors", new org.bson.BsonString(namespace.substring(dot + 1)))
                .append("cursors", cursors);
        return Mono.from(client.getDatabase(namespace.substring(0, dot)).runCommand(command))
                .doOnSuccess(reply -> ids.forEach(open::remove))
                .then()
                // Harmless: the server drops a cursor nobody kills after its idle timeout.
                .onErrorResume(e -> Mono.empty());
    }
}
