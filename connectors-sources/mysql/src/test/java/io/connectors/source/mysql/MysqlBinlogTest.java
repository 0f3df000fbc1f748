package io.connectors.source.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.source.mysql.BinlogEvent.Commit;
import io.connectors.source.mysql.BinlogEvent.Idle;
import io.connectors.source.mysql.BinlogEvent.Kind;
import io.connectors.source.mysql.BinlogEvent.Rows;
import io.connectors.spi.CursorExpiredException;
import io.connectors.spi.SourceException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** {@link MysqlBinlog} against the private MariaDB with the binlog on ({@link MysqlServer#binlog()}). */
class MysqlBinlogTest {
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final Duration IDLE = Duration.ofMillis(200);

    private MysqlServer server;
    private MysqlServer.Database db;

    @BeforeEach
    void database() {
        server = MysqlServer.binlog();
        db = server.create("binlog");
    }

    @AfterEach
    void drop() {
        db.close();
    }

    @Test
    void keysEqualTheFullSyncsTextForEverySupportedType() {
        // type, key clause, values (SQL literals)
        List<String[]> types = List.of(
                new String[] {"tinyint", "id", "-128", "0", "127"},
                new String[] {"tinyint unsigned", "id", "0", "255"},
                new String[] {"smallint", "id", "-32768", "32767"},
                new String[] {"smallint unsigned", "id", "65535", "1"},
                new String[] {"mediumint", "id", "-8388608", "8388607"},
                new String[] {"mediumint unsigned", "id", "16777215", "7"},
                new String[] {"int", "id", "-2147483648", "2147483647"},
                new String[] {"int unsigned", "id", "4294967295", "0"},
                new String[] {"bigint", "id", "-9223372036854775808", "9223372036854775807"},
                new String[] {"bigint unsigned", "id", "18446744073709551615", "9223372036854775808", "0"},
                new String[] {"decimal(12,3)", "id", "-12.5", "0", "123456789.001", "-0.001"},
                new String[] {"decimal(30,0)", "id", "-123456789012345678901234567890", "1"},
                new String[] {"char(10)", "id", "'😀 é'", "'ab'", "''"},
                new String[] {"varchar(20)", "id", "'trailing  '", "'ünï😀'"},
                new String[] {"varchar(20) character set latin1", "id", "'café'", "_latin1 x'80819d'"},
                new String[] {"char(5) character set ascii", "id", "'ab'"},
                new String[] {"varchar(10) character set utf16", "id", "'😀x'"},
                new String[] {"tinytext", "id(20)", "'tiny 😀'"},
                new String[] {"text", "id(20)", "'text é'"},
                new String[] {"mediumtext", "id(20)", "'medium'"},
                new String[] {"longtext character set latin1", "id(20)", "'long é'"},
                new String[] {"binary(6)", "id", "x'000100000000'", "x'ff'", "x''"},
                new String[] {"varbinary(10)", "id", "x'0000'", "x'00ff00'"},
                new String[] {"tinyblob", "id(10)", "x'00'"},
                new String[] {"blob", "id(10)", "x'deadbeef00'"},
                new String[] {"mediumblob", "id(10)", "x'01'"},
                new String[] {"longblob", "id(10)", "x'02'"},
                new String[] {"varchar(10) character set binary", "id", "x'0a00'"},
                new String[] {"date", "id", "'1000-01-01'", "'1582-10-04'", "'2024-02-29'", "'9999-12-31'"},
                new String[] {"datetime", "id", "'1001-02-03 04:05:06'", "'2024-01-02 03:04:05'"},
                new String[] {"datetime(3)", "id", "'2024-01-02 03:04:05.120'", "'1969-12-31 23:59:59.999'"},
                new String[] {"datetime(6)", "id", "'2024-01-02 03:04:05.123456'", "'1900-01-01 00:00:00.000001'"},
                new String[] {"timestamp(3)", "id", "'2024-01-02 03:04:05.120'", "'1970-01-01 00:00:01.001'"},
                new String[] {"timestamp", "id", "'2038-01-19 03:14:07'"},
                new String[] {"timestamp(6)", "id", "'2001-02-03 04:05:06.000007'"},
                new String[] {"year", "id", "0", "1901", "2155", "2024"},
                new String[] {"enum('a','b''c','x\\\\y','')", "id", "'a'", "'b''c'", "'x\\\\y'", "''"});
        List<String> create = new ArrayList<>();
        List<String> insert = new ArrayList<>(List.of("SET time_zone = '+00:00'", "SET sql_mode = ''", "BEGIN"));
        for (int i = 0; i < types.size(); i++) {
            String[] t = types.get(i);
            create.add("CREATE TABLE k" + i + " (id " + t[0] + " NOT NULL, other INT, PRIMARY KEY (" + t[1] + "))");
            for (int v = 2; v < t.length; v++) {
                insert.add("INSERT INTO k" + i + " VALUES (" + t[v] + ", " + v + ")");
            }
        }
        insert.add("COMMIT");
        db.sql(create.toArray(String[]::new));
        List<FollowedTable> tables = new ArrayList<>();
        for (int i = 0; i < types.size(); i++) {
            tables.add(followed("k" + i));
        }
        BinlogPosition from = current();
        db.sql(insert.toArray(String[]::new));

        List<BinlogEvent> events = reader().follow(from, tables, IDLE)
                .filter(e -> !(e instanceof Idle))
                .takeUntil(e -> e instanceof Commit)
                .collectList()
                .block(TIMEOUT);
        Map<String, List<String>> read = new LinkedHashMap<>();
        for (BinlogEvent e : events) {
            if (e instanceof Rows rows) {
                assertThat(rows.kind()).isEqualTo(Kind.INSERT);
                rows.keys().forEach(k -> read.computeIfAbsent(rows.table(), x -> new ArrayList<>()).add(k.get(0)));
            }
        }
        assertThat(events.get(events.size() - 1)).isInstanceOf(Commit.class);
        for (int i = 0; i < types.size(); i++) {
            FollowedTable table = tables.get(i);
            String type = table.key().get(0).dataType();
            String expression = BinlogKeyDecoder.BINARIES.contains(type)
                    || "binary".equals(table.key().get(0).charset()) ? "LOWER(HEX(id))" : "CAST(id AS CHAR)";
            List<String> expected = db.query("SELECT " + expression + " FROM k" + i + " ORDER BY other",
                    row -> row.get(0, String.class));
            assertThat(read.get("k" + i)).as("%s (%s)", types.get(i)[0], table.key().get(0).columnType())
                    .containsExactlyElementsOf(expected);
        }
    }

    @Test
    void insertsUpdatesAndDeletesArriveAsRowsThenOneCommit() {
        db.sql("CREATE TABLE items (id INT PRIMARY KEY, v VARCHAR(10))",
                "CREATE TABLE pairs (a VARCHAR(5), b INT, v INT, PRIMARY KEY (b, a))",
                "CREATE TABLE other (id INT PRIMARY KEY)");
        List<FollowedTable> tables = List.of(followed("items"), followed("pairs"));
        assertThat(tables.get(1).key()).extracting(KeyColumn::name).containsExactly("b", "a");
        BinlogPosition from = current();
        db.sql("INSERT INTO items VALUES (1, 'a'), (2, 'b'), (3, 'c')",
                "UPDATE items SET v = 'z' WHERE id = 2",
                "UPDATE items SET id = 10 WHERE id = 1",
                "DELETE FROM items WHERE id IN (3, 10)",
                "BEGIN", "INSERT INTO other VALUES (1)", "INSERT INTO pairs VALUES ('x', 7, 0)",
                "UPDATE items SET v = 'y' WHERE id = 2", "INSERT INTO other VALUES (2)", "COMMIT");
        List<BinlogEvent> events = commits(reader().follow(from, tables, IDLE), 5);
        assertThat(events).hasSize(11);
        assertThat(events.get(0)).isEqualTo(new Rows(db.name(), "items", Kind.INSERT,
                List.of(List.of("1"), List.of("2"), List.of("3")), List.of()));
        assertThat(events.get(2)).isEqualTo(new Rows(db.name(), "items", Kind.UPDATE, List.of(List.of("2")),
                List.of(List.of("2"))));
        assertThat(events.get(4)).isEqualTo(new Rows(db.name(), "items", Kind.UPDATE, List.of(List.of("10")),
                List.of(List.of("1"))));
        assertThat(events.get(6)).isEqualTo(new Rows(db.name(), "items", Kind.DELETE,
                List.of(List.of("3"), List.of("10")), List.of()));
        assertThat(events.get(8)).isEqualTo(new Rows(db.name(), "pairs", Kind.INSERT, List.of(List.of("7", "x")),
                List.of()));
        assertThat(events.get(9)).isEqualTo(new Rows(db.name(), "items", Kind.UPDATE, List.of(List.of("2")),
                List.of(List.of("2"))));
        for (int i : new int[] {1, 3, 5, 7, 10}) {
            assertThat(events.get(i)).isInstanceOf(Commit.class);
        }

        // Resuming after the third commit delivers exactly what came after it.
        BinlogPosition third = ((Commit) events.get(5)).next();
        assertThat(BinlogPosition.parse(third.toString())).isEqualTo(third);
        assertThat(commits(reader().follow(third, tables, IDLE), 2)).isEqualTo(events.subList(6, 11));
    }

    @Test
    void idlePositionsMoveWhileOtherDatabasesAreWritten() {
        db.sql("CREATE TABLE items (id INT PRIMARY KEY)");
        BinlogPosition from = current();
        try (MysqlServer.Database other = server.create("binlog_other")) {
            other.sql("CREATE TABLE noise (id INT PRIMARY KEY AUTO_INCREMENT)");
            List<BinlogPosition> idles = new ArrayList<>();
            java.util.concurrent.atomic.AtomicBoolean quiet = new java.util.concurrent.atomic.AtomicBoolean();
            Thread writer = new Thread(() -> {
                for (int i = 0; i < 50 && !quiet.get(); i++) {
                    other.sql("INSERT INTO noise VALUES (NULL)");
                    sleep(100);
                }
            });
            reader().follow(from, List.of(followed("items")), IDLE)
                    .doOnSubscribe(s -> writer.start())
                    .doFinally(signal -> quiet.set(true))
                    .take(3)
                    .doOnNext(e -> {
                        assertThat(e).isInstanceOf(Idle.class);
                        idles.add(((Idle) e).next());
                    })
                    .then()
                    .block(TIMEOUT);
            join(writer);
            assertThat(idles).isSorted().doesNotHaveDuplicates();
            assertThat(idles.get(0)).isGreaterThan(from);
        }
    }

    @Test
    void truncateOrAlterOfAFollowedTableExpiresTheCursor() {
        db.sql("CREATE TABLE items (id INT PRIMARY KEY)", "CREATE TABLE other (id INT PRIMARY KEY)");
        List<FollowedTable> tables = List.of(followed("items"));
        BinlogPosition from = current();
        db.sql("TRUNCATE TABLE other", "ALTER TABLE other ADD COLUMN x INT", "INSERT INTO items VALUES (1)",
                "TRUNCATE items");
        StepVerifier.create(reader().follow(from, tables, Duration.ofHours(1)))
                .expectNextMatches(e -> e instanceof Rows)
                .expectNextMatches(e -> e instanceof Commit)
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(CursorExpiredException.class)
                        .hasMessageStartingWith("table " + db.name() + ".items was truncated: TRUNCATE items"))
                .verify(TIMEOUT);

        BinlogPosition again = current();
        db.sql("ALTER TABLE `" + db.name() + "`.`items` ADD COLUMN v INT");
        StepVerifier.create(reader().follow(again, tables, Duration.ofHours(1)))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(CursorExpiredException.class)
                        .hasMessageContaining("table " + db.name() + ".items was altered"))
                .verify(TIMEOUT);
    }

    @Test
    void statementLoggedWritesOfAFollowedTableFail() {
        db.sql("CREATE TABLE items (id INT PRIMARY KEY)");
        BinlogPosition from = current();
        db.sql("SET SESSION binlog_format = 'STATEMENT'", "INSERT INTO items VALUES (1)");
        StepVerifier.create(reader().follow(from, List.of(followed("items")), Duration.ofHours(1)))
                .expectErrorSatisfies(e -> assertThat(e).isExactlyInstanceOf(SourceException.class)
                        .hasMessageContaining("binlog_format must be ROW"))
                .verify(TIMEOUT);
    }

    @Test
    void aPurgedPositionExpiresTheCursor() {
        db.sql("CREATE TABLE items (id INT PRIMARY KEY)");
        BinlogPosition old = current();
        server.sql("FLUSH BINARY LOGS");
        BinlogPosition now = current();
        server.sql("PURGE BINARY LOGS TO '" + now.file() + "'");
        StepVerifier.create(reader().follow(old, List.of(followed("items")), IDLE))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(CursorExpiredException.class)
                        .hasMessageContaining(old.toString()).hasMessageContaining("purged"))
                .verify(TIMEOUT);
        // Past the end of a file the server still has: its own error 1236.
        StepVerifier.create(reader().follow(new BinlogPosition(now.file(), 1L << 31), List.of(followed("items")), IDLE))
                .expectError(CursorExpiredException.class)
                .verify(TIMEOUT);
    }

    @Test
    void aWrongPasswordFailsWithoutThePassword() {
        db.sql("CREATE TABLE items (id INT PRIMARY KEY)");
        MysqlBinlog wrong = new MysqlBinlog(server.host(), server.port(), "root", "s3cret-Pa55", 4242, "disabled", java.util.Optional.empty(),
                Duration.ofSeconds(5));
        StepVerifier.create(wrong.follow(current(), List.of(followed("items")), IDLE))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(SourceException.class)
                        .hasMessageContaining(server.host() + ":" + server.port())
                        .hasMessageNotContaining("s3cret-Pa55"))
                .verify(TIMEOUT);
        MysqlBinlog nobody = new MysqlBinlog(server.host(), MysqlServer.PrivateInstance.freePortQuietly(), "root",
                null, 4243, "disabled", java.util.Optional.empty(), Duration.ofSeconds(5));
        StepVerifier.create(nobody.follow(current(), List.of(followed("items")), IDLE))
                .expectErrorSatisfies(e -> assertThat(((SourceException) e).retryable()).isTrue())
                .verify(TIMEOUT);
    }

    @Test
    void anUnsupportedKeyTypeIsRefusedByName() {
        db.sql("CREATE TABLE f (id DOUBLE PRIMARY KEY)");
        StepVerifier.create(reader().follow(current(), List.of(followed("f")), IDLE))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining(db.name() + ".f.id").hasMessageContaining("double"))
                .verify(TIMEOUT);
    }

    @Test
    void cancellingDisconnects() {
        db.sql("CREATE TABLE items (id INT PRIMARY KEY)");
        long serverId = ThreadLocalRandom.current().nextLong(100_000, 1_000_000);
        MysqlBinlog binlog = new MysqlBinlog(server.host(), server.port(), server.user(), server.password(), serverId,
                "disabled", java.util.Optional.empty(), Duration.ofSeconds(5));
        BinlogPosition from = current();
        db.sql("INSERT INTO items VALUES (1)");
        StepVerifier.create(binlog.follow(from, List.of(followed("items")), IDLE))
                .expectNextMatches(e -> e instanceof Rows)
                .then(() -> assertThat(dumpThreads()).isPositive())
                .thenCancel()
                .verify(TIMEOUT);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (dumpThreads() > 0 && System.nanoTime() < deadline) {
            sleep(50);
        }
        assertThat(dumpThreads()).isZero();
    }

    @Test
    void aSlowSubscriberKeepsTheReaderWaiting() {
        db.sql("CREATE TABLE items (id INT PRIMARY KEY, pad VARCHAR(200))");
        BinlogPosition from = current();
        List<String> statements = new ArrayList<>();
        for (int i = 0; i < 10_000; i += 100) {
            // MariaDB's SEQUENCE engine: seq_1_to_100 is a table of 1..100.
            statements.add("INSERT INTO items SELECT seq, REPEAT('x', 200) FROM seq_" + i + "_to_" + (i + 99));
        }
        db.sql(statements.toArray(String[]::new));
        MysqlBinlog binlog = reader();
        AtomicLong received = new AtomicLong();
        AtomicLong ahead = new AtomicLong();
        StepVerifier.Step<BinlogEvent> step = StepVerifier.create(binlog.follow(from, List.of(followed("items")), IDLE)
                .doOnNext(e -> {
                    received.incrementAndGet();
                    ahead.accumulateAndGet(binlog.emitted.get() - received.get(), Math::max);
                }), 1);
        for (int i = 0; i < 30; i++) {
            step = step.expectNextCount(1).then(() -> sleep(20)).thenRequest(1);
        }
        // The 31st event is awaited before cancelling: cancelling right after the last request raced its arrival.
        step.expectNextCount(1).thenCancel().verify(TIMEOUT);
        // 10,000 rows in 100 transactions wait in the binlog; 1 + 30 were asked for, and no more were handed on.
        assertThat(received.get()).isEqualTo(31);
        assertThat(binlog.emitted.get()).isEqualTo(31);
        assertThat(ahead.get()).isZero();
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    /** Events until the {@code n}-th Commit included, without Idles. */
    static List<BinlogEvent> commits(Flux<BinlogEvent> events, int n) {
        AtomicLong seen = new AtomicLong();
        return events.filter(e -> !(e instanceof Idle))
                .takeUntil(e -> e instanceof Commit && seen.incrementAndGet() == n)
                .collectList()
                .block(TIMEOUT);
    }

    private MysqlBinlog reader() {
        return new MysqlBinlog(server.host(), server.port(), server.user(), server.password(),
                ThreadLocalRandom.current().nextLong(100_000, 1_000_000), "disabled", java.util.Optional.empty(), Duration.ofSeconds(5));
    }

    private BinlogPosition current() {
        return MysqlServer.run(db.connectionFactory(), MysqlBinlog::current, TIMEOUT).orElseThrow();
    }

    private long dumpThreads() {
        return db.count("SELECT count(*) FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'");
    }

    /** The table as the source describes it: its primary key's columns in key order, and its column count. */
    private FollowedTable followed(String table) {
        List<KeyColumn> key = db.query("SELECT c.COLUMN_NAME, c.ORDINAL_POSITION, c.DATA_TYPE, c.COLUMN_TYPE,"
                + " c.CHARACTER_SET_NAME FROM information_schema.KEY_COLUMN_USAGE k JOIN information_schema.COLUMNS c"
                + " ON c.TABLE_SCHEMA = k.TABLE_SCHEMA AND c.TABLE_NAME = k.TABLE_NAME AND c.COLUMN_NAME = k.COLUMN_NAME"
                + " WHERE k.TABLE_SCHEMA = DATABASE() AND k.TABLE_NAME = '" + table + "'"
                + " AND k.CONSTRAINT_NAME = 'PRIMARY' ORDER BY k.ORDINAL_POSITION",
                row -> new KeyColumn(row.get(0, String.class), ((Number) row.get(1)).intValue(),
                        row.get(2, String.class).toLowerCase(java.util.Locale.ROOT), row.get(3, String.class),
                        row.get(4, String.class)));
        long columns = db.count("SELECT count(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()"
                + " AND TABLE_NAME = '" + table + "'");
        return new FollowedTable(db.name(), table, key, (int) columns);
    }

    static void join(Thread thread) {
        try {
            thread.join(TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
