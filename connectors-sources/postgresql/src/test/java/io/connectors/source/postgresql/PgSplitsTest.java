package io.connectors.source.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.connectors.spi.SourceContext;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SourceException;
import io.connectors.spi.SourceSplit;
import io.connectors.spi.SplitEvent;
import io.connectors.spi.SplitPosition;
import io.connectors.spi.config.SourceConfig;
import io.connectors.spi.rules.SyncRules;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Splits against a real server: planned from the planner's histogram after {@code ANALYZE}, from a sample before;
 * their union is exactly the full read; a split read from a position yields exactly the rest; a split comes back from
 * its JSON form; a row added after planning beyond the last bound is read by the last split.
 */
class PgSplitsTest {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private PgBackend db;
    private final List<PgDataSource> sources = new ArrayList<>();

    @BeforeEach
    void database() {
        db = PgBackend.create("splits");
    }

    @AfterEach
    void drop() {
        sources.forEach(s -> s.close().block(WAIT));
        db.close();
    }

    private PgDataSource source(Map<String, Object> overrides) {
        Map<String, Object> raw = new LinkedHashMap<>(db.connectorConfiguration());
        raw.put("split_rows", 2000);
        raw.put("fetch_size", 300);
        raw.putAll(overrides);
        PgDataSource source = (PgDataSource) new PgDataSourceProvider().create(
                SourceConfig.from(PgConfig.FIELDS, raw), new SourceContext("pg-splits"));
        sources.add(source);
        return source;
    }

    private static Map<String, String> versions(List<SourceDocument> docs) {
        return docs.stream().collect(Collectors.toMap(SourceDocument::id, d -> d.version().orElse(""), (a, b) -> {
            throw new AssertionError("an id twice");
        }, TreeMap::new));
    }

    private static List<SplitEvent> read(PgDataSource source, SourceSplit split, SplitPosition from) {
        return source.readSplit(split, from, SyncRules.NONE).collectList().block(WAIT);
    }

    private static List<SourceDocument> docs(List<SplitEvent> events) {
        return events.stream().filter(e -> e instanceof SplitEvent.Document).map(e -> ((SplitEvent.Document) e).document())
                .toList();
    }

    private void assertSplitsCoverTheFullRead(PgDataSource source, List<SourceSplit> splits) {
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
    void aTableNeverAnalyzedIsSplitFromASampleAndTheSplitsAreExactlyTheFullRead() {
        db.sql("CREATE TABLE items (id bigint PRIMARY KEY, v text) WITH (autovacuum_enabled = false)",
                "INSERT INTO items SELECT i, repeat('x', 200) FROM generate_series(1, 20000) i");
        PgDataSource source = source(Map.of());
        List<SourceSplit> splits = source.planSplits(SyncRules.NONE).block(WAIT);
        assertThat(splits.size()).as("about 20000 / 2000 from a 1%% sample").isBetween(4, 40);
        assertThat(splits).extracting(SourceSplit::id).doesNotHaveDuplicates();
        assertSplitsCoverTheFullRead(source, splits);
    }

    @Test
    void anAnalyzedTableIsSplitFromItsHistogramAndAResumedSplitYieldsExactlyTheRest() throws Exception {
        db.sql("CREATE TABLE items (id int PRIMARY KEY, v text)",
                "INSERT INTO items SELECT i * 3, 'v' || i FROM generate_series(1, 12000) i", "ANALYZE items");
        PgDataSource source = source(Map.of());
        List<SourceSplit> splits = source.planSplits(SyncRules.NONE).block(WAIT);
        assertThat(splits).hasSize(6);
        assertThat(splits.get(0).description()).startsWith("public.items" + " id in (-inf, ");
        assertSplitsCoverTheFullRead(source, splits);

        // Through JSON, as a job record holds them, then resumed from the second position the first read emitted.
        SourceSplit split = splits.get(2);
        List<SplitEvent> first = read(source, split, null);
        int at = -1;
        int positions = 0;
        for (int i = 0; i < first.size(); i++) {
            if (first.get(i) instanceof SplitEvent.Position && ++positions == 2) {
                at = i;
                break;
            }
        }
        assertThat(at).as("a split of 2000 rows in pages of 300 has positions").isPositive();
        SplitPosition position = ((SplitEvent.Position) first.get(at)).position();
        @SuppressWarnings("unchecked")
        Map<String, Object> splitValues = JSON.readValue(JSON.writeValueAsString(split.values()), Map.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> positionValues = JSON.readValue(JSON.writeValueAsString(position.values()), Map.class);
        PgDataSource other = source(Map.of());
        List<SourceDocument> rest = docs(read(other, new SourceSplit(split.id(), split.description(), splitValues),
                new SplitPosition(positionValues)));
        assertThat(versions(rest)).isEqualTo(versions(docs(first.subList(at + 1, first.size()))));
        assertThat(rest).hasSize(docs(first).size() - 600);

        SplitPosition last = ((SplitEvent.Position) first.get(first.size() - 1)).position();
        assertThat(read(other, split, last)).as("nothing after the last position").isEmpty();
    }

    @Test
    void aRowAddedAfterPlanningBeyondTheLastBoundIsReadByTheLastSplit() {
        db.sql("CREATE TABLE items (id int PRIMARY KEY, v text)",
                "INSERT INTO items SELECT i, 'v' FROM generate_series(1, 8000) i", "ANALYZE items");
        PgDataSource source = source(Map.of());
        List<SourceSplit> splits = source.planSplits(SyncRules.NONE).block(WAIT);
        assertThat(splits.size()).isGreaterThan(1);
        db.sql("INSERT INTO items VALUES (1000000, 'late'), (-5, 'early')");
        assertThat(docs(read(source, splits.get(splits.size() - 1), null))).extracting(SourceDocument::id)
                .contains(PgQueries.id("public.items", List.of("1000000")));
        assertThat(docs(read(source, splits.get(0), null))).extracting(SourceDocument::id)
                .contains(PgQueries.id("public.items", List.of("-5")));
    }

    @Test
    void aSmallTableATableWithoutAUniqueKeyAndAQueryAreOneSplitEach() {
        db.sql("CREATE TABLE small (id int PRIMARY KEY)", "INSERT INTO small SELECT generate_series(1, 10)",
                "CREATE TABLE logs (at int, seq int, msg text)",
                "INSERT INTO logs SELECT i, 1, 'm' FROM generate_series(1, 5000) i", "ANALYZE small", "ANALYZE logs");
        PgDataSource source = source(Map.of("key_columns", List.of("logs: at, seq")));
        List<SourceSplit> splits = source.planSplits(SyncRules.NONE).block(WAIT);
        assertThat(splits).extracting(SourceSplit::id).containsExactlyInAnyOrder("public.small", "public.logs");
        assertSplitsCoverTheFullRead(source, splits);
        SourceSplit logs = splits.stream().filter(s -> s.id().equals("public.logs")).findFirst().orElseThrow();
        List<SplitEvent> events = read(source, logs, null);
        assertThat(events.stream().filter(e -> e instanceof SplitEvent.Position)).as("only the end").hasSize(1);
        assertThat(read(source, logs, ((SplitEvent.Position) events.get(events.size() - 1)).position())).isEmpty();
    }

    @Test
    void aSplitOfATableNoLongerSyncedIsRefusedByName() {
        db.sql("CREATE TABLE items (id int PRIMARY KEY)");
        PgDataSource source = source(Map.of());
        SourceSplit gone = new SourceSplit("old#1", "old", Map.of("table", "public.old"));
        assertThatThrownBy(() -> read(source, gone, null)).isInstanceOf(SourceException.class)
                .hasMessageContaining("split old#1").hasMessageContaining("public.old");
    }

    @Test
    void boundariesAreSpreadEvenlyAndDistinct() {
        assertThat(PgSplits.boundaries(List.of("1", "2", "3", "4", "5", "6", "7", "8"), 4)).containsExactly("3", "5", "7");
        assertThat(PgSplits.boundaries(List.of("1", "1", "1", "2"), 4)).containsExactly("1", "2");
        assertThat(PgSplits.boundaries(List.of(), 4)).isEmpty();
        assertThat(PgSplits.boundaries(List.of("1", "2"), 1)).isEmpty();
    }

    @Test
    void aSampleReadsOnePercentOfALargeTableButAtLeast128Pages() {
        assertThat(PgSplits.samplePercent(1)).isEqualTo(100.0);
        assertThat(PgSplits.samplePercent(128)).isEqualTo(100.0);
        assertThat(PgSplits.samplePercent(700)).isCloseTo(100.0 * 128 / 700, within(1e-9));
        assertThat(PgSplits.samplePercent(12_800)).isEqualTo(1.0);
        assertThat(PgSplits.samplePercent(1_000_000)).isEqualTo(1.0);
    }
}
