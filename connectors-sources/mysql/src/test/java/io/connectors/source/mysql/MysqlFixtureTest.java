package io.connectors.source.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connectors.source.mysql.MysqlFixture.Table;
import io.connectors.spi.BaseDataSource;
import io.connectors.spi.SourceContext;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.config.SourceConfig;
import io.connectors.spi.rules.SyncRules;
import io.connectors.testkit.contract.DeferredDocuments;
import io.connectors.testkit.functional.SourceFixture.Mutation;
import io.connectors.testkit.functional.SourceFixture.Truth;
import io.connectors.testkit.functional.SourceFixtureTest;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The fixture of {@code make ftest NAME=mysql} against a real MariaDB or MySQL ({@link MysqlServer}): its tables, its
 * ids, its ground truth (order and digests, checked against the documents the MySQL source itself reads and builds),
 * its mutations and its reload.
 */
class MysqlFixtureTest extends SourceFixtureTest<MysqlFixture> {
    /** 150 customers, 300 orders, 500 order lines and 50 pages: every section and slug of the pages' paths. */
    private static final int COUNT = 1_000;
    private static final Duration WAIT = Duration.ofSeconds(60);

    private MysqlServer.Database database;

    @Override
    protected MysqlFixture createFixture() {
        return new MysqlFixture();
    }

    @Override
    protected int count() {
        return COUNT;
    }

    /**
     * The oracle: every row as the MySQL source reads and builds it (ids, {@code mysql_table}, {@code body}), with a
     * source of its own over the fixture's connector configuration.
     */
    @Override
    protected Map<String, Map<String, Object>> indexedSources() {
        return withSource(source -> {
            Map<String, Map<String, Object>> out = new LinkedHashMap<>();
            DeferredDocuments.build(source, source.getDocs(SyncRules.NONE).collectList().block(WAIT), WAIT)
                    .forEach(d -> out.put(d.id(), d.fields()));
            return out;
        });
    }

    @Override
    protected void afterClose(MysqlFixture closed) {
        String name = closed.database().name();
        assertThat(MysqlServer.shared().query("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME"
                + " LIKE 'ftest%'", row -> row.get(0, String.class))).doesNotContain(name);
    }

    private <T> T withSource(Function<BaseDataSource, T> read) {
        MysqlDataSourceProvider provider = new MysqlDataSourceProvider();
        BaseDataSource source = provider.create(SourceConfig.from(provider.configFields(),
                fixture().connectorConfiguration()), new SourceContext("fixture-test"));
        try {
            return read.apply(source);
        } finally {
            source.close().block(WAIT);
        }
    }

    private MysqlServer.Database db() {
        if (database == null) {
            database = fixture().database();
        }
        return database;
    }

    @Test
    void pointsTheSourceAtItsDatabaseWithTheCursorColumnAndNoWatch() {
        assertThat(fixture().supportsIncremental()).isTrue();
        assertThat(fixture().incrementalSeesDeletions()).isFalse();
        assertThat(fixture().connectorConfiguration()).containsEntry("database", db().name())
                .containsEntry("host", db().host()).containsEntry("port", db().port())
                .containsEntry("cursor_column", "updated_at").containsEntry("watch_changes", false);
        assertThat(db().name()).matches("ftest_[a-z0-9]{8}");
    }

    @Test
    void everyTableHasItsShareItsKeyABodyAndACursorColumn() {
        int[] sizes = MysqlFixture.split(COUNT);
        assertThat(sizes).containsExactly(150, 300, 500, 50);
        for (Table table : Table.values()) {
            assertThat(db().count("SELECT count(*) FROM " + table.name)).as(table.name).isEqualTo(sizes[table.ordinal()]);
            assertThat(db().query("SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = '"
                    + db().name() + "' AND TABLE_NAME = '" + table.name + "' AND CONSTRAINT_NAME = 'PRIMARY'"
                    + " ORDER BY ORDINAL_POSITION", row -> row.get(0, String.class))).isEqualTo(table.key);
            assertThat(db().query("SELECT CONCAT(COLUMN_NAME, ' ', COLUMN_TYPE, ' ', IS_NULLABLE) FROM"
                    + " information_schema.COLUMNS WHERE TABLE_SCHEMA = '" + db().name() + "' AND TABLE_NAME = '"
                    + table.name + "' AND COLUMN_NAME IN ('body', 'updated_at') ORDER BY 1",
                    row -> row.get(0, String.class))).containsExactly("body text NO", "updated_at datetime(6) NO");
        }
        assertThat(db().query("SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '" + db().name()
                + "' AND TABLE_NAME = 'customers' AND COLUMN_NAME = 'id'", row -> row.get(0, String.class)))
                .containsExactly("bigint(20) unsigned");
        assertThat(db().count("SELECT count(*) FROM customers WHERE id > 9223372036854775807")).isEqualTo(150);
    }

    @Test
    void idsAreTheSourcesSomeOrderedDifferentlyAsUtf16() throws Exception {
        List<Truth> truth = truth();
        Set<String> ids = truth.stream().map(Truth::id).collect(Collectors.toSet());
        String db = db().name();
        assertThat(ids).contains(db + ".customers/18446744073709551615", db + ".customers/18446744073709551608",
                db + ".orders/42", db + ".order_lines/1,1", db + ".order_lines/1,3", db + ".order_lines/2,1",
                db + ".pages/" + MysqlFixture.encoded(MysqlFixture.path(4)),
                db + ".pages/%2F100%25 uptime%2Fgetting-started-4", db + ".pages/%2Fa%2Cb testing%2Fgetting-started-3",
                db + ".pages/%2F🎉 launches%2Fgetting-started-10");
        boolean utf16OrderDiffers = false;
        for (int i = 1; i < truth.size(); i++) {
            utf16OrderDiffers |= truth.get(i - 1).id().compareTo(truth.get(i).id()) > 0;
        }
        assertThat(utf16OrderDiffers).as("some ids sort differently as UTF-16 (outside the BMP)").isTrue();
        Set<String> expected = new HashSet<>();
        int[] sizes = MysqlFixture.split(COUNT);
        for (Table table : Table.values()) {
            for (int i = 1; i <= sizes[table.ordinal()]; i++) {
                expected.add(fixture().id(table, i));
            }
        }
        assertThat(ids).isEqualTo(expected);
        assertThat(new HashSet<>(truth.stream().map(Truth::digest).toList())).hasSize(COUNT);
        assertThat(MysqlFixture.id("d.t", List.of("a/b,c%d", "x"))).isEqualTo("d.t/a%2Fb%2Cc%25d,x");
    }

    @Test
    void rowsHaveRealisticContent() {
        List<Integer> sizes = db().query("SELECT LENGTH(body) FROM (SELECT body FROM customers UNION ALL SELECT body"
                + " FROM orders UNION ALL SELECT body FROM order_lines UNION ALL SELECT body FROM pages) b ORDER BY 1",
                row -> ((Number) row.get(0)).intValue());
        assertThat(sizes.get(0)).isBetween(60, 200);
        assertThat(sizes.get(sizes.size() - 1)).isBetween(3_000, 16_000);
        assertThat(sizes.get(sizes.size() / 2)).isBetween(200, 2_000);
        // Emoji (4-byte UTF-8), backslashes, tabs, paragraphs, NULLs.
        assertThat(db().count("SELECT count(*) FROM order_lines WHERE body LIKE '%😀%' OR body LIKE '%🎉%'"))
                .isPositive();
        assertThat(db().count("SELECT count(*) FROM order_lines WHERE INSTR(body, CHAR(92)) > 0")).isPositive();
        assertThat(db().count("SELECT count(*) FROM order_lines WHERE INSTR(body, CHAR(9)) > 0")).isPositive();
        assertThat(db().count("SELECT count(*) FROM orders WHERE INSTR(body, CONCAT(CHAR(10), CHAR(10))) > 0"))
                .isPositive();
        assertThat(db().count("SELECT count(*) FROM customers WHERE email IS NULL")).isPositive();
        assertThat(db().count("SELECT count(*) FROM customers WHERE profile IS NULL")).isPositive();
        assertThat(db().count("SELECT count(DISTINCT status) FROM orders")).isEqualTo(6);
        assertThat(db().count("SELECT count(*) FROM order_lines WHERE discount IS NOT NULL")).isPositive();
        assertThat(db().count("SELECT count(*) FROM pages WHERE path LIKE '%🎉%'")).isPositive();
        // The cursor column: in the past, with ties.
        assertThat(db().count("SELECT count(*) FROM orders WHERE updated_at > NOW(6)")).isZero();
    }

    @Test
    void mutationsAreSpreadOverTheTablesAndFoundByTheCursorColumn() throws Exception {
        LocalDateTime loaded = db().query("SELECT max(updated_at) FROM (SELECT updated_at FROM customers UNION ALL"
                + " SELECT updated_at FROM orders UNION ALL SELECT updated_at FROM order_lines UNION ALL SELECT"
                + " updated_at FROM pages) u", row -> row.get(0, LocalDateTime.class)).get(0);

        // Pages has 50 rows: enough for its quarter of these.
        Mutation m = fixture().mutate(201, 82, 71);

        for (List<String> ids : List.of(m.added(), m.updated(), m.deleted())) {
            Map<String, Long> perTable = ids.stream().collect(Collectors.groupingBy(id -> id.substring(0,
                    id.indexOf('/')), Collectors.counting()));
            assertThat(perTable).as("spread").hasSize(4);
            assertThat(perTable.values()).allSatisfy(n -> assertThat(n).isBetween(ids.size() / 4L, ids.size() / 4L + 1));
        }
        long changed = 0;
        for (Table table : Table.values()) {
            changed += db().count("SELECT count(*) FROM " + table.name + " WHERE updated_at > '" + loaded + "'");
        }
        assertThat(changed).isEqualTo(82 + 201);
        assertThat(db().count("SELECT count(*) FROM pages WHERE title LIKE '% (v2)'"))
                .isEqualTo(m.updated().stream().filter(id -> id.contains(".pages/")).count());

        // A second round touches only live rows, and revises a row again when it picks it again.
        Set<String> live = truthById().keySet();
        Mutation again = fixture().mutate(10, 700, 50);
        assertThat(again.updated()).allSatisfy(id -> assertThat(live).contains(id));
        assertThat(again.updated()).containsAnyElementsOf(m.updated());
        assertThat(db().count("SELECT count(*) FROM orders WHERE body LIKE 'Order %, revision 2. %'")).isPositive();
        assertThat(digests(indexedSources())).isEqualTo(truthById());
    }

    @Test
    void theSourceSeesExactlyTheMutationInItsVersions() throws Exception {
        Map<String, String> before = withSource(source -> versions(source.getDocs(SyncRules.NONE).collectList()
                .block(WAIT)));
        Mutation m = fixture().mutate(30, 40, 20);
        Map<String, String> after = withSource(source -> versions(source.getDocs(SyncRules.NONE).collectList()
                .block(WAIT)));
        Set<String> changed = after.keySet().stream().filter(id -> !after.get(id).equals(before.get(id)))
                .collect(Collectors.toSet());
        Set<String> written = new HashSet<>(m.added());
        written.addAll(m.updated());
        assertThat(changed).isEqualTo(written);
        assertThat(before.keySet()).containsAll(m.deleted());
        assertThat(after.keySet()).doesNotContainAnyElementsOf(m.deleted());
    }

    private static Map<String, String> versions(List<SourceDocument> docs) {
        return docs.stream().collect(Collectors.toMap(SourceDocument::id, d -> d.version().orElseThrow()));
    }

    @Test
    void aMutationCannotTouchMoreRowsThanThereAre() throws Exception {
        assertThatThrownBy(() -> fixture().mutate(0, COUNT, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> fixture().mutate(-1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> fixture().load(0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(fixture().mutate(0, COUNT - 10, 10).deleted()).hasSize(10);
        assertThat(fixture().readAllWithOwnDriver()).isEqualTo(COUNT - 10);
    }

    @Test
    void theDigestIsOfTheTableAndTheBodyAsIndexed() throws Exception {
        assertThat(fixture().digestFields()).containsExactly("mysql_table", "body");
        assertThat(MysqlFixture.digest("a", "b")).isEqualTo(
                "7e18f737311b2dc3b2f269dd78396b0351f14fb66efa879f768cb23181883c78");
        Map<String, Object> source = new LinkedHashMap<>(Map.of("mysql_table", "a", "body", "b"));
        assertThat(fixture().digestOfIndexed(source)).isEqualTo(MysqlFixture.digest("a", "b"));
        source.remove("body");
        assertThat(fixture().digestOfIndexed(source)).isEqualTo("unreadable: mysql_table String, body missing");
    }

    @Test
    void aGroundTruthLeftHalfReadIsClosedByTheNextLoad() throws Exception {
        Iterator<Truth> truth = fixture().groundTruth();
        assertThat(truth.next().id()).startsWith(db().name() + ".customers/");
        fixture().load(10);
        assertThat(truth.hasNext()).isFalse();
        assertThat(truth()).hasSize(10);
    }

    @Test
    void aRealtimeBackendIsADatabaseOfItsOwnOnAServerWritingARowBinlog(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        MysqlFixture realtime = new MysqlFixture();
        try {
            realtime.startForRealtime(dir);
            MysqlServer.Database database = realtime.database();
            assertThat(database.name()).isNotEqualTo(db().name()).startsWith("ftest_");
            assertThat(database.query("SELECT @@global.log_bin, @@global.binlog_format", row -> String.valueOf(row.get(0))
                    + "/" + row.get(1, String.class))).containsExactly("1/ROW");
            assertThat(realtime.connectorConfiguration()).containsEntry("database", database.name());
        } finally {
            realtime.close();
        }
    }
}
