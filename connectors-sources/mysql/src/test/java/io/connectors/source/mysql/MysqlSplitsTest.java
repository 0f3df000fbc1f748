package io.connectors.source.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connectors.spi.SourceDocument;
import io.connectors.spi.SourceException;
import io.connectors.spi.SourceSplit;
import io.connectors.spi.SplitEvent;
import io.connectors.spi.SplitPosition;
import io.connectors.spi.rules.SyncRules;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Splits of a full sync: planned from the key's range, read exactly, resumed from a position. */
class MysqlSplitsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private MysqlServer.Database db;
    private TestSources sources;

    @BeforeEach
    void database() {
        sources = new TestSources(MysqlServer.shared().create("splits"), "splits-test",
                Map.of("split_rows", 2000, "fetch_size", 500));
        db = sources.db();
    }

    @AfterEach
    void drop() {
        sources.close();
    }

    private MysqlDataSource source(Map<String, Object> overrides) {
        return sources.open(overrides);
    }

    private void fill(String table, String keyType, int rows, int step) {
        db.sql("CREATE TABLE " + table + " (id " + keyType + " PRIMARY KEY, v varchar(20))");
        for (int from = 0; from < rows; from += 2000) {
            StringBuilder sql = new StringBuilder("INSERT INTO " + table + " VALUES ");
            for (int i = from; i < Math.min(rows, from + 2000); i++) {
                sql.append(i > from ? ", " : "").append('(').append((long) i * step).append(", 'v").append(i).append("')");
            }
            db.sql(sql.toString());
        }
        db.sql("ANALYZE TABLE " + table);
    }

    private static List<SplitEvent> read(MysqlDataSource source, SourceSplit split, SplitPosition from) {
        return source.readSplit(split, from, SyncRules.NONE).collectList().block(WAIT);
    }

    private static List<SourceDocument> docs(List<SplitEvent> events) {
        return events.stream().filter(e -> e instanceof SplitEvent.Document).map(e -> ((SplitEvent.Document) e).document())
                .toList();
    }

    private static Map<String, String> versions(List<SourceDocument> docs) {
        return docs.stream().collect(Collectors.toMap(SourceDocument::id, d -> d.version().orElse(""), (a, b) -> {
            throw new AssertionError("an id twice");
        }, TreeMap::new));
    }

    private void assertSplitsCoverTheFullRead(MysqlDataSource source, List<SourceSplit> splits) {
        List<SourceDocument> union = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (SourceSplit split : splits) {
            for (SourceDocument d : docs(read(source, split, null))) {
                assertThat(ids.add(d.id())).as(d.id() + " in one split only").isTrue();
                union.add(d);
            }
        }
        assertThat(versions(union)).isEqualTo(versions(source.getDocs(SyncRules.NONE).collectList().block(WAIT)));
    }

    @Test
    void anIntegerKeyIsSplitIntoRangesThatAreExactlyTheFullReadAndAResumedSplitYieldsTheRest() {
        fill("items", "bigint", 12_000, 3);
        db.sql("INSERT INTO items VALUES (-5, 'negative')");
        MysqlDataSource source = source(Map.of());
        List<SourceSplit> splits = source.planSplits(SyncRules.NONE).block(WAIT);
        assertThat(splits.size()).as("about 12,000 / 2,000 from TABLE_ROWS").isBetween(4, 12);
        assertThat(splits.get(0).description()).startsWith(db.name() + ".items id in (-inf, ");
        assertThat(splits).extracting(SourceSplit::id).doesNotHaveDuplicates();
        assertSplitsCoverTheFullRead(source, splits);

        SourceSplit split = splits.get(1);
        List<SplitEvent> all = read(source, split, null);
        SplitPosition second = all.stream().filter(e -> e instanceof SplitEvent.Position)
                .map(e -> ((SplitEvent.Position) e).position()).toList().get(1);
        // Through text, as a job record holds positions.
        SplitPosition restored = new SplitPosition(Map.of("after", ((List<?>) second.values().get("after")).stream()
                .map(String::valueOf).toList()));
        List<SourceDocument> rest = docs(read(source, split, restored));
        List<SourceDocument> expected = docs(all).subList(1000, docs(all).size());
        assertThat(rest).extracting(SourceDocument::id).containsExactlyElementsOf(
                expected.stream().map(SourceDocument::id).toList());
    }

    @Test
    void aTextKeyASmallTableAndANonUniqueKeyAreOneSplitEach() {
        db.sql("CREATE TABLE names (id varchar(10) PRIMARY KEY)", "INSERT INTO names VALUES ('a'), ('b')",
                "CREATE TABLE heap (a int, b int)", "INSERT INTO heap VALUES (1, 1), (1, 2)");
        MysqlDataSource source = source(Map.of("key_columns", List.of("heap: a, b")));
        List<SourceSplit> splits = source.planSplits(SyncRules.NONE).block(WAIT);
        assertThat(splits).extracting(SourceSplit::id).containsExactlyInAnyOrder(db.name() + ".names",
                db.name() + ".heap");
        assertSplitsCoverTheFullRead(source, splits);
        SourceSplit heap = splits.stream().filter(s -> s.id().endsWith("heap")).findFirst().orElseThrow();
        List<SplitEvent> events = read(source, heap, null);
        assertThat(events.get(events.size() - 1)).isEqualTo(SplitEvent.at(new SplitPosition(Map.of("after", "end"))));
        assertThat(read(source, heap, new SplitPosition(Map.of("after", "end")))).isEmpty();
    }

    @Test
    void aSplitOfATableNoLongerSyncedIsRefusedByName() {
        db.sql("CREATE TABLE items (id int PRIMARY KEY)");
        MysqlDataSource source = source(Map.of());
        SourceSplit gone = new SourceSplit("old#1", "old", Map.of("table", "db.old"));
        assertThatThrownBy(() -> read(source, gone, null)).isInstanceOf(SourceException.class)
                .hasMessageContaining("split old#1").hasMessageContaining("db.old");
        SourceSplit items = MysqlSplits.whole(new MysqlTarget(db.name() + ".items", "x",
                List.of(new MysqlColumn("id", 1, "int", "int", null, false)), List.of(), java.util.Optional.empty(),
                java.util.Optional.empty(), 0, true, false));
        assertThatThrownBy(() -> read(source, items, new SplitPosition(Map.of("after", 5))))
                .hasMessageContaining("has no key to resume after");
    }

    @Test
    void boundariesAreEvenDistinctAndAboveTheLowest() {
        assertThat(MysqlSplits.boundaries(BigInteger.ZERO, BigInteger.valueOf(99), 4)).containsExactly("25", "50", "75");
        assertThat(MysqlSplits.boundaries(BigInteger.ONE, BigInteger.valueOf(2), 4)).containsExactly("2");
        assertThat(MysqlSplits.boundaries(BigInteger.TEN, BigInteger.TEN, 4)).isEmpty();
        assertThat(MysqlSplits.boundaries(BigInteger.ZERO, new BigInteger("18446744073709551615"), 2))
                .containsExactly("9223372036854775808");
        assertThat(MysqlSplits.boundaries(BigInteger.valueOf(-10), BigInteger.valueOf(9), 2)).containsExactly("0");
        assertThat(MysqlSplits.boundaries(BigInteger.ZERO, BigInteger.TEN, 1)).isEmpty();
    }
}
