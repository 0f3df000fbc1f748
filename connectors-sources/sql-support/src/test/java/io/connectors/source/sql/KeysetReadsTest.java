package io.connectors.source.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connectors.spi.SourceDocument;
import io.connectors.spi.SourceException;
import io.connectors.spi.SourceSplit;
import io.connectors.spi.SplitEvent;
import io.connectors.spi.SplitPosition;
import io.r2dbc.h2.H2ConnectionFactory;
import io.r2dbc.h2.H2ConnectionOption;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Keyset pages and splits over a real table of an in-process H2 database. */
class KeysetReadsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int ROWS = 25;

    private ConnectionFactory h2;
    private Connection connection;
    private final AtomicInteger queries = new AtomicInteger();

    /** A row: its id (the key of {@code items}) and its group ({@code g}, the key of the checked reads). */
    record Item(String id, String g) {
    }

    @BeforeEach
    void table() {
        h2 = H2ConnectionFactory.inMemory("keyset-" + UUID.randomUUID(), "sa", "",
                Map.of(H2ConnectionOption.DB_CLOSE_DELAY, "-1"));
        connection = Mono.from(h2.create()).block(TIMEOUT);
        run("CREATE TABLE items (id INT PRIMARY KEY, g INT)");
        for (int i = 1; i <= ROWS; i++) {
            run("INSERT INTO items VALUES (" + i + ", " + (100 + i) + ")");
        }
    }

    @AfterEach
    void close() {
        Mono.from(connection.close()).block(TIMEOUT);
    }

    private void run(String sql) {
        Flux.from(connection.createStatement(sql).execute()).flatMap(r -> r.getRowsUpdated()).blockLast(TIMEOUT);
    }

    private Mono<List<Item>> select(String sql, List<Object> values) {
        queries.incrementAndGet();
        Statement statement = connection.createStatement(sql);
        for (int i = 0; i < values.size(); i++) {
            statement.bind(i, values.get(i));
        }
        return Flux.from(statement.execute())
                .flatMap(r -> r.map((row, meta) -> new Item(String.valueOf(row.get("id")), String.valueOf(row.get("g")))))
                .collectList();
    }

    private static KeysetReads.Table<Item> byId(boolean unique) {
        return new KeysetReads.Table<>("items", List.of("id"), unique, item -> List.of(item.id()),
                item -> SourceDocument.builder("items:" + item.id()).build());
    }

    private static KeysetReads.Table<Item> byGroup() {
        return new KeysetReads.Table<>("items", List.of("g"), false, item -> List.of(item.g()),
                item -> SourceDocument.builder("items:" + item.g() + ":" + item.id()).build());
    }

    /** Pages on {@code column}: after a key, or from it on when overlapping. */
    private KeysetReads.PageQuery<Item> pages(String column) {
        return (after, overlapping, limit) -> after == null
                ? select("SELECT id, g FROM items ORDER BY " + column + " LIMIT " + limit, List.of())
                : select("SELECT id, g FROM items WHERE " + column + (overlapping ? " >= " : " > ") + "? ORDER BY "
                        + column + " LIMIT " + limit, List.of(Integer.valueOf(after.get(0))));
    }

    private KeysetReads.RangeQuery<Item> ranges() {
        return (lower, upper, after, limit) -> {
            List<String> where = new ArrayList<>();
            List<Object> values = new ArrayList<>();
            if (lower != null) {
                where.add("id >= ?");
                values.add(Integer.valueOf(lower));
            }
            if (upper != null) {
                where.add("id < ?");
                values.add(Integer.valueOf(upper));
            }
            if (after != null) {
                where.add("id > ?");
                values.add(Integer.valueOf(after.get(0)));
            }
            return select("SELECT id, g FROM items" + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                    + " ORDER BY id LIMIT " + limit, values);
        };
    }

    private static List<String> ids(List<SourceDocument> docs) {
        return docs.stream().map(SourceDocument::id).toList();
    }

    private static List<String> expected(int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            out.add("items:" + i);
        }
        return out;
    }

    @Test
    void aUniqueKeyIsReadInPagesAfterTheLastKeyEveryRowOnce() {
        List<SourceDocument> docs = KeysetReads.pages(byId(true), pages("id"), 7).collectList().block(TIMEOUT);
        assertThat(ids(docs)).containsExactlyElementsOf(expected(1, ROWS));
        assertThat(queries.get()).isEqualTo(4); // 7 + 7 + 7 + 4

        queries.set(0);
        assertThat(KeysetReads.pages(byId(true), pages("id"), 5).collectList().block(TIMEOUT)).hasSize(ROWS);
        assertThat(queries.get()).as("a last full page is followed by an empty one").isEqualTo(6);
    }

    @Test
    void aKeyNotKnownToBeUniqueIsCheckedAsItIsReadAndStillReadOnce() {
        List<SourceDocument> docs = KeysetReads.pages(byId(false), pages("id"), 4).collectList().block(TIMEOUT);
        assertThat(ids(docs)).containsExactlyElementsOf(expected(1, ROWS));
    }

    @Test
    void twoRowsWithOneKeyFailTheReadNamingTheKey() {
        run("UPDATE items SET g = 110 WHERE id = 11");
        assertThatThrownBy(() -> KeysetReads.pages(byGroup(), pages("g"), 4).collectList().block(TIMEOUT))
                .isInstanceOf(SourceException.class)
                .hasMessageContaining("table items has more than one row with the key '110' in its key columns [g]");

        // Across a page boundary too: the second page starts at the first page's last key.
        run("UPDATE items SET g = 111 WHERE id = 11");
        run("UPDATE items SET g = 104 WHERE id = 5");
        assertThatThrownBy(() -> KeysetReads.pages(byGroup(), pages("g"), 4).collectList().block(TIMEOUT))
                .hasMessageContaining("more than one row with the key '104'");
    }

    @Test
    void longKeysAreShortenedInMessages() {
        assertThat(KeysetReads.sample(List.of("x".repeat(50)))).isEqualTo("'" + "x".repeat(40) + "...'");
        assertThat(KeysetReads.sample(java.util.Arrays.asList("a", null))).isEqualTo("[a, null]");
    }

    @Test
    void rangesCoverTheKeyFromEndToEnd() {
        List<SourceSplit> splits = KeysetReads.ranges("items", "id", List.of("10", "20"));
        assertThat(splits).extracting(SourceSplit::id).containsExactly("items#0", "items#1", "items#2");
        assertThat(splits).extracting(SourceSplit::description)
                .containsExactly("items id in (-inf, 10)", "items id in [10, 20)", "items id in [20, +inf)");
        assertThat(splits.get(1).values()).containsEntry(KeysetReads.TABLE, "items")
                .containsEntry(KeysetReads.FROM, "10").containsEntry(KeysetReads.TO, "20");
        assertThat(KeysetReads.ranges("items", "id", List.of())).containsExactly(KeysetReads.whole("items"));
        assertThat(KeysetReads.whole("items").values()).isEqualTo(Map.of(KeysetReads.TABLE, "items"));
    }

    @Test
    void theSplitsTogetherAreTheWholeTableWithAPositionAfterEachPage() {
        List<String> all = new ArrayList<>();
        for (SourceSplit split : KeysetReads.ranges("items", "id", List.of("10", "20"))) {
            List<SplitEvent> events = KeysetReads.split(split, null, byId(true), pages("id"), ranges(), 4)
                    .collectList().block(TIMEOUT);
            SplitEvent lastEvent = events.get(events.size() - 1);
            assertThat(lastEvent).isInstanceOf(SplitEvent.Position.class);
            events.stream().filter(e -> e instanceof SplitEvent.Document)
                    .forEach(e -> all.add(((SplitEvent.Document) e).document().id()));
        }
        assertThat(all).containsExactlyElementsOf(expected(1, ROWS));
    }

    @Test
    void aSplitResumesAfterTheKeyOfItsPosition() {
        SourceSplit middle = KeysetReads.ranges("items", "id", List.of("10", "20")).get(1);
        List<SplitEvent> events = KeysetReads.split(middle, new SplitPosition(Map.of(KeysetReads.AFTER, List.of("13"))),
                byId(true), pages("id"), ranges(), 4).collectList().block(TIMEOUT);
        assertThat(events.stream().filter(e -> e instanceof SplitEvent.Document)
                .map(e -> ((SplitEvent.Document) e).document().id())).containsExactlyElementsOf(expected(14, 19));
        assertThat(events).contains(SplitEvent.at(new SplitPosition(Map.of(KeysetReads.AFTER, List.of("17")))));

        assertThat(KeysetReads.split(middle, new SplitPosition(Map.of(KeysetReads.AFTER, KeysetReads.END)), byId(true),
                pages("id"), ranges(), 4).collectList().block(TIMEOUT)).isEmpty();
        assertThatThrownBy(() -> KeysetReads.split(middle, new SplitPosition(Map.of("elsewhere", 1)), byId(true),
                pages("id"), ranges(), 4).collectList().block(TIMEOUT))
                .isInstanceOf(SourceException.class)
                .hasMessageContaining("of split items#1 has no key to resume after");
    }

    @Test
    void aKeyNotKnownToBeUniqueIsOneSplitWhosePositionIsItsEnd() {
        List<SplitEvent> events = KeysetReads.split(KeysetReads.whole("items"), null, byId(false), pages("id"),
                ranges(), 4).collectList().block(TIMEOUT);
        assertThat(events).hasSize(ROWS + 1);
        assertThat(events.get(ROWS)).isEqualTo(SplitEvent.at(new SplitPosition(Map.of(KeysetReads.AFTER,
                KeysetReads.END))));
    }

    @Test
    void aSplitOfATableNoLongerReadFailsNamingIt() {
        List<String> tables = List.of("orders");
        SourceSplit split = KeysetReads.whole("items");
        assertThat(KeysetReads.table(KeysetReads.whole("orders"), tables, t -> t)).isEqualTo("orders");
        assertThatThrownBy(() -> KeysetReads.table(split, tables, t -> t))
                .isInstanceOf(SourceException.class)
                .hasMessage("split items reads 'items', which this connector's tables or rules no longer include");
    }

    /** A listed row, as a source's deferred document carries it. */
    record Listed(String table, String id) {
    }

    @Test
    void deferredDocumentsAreReadTableByTableInBatchesEachOnce() {
        List<SourceDocument> deferred = new ArrayList<>();
        for (int i = 1; i <= 7; i++) {
            deferred.add(SourceDocument.deferred("items:" + i, "v", new Listed("items", String.valueOf(i))));
        }
        deferred.add(SourceDocument.deferred("items:99", "v", new Listed("items", "99")));
        List<Integer> batches = new ArrayList<>();
        List<SourceDocument> docs = KeysetReads.fetch(deferred, Listed.class, Listed::table, 3, (table, listed) -> {
            batches.add(listed.size());
            String ids = String.join(", ", listed.stream().map(Listed::id).toList());
            // Every row of the batch's keys, twice: a key that matches more than once is emitted once.
            return KeysetReads.asked(listed.stream().map(l -> table + ":" + l.id()).toList(),
                    select("SELECT id, g FROM items WHERE id IN (" + ids + ") UNION ALL SELECT id, g FROM items WHERE id"
                            + " IN (" + ids + ")", List.of()).flatMapIterable(rows -> rows)
                            .map(item -> SourceDocument.builder(table + ":" + item.id()).build()));
        }, "the test source").collectList().block(TIMEOUT);
        assertThat(ids(docs)).containsExactlyInAnyOrderElementsOf(expected(1, 7));
        assertThat(batches).containsExactly(3, 3, 2);

        List<SourceDocument> foreign = List.of(SourceDocument.deferred("x", "v", "not listed here"));
        assertThatThrownBy(() -> KeysetReads.fetch(foreign, Listed.class, Listed::table, 3,
                (table, listed) -> Flux.<SourceDocument>empty(), "the test source").blockLast(TIMEOUT))
                .isInstanceOf(SourceException.class)
                .hasMessage("document 'x' was not listed by the test source");
    }
}
