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

        /**
         * Purges every binlog file before the current one ({@code PURGE BINARY LOGS TO}), and waits until they are
         * gone: the server keeps a file a binlog reader still has open (a reader whose client went away may linger for
         * a moment), so lingering readers are killed first.
         */
        public void purgeBinlogsBeforeCurrent() {
            String current = database.query("SHOW MASTER STATUS", row -> row.get("File", String.class)).get(0);
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
            while (true) {
                for (Long id : database.query("SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND LIKE"
                        + " 'Binlog Dump%'", row -> ((Number) row.get(0)).longValue())) {
                    try {
                        database.sql("KILL " + id);
                    } catch (IllegalStateException gone) {
                        // Ended meanwhile.
                    }
                }
                database.sql("PURGE BINARY LOGS TO '" + current.replace("'", "''") + "'");
                List<String> files = database.query("SHOW BINARY LOGS", row -> row.get(0, String.class));
                if (files.get(0).equals(current)) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("binlog files before " + current + " are still there: " + files);
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
        }

        @Override
        public void close() {
            database.close();
        }
    }
}
