package io.connectors.functional.chaos;

import io.asyncer.r2dbc.mysql.MySqlConnectionConfiguration;
import io.asyncer.r2dbc.mysql.MySqlConnectionFactory;
import io.asyncer.r2dbc.mysql.constant.SslMode;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Result;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code mysql-connection-killed}: the source's connections (every connection of {@code information_schema.PROCESSLIST}
 * in the fixture's database but the scenario's own) killed with {@code KILL CONNECTION} while a full sync of 30,000
 * rows (the ftest fixture, on the MariaDB or MySQL its tests use) reads them, twice. The source retries a query that
 * lost its connection (`retries`): the sync should complete with every row exactly once; if it fails instead, it must
 * fail cleanly and the next sync must repair the index.
 */
final class MysqlConnectionKilled extends ConnectionsKilled {
    private static final Duration WAIT = Duration.ofSeconds(30);

    MysqlConnectionKilled() {
        super("mysql", "connection", "killed");
    }

    @Override
    public String name() {
        return "mysql-connection-killed";
    }

    @Override
    public String fault() {
        return "KILL CONNECTION on the source's connections mid full sync of 30,000 rows, twice";
    }

    @Override
    int end(Map<String, Object> configuration) throws Exception {
        return kill(configuration);
    }

    /**
     * Kills every connection in the configuration's database but this one's own (which is in no database), with the
     * MySQL source's driver; how many.
     */
    static int kill(Map<String, Object> configuration) throws Exception {
        MySqlConnectionConfiguration.Builder builder = MySqlConnectionConfiguration.builder()
                .host(String.valueOf(configuration.get("host")))
                .port(((Number) configuration.getOrDefault("port", 3306)).intValue())
                .user(String.valueOf(configuration.get("user")))
                .sslMode(SslMode.DISABLED)
                .connectTimeout(Duration.ofSeconds(10));
        if (configuration.get("password") != null) {
            builder.password(String.valueOf(configuration.get("password")));
        }
        String database = String.valueOf(configuration.get("database")).replace("'", "''");
        MySqlConnectionFactory factory = MySqlConnectionFactory.from(builder.build());
        return Mono.usingWhen(Mono.from(factory.create()),
                        c -> Flux.from(c.createStatement("SELECT ID FROM information_schema.PROCESSLIST WHERE DB = '"
                                        + database + "' AND ID <> CONNECTION_ID()").execute())
                                .concatMap(r -> r.map((row, meta) -> ((Number) row.get(0)).longValue()))
                                // A connection may end on its own between the listing and the KILL: unknown thread.
                                .concatMap(id -> Flux.from(c.createStatement("KILL CONNECTION " + id).execute())
                                        .concatMap(Result::getRowsUpdated).then(Mono.just(1))
                                        .onErrorResume(e -> Mono.just(0)))
                                .reduce(0, Integer::sum),
                        Connection::close)
                .toFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
}
