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
}
