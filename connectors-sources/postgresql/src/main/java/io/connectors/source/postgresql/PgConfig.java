package io.connectors.source.postgresql;

import io.connectors.spi.config.ConfigField;
import io.connectors.spi.config.FieldError;
import io.connectors.spi.config.SourceConfig;
import io.connectors.spi.support.TableColumns;
import io.connectors.spi.network.NetworkPolicy;
import io.connectors.source.sql.PoolSettings;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import io.r2dbc.postgresql.client.SSLMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The PostgreSQL source's configuration: its field declarations (the single source of validation, defaults, masking
 * and the configuration reference) and the typed values read from a validated {@link SourceConfig}.
 *
 * @param host               the server's host name or address
 * @param port               its port
 * @param database           the database
 * @param user               the user to connect as
 * @param password           that user's password (a secret)
 * @param sslMode            libpq's sslmode: disable, allow, prefer, require, verify-ca, verify-full
 * @param sslRootCert        PEM file of the certificate authorities to trust
 * @param schemas            the schemas whose tables are synced (and in which bare table names are looked up)
 * @param tables             the tables, bare or schema-qualified; empty for every table of the schemas
 * @param keyColumns         key columns for tables without a primary key: table name to its columns
 * @param fetchSize          rows per page (one query each)
 * @param pool               the pool, throttle and retries of the SQL connections
 * @param cursorColumn       the column incremental syncs follow, when set
 * @param cursorOverlap      how far back before the saved cursor an incremental sync of a date/time cursor re-reads
 * @param watchInterval      how often the change watch polls the statistics counters
 * @param watchChanges       whether the daemon's change watch runs
 * @param splitRows          estimated rows per split of a full sync
 * @param publication        in real-time mode, an existing publication to follow instead of the source's own
 * @param slotWalWarning     in real-time mode, retained WAL past which the slot is reported
 * @param statusInterval     in real-time mode, how often the stored position is confirmed and the slot measured
 */
record PgConfig(
        String host,
        int port,
        String database,
        String user,
        Optional<String> password,
        String sslMode,
        Optional<Path> sslRootCert,
        List<String> schemas,
        List<String> tables,
        Map<String, List<String>> keyColumns,
        int fetchSize,
        PoolSettings pool,
        Optional<String> cursorColumn,
        Duration cursorOverlap,
        Duration watchInterval,
        boolean watchChanges,
        int splitRows,
        Optional<String> publication,
        long slotWalWarning,
        Duration statusInterval) {

    static final String HOST = "host";
    static final String PORT = "port";
    static final String DATABASE = "database";
    static final String USER = "user";
    static final String PASSWORD = "password";
    static final String SSL_MODE = "ssl_mode";
    static final String SSL_ROOT_CERT = "ssl_root_cert";
    static final String SCHEMAS = "schemas";
    static final String TABLES = "tables";
    static final String KEY_COLUMNS = "key_columns";
    static final String FETCH_SIZE = "fetch_size";
    static final String CURSOR_COLUMN = "cursor_column";
    static final String CURSOR_OVERLAP = "cursor_overlap";
    static final String WATCH_INTERVAL = "watch_interval";
    static final String WATCH_CHANGES = "watch_changes";
    static final String SPLIT_ROWS = "split_rows";
    static final String PUBLICATION = "publication";
    static final String SLOT_WAL_WARNING = "slot_retained_wal_warning";
    static final String STATUS_INTERVAL = "replication_status_interval";

    /** What the source's sessions are told: dates, times and intervals in ISO-8601, in UTC, floats exact. */
    static final Map<String, String> SESSION_OPTIONS = Map.of("TimeZone", "UTC", "DateStyle", "ISO",
            "IntervalStyle", "iso_8601", "extra_float_digits", "1", "bytea_output", "hex", "default_transaction_read_only", "on");

    /** The application name of the source's connections, as {@code pg_stat_activity} shows it. */
    static final String APPLICATION_NAME = "connectors";

    static final List<String> SSL_MODES = List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

    static final List<ConfigField> FIELDS = java.util.stream.Stream.concat(PoolSettings.fields(12, 22,
            "(through poolers and load balancers, after fail-overs).",
            "server restart, terminated backend, network").stream(), java.util.stream.Stream.of(
            ConfigField.string(HOST).asRequired()
                    .validate(ConfigField.notEmpty())
                    .validate(NetworkPolicy.hostField())
                    .description("The PostgreSQL server's host name or IP address.")
                    .order(1),
            ConfigField.integer(PORT).defaultValue(5432L)
                    .validate(ConfigField.between(1, 65_535))
                    .description("The server's port.")
                    .order(2),
            ConfigField.string(DATABASE).asRequired()
                    .validate(ConfigField.notEmpty())
                    .description("The database to sync from.")
                    .order(3),
            ConfigField.string(USER).asRequired()
                    .validate(ConfigField.notEmpty())
                    .description("The user to connect as. It needs only `CONNECT` on the database, `USAGE` on the schemas"
                            + " and `SELECT` on the tables.")
                    .order(4),
            ConfigField.string(PASSWORD).asSensitive()
                    .description("The user's password.")
                    .order(5),
            ConfigField.string(SSL_MODE).defaultValue("prefer")
                    .validate(ConfigField.oneOf(SSL_MODES.toArray(String[]::new)))
                    .description("TLS, as libpq's `sslmode`: `disable`, `allow`, `prefer`, `require`, `verify-ca` (the"
                            + " certificate is checked against `ssl_root_cert`) or `verify-full` (and its host name too).")
                    .order(6),
            ConfigField.string(SSL_ROOT_CERT)
                    .validate(ConfigField.readableFile())
                    .description("A PEM file with the certificate authorities to trust, for `verify-ca` and `verify-full`.")
                    .order(7),
            ConfigField.list(SCHEMAS).defaultValue(List.of("public"))
                    .validate(ConfigField.notEmpty())
                    .validate(ConfigField.distinctNames())
                    .description("The schemas whose tables are synced when `tables` is not set, and where bare table names"
                            + " are looked up, in order.")
                    .order(8),
            ConfigField.list(TABLES)
                    .validate(ConfigField.distinctNames())
                    .description("The tables to sync, bare (`orders`, looked up in `schemas`) or qualified"
                            + " (`shop.orders`). Default: every table of `schemas`.")
                    .order(9),
            ConfigField.list(KEY_COLUMNS)
                    .validate(TableColumns.validator())
                    .description("Key columns for tables without a primary key, as `table: column, column` entries"
                            + " (`audit_log: logged_at, seq`). They must identify a row; rows whose key is NULL are not"
                            + " synced. A table with neither is reported and skipped.")
                    .order(10),
            ConfigField.integer(FETCH_SIZE).defaultValue(1000L)
                    .validate(ConfigField.between(1, 100_000))
                    .description("Rows per query: tables are read in pages of this many rows, by primary key.")
                    .order(11),
            ConfigField.integer(SPLIT_ROWS).defaultValue(25_000L)
                    .validate(ConfigField.between(1_000, 100_000_000))
                    .description("Rows per split of a full sync: a larger table is divided into ranges of its first key"
                            + " column (planned from the planner's statistics, or a page sample of a table never"
                            + " analyzed), read in parallel (`sync.max_concurrent_splits`) and resumed where they"
                            + " stopped after a restart.")
                    .order(11),
            ConfigField.string(CURSOR_COLUMN)
                    .validate(ConfigField.notEmpty())
                    .description("The column incremental syncs follow, present in every synced table or query: a"
                            + " modification time (`updated_at`, set on every insert and update) or an ever-increasing"
                            + " number. Rows where it is NULL are seen by full syncs only. Deletions are not seen by"
                            + " incremental syncs: the scheduled full sync removes them.")
                    .order(20),
            ConfigField.duration(CURSOR_OVERLAP).defaultValue(Duration.ofMinutes(1))
                    .validate(ConfigField.notNegativeDuration())
                    .description("For a date or time `cursor_column`: how far before the saved position an incremental"
                            + " sync starts reading again, so rows committed late by long transactions (their time was"
                            + " taken when the transaction began) are not missed. Re-read rows are indexed again, harmlessly.")
                    .order(21),
            ConfigField.duration(WATCH_INTERVAL).defaultValue(Duration.ofSeconds(10))
                    .validate(ConfigField.positiveDuration())
                    .description("How often the change watch reads the tables' statistics counters.")
                    .order(23),
            ConfigField.bool(WATCH_CHANGES).defaultValue(true)
                    .description("While the daemon runs, poll the tables' statistics counters (`pg_stat_user_tables`, one"
                            + " cheap query each `watch_interval`) so that a scheduled sync of unchanged tables is"
                            + " skipped.")
                    .order(24),
            ConfigField.string(PUBLICATION)
                    .validate(ConfigField.notEmpty())
                    .description("Real-time mode (`realtime: true`): an existing publication to follow, created by an"
                            + " administrator; it must carry every synced table and publish inserts, updates, deletes"
                            + " and truncates. Default: the connector's own, `connectors_<connector id>`, created and kept"
                            + " to the synced tables by the source (which then needs `CREATE` on the database and to own"
                            + " the tables).")
                    .order(25),
            ConfigField.byteSize(SLOT_WAL_WARNING).defaultValue("1gb")
                    .validate(ConfigField.atLeast(1))
                    .description("Real-time mode: WAL retained by the connector's replication slot past which a warning"
                            + " is logged and `connectors status` flags the slot (the metric"
                            + " `connectors_source_postgresql_slot_retained_wal_bytes` has the figure).")
                    .order(26),
            ConfigField.duration(STATUS_INTERVAL).defaultValue(Duration.ofSeconds(10))
                    .validate(ConfigField.positiveDuration())
                    .description("Real-time mode: how often the position stored in the index is confirmed to the server"
                            + " (which may then remove older WAL), a quiet database's position is moved on, and the slot"
                            + " is measured.")
                    .order(27))).toList();

    /** Reads the typed values; no I/O. */
    static PgConfig from(SourceConfig config) {
        String sslMode = config.string(SSL_MODE);
        Optional<Path> rootCert = config.optionalString(SSL_ROOT_CERT).filter(s -> !s.isBlank()).map(Path::of);
        return new PgConfig(
                config.string(HOST).trim(),
                (int) config.integer(PORT),
                config.string(DATABASE),
                config.string(USER),
                config.optionalString(PASSWORD).filter(s -> !s.isEmpty()),
                sslMode,
                rootCert,
                List.copyOf(config.list(SCHEMAS)),
                config.has(TABLES) ? List.copyOf(config.list(TABLES)) : List.of(),
                config.has(KEY_COLUMNS) ? TableColumns.parse(config.list(KEY_COLUMNS)) : Map.of(),
                (int) config.integer(FETCH_SIZE),
                PoolSettings.from(config),
                config.optionalString(CURSOR_COLUMN).filter(s -> !s.isBlank()).map(String::trim),
                config.duration(CURSOR_OVERLAP),
                config.duration(WATCH_INTERVAL),
                config.bool(WATCH_CHANGES),
                (int) config.integer(SPLIT_ROWS),
                config.optionalString(PUBLICATION).filter(s -> !s.isBlank()).map(String::trim),
                config.byteSize(SLOT_WAL_WARNING),
                config.duration(STATUS_INTERVAL));
    }

    /** Without the password, should the configuration ever be logged. */
    @Override
    public String toString() {
        return "PgConfig[" + where() + ", user '" + user + "', password " + (password.isPresent() ? "********" : "none")
                + ", ssl_mode " + sslMode + ", schemas " + schemas + ", tables " + tables + "]";
    }

    /** Host, port and database, for messages: never the user's password. */
    String where() {
        return "PostgreSQL at " + host + ":" + port + ", database '" + database + "'";
    }

    /** The driver's connection factory (one connection per subscription), with the session options the source needs. */
    PostgresqlConnectionFactory connectionFactory() {
        PostgresqlConnectionConfiguration.Builder b = PostgresqlConnectionConfiguration.builder()
                .host(host)
                .port(port)
                .database(database)
                .username(user)
                .applicationName(APPLICATION_NAME)
                .connectTimeout(pool.connectTimeout())
                .tcpKeepAlive(true)
                .options(SESSION_OPTIONS)
                .sslMode(SSLMode.fromValue(sslMode));
        password.ifPresent(b::password);
        sslRootCert.ifPresent(path -> b.sslRootCert(path.toString()));
        return new PostgresqlConnectionFactory(b.build());
    }

    /** The limit of one connection attempt. */
    Duration connectTimeout() {
        return pool.connectTimeout();
    }

    /** Errors about the tables configuration against what the catalog holds; used by validateConfig. */
    static FieldError tableError(String message) {
        return new FieldError(TABLES, message);
    }
}
