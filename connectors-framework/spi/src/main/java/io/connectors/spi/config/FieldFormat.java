package io.connectors.spi.config;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A parsed configuration value written back in the syntax a user types: {@code 30s}, {@code 5m}, {@code 10mb},
 * {@code [a, b]}; never {@code PT30S} or {@code 10485760}. Durations and sizes use the largest unit that states them
 * exactly. For messages, logs, the configuration reference and {@code config check} output.
 */
public final class FieldFormat {
    private static final long KB = 1024;
    private static final long MB = KB * 1024;
    private static final long GB = MB * 1024;

    private FieldFormat() {
    }

    /** {@code value}, a parsed value of a field of {@code type}, as it would be written in the configuration. */
    public static String show(FieldType type, Object value) {
        if (value instanceof Duration d) {
            return duration(d);
        }
        if (type == FieldType.BYTE_SIZE && value instanceof Number n) {
            return bytes(n.longValue());
        }
        if (value instanceof List<?> list) {
            return list.stream().map(String::valueOf).collect(Collectors.joining(", ", "[", "]"));
        }
        return String.valueOf(value);
    }

    /** {@code 200ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 30d}; ISO-8601 only below a millisecond. */
    public static String duration(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        if (d.getNano() % 1_000_000 != 0) {
            return d.toString();
        }
        long ms = d.toMillis();
        long[] units = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
        String[] names = {"d", "h", "m", "s"};
        for (int i = 0; i < units.length; i++) {
            if (ms % units[i] == 0) {
                return ms / units[i] + names[i];
            }
        }
        return ms + "ms";
    }

    /** {@code 5mb}, {@code 64kb}, {@code 1gb}, or the number of bytes when no unit states it exactly. */
    public static String bytes(long n) {
        if (n == 0) {
            return "0";
        }
        if (n % GB == 0) {
            return n / GB + "gb";
        }
        if (n % MB == 0) {
            return n / MB + "mb";
        }
        if (n % KB == 0) {
            return n / KB + "kb";
        }
        return Long.toString(n);
    }
}
