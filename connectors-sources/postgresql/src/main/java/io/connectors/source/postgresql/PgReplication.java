package io.connectors.source.postgresql;

import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import io.r2dbc.postgresql.api.PostgresqlReplicationConnection;
import io.r2dbc.postgresql.replication.LogSequenceNumber;
import io.r2dbc.postgresql.replication.ReplicationRequest;
import io.r2dbc.postgresql.replication.ReplicationStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The real-time mode's replication slot and its stream (work in progress for issue 21): names derived from the
 * connector, and a {@link Session} that decodes pgoutput and confirms to the server only what the runtime stored
 * ({@link #confirm}), advancing past the last commit while nothing is pending, so a quiet database on a busy cluster
 * retains no WAL.
 */
final class PgReplication {
    private static final Logger LOG = LoggerFactory.getLogger(PgReplication.class);
    /** How long a closing stream waits for the server's end of the copy before its connection is closed. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(2);
    /** PostgreSQL's limit on identifiers, in bytes. */
    static final int MAX_NAME = 63;

    private PgReplication() {
    }

    /** The slot of a connector: {@code connectors_<id>}, lower case, letters, digits and {@code _} only. */
    static String slotName(String connectorId) {
        return name("connectors_", connectorId);
    }

    /** The publication of a connector: named like its slot. */
    static String publicationName(String connectorId) {
        return name("connectors_", connectorId);
    }

    /**
     * {@code prefix} and the id made a valid slot name (slot names allow only lower-case letters, digits and
     * {@code _}); an id that had to be changed or cut gets a digest of the original, so two ids never share a name.
     */
    static String name(String prefix, String connectorId) {
        String clean = connectorId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        String name = prefix + clean;
        if (clean.equals(connectorId) && name.length() <= MAX_NAME) {
            return name;
        }
        String digest = HexFormat.of().formatHex(sha256(connectorId)).substring(0, 8);
        int keep = Math.min(name.length(), MAX_NAME - digest.length() - 1);
        return name.substring(0, keep) + "_" + digest;
    }

    private static byte[] sha256(String text) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }

    /** Starts streaming {@code slot} from {@code from}, with the changes of {@code publication}. */
    static Mono<Session> open(PostgresqlConnectionFactory factory, String slot, String publication, long from,
                              Duration statusInterval) {
        return factory.replication().flatMap(connection -> connection.startReplication(ReplicationRequest.logical()
                        .slotName(slot).startPosition(LogSequenceNumber.valueOf(from)).statusInterval(statusInterval)
                        .slotOption("proto_version", 1).slotOption("publication_names", publication).build())
                .map(stream -> new Session(connection, stream, from, statusInterval))
                .onErrorResume(e -> connection.close().then(Mono.error(e))));
    }

    /**
     * One replication connection streaming a slot. {@link #messages} may be subscribed once; {@link #confirm} and the
     * idle advance tell the server what it may forget.
     */
    static final class Session {
        private final PostgresqlReplicationConnection connection;
        private final ReplicationStream stream;
        private final AtomicLong lastCommitEnd;
        private final AtomicLong confirmed;
        /** A transaction is being received (its Begin read, not its Commit): no idle advance inside it. */
        private volatile boolean inTransaction;
        private final Disposable idle;

        private Session(PostgresqlReplicationConnection connection, ReplicationStream stream, long from, Duration interval) {
            this.connection = connection;
            this.stream = stream;
            this.lastCommitEnd = new AtomicLong(from);
            this.confirmed = new AtomicLong(from);
            this.idle = Flux.interval(interval, interval).subscribe(tick -> advanceWhileIdle());
        }

        /** The decoded messages, in WAL order. */
        Flux<PgOutput.Message> messages() {
            return stream.map(buffer -> PgOutput.decode(buffer.nioBuffer()))
                    .doOnNext(m -> {
                        if (m instanceof PgOutput.Begin) {
                            inTransaction = true;
                        } else if (m instanceof PgOutput.Commit commit) {
                            lastCommitEnd.accumulateAndGet(commit.endLsn(), Math::max);
                            inTransaction = false;
                        }
                    });
        }

        /** Everything before {@code lsn} is stored: the server may forget it. Positions never move back. */
        void confirm(long lsn) {
            long now = confirmed.accumulateAndGet(lsn, Math::max);
            stream.setFlushedLSN(LogSequenceNumber.valueOf(now));
            stream.setAppliedLSN(LogSequenceNumber.valueOf(now));
        }

        /** The position confirmed so far. */
        long confirmed() {
            return confirmed.get();
        }

        /**
         * With every commit read also confirmed, the position the server's keepalives reported (past the last commit:
         * WAL of other databases, or of tables outside the publication) is confirmed too.
         */
        void advanceWhileIdle() {
            long received = stream.getLastReceiveLSN().asLong();
            if (!inTransaction && confirmed.get() >= lastCommitEnd.get() && received > confirmed.get()) {
                confirm(received);
            }
        }

        /**
         * Ends the stream, then the connection. The stream's orderly end (CopyDone both ways) is given a moment only:
         * it does not always come back (seen in tests), and closing the connection ends the server's side anyway;
         * what was confirmed has been sent with the status updates already.
         */
        Mono<Void> close() {
            idle.dispose();
            return stream.close().timeout(CLOSE_WAIT).onErrorResume(e -> {
                LOG.debug("the replication stream did not end in order; closing its connection", e);
                return Mono.empty();
            }).then(connection.close());
        }
    }
}
