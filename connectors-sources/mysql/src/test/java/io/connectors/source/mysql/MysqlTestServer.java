package io.connectors.source.mysql;

import io.r2dbc.spi.Row;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@link MysqlServer} for tests outside this package (the daemon-level tests in {@code functional-tests}): a database of
 * its own on the private MariaDB with the binlog on, dropped at {@link Db#close}.
 */
public final class MysqlTestServer {
    private MysqlTestServer() {
    }

    /** A new database on the binlog server ({@link MysqlServer#binlog()}). */
    public static Db binlogDatabase(String prefix) {
        return new Db(MysqlServer.binlog().create(prefix));
    }

    /** A database of the test server; blocking helpers (test code). */
    public static final class Db implements AutoCloseable {
        private final MysqlServer.Database database;

        private Db(MysqlServer.Database database) {
            this.database = database;
        }

        public String name() {
            return database.name();
        }

        /** The source's connection settings for this database. */
        public Map<String, Object> config() {
            return database.config();
        }

        /** Runs statements in order on one connection. */
        public void sql(String... statements) {
            database.sql(statements);
        }

        public <T> List<T> query(String sql, Function<Row, T> mapper) {
            return database.query(sql, mapper);
        }

        /** Purges every binlog file before the current one ({@code PURGE BINARY LOGS TO}). */
        public void purgeBinlogsBeforeCurrent() {
            String current = database.query("SHOW MASTER STATUS", row -> row.get("File", String.class)).get(0);
            database.sql("PURGE BINARY LOGS TO '" + current.replace("'", "''") + "'");
        }

        @Override
        public void close() {
            database.close();
        }
    }
}
