package io.connectors.source.mongodb;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoCredential;
import com.mongodb.ReadPreference;
import io.connectors.spi.config.ConfigField;
import io.connectors.spi.config.ConfigValidationException;
import io.connectors.spi.config.SourceConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bson.UuidRepresentation;

/**
 * The MongoDB source's configuration: its field declarations (the single source of validation, defaults, masking and
 * the configuration reference) and the typed values read from a validated {@link SourceConfig}.
 *
 * @param connectionString     the connection string (a secret: it may hold a password)
 * @param username             the user, when not in the connection string
 * @param password             that user's password
 * @param database             the database
 * @param collections          the collections, at least one
 * @param authDatabase         where the user is defined; the connection string's {@code authSource}, else the database
 * @param tls                  whether to use TLS (also switched on by {@code tls=true} in the connection string)
 * @param tlsCaFile            PEM file of the certificate authorities to trust, instead of the JVM's
 * @param tlsAllowInvalidHostnames accept a server certificate issued for another host name
 * @param readPreference       which members to read from
 * @param batchSize            documents per round trip
 * @param maxPoolSize          most connections per server
 * @param maxIdleTime          a connection idle this long is closed
 * @param maxLifeTime          a connection older than this is closed when returned to the pool (recycling)
 * @param connectTimeout       limit of one connection attempt
 * @param serverSelectionTimeout how long an operation waits for a suitable server: what makes ping fail fast
 * @param maxConcurrentOperations most operations (queries, cursors, commands) in flight at once
 * @param operationsPerSecond  most round trips per second, 0 for no limit
 * @param legacyUuid           how binary subtype 3 (legacy UUIDs) is decoded
 * @param changeStreamIdle     an incremental sync ends once its change streams were quiet this long
 * @param watchChanges         whether the daemon's change watch runs (skipping scheduled syncs of unchanged data)
 * @param splitDocuments       estimated documents per split of a full sync
 */
record MongoConfig(
        String connectionString,
        Optional<String> username,
        Optional<String> password,
        String database,
        List<String> collections,
        Optional<String> authDatabase,
        boolean tls,
        Optional<Path> tlsCaFile,
        boolean tlsAllowInvalidHostnames,
        ReadPreference readPreference,
        int batchSize,
        int maxPoolSize,
        Duration maxIdleTime,
        Duration maxLifeTime,
        Duration connectTimeout,
        Duration serverSelectionTimeout,
        int maxConcurrentOperations,
        int operationsPerSecond,
        UuidRepresentation legacyUuid,
        Duration changeStreamIdle,
        boolean watchChanges,
        int splitDocuments) {

    static final String CONNECTION_STRING = "connection_string";
    static final String USERNAME = "username";
    static final String PASSWORD = "password";
    static final String DATABASE = "database";
    static final String COLLECTIONS = "collections";
    static final String AUTH_DATABASE = "auth_database";
    static final String TLS = "tls";
    static final String TLS_CA_FILE = "tls_ca_file";
    static final String TLS_ALLOW_INVALID_HOSTNAMES = "tls_allow_invalid_hostnames";
    static final String READ_PREFERENCE = "read_preference";
    static final String BATCH_SIZE = "batch_size";
    static final String SPLIT_DOCUMENTS = "split_documents";
    static final String MAX_POOL_SIZE = "max_pool_size";
    static final String MAX_CONNECTION_IDLE_TIME = "max_connection_idle_time";
    static final String MAX_CONNECTION_LIFE_TIME = "max_connection_life_time";
    static final String CONNECT_TIMEOUT = "connect_timeout";
    static final String SERVER_SELECTION_TIMEOUT = "server_selection_timeout";
    static final String MAX_CONCURRENT_OPERATIONS = "max_concurrent_operations";
    static final String OPERATIONS_PER_SECOND = "operations_per_second";
    static final String UUID_REPRESENTATION = "uuid_representation";
    static final String CHANGE_STREAM_IDLE = "change_stream_idle";
    static final String WATCH_CHANGES = "watch_changes";

    static final List<String> READ_PREFERENCES = List.of("primary", "primaryPreferred", "secondary",
            "secondaryPreferred", "nearest");

    static final List<ConfigField> FIELDS = List.of(
            ConfigField.string(CONNECTION_STRING).asRequired().asSensitive()
                    .validate(ConfigField.notEmpty())
                    .validate(MongoConfig::checkConnectionString)
                    .description("The MongoDB connection string, `mongodb://host:27017` or `mongodb+srv://cluster.example.com`,"
                            + " with options such as `replicaSet` or `authSource`. Treated as a secret, since it may hold"
                            + " a password. Change streams need a replica set or a sharded cluster.")
                    .order(1),
            ConfigField.string(DATABASE).asRequired()
                    .validate(ConfigField.notEmpty())
                    .validate(MongoConfig::checkDatabaseName)
                    .description("The database to sync from.")
                    .order(2),
            ConfigField.list(COLLECTIONS).asRequired()
                    .validate(ConfigField.notEmpty())
                    .validate(MongoConfig::checkCollectionNames)
                    .description("The collections to sync into the connector's index. With more than one, each document id"
                            + " is prefixed with `<collection>/` and each document gets a `mongo_collection` field.")
                    .order(3),
            ConfigField.string(USERNAME)
                    .description("The user to authenticate as, when it is not in the connection string.")
                    .order(4),
            ConfigField.string(PASSWORD).asSensitive()
                    .description("The password of `username`.")
                    .order(5),
            ConfigField.string(AUTH_DATABASE)
                    .description("The database where `username` is defined (MongoDB's authSource). Default: the connection"
                            + " string's `authSource`, else `admin`.")
                    .order(6),
            ConfigField.bool(TLS).defaultValue(false)
                    .description("Connect with TLS. `tls=true` in the connection string (or `mongodb+srv://`) also does.")
                    .order(7),
            ConfigField.string(TLS_CA_FILE)
                    .description("A PEM file with the certificate authorities to trust, instead of the JVM's trust store.")
                    .order(8),
            ConfigField.bool(TLS_ALLOW_INVALID_HOSTNAMES).defaultValue(false)
                    .description("Accept a server certificate whose host name does not match. Only for testing.")
                    .order(9),
            ConfigField.string(READ_PREFERENCE).defaultValue("primaryPreferred")
                    .validate(ConfigField.oneOf(READ_PREFERENCES.toArray(String[]::new)))
                    .description("Which replica set members to read from: `primary`, `primaryPreferred`, `secondary`,"
                            + " `secondaryPreferred` or `nearest`.")
                    .order(10),
            ConfigField.integer(BATCH_SIZE).defaultValue(500L)
                    .validate(ConfigField.between(1, 100_000))
                    .description("Documents fetched per round trip, for full syncs and change streams.")
                    .order(11),
            ConfigField.integer(SPLIT_DOCUMENTS).defaultValue(25_000L)
                    .validate(ConfigField.between(1_000, 100_000_000))
                    .description("Documents per split of a full sync: a larger collection is divided into `_id` ranges"
                            + " (planned from the collection's estimated count and a `$sample` of its `_id`s), read in"
                            + " parallel (`sync.max_concurrent_splits`) and resumed where they stopped after a restart.")
                    .order(11),
            ConfigField.integer(MAX_POOL_SIZE).defaultValue(8L)
                    .validate(ConfigField.between(1, 1_000))
                    .description("The most connections the connector opens per server.")
                    .order(12),
            ConfigField.duration(MAX_CONNECTION_IDLE_TIME).defaultValue(Duration.ofMinutes(1))
                    .validate(ConfigField.positiveDuration())
                    .description("A pooled connection idle this long is closed.")
                    .order(13),
            ConfigField.duration(MAX_CONNECTION_LIFE_TIME).defaultValue(Duration.ofMinutes(30))
                    .validate(ConfigField.positiveDuration())
                    .description("A pooled connection older than this is closed and replaced, so connections are recycled"
                            + " (through load balancers, after fail-overs).")
                    .order(14),
            ConfigField.duration(CONNECT_TIMEOUT).defaultValue(Duration.ofSeconds(10))
                    .validate(ConfigField.positiveDuration())
                    .description("The limit of one connection attempt.")
                    .order(15),
            ConfigField.duration(SERVER_SELECTION_TIMEOUT).defaultValue(Duration.ofSeconds(10))
                    .validate(ConfigField.positiveDuration())
                    .description("How long an operation waits for a reachable, suitable server before it fails; a ping of"
                            + " an unreachable host fails after this long.")
                    .order(16),
            ConfigField.integer(MAX_CONCURRENT_OPERATIONS).defaultValue(0L)
                    .validate(ConfigField.between(0, 1_000))
                    .description("The most operations (queries with their cursors, change streams, commands) this connector"
                            + " runs at once; 0 means `max_pool_size`.")
                    .order(17),
            ConfigField.integer(OPERATIONS_PER_SECOND).defaultValue(0L)
                    .validate(ConfigField.between(0, 1_000_000))
                    .description("The most round trips to MongoDB per second (each batch of `batch_size` documents is one);"
                            + " 0 means no limit.")
                    .order(18),
            ConfigField.string(UUID_REPRESENTATION).defaultValue("java_legacy")
                    .validate(ConfigField.oneOf("java_legacy", "csharp_legacy", "python_legacy"))
                    .description("How legacy UUIDs (binary subtype 3) were written, which decides their byte order:"
                            + " `java_legacy`, `csharp_legacy` or `python_legacy`. Standard UUIDs (subtype 4) need nothing.")
                    .order(19),
            ConfigField.duration(CHANGE_STREAM_IDLE).defaultValue(Duration.ofSeconds(1))
                    .validate(ConfigField.positiveDuration())
                    .description("An incremental sync ends once no change arrived for this long (or once it reached the"
                            + " changes made before it started).")
                    .order(20),
            ConfigField.bool(WATCH_CHANGES).defaultValue(true)
                    .description("While the daemon runs, watch the collections with a change stream so that a scheduled"
                            + " sync finds out at no cost that nothing changed, and is skipped. MongoDB holds an idle"
                            + " change stream on the server; turn this off only for a server that answers at once"
                            + " (such as an in-process test server), where the watch would poll continuously.")
                    .order(21));

    /** Reads the typed values; no I/O. */
    static MongoConfig from(SourceConfig config) {
        int poolSize = (int) config.integer(MAX_POOL_SIZE);
        int concurrent = (int) config.integer(MAX_CONCURRENT_OPERATIONS);
        boolean hasUser = config.optionalString(USERNAME).filter(s -> !s.isBlank()).isPresent();
        if (!hasUser && config.optionalString(PASSWORD).filter(s -> !s.isBlank()).isPresent()) {
            throw new ConfigValidationException(USERNAME, "is required when `password` is set");
        }
        return new MongoConfig(
                config.string(CONNECTION_STRING),
                config.optionalString(USERNAME).filter(s -> !s.isBlank()),
                config.optionalString(PASSWORD),
                config.string(DATABASE),
                List.copyOf(config.list(COLLECTIONS)),
                config.optionalString(AUTH_DATABASE).filter(s -> !s.isBlank()),
                config.bool(TLS),
                config.optionalString(TLS_CA_FILE).filter(s -> !s.isBlank()).map(Path::of),
                config.bool(TLS_ALLOW_INVALID_HOSTNAMES),
                ReadPreference.valueOf(config.string(READ_PREFERENCE)),
                (int) config.integer(BATCH_SIZE),
                poolSize,
                config.duration(MAX_CONNECTION_IDLE_TIME),
                config.duration(MAX_CONNECTION_LIFE_TIME),
                config.duration(CONNECT_TIMEOUT),
                config.duration(SERVER_SELECTION_TIMEOUT),
                concurrent == 0 ? poolSize : concurrent,
                (int) config.integer(OPERATIONS_PER_SECOND),
                switch (config.string(UUID_REPRESENTATION)) {
                    case "csharp_legacy" -> UuidRepresentation.C_SHARP_LEGACY;
                    case "python_legacy" -> UuidRepresentation.PYTHON_LEGACY;
                    default -> UuidRepresentation.JAVA_LEGACY;
                },
                config.duration(CHANGE_STREAM_IDLE),
                config.bool(WATCH_CHANGES),
                (int) config.integer(SPLIT_DOCUMENTS));
    }

    /** Whether ids carry their collection: with more than one collection, the same _id may exist in two. */
    boolean multiCollection() {
        return collections.size() > 1;
    }

    /** Without the connection string's credentials or the password, should the configuration ever be logged. */
    @Override
    public String toString() {
        return "MongoConfig[hosts " + hosts() + ", database '" + database + "', collections " + collections
                + ", username " + username.orElse("none") + ", password " + (password.isPresent() ? "********" : "none")
                + "]";
    }

    /** The hosts of the connection string, for messages: never the user or password. */
    String hosts() {
        return String.join(",", new ConnectionString(connectionString).getHosts());
    }

    /**
     * The driver settings: the connection string's own options first, then this configuration's, which win.
     *
     * @throws ConfigValidationException when the CA file cannot be read
     */
    MongoClientSettings clientSettings() {
        ConnectionString cs = new ConnectionString(connectionString);
        MongoClientSettings.Builder b = MongoClientSettings.builder()
                .applyConnectionString(cs)
                .applicationName("connectors")
                .readPreference(readPreference)
                .uuidRepresentation(UuidRepresentation.STANDARD)
                .retryReads(true)
                .applyToConnectionPoolSettings(p -> p
                        .maxSize(maxPoolSize)
                        .minSize(0)
                        .maxConnectionIdleTime(maxIdleTime.toMillis(), TimeUnit.MILLISECONDS)
                        .maxConnectionLifeTime(maxLifeTime.toMillis(), TimeUnit.MILLISECONDS)
                        .maxWaitTime(serverSelectionTimeout.toMillis() + connectTimeout.toMillis(), TimeUnit.MILLISECONDS))
                .applyToSocketSettings(s -> s.connectTimeout((int) connectTimeout.toMillis(), TimeUnit.MILLISECONDS))
                .applyToClusterSettings(c -> c.serverSelectionTimeout(serverSelectionTimeout.toMillis(), TimeUnit.MILLISECONDS));
        if (tls || tlsCaFile.isPresent() || tlsAllowInvalidHostnames) {
            SSLContext context = tlsCaFile.map(MongoConfig::sslContext).orElse(null);
            b.applyToSslSettings(s -> {
                s.enabled(true).invalidHostNameAllowed(tlsAllowInvalidHostnames);
                if (context != null) {
                    s.context(context);
                }
            });
        }
        if (username.isPresent()) {
            String source = authDatabase.orElse(Optional.ofNullable(cs.getCredential()).map(MongoCredential::getSource)
                    .orElse("admin"));
            b.credential(MongoCredential.createCredential(username.get(), source,
                    password.orElse("").toCharArray()));
        } else if (authDatabase.isPresent() && cs.getCredential() != null) {
            MongoCredential c = cs.getCredential();
            b.credential(MongoCredential.createCredential(c.getUserName(), authDatabase.get(), c.getPassword()));
        }
        return b.build();
    }

    private static SSLContext sslContext(Path caFile) {
        try (InputStream in = Files.newInputStream(caFile)) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int n = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("ca-" + n++, certificate);
            }
            if (n == 0) {
                throw new ConfigValidationException(TLS_CA_FILE, "holds no PEM certificate: " + caFile);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new ConfigValidationException(TLS_CA_FILE, "cannot be read: " + caFile + " (" + e + ")");
        } catch (GeneralSecurityException e) {
            throw new ConfigValidationException(TLS_CA_FILE, "is not a usable PEM certificate file: " + caFile
                    + " (" + e.getMessage() + ")");
        }
    }

    private static String checkConnectionString(Object value) {
        String s = (String) value;
        try {
            new ConnectionString(s);
            return null;
        } catch (IllegalArgumentException e) {
            // The driver's message may quote the string, and so a password: say what is wrong without it.
            String reason = String.valueOf(e.getMessage()).replace(s, "<connection string>");
            int at = s.indexOf('@');
            if (at > 0) {
                reason = reason.replace(s.substring(0, at), "<credentials>");
            }
            return "is not a valid MongoDB connection string: " + reason;
        }
    }

    private static String checkDatabaseName(Object value) {
        String s = (String) value;
        for (char c : "/\\. \"$".toCharArray()) {
            if (s.indexOf(c) >= 0) {
                return "'" + s + "' is not a valid database name: it contains '" + c + "'";
            }
        }
        return s.length() > 63 ? "'" + s + "' is not a valid database name: longer than 63 characters" : null;
    }

    @SuppressWarnings("unchecked")
    private static String checkCollectionNames(Object value) {
        List<String> names = (List<String>) value;
        for (String s : names) {
            if (s.isBlank()) {
                return "collection names must not be blank";
            }
            if (s.contains("$") || s.startsWith("system.")) {
                return "'" + s + "' is not a collection that can be synced (it contains '$' or is a system collection)";
            }
        }
        if (names.stream().distinct().count() < names.size()) {
            return "lists a collection twice: " + names;
        }
        return null;
    }
}
