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
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The real-time mode's replication stream: slot and publication names derived from the connector, and a
 * {@link Session} that decodes pgoutput, confirms to the server only what the runtime stored
 * ({@link Session#confirm}), and reports how far a quiet stream moved ({@link Session#follow}), so a quiet
 * database on a busy cluster retains no WAL.
 */
final class PgReplication {
    private static final Logger LOG = LoggerFactory.getLogger(PgReplication.class);
    /** How long a closing stream waits for the server's end of the copy before its connection is closed. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(2);
    /** Reactor's context key for a subscription's own handler of dropped errors ({@code Hooks.KEY_ON_ERROR_DROPPED}). */
    static final String ON_ERROR_DROPPED = "reactor.onErrorDropped.local";
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
     * One replication connection streaming a slot. {@link #messages} may be subscribed once; {@link #confirm} tells the
     * server what it may forget, and {@link #follow} tells how far a quiet stream has moved.
     */
    static final class Session {
        /** How long a quiet stream with demand is watched before its position is trusted (see {@link #follow}). */
        static final Duration SETTLE = Duration.ofMillis(100);

        private final PostgresqlReplicationConnection connection;
        private final ReplicationStream stream;
        private final Duration interval;
        private final AtomicLong lastCommitEnd;
        private final AtomicLong confirmed;
        private final AtomicLong delivered = new AtomicLong();
        /** A transaction is being received (its Begin read, not its Commit). */
        private volatile boolean inTransaction;

        private Session(PostgresqlReplicationConnection connection, ReplicationStream stream, long from, Duration interval) {
            this.connection = connection;
            this.stream = stream;
            this.interval = interval;
            this.lastCommitEnd = new AtomicLong(from);
            this.confirmed = new AtomicLong(from);
        }

        /** The decoded messages, in WAL order. */
        Flux<PgOutput.Message> messages() {
            return stream.map(buffer -> PgOutput.decode(buffer.nioBuffer()))
                    .doOnNext(m -> {
                        delivered.incrementAndGet();
                        if (m instanceof PgOutput.Begin) {
                            inTransaction = true;
                        } else if (m instanceof PgOutput.Commit commit) {
                            lastCommitEnd.accumulateAndGet(commit.endLsn(), Math::max);
                            inTransaction = false;
                        }
                    });
        }

        /**
         * The messages turned into items by {@code convert}, in WAL order, with {@code idle(position)} after them each
         * status interval that a quiet stream moved: the server's keepalives report how far it read the WAL (other
         * databases' changes, tables outside the publication, empty transactions), and a checkpoint there lets the
         * slot's confirmed position follow, so a quiet database on a busy cluster retains no WAL.
         *
         * <p>The driver learns that position when it reads a keepalive, possibly before the messages read ahead of it
         * went through {@code convert}. So a position is given only when nothing can be waiting anywhere: outside a
         * transaction, past every commit delivered, with this flux's subscriber asking for more and nothing handed to
         * it or read from the server during a short {@link #SETTLE} (every stage hands on what it holds at once while
         * there is demand). An idle item therefore always follows every item of the changes before its position.
         */
        <T> Flux<T> follow(java.util.function.Function<PgOutput.Message, ? extends Iterable<T>> convert,
                           java.util.function.LongFunction<T> idle) {
            return Flux.defer(() -> {
                AtomicLong requested = new AtomicLong();
                AtomicLong emitted = new AtomicLong();
                AtomicLong given = new AtomicLong(lastCommitEnd.get());
                java.util.function.BooleanSupplier waiting = () -> requested.get() > emitted.get();
                Flux<T> positions = Flux.interval(interval, interval)
                        .onBackpressureDrop()
                        .concatMap(tick -> {
                            long position = stream.getLastReceiveLSN().asLong();
                            if (inTransaction || !waiting.getAsBoolean()
                                    || position <= Math.max(given.get(), lastCommitEnd.get())) {
                                return Mono.<T>empty();
                            }
                            long read = delivered.get();
                            long out = emitted.get();
                            return Mono.delay(SETTLE).flatMap(t -> {
                                boolean quiet = delivered.get() == read && emitted.get() == out && !inTransaction
                                        && waiting.getAsBoolean();
                                if (!quiet || position <= Math.max(given.get(), lastCommitEnd.get())) {
                                    return Mono.<T>empty();
                                }
                                given.set(position);
                                return Mono.just(idle.apply(position));
                            });
                        }, 1);
                return Flux.merge(messages().concatMapIterable(convert), positions)
                        .doOnRequest(n -> requested.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b))
                        .doOnNext(item -> emitted.incrementAndGet());
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
         * Ends the stream in order (CopyDone both ways), then closes the connection. The orderly end is given {@link #CLOSE_WAIT}: it does not always come back (seen in tests), and
         * closing the connection ends the server's side anyway. A confirmation not yet sent with a status update is not
         * lost: the cursor saved before it is where the next stream starts, and the server skips what it already has.
         */
        Mono<Void> close() {
            return stream.close().timeout(CLOSE_WAIT).onErrorResume(e -> {
                LOG.debug("the replication stream did not end in order; closing its connection", e);
                return Mono.empty();
            }).then(connection.close())
                    // The driver's close subscribes to its shared stream again once it ended, which Reactor reports
                    // as a dropped error (on this subscription's context): expected, so said at DEBUG, not ERROR.
                    .contextWrite(reactor.util.context.Context.of(ON_ERROR_DROPPED, (java.util.function.Consumer<Throwable>)
                            e -> LOG.debug("the replication stream's end reported an error after it ended", e)));
        }
    }
}
