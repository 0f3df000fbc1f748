package io.connectors.runtime.util;

import java.time.Duration;
import java.util.Locale;

/** Figures as people read them in tables and progress lines (not as configuration values: see FieldFormat). */
public final class Human {
    private Human() {
    }

    /** {@code 850ms}, {@code 2.3s}, {@code 4m12s}, {@code 1h02m}, {@code 3d04h}: two units at most, rounded down. */
    public static String elapsed(Duration d) {
        long ms = Math.max(0, d.toMillis());
        if (ms < 1_000) {
            return ms + "ms";
        }
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1fs", Math.floor(ms / 100.0) / 10);
        }
        long s = ms / 1_000;
        if (s < 3_600) {
            return s / 60 + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s";
        }
        if (s < 86_400) {
            return s / 3_600 + "h" + String.format(Locale.ROOT, "%02d", s % 3_600 / 60) + "m";
        }
        return s / 86_400 + "d" + String.format(Locale.ROOT, "%02d", s % 86_400 / 3_600) + "h";
    }

    /** {@code 12,345}: a count with thousands separators. */
    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** {@code 4.2 MiB}: bytes in the largest binary unit below them, one decimal. */
    public static String bytes(long n) {
        String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? n + " bytes" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /**
     * A sync's counts as a sentence: {@code 12,000 read, 11,980 indexed, 0 updated, 20 unchanged, 0 deleted, 0 failed},
     * then dropped documents, bytes and what a resumed sync did not read again when there are any.
     */
    public static String counts(java.util.Map<String, Long> counts) {
        StringBuilder sb = new StringBuilder();
        sb.append(count(counts.getOrDefault("seen", 0L))).append(" read");
        for (String k : java.util.List.of("indexed", "updated", "unchanged", "deleted", "failed")) {
            sb.append(", ").append(count(counts.getOrDefault(k, 0L))).append(' ').append(k);
        }
        if (counts.getOrDefault("dropped", 0L) > 0) {
            sb.append(", ").append(count(counts.get("dropped"))).append(" dropped");
        }
        if (counts.getOrDefault("bytes", 0L) > 0) {
            sb.append(", ").append(bytes(counts.get("bytes")));
        }
        if (counts.getOrDefault("skipped_by_resume", 0L) > 0) {
            sb.append(", ").append(count(counts.get("skipped_by_resume"))).append(" covered before the resume");
        }
        return sb.toString();
    }
}
