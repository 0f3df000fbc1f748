package io.connectors.source.mysql;

import com.github.shyiko.mysql.binlog.BinaryLogClient;
import com.github.shyiko.mysql.binlog.event.DeleteRowsEventData;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventHeader;
import com.github.shyiko.mysql.binlog.event.EventHeaderV4;
import com.github.shyiko.mysql.binlog.event.QueryEventData;
import com.github.shyiko.mysql.binlog.event.RotateEventData;
import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.TransactionPayloadEventData;
import com.github.shyiko.mysql.binlog.event.UpdateRowsEventData;
import com.github.shyiko.mysql.binlog.event.WriteRowsEventData;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer.CompatibilityMode;
import com.github.shyiko.mysql.binlog.network.SSLMode;
import com.github.shyiko.mysql.binlog.network.ServerException;
import io.connectors.spi.CursorExpiredException;
import io.connectors.spi.SourceException;
import java.io.IOException;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Schedulers;

/**
 * One subscription of {@link MysqlBinlog#follow}: a blocking binlog client reading on a thread of its own, which hands
 * events to the sink only against downstream demand and otherwise waits (the server then waits on TCP).
 */
final class BinlogReader implements BinaryLogClient.EventListener, BinaryLogClient.LifecycleListener {
    private static final Logger LOG = LoggerFactory.getLogger(BinlogReader.class);
    /** MySQL's ER_MASTER_FATAL_ERROR_READING_BINLOG: purged file, impossible position... */
    static final int FATAL_READING_BINLOG = 1236;
    private static final int STATEMENT_IN_MESSAGE = 200;

    private final MysqlBinlog binlog;
    private final BinlogPosition from;
    private final BinlogTables tables;
    private final Duration idle;
    private final FluxSink<BinlogEvent> sink;
    private final BinaryLogClient client;
    private final Object demand = new Object();
    private final AtomicBoolean done = new AtomicBoolean();
    private long requested;

    // Touched by the client's thread only.
    private String file;
    private boolean inTransaction;
    private boolean delivered;
    private BinlogPosition resumable;
    private BinlogPosition lastEmitted;
    private long lastEmittedNanos = System.nanoTime();

    BinlogReader(MysqlBinlog binlog, BinlogPosition from, BinlogTables tables, Duration idle,
                 FluxSink<BinlogEvent> sink) {
        this.binlog = binlog;
        this.from = from;
        this.tables = tables;
        this.idle = idle;
        this.sink = sink;
        this.file = from.file();
        this.lastEmitted = from;
        client = new BinaryLogClient(binlog.host(), binlog.port(), binlog.user(), binlog.password());
        client.setServerId(binlog.serverId());
        client.setBinlogFilename(from.file());
        client.setBinlogPosition(Math.max(4, from.offset()));
        // Its keep-alive reconnects on its own: failures must reach the subscriber instead.
        client.setKeepAlive(false);
        client.setHeartbeatInterval(Math.max(100, Math.min(idle.toMillis(), 30_000)));
        client.setConnectTimeout(binlog.connectTimeout().toMillis());
        client.setSSLMode(SSLMode.valueOf(binlog.sslMode().toUpperCase(java.util.Locale.ROOT)));
        binlog.sslCa().ifPresent(ca -> client.setSslSocketFactory(trusting(ca, binlog.host(), binlog.port())));
        EventDeserializer deserializer = new EventDeserializer();
        deserializer.setCompatibilityMode(CompatibilityMode.DATE_AND_TIME_AS_LONG_MICRO,
                CompatibilityMode.CHAR_AND_BINARY_AS_BYTE_ARRAY, CompatibilityMode.INVALID_DATE_AND_TIME_AS_MIN_VALUE);
        client.setEventDeserializer(deserializer);
        client.registerEventListener(this);
        client.registerLifecycleListener(this);
    }

    /**
     * TLS sockets that trust the certificate authorities of a PEM file (for {@code verify_ca} and
     * {@code verify_identity} with {@code ssl_ca}); the client checks the host name itself for verify_identity.
     */
    static com.github.shyiko.mysql.binlog.network.SSLSocketFactory trusting(java.nio.file.Path ca, String host,
                                                                           int port) {
        javax.net.ssl.SSLContext context;
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(ca)) {
            java.security.KeyStore store = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
            store.load(null, null);
            int n = 0;
            for (java.security.cert.Certificate certificate : java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificates(in)) {
                store.setCertificateEntry("ca" + n++, certificate);
            }
            javax.net.ssl.TrustManagerFactory trust = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            throw new io.connectors.spi.SourceException("ssl_ca " + ca + " could not be read as PEM certificates: "
                    + e.getMessage(), e, false);
        }
        javax.net.ssl.SSLContext tls = context;
        return socket -> {
            try {
                return (javax.net.ssl.SSLSocket) tls.getSocketFactory().createSocket(socket, host, port, true);
            } catch (java.io.IOException e) {
                java.net.SocketException failed = new java.net.SocketException("TLS to " + host + ":" + port + ": "
                        + e.getMessage());
                failed.initCause(e);
                throw failed;
            }
        };
    }

    void start() {
        sink.onRequest(n -> {
            synchronized (demand) {
                requested = Operators.addCap(requested, n);
                demand.notifyAll();
            }
        });
        sink.onDispose(this::stop);
        Thread thread = new Thread(this::run, "mysql-binlog-" + binlog.where());
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            client.connect();
        } catch (IOException | RuntimeException e) {
            fail(map(e));
            return;
        }
        // connect() returns when the connection ends; a failure was reported already, or this is the server's doing.
        fail(new SourceException("the binlog connection to MySQL at " + binlog.where() + " was closed by the server",
                null, true));
    }

    /** Cancel, error or completion: wake the client's thread and disconnect, away from the caller's thread. */
    private void stop() {
        done.set(true);
        synchronized (demand) {
            demand.notifyAll();
        }
        Schedulers.boundedElastic().schedule(() -> {
            try {
                client.disconnect();
            } catch (IOException | RuntimeException e) {
                LOG.debug("Disconnecting the binlog client of {}: {}", binlog.where(), e.toString());
            }
        });
    }

    private void fail(Throwable e) {
        if (!done.get()) {
            // error() disposes the sink, which runs stop().
            sink.error(e);
        }
    }

    private RuntimeException map(Throwable e) {
        if (e instanceof ServerException server && server.getErrorCode() == FATAL_READING_BINLOG) {
            return MysqlBinlog.purged(from, server.getMessage());
        }
        return binlog.failure(e);
    }

    // ---- BinaryLogClient.EventListener, on the client's thread ----------------------------------------------------

    @Override
    public void onEvent(Event event) {
        if (done.get()) {
            return;
        }
        try {
            handle(event, event.getHeader());
        } catch (Stopped stopped) {
            // cancelled while waiting for demand
        } catch (SourceException e) {
            fail(e);
        } catch (RuntimeException e) {
            fail(new SourceException("cannot read the binlog of MySQL at " + binlog.where() + " at " + file + ": "
                    + e.getMessage(), e));
        }
    }

    /** {@code outer}: the header whose position counts (a compressed transaction's inner events have none). */
    private void handle(Event event, EventHeader outer) {
        Object data = event.getData();
        switch (event.getHeader().getEventType()) {
            case ROTATE -> {
                RotateEventData rotate = (RotateEventData) data;
                file = rotate.getBinlogFilename();
                if (next(outer) > 0 && !inTransaction) {
                    // A real rotation (the first, fake one has no position): the next file's start is a boundary.
                    resumable = new BinlogPosition(file, rotate.getBinlogPosition());
                    maybeIdle();
                }
            }
            case TABLE_MAP -> {
                inTransaction = true;
                tables.map((TableMapEventData) data);
            }
            case XID, XA_PREPARE -> boundary(outer);
            case QUERY -> query((QueryEventData) data, outer);
            case GTID, ANONYMOUS_GTID, MARIADB_GTID -> inTransaction = true;
            case HEARTBEAT -> {
                if (!inTransaction) {
                    maybeIdle();
                }
            }
            case TRANSACTION_PAYLOAD -> {
                for (Event inner : ((TransactionPayloadEventData) data).getUncompressedEvents()) {
                    handle(inner, outer);
                }
            }
            default -> {
                if (data instanceof WriteRowsEventData write) {
                    rows(write.getTableId(), BinlogEvent.Kind.INSERT, write.getIncludedColumns(), write.getRows(),
                            null, null);
                } else if (data instanceof UpdateRowsEventData update) {
                    List<Serializable[]> before = update.getRows().stream().map(Map.Entry::getKey).toList();
                    List<Serializable[]> after = update.getRows().stream().map(Map.Entry::getValue).toList();
                    rows(update.getTableId(), BinlogEvent.Kind.UPDATE, update.getIncludedColumns(), after,
                            update.getIncludedColumnsBeforeUpdate(), before);
                } else if (data instanceof DeleteRowsEventData delete) {
                    rows(delete.getTableId(), BinlogEvent.Kind.DELETE, delete.getIncludedColumns(), delete.getRows(),
                            null, null);
                }
            }
        }
    }

    private void rows(long tableId, BinlogEvent.Kind kind, java.util.BitSet included, List<Serializable[]> rows,
                      java.util.BitSet includedBefore, List<Serializable[]> before) {
        inTransaction = true;
        BinlogTables.Followed followed = tables.byId(tableId);
        if (followed == null || rows.isEmpty()) {
            return;
        }
        List<List<String>> keys = BinlogTables.keys(followed, included, rows);
        List<List<String>> oldKeys = before == null ? List.of() : BinlogTables.keys(followed, includedBefore, before);
        emit(new BinlogEvent.Rows(followed.table().schema(), followed.table().name(), kind, keys, oldKeys));
        delivered = true;
    }

    private void query(QueryEventData query, EventHeader outer) {
        String sql = query.getSql() == null ? "" : query.getSql().strip();
        String upper = sql.toUpperCase(Locale.ROOT);
        if (upper.equals("BEGIN") || upper.startsWith("XA START") || upper.startsWith("XA BEGIN")) {
            inTransaction = true;
            return;
        }
        if (upper.equals("COMMIT") || upper.equals("ROLLBACK") || upper.startsWith("XA COMMIT")
                || upper.startsWith("XA ROLLBACK")) {
            // A rolled-back group is logged only for non-transactional tables' sake: its keys are re-read anyway.
            boundary(outer);
            return;
        }
        var touch = BinlogStatements.touches(sql, query.getDatabase(), tables.tables());
        if (touch.isPresent()) {
            String table = touch.get().table().qualifiedName();
            String statement = sql.length() > STATEMENT_IN_MESSAGE ? sql.substring(0, STATEMENT_IN_MESSAGE) + "..."
                    : sql;
            throw touch.get().dml()
                    ? new SourceException("binlog_format must be ROW: table " + table + " was written by a statement"
                            + " the binlog holds as text (binlog_format STATEMENT or MIXED): " + statement)
                    : new CursorExpiredException("table " + table + " was " + touch.get().change() + ": " + statement);
        }
        String verb = BinlogStatements.tokens(sql).stream().findFirst().map(BinlogStatements.Token::upper).orElse("");
        if (!List.of("INSERT", "REPLACE", "UPDATE", "DELETE", "LOAD", "SET", "SAVEPOINT", "RELEASE", "DO", "SELECT",
                "CALL").contains(verb)) {
            // DDL commits implicitly and is logged alone: after it is a place to resume from.
            boundary(outer);
        }
    }

    private void boundary(EventHeader outer) {
        inTransaction = false;
        BinlogPosition next = new BinlogPosition(file, next(outer));
        if (delivered) {
            delivered = false;
            emitPosition(new BinlogEvent.Commit(next), next);
        } else {
            resumable = next;
            maybeIdle();
        }
    }

    private void maybeIdle() {
        if (resumable != null && resumable.compareTo(lastEmitted) > 0
                && System.nanoTime() - lastEmittedNanos >= idle.toNanos()) {
            emitPosition(new BinlogEvent.Idle(resumable), resumable);
        }
    }

    private void emitPosition(BinlogEvent event, BinlogPosition position) {
        emit(event);
        lastEmitted = position;
        lastEmittedNanos = System.nanoTime();
        resumable = null;
    }

    /** Hands one event on once downstream asked for one; waits (on the client's thread) until then. */
    private void emit(BinlogEvent event) {
        synchronized (demand) {
            while (requested == 0 && !done.get()) {
                try {
                    demand.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new Stopped();
                }
            }
            if (done.get()) {
                throw new Stopped();
            }
            if (requested != Long.MAX_VALUE) {
                requested--;
            }
        }
        binlog.emitted.incrementAndGet();
        sink.next(event);
    }

    private static long next(EventHeader header) {
        return header instanceof EventHeaderV4 v4 ? v4.getNextPosition() : 0;
    }

    // ---- BinaryLogClient.LifecycleListener ------------------------------------------------------------------------

    @Override
    public void onConnect(BinaryLogClient client) {
        LOG.debug("Reading the binlog of {} from {}", binlog.where(), from);
    }

    @Override
    public void onCommunicationFailure(BinaryLogClient client, Exception ex) {
        fail(map(ex));
    }

    @Override
    public void onEventDeserializationFailure(BinaryLogClient client, Exception ex) {
        // The client would skip the event: a skipped rows event is a lost change.
        fail(new SourceException("cannot decode an event of the binlog of MySQL at " + binlog.where() + " in " + file
                + ": " + ex.getMessage(), ex));
    }

    @Override
    public void onDisconnect(BinaryLogClient client) {
        LOG.debug("Binlog client of {} disconnected", binlog.where());
    }

    /** Unwinds the client's thread out of a listener call once the subscription is over. */
    private static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopped() {
            super(null, null, false, false);
        }
    }
}
