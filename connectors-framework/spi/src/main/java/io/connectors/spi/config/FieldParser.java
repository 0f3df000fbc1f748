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
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
    private static final Pattern BYTES = Pattern.compile("(\\d+)\\s*(b|kb|mb|gb|k|m|g)?");

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
                long n = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
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
                long n = Long.parseLong(m.group(1));
                String unit = m.group(2) == null ? "b" : m.group(2);
                return switch (unit) {
                    case "k", "kb" -> n * 1024L;
                    case "m", "mb" -> n * 1024L * 1024L;
                    case "g", "gb" -> n * 1024L * 1024L * 1024L;
                    default -> n;
                };
            }
        }
        throw new IllegalArgumentException("expected a size such as 512b, 64kb, 10mb or 1gb");
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
