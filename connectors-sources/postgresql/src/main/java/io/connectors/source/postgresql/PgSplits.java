package io.connectors.source.postgresql;

import io.connectors.spi.SourceSplit;
import io.r2dbc.spi.Connection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * How a full read of PostgreSQL is divided: each table into ranges of its first key column, bounded by values from the
 * planner's statistics ({@code pg_stats.histogram_bounds}) or, for a table never analyzed, from a sample of about 1% of
 * its pages and at least 128 ({@code TABLESAMPLE SYSTEM}); never a scan of the table. Ranges are half-open, {@code [from, to)}; the
 * first has no lower bound and the last no upper one, so rows added after planning are covered.
 *
 * <p>A table is one split when it is small (at most {@code split_rows} estimated rows), when its key is not known to be
 * unique (a page boundary then cannot be a resume position), and the queries of advanced rules are one split each.
 */
final class PgSplits {
    static final String TABLE = "table";
    static final String FROM = "from";
    static final String TO = "to";
    static final String AFTER = "after";
    /** Splits of one table at most: each costs a query plan and a position in the job record. */
    static final int MAX_SPLITS = 512;
    private static final double SAMPLE_PERCENT = 1.0;
    /** The fewest pages a sample reads: enough that the rows it finds estimate the table within about 10%. */
    static final long SAMPLE_MIN_PAGES = 128;

    private PgSplits() {
    }

    /** The splits of one target. */
    static Mono<List<SourceSplit>> plan(Connection c, PgTarget target, int splitRows) {
        if (target.relation().isEmpty() || !target.uniqueKey()
                || target.estimatedRows() >= 0 && target.estimatedRows() <= splitRows) {
            return Mono.just(List.of(whole(target)));
        }
        return histogram(c, target)
                .flatMap(bounds -> bounds.isEmpty() ? sample(c, target) : Mono.just(new Sample(bounds, -1)))
                .map(sample -> {
                    long estimate = target.estimatedRows() >= 0 ? target.estimatedRows() : sample.estimate();
                    int wanted = (int) Math.min(MAX_SPLITS, Math.max(1, (estimate + splitRows - 1) / splitRows));
                    return ranges(target, boundaries(sample.values(), wanted));
                });
    }

    /** The split that reads a whole target. */
    static SourceSplit whole(PgTarget target) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put(TABLE, target.name());
        return new SourceSplit(target.name(), target.name() + " (all rows)", values);
    }

    /** Splits for the ranges between {@code boundaries} (sorted, distinct). */
    static List<SourceSplit> ranges(PgTarget target, List<String> boundaries) {
        if (boundaries.isEmpty()) {
            return List.of(whole(target));
        }
        String column = target.key().get(0);
        List<SourceSplit> out = new ArrayList<>(boundaries.size() + 1);
        for (int i = 0; i <= boundaries.size(); i++) {
            String from = i == 0 ? null : boundaries.get(i - 1);
            String to = i == boundaries.size() ? null : boundaries.get(i);
            Map<String, Object> values = new LinkedHashMap<>();
            values.put(TABLE, target.name());
            values.put(FROM, from);
            values.put(TO, to);
            String range = (from == null ? "(-inf" : "[" + from) + ", " + (to == null ? "+inf)" : to + ")");
            out.add(new SourceSplit(target.name() + "#" + i, target.name() + " " + column + " in " + range, values));
        }
        return out;
    }

    /** {@code wanted - 1} values spread evenly over the sorted {@code values}, distinct and in order. */
    static List<String> boundaries(List<String> values, int wanted) {
        List<String> out = new ArrayList<>();
        if (values.isEmpty() || wanted <= 1) {
            return out;
        }
        for (int i = 1; i < wanted; i++) {
            int at = (int) ((long) i * values.size() / wanted);
            String v = values.get(Math.min(at, values.size() - 1));
            if (out.isEmpty() || !out.get(out.size() - 1).equals(v)) {
                out.add(v);
            }
        }
        return out;
    }

    /** Sorted key values, and the row estimate they imply (-1 when they do not imply one). */
    private record Sample(List<String> values, long estimate) {
    }

    /** The planner's histogram of the first key column, sorted by the column's type; empty when never analyzed. */
    private static Mono<List<String>> histogram(Connection c, PgTarget target) {
        String type = target.keyTypes().get(0);
        String sql = "SELECT u.b::text AS b FROM pg_stats s, unnest(s.histogram_bounds::text::" + type + "[]) AS u(b)"
                + " WHERE format('%I.%I', s.schemaname, s.tablename)::regclass = $1::regclass AND s.attname = $2"
                + " ORDER BY u.b";
        return Flux.from(c.createStatement(sql).bind("$1", target.relation().orElseThrow())
                        .bind("$2", target.key().get(0)).execute())
                .flatMap(r -> r.map((row, meta) -> row.get("b", String.class)))
                .collectList();
    }

    /**
     * Key values of a page sample, sorted, and the rows they imply. The sample is 1% of the table's pages, but never
     * fewer than {@link #SAMPLE_MIN_PAGES} pages (all of a smaller table): a 1% sample of a table of a few hundred pages
     * is a handful of pages, whose row count says little about the table's.
     */
    private static Mono<Sample> sample(Connection c, PgTarget target) {
        String pages = "SELECT greatest(1, pg_relation_size($1::regclass) / current_setting('block_size')::bigint) AS p";
        return Mono.from(c.createStatement(pages).bind("$1", target.relation().orElseThrow()).execute())
                .flatMap(r -> Mono.from(r.map((row, meta) -> row.get("p", Long.class))))
                .flatMap(p -> sample(c, target, samplePercent(p)));
    }

    /** The percentage of {@code pages} pages that samples 1% of them, and at least {@link #SAMPLE_MIN_PAGES}. */
    static double samplePercent(long pages) {
        return Math.min(100.0, Math.max(SAMPLE_PERCENT, 100.0 * SAMPLE_MIN_PAGES / Math.max(1, pages)));
    }

    private static Mono<Sample> sample(Connection c, PgTarget target, double percent) {
        String column = PgTarget.ident(target.key().get(0));
        String sql = "SELECT s.k::text AS k FROM (SELECT " + column + " AS k FROM " + target.relation().orElseThrow()
                + " TABLESAMPLE SYSTEM (" + String.format(Locale.ROOT, "%.4f", percent) + ") WHERE " + column
                + " IS NOT NULL) s ORDER BY s.k";
        return Flux.from(c.createStatement(sql).execute())
                .flatMap(r -> r.map((row, meta) -> row.get("k", String.class)))
                .collectList()
                .map(values -> new Sample(values, (long) (values.size() * 100 / percent)));
    }
}
