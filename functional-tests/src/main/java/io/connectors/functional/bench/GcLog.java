package io.connectors.functional.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The daemon's garbage collections, from the log {@code -Xlog:gc:file=<f>:utctime,level,tags} writes. The heap
 * left after each collection is the data the daemon actually keeps; the peak heap in use (what {@code jstat}
 * samples) also counts garbage not yet collected, so it follows the collector's sizing as much as the program's
 * needs. Both are reported, so a flatness miss can be told apart from a leak.
 */
final class GcLog {
    private static final Pattern PAUSE = Pattern.compile(
            "^\\[([^\\]]+)\\].*\\bGC\\(\\d+\\) (Pause .*?) (\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");
    private static final DateTimeFormatter UTCTIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");

    private GcLog() {
    }

    /** One collection: heap in use before and after it, and the heap committed. */
    record Pause(Instant at, String kind, long beforeBytes, long afterBytes, long committedBytes) {
        boolean full() {
            return kind.startsWith("Pause Full");
        }
    }

    /**
     * Collections over a window.
     *
     * @param maxAfterBytes     the most heap left after a collection: the peak of retained data
     * @param maxBeforeBytes    the most heap in use when a collection started
     * @param maxCommittedBytes the most heap the collector had committed
     * @param liveBytes         heap left by the last full collection (nothing but live data), or -1 without one
     */
    record Summary(int pauses, int fullPauses, long maxAfterBytes, long maxBeforeBytes, long maxCommittedBytes,
                   long liveBytes) {
    }

    /** The JVM option that writes the log this class reads. */
    static String option(Path file) {
        return "-Xlog:gc:file=" + file.toAbsolutePath() + ":utctime,level,tags";
    }

    static List<Pause> read(Path file) throws IOException {
        return Files.exists(file) ? parse(Files.readAllLines(file, StandardCharsets.UTF_8)) : List.of();
    }

    static List<Pause> parse(List<String> lines) {
        List<Pause> pauses = new ArrayList<>();
        for (String line : lines) {
            Matcher m = PAUSE.matcher(line);
            if (!m.find()) {
                continue;
            }
            Instant at;
            try {
                at = OffsetDateTime.parse(m.group(1), UTCTIME).toInstant();
            } catch (DateTimeParseException e) {
                continue;
            }
            pauses.add(new Pause(at, m.group(2).trim(), bytes(m.group(3), m.group(4)), bytes(m.group(5), m.group(6)),
                    bytes(m.group(7), m.group(8))));
        }
        return pauses;
    }

    /** The collections in {@code [from, to]}; empty when there were none. */
    static Optional<Summary> summarize(List<Pause> pauses, Instant from, Instant to) {
        int n = 0;
        int full = 0;
        long after = 0;
        long before = 0;
        long committed = 0;
        long live = -1;
        for (Pause p : pauses) {
            if (p.at().isBefore(from) || p.at().isAfter(to)) {
                continue;
            }
            n++;
            if (p.full()) {
                full++;
                live = p.afterBytes();
            }
            after = Math.max(after, p.afterBytes());
            before = Math.max(before, p.beforeBytes());
            committed = Math.max(committed, p.committedBytes());
        }
        return n == 0 ? Optional.empty() : Optional.of(new Summary(n, full, after, before, committed, live));
    }

    private static long bytes(String number, String unit) {
        long n = Long.parseLong(number);
        return switch (unit) {
            case "K" -> n << 10;
            case "M" -> n << 20;
            default -> n << 30;
        };
    }
}
