package io.connectors.source.mysql;

import io.connectors.source.sql.KeysetReads;
import io.connectors.spi.SourceSplit;
import io.r2dbc.spi.Connection;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * The splits of a full sync: ranges of a table's first key column, read in parallel and resumed where they stopped.
 *
 * <p>A table whose key is unique and starts with an integer column, and which the server estimates at more than
 * {@code split_rows} rows ({@code information_schema.TABLES.TABLE_ROWS}), is divided into {@code ceil(rows /
 * split_rows)} ranges (at most {@value #MAX_SPLITS}) of equal width between the column's smallest and largest values:
 * two index dives, never a scan. Auto-increment keys, the common case, fill such ranges evenly; a skewed key makes
 * uneven splits, never wrong ones. Ranges are half-open, {@code [from, to)}; the first has no lower bound and the last
 * no upper one, so rows added after planning are read too. Every other table (a text or composite key starting with a
 * text column, a view, a key not known to be unique, a rule's query) is one split.
 */
final class MysqlSplits {
    /** Splits of one table at most: each costs a position in the job record. */
    static final int MAX_SPLITS = 512;

    private MysqlSplits() {
    }

    /** The splits of one target. */
    static Mono<List<SourceSplit>> plan(Connection c, MysqlTarget target, int splitRows) {
        MysqlColumn first = target.key().get(0);
        boolean integer = first.kind() == MysqlColumn.Kind.INTEGER || first.kind() == MysqlColumn.Kind.UNSIGNED;
        if (!target.listed() || !target.uniqueKey() || !integer || target.estimatedRows() <= splitRows) {
            return Mono.just(List.of(whole(target)));
        }
        String c0 = MysqlTarget.ALIAS + "." + first.quoted();
        String sql = "SELECT CAST(MIN(" + c0 + ") AS CHAR) AS lo, CAST(MAX(" + c0 + ") AS CHAR) AS hi FROM "
                + target.from() + " " + MysqlTarget.ALIAS;
        return MysqlCatalog.rows(c, sql, row -> new String[] {row.get("lo", String.class), row.get("hi", String.class)})
                .next()
                .map(bounds -> {
                    if (bounds[0] == null || bounds[1] == null) {
                        return List.of(whole(target));
                    }
                    int wanted = (int) Math.min(MAX_SPLITS, (target.estimatedRows() + splitRows - 1) / splitRows);
                    return ranges(target, boundaries(new BigInteger(bounds[0]), new BigInteger(bounds[1]), wanted));
                })
                .defaultIfEmpty(List.of(whole(target)));
    }

    /** {@code wanted - 1} values splitting {@code [lo, hi]} into ranges of equal width, distinct, above {@code lo}. */
    static List<String> boundaries(BigInteger lo, BigInteger hi, int wanted) {
        List<String> out = new ArrayList<>();
        BigInteger span = hi.subtract(lo).add(BigInteger.ONE);
        if (wanted <= 1 || span.signum() <= 0) {
            return out;
        }
        BigInteger n = BigInteger.valueOf(wanted);
        BigInteger previous = lo;
        for (int i = 1; i < wanted; i++) {
            BigInteger at = lo.add(span.multiply(BigInteger.valueOf(i)).divide(n));
            if (at.compareTo(previous) > 0) {
                out.add(at.toString());
                previous = at;
            }
        }
        return out;
    }

    /** The split that reads a whole target. */
    static SourceSplit whole(MysqlTarget target) {
        return KeysetReads.whole(target.name());
    }

    /** Splits for the ranges between {@code boundaries} (ascending, distinct). */
    static List<SourceSplit> ranges(MysqlTarget target, List<String> boundaries) {
        return KeysetReads.ranges(target.name(), target.key().get(0).name(), boundaries);
    }
}
