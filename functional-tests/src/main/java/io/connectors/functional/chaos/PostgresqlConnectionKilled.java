package io.connectors.functional.chaos;

import java.util.List;
import java.util.Map;

/**
 * {@code postgresql-connection-killed}: the source's sessions ({@code application_name = connectors}) terminated with
 * {@code pg_terminate_backend} while a full sync of 30,000 rows (the ftest fixture) reads them. The source retries
 * the page from the last row read: the sync should complete with every row exactly once; if it fails instead, it
 * must fail cleanly and the next sync must repair the index.
 */
final class PostgresqlConnectionKilled extends ConnectionsKilled {

    PostgresqlConnectionKilled() {
        super("postgresql", "session", "terminated");
    }

    @Override
    public String name() {
        return "postgresql-connection-killed";
    }

    @Override
    public String fault() {
        return "pg_terminate_backend on the source's sessions mid full sync of 30,000 rows, twice";
    }

    @Override
    int end(Map<String, Object> configuration) throws Exception {
        return terminate(String.valueOf(configuration.get("database")));
    }

    static int terminate(String database) throws Exception {
        List<String> out = PgTables.sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                + " WHERE application_name = 'connectors' AND datname = '" + database.replace("'", "''") + "'");
        return out.isEmpty() ? 0 : Integer.parseInt(out.get(0).trim());
    }
}
