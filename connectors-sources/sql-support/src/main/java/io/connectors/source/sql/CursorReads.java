package io.connectors.source.sql;

import io.connectors.spi.ChangeEvent;
import io.connectors.spi.CursorExpiredException;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SourceException;
import io.connectors.spi.SyncCursor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * How a SQL source syncs incrementally by a cursor column ({@code cursor_column}): its cursor is
 * {@code {"column": name, "positions": {table: the largest value read, as text}}}; an incremental sync reads, table by
 * table, the rows whose column passed the saved position, page after page, with a checkpoint after each page. The
 * queries are the source's ({@link ChangeQuery}); the cursor's shape, its checks and the walk are here.
 */
public final class CursorReads {
    static final String COLUMN = "column";
    static final String POSITIONS = "positions";

    private CursorReads() {
    }

    /** One page of changed rows. */
    @FunctionalInterface
    public interface ChangeQuery<R> {
        /**
         * At most {@code limit} rows ordered by the cursor column and then the key: the first page from the saved
         * position ({@code after} null), later pages after the row {@code after} (its cursor value and key).
         */
        Mono<List<R>> rows(R after, int limit);
    }

    /** The cursor that says how far each table was read. */
    public static SyncCursor cursor(String column, Map<String, Object> positions) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put(COLUMN, column);
        values.put(POSITIONS, new LinkedHashMap<>(positions));
        return new SyncCursor(values);
    }

    /**
     * A full sync's cursor: the largest value of {@code column} in each target now ({@code max}; empty for a table
     * without rows), taken before the full sync reads.
     */
    public static <T> Mono<SyncCursor> current(String column, Mono<List<T>> targets, Function<T, String> name,
                                               Function<T, Mono<Optional<String>>> max) {
        return targets.flatMapMany(list -> Flux.fromIterable(list).concatMap(t -> max.apply(t)
                        .defaultIfEmpty(Optional.empty()).map(m -> Map.entry(name.apply(t), m))))
                .collectList()
                .map(entries -> {
                    Map<String, Object> positions = new LinkedHashMap<>();
                    entries.forEach(e -> positions.put(e.getKey(), e.getValue().orElse(null)));
                    return cursor(column, positions);
                });
    }

    /**
     * The rows changed since {@code cursor} in each of {@code targets}, then a checkpoint of the whole cursor. A
     * missing cursor fails (a full sync comes first); a cursor of another column has expired; a target without the
     * column fails, naming it.
     *
     * @param changes the changed rows of one target after its saved position (null: none saved), with a checkpoint of
     *                {@code positions} after each page ({@link #pages})
     */
    public static <T> Flux<ChangeEvent> changes(SyncCursor cursor, String column, Mono<List<T>> targets,
                                                Function<T, String> name, Predicate<T> hasColumn,
                                                Changes<T> changes) {
        return Flux.defer(() -> {
            if (cursor == null) {
                return Flux.error(new SourceException("an incremental sync needs a cursor: run a full sync first", null,
                        false));
            }
            Object savedColumn = cursor.values().get(COLUMN);
            if (!column.equals(savedColumn)) {
                return Flux.error(new CursorExpiredException("the saved cursor follows column '" + savedColumn
                        + "', the configuration now '" + column + "'"));
            }
            Map<String, Object> positions = new LinkedHashMap<>();
            if (cursor.values().get(POSITIONS) instanceof Map<?, ?> saved) {
                saved.forEach((k, v) -> positions.put(String.valueOf(k), v == null ? null : String.valueOf(v)));
            }
            return targets.flatMapMany(list -> {
                for (T t : list) {
                    if (!hasColumn.test(t)) {
                        return Flux.error(new SourceException(name.apply(t) + " has no column '" + column
                                + "' (cursor_column): it cannot be synced incrementally", null, false));
                    }
                }
                return Flux.fromIterable(list)
                        .concatMap(t -> changes.of(t, (String) positions.get(name.apply(t)), positions), 0)
                        .concatWith(Mono.fromCallable(() -> new ChangeEvent.Checkpoint(cursor(column, positions))));
            });
        });
    }

    /** The changed rows of one target. */
    @FunctionalInterface
    public interface Changes<T> {
        Flux<ChangeEvent> of(T target, String from, Map<String, Object> positions);
    }

    /**
     * The changed rows of {@code table}, page after page, each an upsert of its document, each page followed by a
     * checkpoint that records its last cursor value in {@code positions}.
     */
    public static <R> Flux<ChangeEvent> pages(String table, String column, ChangeQuery<R> query,
                                              Function<R, String> cursorValue, Function<R, SourceDocument> document,
                                              Map<String, Object> positions, int fetchSize) {
        return pagesAfter(table, column, query, cursorValue, document, positions, fetchSize, null);
    }

    private static <R> Flux<ChangeEvent> pagesAfter(String table, String column, ChangeQuery<R> query,
                                                    Function<R, String> cursorValue,
                                                    Function<R, SourceDocument> document,
                                                    Map<String, Object> positions, int fetchSize, R after) {
        return query.rows(after, fetchSize).flatMapMany(rows -> {
            if (rows.isEmpty()) {
                return Flux.empty();
            }
            R last = rows.get(rows.size() - 1);
            Flux<ChangeEvent> events = Flux.<ChangeEvent>fromIterable(rows.stream()
                            .map(row -> (ChangeEvent) new ChangeEvent.Upsert(document.apply(row))).toList())
                    .concatWith(Mono.fromCallable(() -> {
                        positions.put(table, cursorValue.apply(last));
                        return new ChangeEvent.Checkpoint(cursor(column, positions));
                    }));
            return rows.size() < fetchSize ? events : events.concatWith(Flux.defer(() ->
                    pagesAfter(table, column, query, cursorValue, document, positions, fetchSize, last)));
        });
    }

    /** Incremental syncs need a cursor column: the error that says so. */
    public static SourceException noCursorColumn(String connectorId) {
        return new SourceException("incremental syncs of connector " + connectorId + " need `cursor_column`: the column"
                + " (such as updated_at) that tells which rows changed", null, false);
    }

    /** A real-time connector's incremental sync: the error that says why none runs. */
    public static SourceException realtimeOnly(String connectorId) {
        return new SourceException("connector " + connectorId + " runs in real time: its real-time job applies every"
                + " change, so incremental syncs are not run for it; schedule full syncs only (or none)", null, false);
    }
}
