package io.connectors.runtime.cli;

import io.connectors.spi.config.ConfigField;
import io.connectors.spi.config.ConfigValidationException;
import io.connectors.spi.config.SourceConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * Every {@link Duration} option of the command line takes the configuration file's forms ({@code 500ms}, {@code 30s},
 * {@code 5m}, {@code 2h}, {@code 1d}, or ISO-8601 such as {@code PT1H}), parsed by the same code. Negative values are
 * refused.
 */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    private static final List<ConfigField> OPTION = List.of(ConfigField.duration("value"));

    @Override
    public Duration convert(String value) {
        try {
            Duration d = SourceConfig.from(OPTION, Map.of("value", value == null ? "" : value)).duration("value");
            if (!d.isNegative()) {
                return d;
            }
        } catch (ConfigValidationException | IllegalArgumentException e) {
            // Reported below, with the forms that work.
        }
        throw new CommandLine.TypeConversionException("'" + value + "' is not a duration; use 500ms, 30s, 5m, 2h, 1d"
                + " or ISO-8601 such as PT1H");
    }
}
