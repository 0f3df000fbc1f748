package io.connectors.source.mysql;

import io.asyncer.r2dbc.mysql.MySqlConnectionConfiguration;
import io.asyncer.r2dbc.mysql.MySqlConnectionFactory;
import io.asyncer.r2dbc.mysql.constant.SslMode;
import io.connectors.spi.CursorExpiredException;
import io.connectors.spi.SourceException;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.R2dbcBadGrammarException;
import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.R2dbcPermissionDeniedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;

/**
 * The source's real-time mode: follows the server's binlog (ROW format) from a position, delivering the keys of the
 * rows written in followed tables, transaction by transaction ({@link BinlogEvent.Rows}... then
 * {@link BinlogEvent.Commit}), and {@link BinlogEvent.Idle} positions while other tables are written.
 *
 * <p>{@link #follow} checks the server first over R2DBC (binlog on, ROW format, the starting file still there), then
 * reads with the blocking binlog client on the client's own thread, which waits while downstream has no demand: at
 * most one event is handed on beyond what was requested. A DDL statement that touches a followed table ends the
 * stream with a {@link CursorExpiredException}; so does a purged starting position. Connection failures are
 * retryable {@link SourceException}s naming host and port, never the password.
 */
final class MysqlBinlog {
    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final long serverId;
    private final String sslMode;
    private final java.util.Optional<java.nio.file.Path> sslCa;
    private final Duration connectTimeout;
    /** Events handed to Reactor by this instance's readers, in all: what tests compare with what they received. */
    final AtomicLong emitted = new AtomicLong();

    /**
     * @param password       null or empty: none
     * @param serverId       the replica id this reader announces; unique among the server's replicas and readers
     * @param sslMode        TLS, as the source's {@code ssl_mode} ({@code disabled}, {@code preferred}, {@code required},
     *                       {@code verify_ca}, {@code verify_identity}), for the binlog connection and the checks before it
     * @param sslCa          the certificate authorities to trust (PEM) for the verifying modes; empty: the JVM's
     */
    MysqlBinlog(String host, int port, String user, String password, long serverId, String sslMode,
                java.util.Optional<java.nio.file.Path> sslCa, Duration connectTimeout) {
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        this.user = Objects.requireNonNull(user, "user");
        this.password = password == null ? "" : password;
        this.serverId = serverId;
        this.sslMode = Objects.requireNonNull(sslMode, "sslMode");
        this.sslCa = Objects.requireNonNull(sslCa, "sslCa");
        this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
    }

    /**
     * Streams the binlog from {@code from} (nothing before it). Lazy; one binlog connection per subscription,
     * disconnected on cancel, error and completion (the stream completes only if the server ends it, which it does
     * not while running). An unsupported key type of a followed table fails the subscription with an
     * IllegalArgumentException naming table and column.
     *
     * @param idle how often, at most, an {@link BinlogEvent.Idle} is emitted while nothing followed is written; also
     *             the heartbeat period asked of the server
     */
    Flux<BinlogEvent> follow(BinlogPosition from, List<FollowedTable> tables, Duration idle) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(idle, "idle");
        List<FollowedTable> followed = List.copyOf(tables);
        return Flux.defer(() -> {
            BinlogTables decoders = new BinlogTables(followed);
            return preflight(from).thenMany(Flux.<BinlogEvent>create(sink -> new BinlogReader(this, from, decoders,
                    idle, sink).start(), FluxSink.OverflowStrategy.ERROR));
        });
    }

    /**
     * The server's current position ({@code SHOW MASTER STATUS}; {@code SHOW BINARY LOG STATUS} on MySQL 8.4 and
     * later), or empty when the binlog is off.
     */
    static Mono<Optional<BinlogPosition>> current(Connection c) {
        return status(c, "SHOW MASTER STATUS")
                .onErrorResume(R2dbcBadGrammarException.class, e -> status(c, "SHOW BINARY LOG STATUS"));
    }

    private static Mono<Optional<BinlogPosition>> status(Connection c, String sql) {
        return Flux.from(c.createStatement(sql).execute())
                .concatMap(r -> r.map((row, meta) -> new BinlogPosition(row.get("File", String.class),
                        ((Number) row.get("Position")).longValue())))
                .next()
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty());
    }

    /** The binlog files the server still has ({@code SHOW BINARY LOGS}), oldest first; empty when the binlog is off. */
    static Mono<List<String>> files(Connection c) {
        return Flux.from(c.createStatement("SHOW BINARY LOGS").execute())
                .concatMap(r -> r.map((row, meta) -> row.get(0, String.class)))
                .collectList()
                // 1381: "You are not using binary logging"
                .onErrorResume(e -> e instanceof R2dbcException r && r.getErrorCode() == 1381,
                        e -> Mono.just(List.of()));
    }

    /** Binlog on, in ROW format, uncompressed, and {@code from}'s file still there. */
    private Mono<Void> preflight(BinlogPosition from) {
        MySqlConnectionConfiguration.Builder builder = MySqlConnectionConfiguration.builder()
                .host(host)
                .port(port)
                .user(user)
                .connectTimeout(connectTimeout)
                .sslMode(SslMode.valueOf(sslMode.toUpperCase(java.util.Locale.ROOT)));
        if (!password.isEmpty()) {
            builder.password(password);
        }
        sslCa.ifPresent(path -> builder.sslCa(path.toString()));
        MySqlConnectionFactory factory = MySqlConnectionFactory.from(builder.build());
        return Mono.usingWhen(factory.create(), c -> settings(c).flatMap(settings -> {
                    if (!settings.get(0).equals("1") && !settings.get(0).equalsIgnoreCase("ON")) {
                        return Mono.error(new SourceException("MySQL at " + where() + " does not write a binlog"
                                + " (log_bin is off): real-time sync needs log_bin on and binlog_format ROW"));
                    }
                    if (!settings.get(1).equalsIgnoreCase("ROW")) {
                        return Mono.error(new SourceException("binlog_format must be ROW for real-time sync; MySQL at "
                                + where() + " has " + settings.get(1)));
                    }
                    if (settings.get(2).equalsIgnoreCase("ON")) {
                        return Mono.error(new SourceException("MariaDB at " + where() + " compresses its binlog"
                                + " events (log_bin_compress), which the binlog reader cannot read"));
                    }
                    return files(c);
                }).flatMap(files -> files.contains(from.file()) ? Mono.<Void>empty()
                        : Mono.error(purged(from, files.isEmpty() ? "the server has no binlog files"
                                : "its oldest binlog file is " + files.get(0)))),
                Connection::close)
                .onErrorMap(e -> !(e instanceof SourceException), this::failure);
    }

    /** {@code @@log_bin}, {@code @@binlog_format}, MariaDB's {@code log_bin_compress} (OFF elsewhere). */
    private static Mono<List<String>> settings(Connection c) {
        Mono<List<String>> main = Flux.from(c.createStatement("SELECT @@global.log_bin, @@global.binlog_format")
                        .execute())
                .concatMap(r -> r.map((row, meta) -> List.of(String.valueOf(row.get(0)), String.valueOf(row.get(1)))))
                .next();
        Mono<String> compress = Flux.from(c.createStatement("SHOW GLOBAL VARIABLES LIKE 'log_bin_compress'").execute())
                .concatMap(r -> r.map((row, meta) -> String.valueOf(row.get(1))))
                .next()
                .defaultIfEmpty("OFF");
        return main.zipWith(compress, (m, z) -> {
            List<String> all = new ArrayList<>(m);
            all.add(z);
            return all;
        });
    }

    static CursorExpiredException purged(BinlogPosition from, String detail) {
        return new CursorExpiredException("binlog position " + from + " was purged or never existed on the server ("
                + detail + "): a full sync is needed");
    }

    /** A failure to reach or use the server, as a SourceException naming host and port and never the password. */
    SourceException failure(Throwable e) {
        if (e instanceof SourceException s) {
            return s;
        }
        String message = String.valueOf(e.getMessage());
        if (!password.isEmpty()) {
            message = message.replace(password, "***");
        }
        boolean refused = e instanceof R2dbcPermissionDeniedException
                || e instanceof com.github.shyiko.mysql.binlog.network.AuthenticationException
                || message.toLowerCase(Locale.ROOT).contains("access denied");
        return new SourceException("MySQL at " + where() + (refused ? " refused user " + user + ": "
                : " cannot be read: ") + message, e, !refused);
    }

    String where() {
        return host + ":" + port;
    }

    String host() {
        return host;
    }

    int port() {
        return port;
    }

    String user() {
        return user;
    }

    String password() {
        return password;
    }

    long serverId() {
        return serverId;
    }

    String sslMode() {
        return sslMode;
    }

    java.util.Optional<java.nio.file.Path> sslCa() {
        return sslCa;
    }

    Duration connectTimeout() {
        return connectTimeout;
    }
}
