package io.connectors.source.mongodb;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.util.UUID;
import org.bson.BsonDocument;
import reactor.core.publisher.Mono;

/**
 * A MongoDB for tests: the real one at {@code MONGODB_URI} when that is set (a database of its own, dropped at close),
 * else an in-process mongo-java-server with its oplog enabled, so change streams work.
 *
 * <p>Known gaps of mongo-java-server, which the tests allow for: a {@code replaceOne} is reported as an {@code update}
 * event; a {@code drop} event carries no namespace; resume tokens are positions in its oplog and never expire;
 * getMore on a change stream returns at once instead of waiting.
 */
final class MongoBackend implements AutoCloseable {
    static final String URI_VARIABLE = "MONGODB_URI";

    private final MongoServer server;
    private final String connectionString;
    private final String database;
    private final MongoClient client;

    private MongoBackend(MongoServer server, String connectionString, String database) {
        this.server = server;
        this.connectionString = connectionString;
        this.database = database;
        this.client = MongoClients.create(connectionString);
    }

    static MongoBackend inProcess() {
        MongoServer server = new MongoServer(new MemoryBackend());
        server.enableOplog();
        String uri = server.bindAndGetConnectionString();
        return new MongoBackend(server, uri, "test_" + UUID.randomUUID().toString().substring(0, 8));
    }

    /** The real MongoDB, or null when MONGODB_URI is not set. */
    static MongoBackend real() {
        String uri = System.getenv(URI_VARIABLE);
        if (uri == null || uri.isBlank()) {
            return null;
        }
        return new MongoBackend(null, uri, "connectors_test_" + UUID.randomUUID().toString().substring(0, 8));
    }

    boolean isReal() {
        return server == null;
    }

    String connectionString() {
        return connectionString;
    }

    String database() {
        return database;
    }

    MongoDatabase db() {
        return client.getDatabase(database);
    }

    MongoServer server() {
        return server;
    }

    /** Server-side cursors open now. */
    long openCursors() {
        BsonDocument status;
        try {
            // Not block(): the contract suite asks from Reactor's own threads.
            status = Mono.from(client.getDatabase("admin").runCommand(new BsonDocument("serverStatus", new org.bson.BsonInt32(1)),
                    BsonDocument.class)).toFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("serverStatus failed", e);
        }
        return status.getDocument("metrics").getDocument("cursor").getDocument("open").getNumber("total").longValue();
    }

    @Override
    public void close() {
        try {
            Mono.from(db().drop()).block();
        } finally {
            client.close();
            if (server != null) {
                server.shutdownNow();
            }
        }
    }
}
