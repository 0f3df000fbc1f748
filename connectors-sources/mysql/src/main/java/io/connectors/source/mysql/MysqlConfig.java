package io.connectors.source.mysql;

import io.asyncer.r2dbc.mysql.MySqlConnectionConfiguration;
import io.asyncer.r2dbc.mysql.MySqlConnectionFactory;
import io.asyncer.r2dbc.mysql.constant.SslMode;
import io.asyncer.r2dbc.mysql.constant.ZeroDateOption;
import io.connectors.spi.config.ConfigField;
import io.connectors.spi.config.SourceConfig;
import io.connectors.spi.support.TableColumns;
import io.connectors.spi.network.NetworkPolicy;
import io.connectors.source.sql.PoolSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * The MySQL source's configuration: its field declarations (the single source of validation, defaults, masking and
 * the configuration reference) and the typed values read from a validated {@link SourceConfig}.
 *
 * @param host                 the server's host name or address
 * @param port                 its port
 * @param database             the database (schema) whose tables are synced, and where bare table names are looked up
 * @param user                 the user to connect as
 * @param password             that user's password (a secret)
 * @param sslMode              TLS: disabled, preferred, required, verify_ca, verify_identity
 * @param sslCa                PEM file of the certificate authorities to trust
 * @param tables               the tables, bare or database-qualified; empty for every table of the database
 * @param keyColumns           key columns for tables without a primary key: table name to its columns
 * @param fetchSize            rows per page (one query each)
 * @param pool                 the pool, throttle and retries of the SQL connections
 * @param cursorColumn         the column incremental syncs follow, when set
 * @param cursorOverlap        how far back before the saved cursor an incremental sync of a date/time cursor re-reads
 * @param watchInterval        how often the change watch reads the binlog position
 * @param watchChanges         whether the daemon's change watch runs
 * @param serverId             the replica server id the binlog reader registers with, 0 for one derived from the
 *                             connector id
 * @param binlogIdleInterval   in real-time mode, how often a quiet stream's position is saved
 * @param splitRows            estimated rows per split of a full sync
 */
record MysqlConfig(
        String host,
        int port,
        String database,
        String user,
        Optional<String> password,
        String sslMode,
        Optional<Path> sslCa,
        List<String> tables,
        Map<String, List<String>> keyColumns,
        int fetchSize,
        PoolSettings pool,
        Optional<String> cursorColumn,
        Duration cursorOverlap,
        Duration watchInterval,
        boolean watchChanges,
        long serverId,
        Duration binlogIdleInterval,
        int splitRows) {

    static final String HOST = "host";
    static final String PORT = "port";
    static final String DATABASE = "database";
    static final String USER = "user";
    static final String PASSWORD = "password";
    static final String SSL_MODE = "ssl_mode";
    static final String SSL_CA = "ssl_ca";
    static final String TABLES = "tables";
    static final String KEY_COLUMNS = "key_columns";
    static final String FETCH_SIZE = "fetch_size";
    static final String CURSOR_COLUMN = "cursor_column";
    static final String CURSOR_OVERLAP = "cursor_overlap";
    static final String WATCH_INTERVAL = "watch_interval";
    static final String WATCH_CHANGES = "watch_changes";
    static final String SERVER_ID = "server_id";
    static final String BINLOG_IDLE_INTERVAL = "binlog_idle_interval";
    static final String SPLIT_ROWS = "split_rows";

    /**
     * What the source's sessions are told: times in UTC (TIMESTAMP columns are read as UTC), results in utf8mb4, and
     * no row limit that a server default could impose on a page.
     */
    static final List<String> SESSION_VARIABLES = List.of("time_zone='+00:00'", "character_set_results=utf8mb4",
            "sql_select_limit=DEFAULT");

    static final List<String> SSL_MODES = List.of("disabled", "preferred", "required", "verify_ca", "verify_identity");

    /** The lowest server id derived from a connector id: clear of the small ids people give their servers. */
    static final long DERIVED_SERVER_ID_BASE = 0x4000_0000L;

    static final List<ConfigField> FIELDS = java.util.stream.Stream.concat(PoolSettings.fields(11, 21,
            "(through proxies and load balancers, after fail-overs). Keep it under the server's `wait_timeout`.",
            "server restart, KILL, network").stream(), java.util.stream.Stream.of(
            ConfigField.string(HOST).asRequired()
                    .validate(ConfigField.notEmpty())
                    .validate(NetworkPolicy.hostField())
                    .description("The MySQL or MariaDB server's host name or IP address.")
                    .order(1),
            ConfigField.integer(PORT).defaultValue(3306L)
                    .validate(ConfigField.between(1, 65_535))
                    .description("The server's port.")
                    .order(2),
            ConfigField.string(DATABASE).asRequired()
                    .validate(ConfigField.notEmpty())
                    .description("The database (schema) whose tables are synced when `tables` is not set, and where bare"
                            + " table names are looked up.")
                    .order(3),
            ConfigField.string(USER).asRequired()
                    .validate(ConfigField.notEmpty())
                    .description("The user to connect as. It needs `SELECT` on the tables; in real-time mode also"
                            + " `REPLICATION SLAVE` and `REPLICATION CLIENT` (MariaDB: `BINLOG MONITOR`).")
                    .order(4),
            ConfigField.string(PASSWORD).asSensitive()
                    .description("The user's password.")
                    .order(5),
            ConfigField.string(SSL_MODE).defaultValue("preferred")
                    .validate(ConfigField.oneOf(SSL_MODES.toArray(String[]::new)))
                    .description("TLS: `disabled`, `preferred` (TLS when the server offers it), `required`, `verify_ca`"
                            + " (the certificate is checked against `ssl_ca`) or `verify_identity` (and its host name"
                            + " too). The binlog connection of real-time mode uses the same mode.")
                    .order(6),
            ConfigField.string(SSL_CA)
                    .validate(ConfigField.readableFile())
                    .description("A PEM file with the certificate authorities to trust, for `verify_ca` and"
                            + " `verify_identity`.")
                    .order(7),
            ConfigField.list(TABLES)
                    .validate(ConfigField.distinctNames())
                    .description("The tables (or views) to sync, bare (`orders`, in `database`) or qualified"
                            + " (`shop.orders`). Default: every table of `database`.")
                    .order(8),
            ConfigField.list(KEY_COLUMNS)
                    .validate(TableColumns.validator())
                    .description("Key columns for tables and views without a primary key, as `table: column, column`"
                            + " entries (`audit_log: logged_at, seq`). They must identify a row; rows whose key is NULL"
                            + " are not synced. A table with neither is reported and skipped.")
                    .order(9),
            ConfigField.integer(FETCH_SIZE).defaultValue(1000L)
                    .validate(ConfigField.between(1, 100_000))
                    .description("Rows per query: tables are read in pages of this many rows, by primary key.")
                    .order(10),
            ConfigField.integer(SPLIT_ROWS).defaultValue(25_000L)
                    .validate(ConfigField.between(1_000, 100_000_000))
                    .description("Rows per split of a full sync: a table whose key starts with an integer column and"
                            + " that the server estimates larger is divided into ranges of equal width of that column,"
                            + " read in parallel (`sync.max_concurrent_splits`) and resumed where they stopped after a"
                            + " restart. Other tables are one split each.")
                    .order(10),
            ConfigField.string(CURSOR_COLUMN)
                    .validate(ConfigField.notEmpty())
                    .description("The column incremental syncs follow, present in every synced table or query: a"
                            + " modification time (`updated_at ... ON UPDATE CURRENT_TIMESTAMP`) or an ever-increasing"
                            + " number. Rows where it is NULL are seen by full syncs only. Deletions are not seen by"
                            + " incremental syncs: the scheduled full sync removes them (real-time mode sees them).")
                    .order(19),
            ConfigField.duration(CURSOR_OVERLAP).defaultValue(Duration.ofMinutes(1))
                    .validate(ConfigField.notNegativeDuration())
                    .description("For a date or time `cursor_column`: how far before the saved position an incremental"
                            + " sync starts reading again, so rows committed late by long transactions are not missed."
                            + " Re-read rows are recognised unchanged by their version and not written again.")
                    .order(20),
            ConfigField.duration(WATCH_INTERVAL).defaultValue(Duration.ofSeconds(10))
                    .validate(ConfigField.positiveDuration())
                    .description("How often the change watch reads the server's binlog position.")
                    .order(22),
            ConfigField.bool(WATCH_CHANGES).defaultValue(true)
                    .description("While the daemon runs, read the server's binlog position (one cheap query each"
                            + " `watch_interval`) so that a scheduled sync is skipped while it has not moved. Only on a"
                            + " server with the binlog on; without one every scheduled sync runs.")
                    .order(23),
            ConfigField.integer(SERVER_ID).defaultValue(0L)
                    .validate(ConfigField.between(0, 4_294_967_295L))
                    .description("Real-time mode (`realtime: true`): the server id the binlog reader registers with, as a"
                            + " replica does; it must differ from every server's and replica's id in the topology. 0"
                            + " derives one from the connector id (between 1073741824 and 2147483647).")
                    .order(24),
            ConfigField.duration(BINLOG_IDLE_INTERVAL).defaultValue(Duration.ofSeconds(10))
                    .validate(ConfigField.positiveDuration())
                    .description("Real-time mode: while no synced table changes, how often the binlog position reached is"
                            + " saved, so that a restart does not read again what other tables wrote meanwhile.")
                    .order(25))).toList();

    /** Reads the typed values; no I/O. */
    static MysqlConfig from(SourceConfig config) {
        return new MysqlConfig(
                config.string(HOST).trim(),
                (int) config.integer(PORT),
                config.string(DATABASE).trim(),
                config.string(USER),
                config.optionalString(PASSWORD).filter(s -> !s.isEmpty()),
                config.string(SSL_MODE),
                config.optionalString(SSL_CA).filter(s -> !s.isBlank()).map(Path::of),
                config.has(TABLES) ? List.copyOf(config.list(TABLES)) : List.of(),
                config.has(KEY_COLUMNS) ? TableColumns.parse(config.list(KEY_COLUMNS)) : Map.of(),
                (int) config.integer(FETCH_SIZE),
                PoolSettings.from(config),
                config.optionalString(CURSOR_COLUMN).filter(s -> !s.isBlank()).map(String::trim),
                config.duration(CURSOR_OVERLAP),
                config.duration(WATCH_INTERVAL),
                config.bool(WATCH_CHANGES),
                config.integer(SERVER_ID),
                config.duration(BINLOG_IDLE_INTERVAL),
                (int) config.integer(SPLIT_ROWS));
    }

    /** Without the password, should the configuration ever be logged. */
    @Override
    public String toString() {
        return "MysqlConfig[" + where() + ", user '" + user + "', password " + (password.isPresent() ? "********" : "none")
                + ", ssl_mode " + sslMode + ", tables " + tables + "]";
    }

    /** Host, port and database, for messages: never the user's password. */
    String where() {
        return "MySQL at " + host + ":" + port + ", database '" + database + "'";
    }

    /** The binlog reader's server id: the configured one, or one derived from the connector id, stable across restarts. */
    long serverId(String connectorId) {
        if (serverId != 0) {
            return serverId;
        }
        CRC32 crc = new CRC32();
        crc.update(connectorId.getBytes(StandardCharsets.UTF_8));
        return DERIVED_SERVER_ID_BASE + (crc.getValue() % DERIVED_SERVER_ID_BASE);
    }

    /** The driver's connection factory (one connection per subscription), with the session the source needs. */
    MySqlConnectionFactory connectionFactory() {
        MySqlConnectionConfiguration.Builder b = MySqlConnectionConfiguration.builder()
                .host(host)
                .port(port)
                .database(database)
                .user(user)
                .connectTimeout(pool.connectTimeout())
                .tcpKeepAlive(true)
                .tcpNoDelay(true)
                .connectionTimeZone("UTC")
                .forceConnectionTimeZoneToSession(true)
                .zeroDateOption(ZeroDateOption.USE_NULL)
                .sessionVariables(SESSION_VARIABLES.toArray(String[]::new))
                .sslMode(SslMode.valueOf(sslMode.toUpperCase(Locale.ROOT)));
        password.ifPresent(b::password);
        sslCa.ifPresent(path -> b.sslCa(path.toString()));
        return MySqlConnectionFactory.from(b.build());
    }

    /** The limit of one connection attempt. */
    Duration connectTimeout() {
        return pool.connectTimeout();
    }
}
