package io.connectors.source.mongodb;

import io.connectors.spi.DataSourceProvider;
import io.connectors.testkit.contract.DataSourceContractTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonObjectId;
import org.bson.BsonString;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import reactor.core.publisher.Mono;

/**
 * The contract suite against an in-process mongo-java-server. Open resources are the server's open cursors: with a
 * batch size of 2 a read keeps one open until it ends or is cancelled.
 *
 * <p>{@link #vanishedItem} keeps its default: a deferred document holds the bytes already read, and fetch only decodes
 * them, so there is no item fetch could find gone (one deleted after the listing is indexed, then deleted by the next
 * sync, as when documents were built at once).
 */
class MongoDataSourceContractTest extends DataSourceContractTest {
    private static MongoBackend backend;
    private static final Set<String> IDS = new TreeSet<>();
    /** Valid field by field; the invalid configurations change one field of it. */
    private static final Map<String, Object> BASE = Map.of("connection_string", "mongodb://127.0.0.1:27017",
            "database", "db", "collections", List.of("items"));

    @BeforeAll
    static void fill() {
        backend = MongoBackend.inProcess();
        List<BsonDocument> docs = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ObjectId id = new ObjectId(String.format("%024x", 0x1000 + i));
            docs.add(new BsonDocument("_id", new BsonObjectId(id)).append("title", new BsonString("doc " + i))
                    .append("n", new BsonInt32(i)));
            IDS.add(id.toHexString());
        }
        docs.add(new BsonDocument("_id", new BsonString("a-string-id")).append("title", new BsonString("string id")));
        IDS.add("a-string-id");
        Mono.from(backend.db().getCollection("items", BsonDocument.class).insertMany(docs)).block();
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    @Override
    protected DataSourceProvider provider() {
        return new MongoDataSourceProvider();
    }

    @Override
    protected Map<String, Object> validConfiguration() {
        return Map.of("connection_string", backend.connectionString(), "database", backend.database(),
                "collections", List.of("items"), "batch_size", 2);
    }

    @Override
    protected Set<String> expectedIds() {
        return IDS;
    }

    @Override
    protected Map<String, Object> unreachableConfiguration() {
        return Map.of("connection_string", "mongodb://connector:s3cr3t-pw@127.0.0.1:1", "database", "db",
                "collections", List.of("items"), "server_selection_timeout", "2s", "connect_timeout", "1s");
    }

    @Override
    protected String unreachableMessageFragment() {
        return "127.0.0.1:1";
    }

    @Override
    protected List<InvalidConfiguration> invalidConfigurations() {
        return List.of(
                invalid("not a connection string", with("connection_string", "http://localhost:27017"), "connection_string"),
                invalid("blank database", with("database", " "), "database"),
                invalid("database with a dot", with("database", "a.b"), "database"),
                invalid("no collections", with("collections", List.of()), "collections"),
                invalid("system collection", with("collections", List.of("system.users")), "collections"),
                invalid("collection twice", with("collections", List.of("a", "a")), "collections"),
                invalid("unknown read preference", with("read_preference", "fastest"), "read_preference"),
                invalid("batch size zero", with("batch_size", 0), "batch_size"),
                invalid("pool size not a number", with("max_pool_size", "many"), "max_pool_size"),
                invalid("idle time not a duration", with("max_connection_idle_time", "soon"), "max_connection_idle_time"),
                invalid("negative life time", with("max_connection_life_time", "-5s"), "max_connection_life_time"),
                invalid("unknown uuid representation", with("uuid_representation", "standard"), "uuid_representation"),
                invalid("password without username", with("password", "pw"), "username"),
                invalid("misspelt field", with("colections", List.of("items")), "colections"));
    }

    @Override
    protected long openResourceCount() {
        return backend.openCursors();
    }

    private static Map<String, Object> with(String key, Object value) {
        return with(BASE, key, value);
    }
}
