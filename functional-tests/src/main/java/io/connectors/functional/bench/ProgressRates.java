package io.connectors.functional.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the cumulative counts a sync logs every {@code sync.progress_interval} into docs/s per interval, for the
 * throughput chart.
 */
final class ProgressRates {

    /** Cumulative counts at one moment. */
    record Reading(Instant at, long seen, long indexed) {
    }

    /** The rates over the interval that ends {@code seconds} after the start. */
    record Rate(double seconds, double seenPerSecond, double indexedPerSecond) {
    }

    private ProgressRates() {
    }

    /**
     * Rates between consecutive readings, from {@code start} (counts zero) to the last reading. Readings before the
     * start, out of order, or less than 100 ms after the previous one are skipped.
     */
    static List<Rate> of(Instant start, List<Reading> readings) {
        List<Rate> out = new ArrayList<>();
        Reading previous = new Reading(start, 0, 0);
        for (Reading r : readings) {
            long nanos = Duration.between(previous.at(), r.at()).toNanos();
            if (nanos < 100_000_000L) {
                continue;
            }
            double dt = nanos / 1e9;
            out.add(new Rate(Duration.between(start, r.at()).toNanos() / 1e9,
                    Math.max(0, r.seen() - previous.seen()) / dt,
                    Math.max(0, r.indexed() - previous.indexed()) / dt));
            previous = r;
        }
        return out;
    }
}
