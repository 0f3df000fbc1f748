package io.connectors.functional;

import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A steady stream of single-row changes to one PostgreSQL table, each its own transaction, for the real-time runs of
 * {@code make chaos} and {@code make bench}: what a connector with {@code realtime: true} must follow.
 *
 * <p>The table is {@code (key bigint PRIMARY KEY, seq bigint NOT NULL, body text NOT NULL, updated_at timestamptz)}.
 * Every change, deletes included, takes the next sequence number; an insert or update writes it to {@code seq} and a
 * body that holds it, so that the newest {@code seq} an index shows says which changes it has, and every update
 * changes the row's content digest. The writer runs on a thread of its own, on one connection, paced to a rate; a
 * change's commit time is when the server acknowledged its autocommit statement ({@link System#nanoTime()} of this
 * JVM, so a poller in the same JVM compares it with its own clock). It keeps the live keys in memory, so it never
 * updates or deletes a row that is not there; a statement that changes no row is a failure, reported by {@link #stop}.
 */
public final class ChangeLoad implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeLoad.class);
    private static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(30);
    /** The most a writer that fell behind its pace catches up in a burst. */
    private static final long MAX_BACKLOG_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final String[] WORDS = ("replica slot commit lsn change insert update delete index refresh bulk"
            + " cursor checkpoint flush walsender publication café Zürich 東京 naïve \"quoted\" back\\slash tab\tend")
            .split(" ");

    /** What a change does. */
    public enum Kind { INSERT, UPDATE, KEY_CHANGE, DELETE }

    /**
     * The share of each kind of change, as weights; an update or delete when no row is live becomes an insert.
     *
     * @param keyChange updates that also change the primary key (the index must drop the old document)
     */
    public record Mix(int insert, int update, int keyChange, int delete) {
        /** Every kind: the chaos scenario's. */
        public static final Mix ALL = new Mix(40, 40, 5, 15);
        /** Inserts and updates only: every change leaves its sequence number in the index (the latency bench). */
        public static final Mix UPSERTS = new Mix(50, 50, 0, 0);

        Kind pick(SplittableRandom random, boolean anyLive) {
            int r = random.nextInt(insert + update + keyChange + delete);
            if (!anyLive || r < insert) {
                return Kind.INSERT;
            }
            r -= insert;
            if (r < update) {
                return Kind.UPDATE;
            }
            return r - update < keyChange ? Kind.KEY_CHANGE : Kind.DELETE;
        }
    }

    private final PostgresqlConnectionFactory factory;
    private final String table;
    private final double perSecond;
    private final Mix mix;
    private final SplittableRandom random;
    private final long firstSeq;
    private final long[] commitNanos;
    private final long[] kindCounts = new long[Kind.values().length];
    private final AtomicLong lastSeq = new AtomicLong();
    private final AtomicLong lastUpsertSeq = new AtomicLong();
    private long[] live;
    private int liveCount;
    private long nextKey;
    private long nextSeq;
    private volatile boolean stopping;
    private volatile Throwable failure;
    private Thread thread;
    private long startedNanos;
    private long stoppedNanos;

    private ChangeLoad(PostgresqlConnectionFactory factory, String table, long rows, double perSecond, Mix mix, long seed,
                       int maxChanges) {
        this.factory = factory;
        this.table = table;
        this.perSecond = perSecond;
        this.mix = mix;
        this.random = new SplittableRandom(seed);
        this.live = new long[(int) Math.max(16, rows * 2)];
        for (long k = 1; k <= rows; k++) {
            live[liveCount++] = k;
        }
        this.nextKey = rows + 1;
        this.nextSeq = rows + 1;
        this.firstSeq = rows + 1;
        this.commitNanos = new long[maxChanges];
    }

    /**
     * Connections to the database a source fixture's {@code connectorConfiguration()} points at (host, port, database,
     * user, password), {@code application_name} {@code connectors-harness}, never one the source's sessions are.
     * Their commits are synchronous ({@code synchronous_commit = on}, PostgreSQL's default), whatever the server's
     * setting: the private test cluster turns it off for speed, and its WAL then reaches the disk, and a logical
     * replication slot's reader, only at the WAL writer's next round ({@code wal_writer_delay}, 200 ms), which would
     * count against the real-time latency measured with these changes as much as 200 ms that no default server adds.
     */
    public static PostgresqlConnectionFactory connections(Map<String, Object> configuration) {
        PostgresqlConnectionConfiguration.Builder builder = PostgresqlConnectionConfiguration.builder()
                .host(String.valueOf(configuration.get("host")))
                .port(configuration.get("port") instanceof Number n ? n.intValue() : 5432)
                .database(String.valueOf(configuration.get("database")))
                .username(String.valueOf(configuration.get("user")))
                .applicationName("connectors-harness")
                .options(Map.of("synchronous_commit", "on"))
                .connectTimeout(Duration.ofSeconds(10));
        if (configuration.get("password") != null) {
            builder.password(String.valueOf(configuration.get("password")));
        }
        return new PostgresqlConnectionFactory(builder.build());
    }

    /**
     * Creates {@code table} ({@code schema.name}; the schema too when missing) with {@code rows} rows, keys and
     * sequence numbers 1 to {@code rows}, generated by the server.
     */
    public static void createTable(PostgresqlConnectionFactory factory, String table, long rows) {
        int dot = table.indexOf('.');
        if (dot < 1) {
            throw new IllegalArgumentException("a table is schema.name, not " + table);
        }
        run(factory, c -> Flux.just("CREATE SCHEMA IF NOT EXISTS " + table.substring(0, dot),
                        "DROP TABLE IF EXISTS " + table,
                        "CREATE TABLE " + table + " (key bigint PRIMARY KEY, seq bigint NOT NULL, body text NOT NULL,"
                                + " updated_at timestamptz NOT NULL DEFAULT now())",
                        "INSERT INTO " + table + " (key, seq, body) SELECT i, i, 'row ' || i || ' seq ' || i || ': '"
                                + " || repeat(md5(i::text) || ' Zürich ', 1 + i % 8) FROM generate_series(1, " + rows
                                + ") AS i",
                        "ANALYZE " + table)
                .concatMap(sql -> Flux.from(c.createStatement(sql).execute()).concatMap(Result::getRowsUpdated))
                .then(), Duration.ofMinutes(5));
    }

    /**
     * Starts writing changes to {@code table}, which {@link #createTable} filled with {@code rows} rows, at
     * {@code perSecond}, until {@link #stop} or {@code maxChanges} changes.
     */
    public static ChangeLoad start(PostgresqlConnectionFactory factory, String table, long rows, double perSecond, Mix mix,
                                   long seed, int maxChanges) {
        ChangeLoad load = new ChangeLoad(factory, table, rows, perSecond, mix, seed, maxChanges);
        Connection connection = await(Mono.from(factory.create()), STATEMENT_TIMEOUT);
        load.thread = new Thread(() -> load.write(connection), "change-load");
        load.thread.setDaemon(true);
        load.startedNanos = System.nanoTime();
        load.thread.start();
        return load;
    }

    /**
     * Plans the changes due by now (at most {@link #MAX_BACKLOG_NANOS} of them behind: a writer that fell further
     * behind its pace does not burst) and sends them as one sequence on the connection, each statement after the
     * previous one's answer, waiting once per sequence rather than once per change: a thread switch per change costs
     * more than the change itself on a busy machine.
     */
    private void write(Connection connection) {
        long started = System.nanoTime();
        long planned = 0;
        try {
            while (!stopping && nextSeq - firstSeq < commitNanos.length) {
                long due = (long) ((System.nanoTime() - started) / 1e9 * perSecond);
                planned = Math.max(planned, due - (long) (MAX_BACKLOG_NANOS / 1e9 * perSecond));
                int n = (int) Math.min(due - planned, commitNanos.length - (nextSeq - firstSeq));
                if (n <= 0) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                    continue;
                }
                List<Change> batch = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    batch.add(plan(connection, mix.pick(random, liveCount > 0)));
                }
                planned += n;
                await(Flux.fromIterable(batch).concatMap(change -> Flux.from(change.statement().execute())
                                .concatMap(Result::getRowsUpdated).reduce(0L, Long::sum)
                                .doOnNext(rows -> committed(change, rows)))
                        .then(), STATEMENT_TIMEOUT);
            }
        } catch (Throwable e) {
            failure = e;
            LOG.error("The change load failed at change {}", lastSeq() + 1, e);
        } finally {
            stoppedNanos = System.nanoTime();
            try {
                await(Mono.from(connection.close()), STATEMENT_TIMEOUT);
            } catch (RuntimeException e) {
                LOG.warn("Closing the change load's connection failed: {}", e.toString());
            }
        }
    }

    /** A change planned: its statement, and what it is. */
    private record Change(long seq, Kind kind, Statement statement) {
    }

    /** The next change's statement, the live keys updated as if it were done (it is, in order, or the load fails). */
    private Change plan(Connection c, Kind kind) {
        long seq = nextSeq++;
        String body = body(seq);
        Statement statement;
        switch (kind) {
            case INSERT -> {
                long key = nextKey++;
                statement = c.createStatement("INSERT INTO " + table + " (key, seq, body, updated_at) VALUES"
                        + " ($1, $2, $3, clock_timestamp())").bind(0, key).bind(1, seq).bind(2, body);
                addLive(key);
            }
            case UPDATE -> statement = c.createStatement("UPDATE " + table + " SET seq = $2, body = $3,"
                    + " updated_at = clock_timestamp() WHERE key = $1").bind(0, live[random.nextInt(liveCount)])
                    .bind(1, seq).bind(2, body);
            case KEY_CHANGE -> {
                int at = random.nextInt(liveCount);
                long key = nextKey++;
                statement = c.createStatement("UPDATE " + table + " SET key = $4, seq = $2, body = $3,"
                        + " updated_at = clock_timestamp() WHERE key = $1").bind(0, live[at]).bind(1, seq)
                        .bind(2, body).bind(3, key);
                live[at] = key;
            }
            case DELETE -> {
                int at = random.nextInt(liveCount);
                statement = c.createStatement("DELETE FROM " + table + " WHERE key = $1").bind(0, live[at]);
                live[at] = live[--liveCount];
            }
            default -> throw new IllegalStateException(kind.name());
        }
        return new Change(seq, kind, statement);
    }

    /** The server acknowledged {@code change}'s commit (its autocommit statement answered). */
    private void committed(Change change, long rows) {
        if (rows != 1) {
            throw new IllegalStateException(change.kind() + " of change " + change.seq() + " changed " + rows
                    + " rows, not 1");
        }
        commitNanos[(int) (change.seq() - firstSeq)] = System.nanoTime();
        kindCounts[change.kind().ordinal()]++;
        if (change.kind() != Kind.DELETE) {
            lastUpsertSeq.set(change.seq());
        }
        lastSeq.set(change.seq());
    }

    private void addLive(long key) {
        if (liveCount == live.length) {
            live = Arrays.copyOf(live, live.length * 2);
        }
        live[liveCount++] = key;
    }

    /** 150 to 700 bytes that hold the sequence number, with non-ASCII, quotes, a backslash and a tab. */
    private String body(long seq) {
        StringBuilder b = new StringBuilder("change ").append(seq).append(':');
        int words = 20 + random.nextInt(80);
        for (int i = 0; i < words; i++) {
            b.append(' ').append(WORDS[random.nextInt(WORDS.length)]);
        }
        return b.toString();
    }

    /** Stops the writer after the change under way and waits for it; rethrows what failed it, if anything did. */
    public ChangeLoad stop() throws InterruptedException {
        stopping = true;
        thread.join(STATEMENT_TIMEOUT.toMillis() * 2);
        if (thread.isAlive()) {
            throw new IllegalStateException("the change load did not stop");
        }
        if (failure != null) {
            throw new IllegalStateException("the change load failed: " + failure, failure);
        }
        return this;
    }

    /** Whether the writer still runs (not stopped, not failed, not at its last change). */
    public boolean running() {
        return thread.isAlive();
    }

    /** The sequence number of the first change (the rows of {@link #createTable} have the ones before). */
    public long firstSeq() {
        return firstSeq;
    }

    /** The sequence number of the last change committed; {@code firstSeq() - 1} before the first. */
    public long lastSeq() {
        long last = lastSeq.get();
        return last == 0 ? firstSeq - 1 : last;
    }

    /**
     * The sequence number of the last insert or update committed, 0 before the first: the index shows it (or a later
     * one) once it has every change up to it.
     */
    public long lastUpsertSeq() {
        return lastUpsertSeq.get();
    }

    /** When change {@code seq} was committed ({@link System#nanoTime()}); valid up to {@link #lastSeq()}. */
    public long commitNanos(long seq) {
        return commitNanos[(int) (seq - firstSeq)];
    }

    /** Changes committed. */
    public long changes() {
        return lastSeq() - firstSeq + 1;
    }

    /** Changes committed of {@code kind} (read after {@link #stop}). */
    public long count(Kind kind) {
        return kindCounts[kind.ordinal()];
    }

    /** Changes per second achieved from the start to {@link #stop} (or now). */
    public double achievedRate() {
        long end = stoppedNanos != 0 ? stoppedNanos : System.nanoTime();
        return changes() / ((end - startedNanos) / 1e9);
    }

    /** "12,000 changes at 298/s: 4,800 inserts, ..." (read after {@link #stop}). */
    public String describe() {
        return String.format(Locale.ROOT, "%,d changes at %.0f/s (asked %.0f/s): %,d inserts, %,d updates, %,d key"
                        + " changes, %,d deletes", changes(), achievedRate(), perSecond, count(Kind.INSERT),
                count(Kind.UPDATE), count(Kind.KEY_CHANGE), count(Kind.DELETE));
    }

    /** Stops the writer if it still runs; a failure is {@link #stop}'s to report. */
    @Override
    public void close() {
        stopping = true;
        if (thread != null) {
            try {
                thread.join(STATEMENT_TIMEOUT.toMillis() * 2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void run(PostgresqlConnectionFactory factory, java.util.function.Function<Connection, Mono<Void>> work,
                            Duration timeout) {
        await(Mono.usingWhen(Mono.from(factory.create()), work, Connection::close), timeout);
    }

    /** This is harness code, on threads of its own: it waits for the driver without Reactor's block(). */
    private static <T> T await(Mono<T> mono, Duration timeout) {
        try {
            return mono.toFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(String.valueOf(e.getCause().getMessage()), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("no answer from PostgreSQL in " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
