package io.connectors.functional;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what the harness needs from the daemon's log, until sync jobs are recorded in Elasticsearch: when each sync
 * started and ended, its counts, and its progress. All knowledge of the log format is here.
 *
 * <p>The formats are those of the runtime: the line layout of its {@code logback.xml}
 * ({@code HH:mm:ss.SSS LEVEL [thread] logger - message}), {@code SyncRunner}'s "started" line and
 * {@code SyncReport.summary()}, and {@code Daemon}'s progress line ({@code SyncStats.toString()}). A line from those
 * loggers that announces a sync but does not parse is a {@link FormatException}, so a change of format fails the run
 * with the line in question instead of leaving it waiting.
 *
 * <p>Log times carry no date and no zone: the harness starts the daemon in UTC and dates each line from the moment
 * it read it.
 */
final class DaemonLog {
    private static final Pattern LINE = Pattern.compile("^(\\d{2}:\\d{2}:\\d{2}\\.\\d{3}) +([A-Z]+) +\\[(.*?)\\] (\\S+) +- (.*)$");
    private static final Pattern ANNOUNCES_SYNC = Pattern.compile("^Connector \\S+: \\w+ sync .*");
    private static final Pattern STARTED = Pattern.compile("^Connector (\\S+): (\\w+) sync started into index (\\S+)$");
    private static final Pattern ENDED = Pattern.compile(
            "^Connector (\\S+): (\\w+) sync (completed|completed_with_errors|error|canceled) in ([0-9.]+)s: ((?:\\d+ \\w+, )*)\\d+ docs/s(?: - error: (.*))?$");
    private static final Pattern CANCELED = Pattern.compile("^Connector (\\S+): (\\w+) sync canceled$");
    private static final Pattern ANNOUNCES_PROGRESS = Pattern.compile("^Connector \\S+: [\\d,]+ read\\b.*");
    private static final Pattern PROGRESS = Pattern.compile(
            "^Connector (\\S+): ([\\d,]+ read(?:, [\\d,]+ \\w+)*)(?:, [\\d.]+ \\w+)?(?:, [\\d,]+ covered before the resume)? in .*$");
    private static final Pattern FAILED_UNEXPECTEDLY = Pattern.compile("^Connector (\\S+): the sync failed unexpectedly.*");
    private static final Pattern SUMMARY_COUNT = Pattern.compile("(\\d+) (\\w+), ");
    private static final Pattern PROGRESS_COUNT = Pattern.compile("(\\d[\\d,]*) ([a-z]+)");

    private DaemonLog() {
    }

    /** Something the log said about a sync. */
    sealed interface Event permits Started, Ended, Progress {
        Instant at();

        String connectorId();
    }

    /** A sync started ({@code SyncRunner}). */
    record Started(Instant at, String connectorId, String jobType, String index) implements Event {
    }

    /**
     * A sync ended ({@code SyncReport.summary()}, or the cancel line).
     *
     * @param jobType {@code null} when the line does not say (the daemon's "failed unexpectedly")
     */
    record Ended(Instant at, String connectorId, String jobType, String status, Map<String, Long> counts, String error)
            implements Event {
    }

    /** A running sync's counts ({@code Daemon}, every {@code sync.progress_interval}). */
    record Progress(Instant at, String connectorId, Map<String, Long> counts) implements Event {
    }

    /** A line that announces a sync in a format this class does not know. */
    static final class FormatException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        FormatException(String what, String line) {
            super("The daemon's log format changed: a " + what + " line did not parse; update "
                    + DaemonLog.class.getName() + " to match. The line: " + line);
        }
    }

    /**
     * The event a line reports, if any.
     *
     * @param readAt when the harness read the line; gives the date of its time of day
     * @throws FormatException if the line announces a sync but does not parse
     */
    static Optional<Event> parse(String line, Instant readAt) {
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
            return Optional.empty(); // stack traces, the banner on standard output
        }
        String logger = m.group(4);
        String message = m.group(5);
        if (logger.endsWith("SyncRunner") && ANNOUNCES_SYNC.matcher(message).matches()) {
            Instant at = time(m.group(1), readAt, line);
            Matcher s = STARTED.matcher(message);
            if (s.matches()) {
                return Optional.of(new Started(at, s.group(1), s.group(2), s.group(3)));
            }
            Matcher e = ENDED.matcher(message);
            if (e.matches()) {
                return Optional.of(new Ended(at, e.group(1), e.group(2), e.group(3), summaryCounts(e.group(5)), e.group(6)));
            }
            Matcher c = CANCELED.matcher(message);
            if (c.matches()) {
                return Optional.of(new Ended(at, c.group(1), c.group(2), "canceled", Map.of(), null));
            }
            throw new FormatException("sync", line);
        }
        if (logger.endsWith("Daemon")) {
            if (ANNOUNCES_PROGRESS.matcher(message).matches()) {
                Matcher p = PROGRESS.matcher(message);
                if (!p.matches()) {
                    throw new FormatException("progress", line);
                }
                Map<String, Long> counts = new LinkedHashMap<>();
                Matcher c = PROGRESS_COUNT.matcher(p.group(2));
                while (c.find()) {
                    // The line says "read" for what the counts call "seen".
                    counts.put("read".equals(c.group(2)) ? "seen" : c.group(2), Long.parseLong(c.group(1).replace(",", "")));
                }
                return Optional.of(new Progress(time(m.group(1), readAt, line), p.group(1), counts));
            }
            Matcher f = FAILED_UNEXPECTEDLY.matcher(message);
            if (f.matches()) {
                return Optional.of(new Ended(time(m.group(1), readAt, line), f.group(1), null, "error", Map.of(),
                        "the sync failed unexpectedly (see the daemon's log)"));
            }
        }
        return Optional.empty();
    }

    private static Map<String, Long> summaryCounts(String text) {
        Map<String, Long> counts = new LinkedHashMap<>();
        Matcher c = SUMMARY_COUNT.matcher(text);
        while (c.find()) {
            counts.put(c.group(2), Long.parseLong(c.group(1)));
        }
        return counts;
    }

    /** The instant of a UTC time of day logged shortly before {@code readAt}, across midnight too. */
    static Instant time(String timeOfDay, Instant readAt, String line) {
        LocalTime time;
        try {
            time = LocalTime.parse(timeOfDay);
        } catch (DateTimeParseException e) {
            throw new FormatException("time of day", line);
        }
        LocalDate day = readAt.atOffset(ZoneOffset.UTC).toLocalDate();
        Instant at = day.atTime(time).toInstant(ZoneOffset.UTC);
        if (at.isAfter(readAt.plus(Duration.ofHours(12)))) {
            at = at.minus(Duration.ofDays(1)); // logged before midnight, read after
        }
        return at;
    }
}
