package io.connectors.runtime.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Every {@link Duration} option of the command line: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h},
 * {@code 1d}, or ISO-8601 ({@code PT1H}), as in the configuration file. Negative values are refused.
 */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern SHORT = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h|d)");

    @Override
    public Duration convert(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        Matcher m = SHORT.matcher(v);
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
            Duration d = Duration.parse(value == null ? "" : value.trim());
            if (!d.isNegative()) {
                return d;
            }
        } catch (DateTimeParseException e) {
            // Reported below, with the forms that work.
        }
        throw new CommandLine.TypeConversionException("'" + value + "' is not a duration; use 500ms, 30s, 5m, 2h, 1d"
                + " or ISO-8601 such as PT1H");
    }
}
