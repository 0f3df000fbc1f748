package io.connectors.runtime.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Quartz form of a Unix cron expression ({@code min hour day month weekday}), for the error that refuses one:
 * schedules are Quartz ({@code sec min hour day month weekday}), and a crontab line pasted in is the usual mistake.
 */
final class QuartzCron {
    private static final Pattern NUMBER = Pattern.compile("\\d+");

    private QuartzCron() {
    }

    /**
     * The Quartz expression that fires when {@code unix} does, when {@code unix} has the five fields of one: a seconds
     * field of 0 first; {@code ?} for whichever of day-of-month and day-of-week is {@code *} (Quartz needs exactly one
     * of them unset); weekdays renumbered from Unix's 0-7 (0 and 7 Sunday) to Quartz's 1-7 (1 Sunday). Empty when it
     * is not a five-field expression, or when it sets both days (Unix fires on either; Quartz cannot say that).
     */
    static Optional<String> fromUnix(String unix) {
        String[] f = unix.trim().split("\\s+");
        if (f.length != 5) {
            return Optional.empty();
        }
        String dayOfMonth = f[2];
        String dayOfWeek = f[4];
        boolean anyDay = dayOfMonth.equals("*") || dayOfMonth.equals("?");
        boolean anyWeekday = dayOfWeek.equals("*") || dayOfWeek.equals("?");
        if (!anyDay && !anyWeekday) {
            return Optional.empty();
        }
        String day = anyDay && !anyWeekday ? "?" : anyDay ? "*" : dayOfMonth;
        String weekday = anyWeekday ? "?" : weekdays(dayOfWeek);
        return Optional.of(String.join(" ", "0", f[0], f[1], day, f[3], weekday));
    }

    /** Unix weekday numbers (0-7, Sunday 0 and 7) as Quartz's (1-7, Sunday 1); names and steps kept. */
    private static String weekdays(String field) {
        List<String> parts = new ArrayList<>();
        for (String part : field.split(",")) {
            int slash = part.indexOf('/');
            String range = slash < 0 ? part : part.substring(0, slash);
            String step = slash < 0 ? "" : part.substring(slash);
            Matcher m = NUMBER.matcher(range);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                int n = Integer.parseInt(m.group());
                m.appendReplacement(out, String.valueOf(n == 7 ? 1 : n + 1));
            }
            m.appendTail(out);
            parts.add(out + step);
        }
        return String.join(",", parts);
    }
}
