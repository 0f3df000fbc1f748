package io.connectors.source.sql;

import io.connectors.spi.SourceDocument;
import io.connectors.spi.SourceException;
import io.connectors.spi.SourceSplit;
import io.connectors.spi.SplitEvent;
import io.connectors.spi.SplitPosition;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * How a SQL source reads a table by its key: in pages ordered by the key, each starting after the last key read
 * (keyset pagination: never OFFSET), and in splits, ranges of the key's first column read in parallel and resumed from
 * the position {@code {"after": [key values]}} saved after each page; and how it reads the rows of deferred documents
 * by key. What a page's query is, is the source's
 * ({@link PageQuery}, {@link RangeQuery}); the walk from page to page, the check of keys not known to be unique and the
 * splits' shape and positions are here.
 *
 * <p>Key values travel as text, as the sources list them.
 */
public final class KeysetReads {
    /** A split's table, the lower bound of its range (inclusive, absent for the first), the upper (exclusive). */
    public static final String TABLE = "table";
    public static final String FROM = "from";
    public static final String TO = "to";
    /** A split position: the key read last, or {@link #END}. */
    public static final String AFTER = "after";
    public static final String END = "end";

    private KeysetReads() {
    }

    /**
     * A table (or a rule's query) as the walk sees it.
     *
     * @param name       its name in messages and splits
     * @param keyColumns its key's columns, in messages
     * @param uniqueKey  whether the key is known to be unique (a primary key or a unique index); otherwise each page is
     *                   checked ({@link #pages})
     * @param key        a row's key values, as text
     * @param document   a row's document
     * @param <R>        the source's row
     */
    public record Table<R>(String name, List<String> keyColumns, boolean uniqueKey, Function<R, List<String>> key,
                           Function<R, SourceDocument> document) {
        public Table {
            keyColumns = List.copyOf(keyColumns);
        }
    }

    /** One page of a full read. */
    @FunctionalInterface
    public interface PageQuery<R> {
        /**
         * At most {@code limit} rows ordered by the key: after the key {@code after} ({@code null}: from the first), or
         * from it on when {@code overlapping} (the rows sharing the last key of a page whose key is not known to be
         * unique are all read again).
         */
        Mono<List<R>> rows(List<String> after, boolean overlapping, int limit);
    }

    /** One page of a split's range. */
    @FunctionalInterface
    public interface RangeQuery<R> {
        /**
         * At most {@code limit} rows ordered by the key, whose first key column lies in [{@code lower}, {@code upper})
         * ({@code null} bounds are open), after the key {@code after} ({@code null}: from the first).
         */
        Mono<List<R>> rows(String lower, String upper, List<String> after, int limit);
    }

    /**
     * Every row of {@code table}, page after page. A key that is not known to be unique is checked as it is read: each
     * page after the first starts at its last key ({@code >=}), so the rows that share it are all in one page, the
     * rows already emitted are left out, and two rows with one key fail the read instead of becoming one document.
     */
    public static <R> Flux<SourceDocument> pages(Table<R> table, PageQuery<R> query, int fetchSize) {
        return pagesAfter(table, query, fetchSize, null, Set.of());
    }

    private static <R> Flux<SourceDocument> pagesAfter(Table<R> table, PageQuery<R> query, int fetchSize,
                                                       List<String> after, Set<List<String>> previous) {
        boolean checked = !table.uniqueKey();
        // A checked page after the first also holds the row(s) of the last key again: one more row keeps pages moving.
        int limit = fetchSize + (checked && after != null ? 1 : 0);
        return query.rows(after, checked, limit).flatMapMany(rows -> {
            List<R> fresh = checked ? unseen(table, rows, previous) : rows;
            Flux<SourceDocument> docs = Flux.fromIterable(fresh).map(table.document());
            if (rows.size() < limit) {
                return docs;
            }
            // A full checked page ending at the key it started from holds that key twice: unseen refused it above.
            List<String> last = table.key().apply(rows.get(rows.size() - 1));
            Set<List<String>> keys = checked ? rows.stream().map(table.key()).collect(Collectors.toSet()) : Set.of();
            return docs.concatWith(Flux.defer(() -> pagesAfter(table, query, fetchSize, last, keys)));
        });
    }

    /** The rows of a page not emitted by the page before; a key twice in the page fails the read, naming it. */
    static <R> List<R> unseen(Table<R> table, List<R> rows, Set<List<String>> previous) {
        Set<List<String>> inPage = new HashSet<>();
        List<R> fresh = new ArrayList<>(rows.size());
        for (R row : rows) {
            List<String> key = table.key().apply(row);
            if (!inPage.add(key)) {
                throw new SourceException("table " + table.name() + " has more than one row with the key "
                        + sample(key) + " in its key columns " + table.keyColumns() + ": they would become one"
                        + " document. Name columns whose values are unique in `key_columns` (or add a primary key);"
                        + " the table is not synced until then", null, false);
            }
            if (!previous.contains(key)) {
                fresh.add(row);
            }
        }
        return fresh;
    }

    /** Key values for a message: short (values are data, not secrets, but may be long). */
    public static String sample(List<String> key) {
        List<String> shown = key.stream().map(v -> v == null ? "null" : v.length() > 40 ? v.substring(0, 40) + "..." : v)
                .toList();
        return shown.size() == 1 ? "'" + shown.get(0) + "'" : shown.toString();
    }

    // ---------------------------------------------------------------------------------------- deferred documents

    /**
     * The documents of {@code deferred} (listed by this source, their state a {@code listed} of type {@code L}), read
     * table by table in batches of at most {@code batch} keys, one batch after the other. {@code rows} reads one batch;
     * a row deleted since it was listed is not found, so not emitted. A document this source did not list fails the
     * read, naming it.
     *
     * @param source what listed them, in that message ("the MySQL source of connector c1")
     */
    public static <T, L> Flux<SourceDocument> fetch(List<SourceDocument> deferred, Class<L> listed,
                                                    Function<L, T> table, int batch,
                                                    java.util.function.BiFunction<T, List<L>, Flux<SourceDocument>> rows,
                                                    String source) {
        return Flux.defer(() -> {
            Map<T, List<L>> byTable = new LinkedHashMap<>();
            for (SourceDocument doc : deferred) {
                if (!listed.isInstance(doc.state())) {
                    return Flux.error(new SourceException("document '" + doc.id() + "' was not listed by " + source,
                            null, false));
                }
                L l = listed.cast(doc.state());
                byTable.computeIfAbsent(table.apply(l), t -> new ArrayList<>()).add(l);
            }
            return Flux.fromIterable(byTable.entrySet())
                    .concatMap(e -> Flux.fromIterable(chunks(e.getValue(), batch))
                            .concatMap(chunk -> rows.apply(e.getKey(), chunk), 0), 0);
        });
    }

    /**
     * The documents of {@code found} whose ids were {@code asked}, each once: a key may match more than once (key
     * columns that are not unique), and a key whose text compares equal to another's (a collation, a cast) may match
     * that row too.
     */
    public static Flux<SourceDocument> asked(java.util.Collection<String> asked, Flux<SourceDocument> found) {
        return Flux.defer(() -> {
            Set<String> open = new HashSet<>(asked);
            return found.filter(doc -> open.remove(doc.id()));
        });
    }

    static <T> List<List<T>> chunks(List<T> list, int size) {
        List<List<T>> out = new ArrayList<>();
        for (int from = 0; from < list.size(); from += size) {
            out.add(list.subList(from, Math.min(list.size(), from + size)));
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------ splits

    /** The split that reads a whole table. */
    public static SourceSplit whole(String table) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put(TABLE, table);
        return new SourceSplit(table, table + " (all rows)", values);
    }

    /**
     * Splits for the ranges of {@code column} (the key's first) between {@code boundaries} (ascending, distinct): the
     * first from the smallest value, the last to the largest; one split of the whole table when there are none.
     */
    public static List<SourceSplit> ranges(String table, String column, List<String> boundaries) {
        if (boundaries.isEmpty()) {
            return List.of(whole(table));
        }
        List<SourceSplit> out = new ArrayList<>(boundaries.size() + 1);
        for (int i = 0; i <= boundaries.size(); i++) {
            String from = i == 0 ? null : boundaries.get(i - 1);
            String to = i == boundaries.size() ? null : boundaries.get(i);
            Map<String, Object> values = new LinkedHashMap<>();
            values.put(TABLE, table);
            values.put(FROM, from);
            values.put(TO, to);
            String range = (from == null ? "(-inf" : "[" + from) + ", " + (to == null ? "+inf)" : to + ")");
            out.add(new SourceSplit(table + "#" + i, table + " " + column + " in " + range, values));
        }
        return out;
    }

    /** The table a split reads, by name among {@code tables}; a split of a table no longer read fails, naming it. */
    public static <T> T table(SourceSplit split, List<T> tables, Function<T, String> name) {
        Object table = split.values().get(TABLE);
        return tables.stream().filter(t -> name.apply(t).equals(table)).findFirst()
                .orElseThrow(() -> new SourceException("split " + split.id() + " reads '" + table + "', which this"
                        + " connector's tables or rules no longer include", null, false));
    }

    /**
     * A split's rows page after page from {@code from} (null: its start), with a position after each page. A table
     * whose key is not known to be unique is one split that emits no position before its end (its pages overlap on
     * their last key, which a position could not express): it is read whole by {@code whole}.
     */
    public static <R> Flux<SplitEvent> split(SourceSplit split, SplitPosition from, Table<R> table, PageQuery<R> whole,
                                             RangeQuery<R> range, int fetchSize) {
        if (from != null && END.equals(from.values().get(AFTER))) {
            return Flux.empty();
        }
        if (!table.uniqueKey()) {
            return pages(table, whole, fetchSize).map(SplitEvent::of)
                    .concatWith(Mono.just(SplitEvent.at(new SplitPosition(Map.of(AFTER, END)))));
        }
        Object lower = split.values().get(FROM);
        Object upper = split.values().get(TO);
        return rangePages(table, range, fetchSize, lower == null ? null : lower.toString(),
                upper == null ? null : upper.toString(), from == null ? null : afterKey(split, from));
    }

    private static <R> Flux<SplitEvent> rangePages(Table<R> table, RangeQuery<R> range, int fetchSize, String lower,
                                                   String upper, List<String> after) {
        return range.rows(lower, upper, after, fetchSize).flatMapMany(rows -> {
            if (rows.isEmpty()) {
                return Flux.empty();
            }
            List<String> last = table.key().apply(rows.get(rows.size() - 1));
            Flux<SplitEvent> events = Flux.fromIterable(rows).map(row -> SplitEvent.of(table.document().apply(row)))
                    .concatWith(Mono.just(SplitEvent.at(new SplitPosition(Map.of(AFTER, last)))));
            return rows.size() < fetchSize ? events
                    : events.concatWith(Flux.defer(() -> rangePages(table, range, fetchSize, lower, upper, last)));
        });
    }

    /** The key a saved position resumes after; a position without one fails, naming the split. */
    static List<String> afterKey(SourceSplit split, SplitPosition from) {
        if (from.values().get(AFTER) instanceof List<?> l) {
            return l.stream().map(v -> v == null ? null : v.toString()).toList();
        }
        throw new SourceException("position " + from.values() + " of split " + split.id() + " has no key to resume"
                + " after", null, false);
    }
}
