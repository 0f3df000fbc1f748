package io.connectors.functional;

import io.asyncer.r2dbc.mysql.MySqlConnectionConfiguration;
import io.asyncer.r2dbc.mysql.MySqlConnectionFactory;
import io.asyncer.r2dbc.mysql.constant.SslMode;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
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
 * A steady stream of single-row changes to one table of PostgreSQL or MySQL ({@link Database}), each its own
 * transaction, for the real-time runs of {@code make chaos} and {@code make bench}: what a connector with
 * {@code realtime: true} must follow.
 *
 * <p>The table is {@code (key bigint PRIMARY KEY, seq bigint NOT NULL, body text NOT NULL, updated_at timestamp)}.
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

    private final Database database;
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

    private ChangeLoad(Database database, String table, long rows, double perSecond, Mix mix, long seed,
                       int maxChanges) {
        this.database = database;
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
     * The database a load writes to: connections to what a source fixture's {@code connectorConfiguration()} points at
     * (host, port, database, user, password), never one of the source's sessions, and its SQL.
     */
    public static final class Database {
        private final String type;
        private final ConnectionFactory factory;

        private Database(String type, ConnectionFactory factory) {
            this.type = type;
            this.factory = factory;
        }

        /** The fixture's database of source type {@code type} ({@code postgresql} or {@code mysql}). */
        public static Database of(String type, Map<String, Object> configuration) {
            return switch (type) {
                case "postgresql" -> postgresql(configuration);
                case "mysql" -> mysql(configuration);
                default -> throw new IllegalArgumentException("no change load writes to a " + type + " source's"
                        + " backend (postgresql or mysql)");
            };
        }

        /**
         * PostgreSQL, {@code application_name} {@code connectors-harness}. Its commits are synchronous
         * ({@code synchronous_commit = on}, PostgreSQL's default), whatever the server's setting: the private test
         * cluster turns it off for speed, and its WAL then reaches the disk, and a logical replication slot's reader,
         * only at the WAL writer's next round ({@code wal_writer_delay}, 200 ms), which would count against the
         * real-time latency measured with these changes as much as 200 ms that no default server adds.
         */
        public static Database postgresql(Map<String, Object> configuration) {
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
            return new Database("postgresql", new PostgresqlConnectionFactory(builder.build()));
        }

        /** MySQL or MariaDB, in UTC, its statements autocommitted (each change its own transaction and binlog event group). */
        public static Database mysql(Map<String, Object> configuration) {
            MySqlConnectionConfiguration.Builder builder = MySqlConnectionConfiguration.builder()
                    .host(String.valueOf(configuration.get("host")))
                    .port(configuration.get("port") instanceof Number n ? n.intValue() : 3306)
                    .user(String.valueOf(configuration.get("user")))
                    .connectionTimeZone("UTC")
                    .sslMode(SslMode.DISABLED)
                    .connectTimeout(Duration.ofSeconds(10));
            if (configuration.get("password") != null) {
                builder.password(String.valueOf(configuration.get("password")));
            }
            return new Database("mysql", MySqlConnectionFactory.from(builder.build()));
        }

        /** Its connections. */
        public ConnectionFactory factory() {
            return factory;
        }

        /** {@code key}, quoted where the server reserves the word. */
        private String key() {
            return type.equals("mysql") ? "`key`" : "key";
        }

        private String now() {
            return type.equals("mysql") ? "NOW(6)" : "clock_timestamp()";
        }

        /**
         * Creates {@code table} ({@code schema.name}; the schema, a MySQL database, too when missing) with {@code rows}
         * rows, keys and sequence numbers 1 to {@code rows}.
         */
        public void createTable(String table, long rows) {
            int dot = table.indexOf('.');
            if (dot < 1) {
                throw new IllegalArgumentException("a table is schema.name, not " + table);
            }
            String schema = table.substring(0, dot);
            List<String> sql = new ArrayList<>();
            if (type.equals("mysql")) {
                sql.add("CREATE DATABASE IF NOT EXISTS " + schema + " CHARACTER SET utf8mb4");
                sql.add("DROP TABLE IF EXISTS " + table);
                sql.add("CREATE TABLE " + table + " (`key` BIGINT PRIMARY KEY, seq BIGINT NOT NULL, body TEXT NOT NULL,"
                        + " updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)) CHARACTER SET utf8mb4");
                // The rows in statements of 1,000, written here: portable to MySQL and MariaDB alike.
                for (long from = 1; from <= rows; from += 1_000) {
                    StringBuilder insert = new StringBuilder("INSERT INTO " + table + " (`key`, seq, body) VALUES ");
                    for (long i = from; i < Math.min(rows + 1, from + 1_000); i++) {
                        insert.append(i == from ? "" : ", ").append('(').append(i).append(", ").append(i).append(", '")
                                .append(initialBody(i)).append("')");
                    }
                    sql.add(insert.toString());
                }
                sql.add("ANALYZE TABLE " + table);
            } else {
                sql.add("CREATE SCHEMA IF NOT EXISTS " + schema);
                sql.add("DROP TABLE IF EXISTS " + table);
                sql.add("CREATE TABLE " + table + " (key bigint PRIMARY KEY, seq bigint NOT NULL, body text NOT NULL,"
                        + " updated_at timestamptz NOT NULL DEFAULT now())");
                sql.add("INSERT INTO " + table + " (key, seq, body) SELECT i, i, 'row ' || i || ' seq ' || i || ': '"
                        + " || repeat(md5(i::text) || ' Zürich ', 1 + i % 8) FROM generate_series(1, " + rows + ") AS i");
                sql.add("ANALYZE " + table);
            }
            await(Mono.usingWhen(Mono.from(factory.create()), c -> Flux.fromIterable(sql)
                    .concatMap(statement -> Flux.from(c.createStatement(statement).execute())
                            // Every segment consumed: ANALYZE TABLE answers MySQL with rows.
                            .concatMap(r -> Flux.from(r.flatMap(segment -> Mono.empty()))))
                    .then(), Connection::close), Duration.ofMinutes(5));
        }

        /** Row {@code i}'s first body, as PostgreSQL's {@link #createTable} writes it: its seq, an md5, a non-ASCII word. */
        private static String initialBody(long i) {
            String md5;
            try {
                md5 = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5")
                        .digest(Long.toString(i).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            return "row " + i + " seq " + i + ": " + (md5 + " Zürich ").repeat((int) (1 + i % 8));
        }

        /** The statement of one change, its values bound. */
        Statement statement(Connection c, String table, Kind kind, long key, long newKey, long seq, String body) {
            boolean mysql = type.equals("mysql");
            return switch (kind) {
                case INSERT -> c.createStatement("INSERT INTO " + table + " (" + key() + ", seq, body, updated_at)"
                        + (mysql ? " VALUES (?, ?, ?, " : " VALUES ($1, $2, $3, ") + now() + ")")
                        .bind(0, key).bind(1, seq).bind(2, body);
                case UPDATE -> mysql
                        ? c.createStatement("UPDATE " + table + " SET seq = ?, body = ?, updated_at = NOW(6) WHERE"
                                + " `key` = ?").bind(0, seq).bind(1, body).bind(2, key)
                        : c.createStatement("UPDATE " + table + " SET seq = $2, body = $3, updated_at = clock_timestamp()"
                                + " WHERE key = $1").bind(0, key).bind(1, seq).bind(2, body);
                case KEY_CHANGE -> mysql
                        ? c.createStatement("UPDATE " + table + " SET `key` = ?, seq = ?, body = ?, updated_at = NOW(6)"
                                + " WHERE `key` = ?").bind(0, newKey).bind(1, seq).bind(2, body).bind(3, key)
                        : c.createStatement("UPDATE " + table + " SET key = $4, seq = $2, body = $3,"
                                + " updated_at = clock_timestamp() WHERE key = $1").bind(0, key).bind(1, seq)
                                .bind(2, body).bind(3, newKey);
                case DELETE -> c.createStatement("DELETE FROM " + table + " WHERE " + key()
                        + (mysql ? " = ?" : " = $1")).bind(0, key);
            };
        }
    }

    /**
     * Starts writing changes to {@code table}, which {@link #createTable} filled with {@code rows} rows, at
     * {@code perSecond}, until {@link #stop} or {@code maxChanges} changes.
     */
    public static ChangeLoad start(Database database, String table, long rows, double perSecond, Mix mix,
                                   long seed, int maxChanges) {
        ChangeLoad load = new ChangeLoad(database, table, rows, perSecond, mix, seed, maxChanges);
        Connection connection = await(Mono.from(database.factory().create()), STATEMENT_TIMEOUT);
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
                statement = database.statement(c, table, kind, key, 0, seq, body);
                addLive(key);
            }
            case UPDATE -> statement = database.statement(c, table, kind, live[random.nextInt(liveCount)], 0, seq, body);
            case KEY_CHANGE -> {
                int at = random.nextInt(liveCount);
                long key = nextKey++;
                statement = database.statement(c, table, kind, live[at], key, seq, body);
                live[at] = key;
            }
            case DELETE -> {
                int at = random.nextInt(liveCount);
                statement = database.statement(c, table, kind, live[at], 0, seq, body);
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

    /** This is harness code, on threads of its own: it waits for the driver without Reactor's block(). */
    private static <T> T await(Mono<T> mono, Duration timeout) {
        try {
            return mono.toFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(String.valueOf(e.getCause().getMessage()), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("no answer from the database in " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
