package io.connectors.spi.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses raw configuration values (as YAML or environment variables give them) into a field's type. */
final class FieldParser {
    private static final Pattern DURATION = Pattern.compile(
            "(\\d+)\\s*(ms|millis|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hours?|d|days?)");
    private static final Pattern BYTES = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(b|bytes?|kb|kib|k|mb|mib|m|gb|gib|g)?");

    private FieldParser() {
    }

    /**
     * @throws IllegalArgumentException with a message describing the expected form (never echoing the value,
     *                                  which may be a secret: callers add it when the field is not sensitive)
     */
    static Object parse(FieldType type, Object raw) {
        return switch (type) {
            case STRING -> {
                if (raw instanceof String || raw instanceof Number || raw instanceof Boolean) {
                    yield raw.toString();
                }
                throw new IllegalArgumentException("expected a string");
            }
            case INTEGER -> parseLong(raw);
            case NUMBER -> parseDouble(raw);
            case BOOLEAN -> {
                if (raw instanceof Boolean b) {
                    yield b;
                }
                if (raw instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
                    yield Boolean.parseBoolean(s);
                }
                throw new IllegalArgumentException("expected true or false");
            }
            case DURATION -> parseDuration(raw);
            case BYTE_SIZE -> parseBytes(raw);
            case LIST -> parseList(raw);
        };
    }

    private static Long parseLong(Object raw) {
        if (raw instanceof Integer || raw instanceof Long || raw instanceof Short) {
            return ((Number) raw).longValue();
        }
        if (raw instanceof String s) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected a whole number", e);
            }
        }
        throw new IllegalArgumentException("expected a whole number");
    }

    static Duration parseDuration(Object raw) {
        if (raw instanceof String s) {
            String text = s.trim().toLowerCase(Locale.ROOT);
            Matcher m = DURATION.matcher(text);
            if (m.matches()) {
                long n = count(m.group(1));
                return switch (m.group(2).charAt(0)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'h' -> Duration.ofHours(n);
                    case 'd' -> Duration.ofDays(n);
                    default -> m.group(2).equals("m") || m.group(2).startsWith("min") ? Duration.ofMinutes(n)
                            : Duration.ofMillis(n);
                };
            }
            try {
                return Duration.parse(s.trim().toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                // fall through to the message below
            }
        }
        throw new IllegalArgumentException("expected a duration such as 500ms, 30s, 5m, 2h or 1d");
    }

    static Long parseBytes(Object raw) {
        if (raw instanceof Integer || raw instanceof Long) {
            return ((Number) raw).longValue();
        }
        if (raw instanceof String s) {
            Matcher m = BYTES.matcher(s.trim().toLowerCase(Locale.ROOT));
            if (m.matches()) {
                String unit = m.group(2) == null ? "b" : m.group(2);
                int shift = switch (unit.charAt(0)) {
                    case 'k' -> 10;
                    case 'm' -> 20;
                    case 'g' -> 30;
                    default -> 0;
                };
                if (m.group(1).contains(".")) {
                    // 1.5mb: a fraction of a unit, to the byte; a fraction of a byte means nothing.
                    java.math.BigDecimal bytes = new java.math.BigDecimal(m.group(1))
                            .multiply(java.math.BigDecimal.valueOf(1L << shift));
                    if (shift == 0 || bytes.stripTrailingZeros().scale() > 0) {
                        throw new IllegalArgumentException("expected a whole number of bytes, got " + bytes.toPlainString()
                                + " bytes");
                    }
                    if (bytes.compareTo(java.math.BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
                        throw new IllegalArgumentException("expected a size below 8 EiB");
                    }
                    return bytes.longValueExact();
                }
                long n = count(m.group(1));
                if (n > Long.MAX_VALUE >> shift) {
                    throw new IllegalArgumentException("expected a size below 8 EiB");
                }
                return n << shift;
            }
        }
        throw new IllegalArgumentException("expected a size such as 512b, 64kb, 1.5mb or 1gb (binary multiples, any case;"
                + " kib, mib and gib too)");
    }

    private static long count(String digits) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a smaller number than " + digits, e);
        }
    }

    private static Double parseDouble(Object raw) {
        if (raw instanceof Number n && !(raw instanceof java.math.BigDecimal)) {
            double d = n.doubleValue();
            if (Double.isFinite(d)) {
                return d;
            }
        } else if (raw instanceof String || raw instanceof java.math.BigDecimal) {
            try {
                double d = Double.parseDouble(raw.toString().trim());
                if (Double.isFinite(d)) {
                    return d;
                }
            } catch (NumberFormatException e) {
                // the message below
            }
        }
        throw new IllegalArgumentException("expected a number such as 0.5");
    }

    private static List<String> parseList(Object raw) {
        if (raw instanceof String s) {
            return List.of(s);
        }
        if (raw instanceof Collection<?> c) {
            List<String> out = new ArrayList<>(c.size());
            for (Object item : c) {
                if (!(item instanceof String || item instanceof Number || item instanceof Boolean)) {
                    throw new IllegalArgumentException("expected a list of strings");
                }
                out.add(item.toString());
            }
            return List.copyOf(out);
        }
        throw new IllegalArgumentException("expected a list of strings");
    }
}
