package io.connectors.spi.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigFieldTest {
    @Test
    void durationValidatorsNameTheBadValueInConfigurationSyntax() {
        assertThat(ConfigField.positiveDuration().apply(Duration.ofSeconds(1))).isNull();
        assertThat(ConfigField.positiveDuration().apply(Duration.ZERO)).isEqualTo("must be positive, got 0s");
        assertThat(ConfigField.positiveDuration().apply(Duration.ofSeconds(-5))).isEqualTo("must be positive, got -5s");
        assertThat(ConfigField.notNegativeDuration().apply(Duration.ZERO)).isNull();
        assertThat(ConfigField.notNegativeDuration().apply(Duration.ofSeconds(-5)))
                .isEqualTo("must not be negative, got -5s");
    }

    @Test
    void oneSizeSyntaxForEveryoneWithUnitsOf1024() {
        for (String text : List.of("5mb", "5MB", "5MiB", "5 mib", "5m", "5M", "5242880", "5120kb", "5120KiB")) {
            assertThat(FieldParser.parse(FieldType.BYTE_SIZE, text)).as(text).isEqualTo(5L << 20);
        }
        assertThat(FieldParser.parse(FieldType.BYTE_SIZE, "1GiB")).isEqualTo(1L << 30);
        assertThat(FieldParser.parse(FieldType.BYTE_SIZE, "512 bytes")).isEqualTo(512L);
        assertThat(FieldParser.parse(FieldType.BYTE_SIZE, 2048)).isEqualTo(2048L);
        assertThatThrownBy(() -> FieldParser.parse(FieldType.BYTE_SIZE, "5 megs"))
                .hasMessage("expected a size such as 512b, 64kb, 1.5mb or 1gb (binary multiples, any case; kib, mib and gib too)");
        assertThat(FieldParser.parse(FieldType.BYTE_SIZE, "1.5MiB")).isEqualTo(3L << 19);
        assertThat(FieldParser.parse(FieldType.BYTE_SIZE, "2.5mb")).isEqualTo(5L << 19);
        assertThat(FieldParser.parse(FieldType.BYTE_SIZE, "0.5 kb")).isEqualTo(512L);
        assertThatThrownBy(() -> FieldParser.parse(FieldType.BYTE_SIZE, "1.5b"))
                .hasMessage("expected a whole number of bytes, got 1.5 bytes");
        assertThatThrownBy(() -> FieldParser.parse(FieldType.BYTE_SIZE, "0.0001kb"))
                .hasMessageStartingWith("expected a whole number of bytes");
        assertThatThrownBy(() -> FieldParser.parse(FieldType.BYTE_SIZE, "99999999999gb"))
                .hasMessage("expected a size below 8 EiB");
        assertThatThrownBy(() -> FieldParser.parse(FieldType.BYTE_SIZE, "99999999999999999999999b"))
                .hasMessageStartingWith("expected a smaller number than");
    }

    @Test
    void durationsTakeShortAndSpelledOutUnits() {
        assertThat(FieldParser.parse(FieldType.DURATION, "30 seconds")).isEqualTo(Duration.ofSeconds(30));
        assertThat(FieldParser.parse(FieldType.DURATION, "1 second")).isEqualTo(Duration.ofSeconds(1));
        assertThat(FieldParser.parse(FieldType.DURATION, "5 minutes")).isEqualTo(Duration.ofMinutes(5));
        assertThat(FieldParser.parse(FieldType.DURATION, "5min")).isEqualTo(Duration.ofMinutes(5));
        assertThat(FieldParser.parse(FieldType.DURATION, "5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(FieldParser.parse(FieldType.DURATION, "200ms")).isEqualTo(Duration.ofMillis(200));
        assertThat(FieldParser.parse(FieldType.DURATION, "200 millis")).isEqualTo(Duration.ofMillis(200));
        assertThat(FieldParser.parse(FieldType.DURATION, "2 hours")).isEqualTo(Duration.ofHours(2));
        assertThat(FieldParser.parse(FieldType.DURATION, "30d")).isEqualTo(Duration.ofDays(30));
        assertThat(FieldParser.parse(FieldType.DURATION, "PT1M")).isEqualTo(Duration.ofMinutes(1));
        assertThatThrownBy(() -> FieldParser.parse(FieldType.DURATION, 5))
                .hasMessage("expected a duration such as 500ms, 30s, 5m, 2h or 1d");
    }

    @Test
    void numbersAreFiniteDecimals() {
        assertThat(FieldParser.parse(FieldType.NUMBER, 0.5)).isEqualTo(0.5);
        assertThat(FieldParser.parse(FieldType.NUMBER, 1)).isEqualTo(1.0);
        assertThat(FieldParser.parse(FieldType.NUMBER, " 1e-3 ")).isEqualTo(0.001);
        assertThat(FieldParser.parse(FieldType.NUMBER, new java.math.BigDecimal("0.25"))).isEqualTo(0.25);
        for (Object bad : List.of("half", "NaN", "Infinity", true, Double.NaN)) {
            assertThatThrownBy(() -> FieldParser.parse(FieldType.NUMBER, bad)).as(String.valueOf(bad))
                    .hasMessage("expected a number such as 0.5");
        }
        assertThat(ConfigField.fraction().apply(0.5)).isNull();
        assertThat(ConfigField.fraction().apply(1.0)).isNull();
        assertThat(ConfigField.fraction().apply(0.0)).isEqualTo("must be a fraction in (0, 1], got 0.0");
        assertThat(ConfigField.fraction().apply(1.5)).isEqualTo("must be a fraction in (0, 1], got 1.5");
    }

    @Test
    void valuesAreShownAsAUserWritesThem() {
        assertThat(FieldFormat.show(FieldType.DURATION, Duration.ofMinutes(1))).isEqualTo("1m");
        assertThat(FieldFormat.show(FieldType.DURATION, Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(FieldFormat.show(FieldType.DURATION, Duration.ofNanos(5))).isEqualTo("PT0.000000005S");
        assertThat(FieldFormat.show(FieldType.BYTE_SIZE, 1L << 20)).isEqualTo("1mb");
        assertThat(FieldFormat.show(FieldType.BYTE_SIZE, 3L << 30)).isEqualTo("3gb");
        assertThat(FieldFormat.show(FieldType.BYTE_SIZE, 1536L)).isEqualTo("1536");
        assertThat(FieldFormat.show(FieldType.BYTE_SIZE, 0L)).isEqualTo("0");
        assertThat(FieldFormat.show(FieldType.LIST, List.of("a", "b"))).isEqualTo("[a, b]");
        assertThat(FieldFormat.show(FieldType.INTEGER, 7L)).isEqualTo("7");
    }

    @Test
    void typedAccessByDeclaration() {
        ConfigField rate = ConfigField.number("rate").defaultValue(0.5).validate(ConfigField.fraction());
        ConfigField size = ConfigField.byteSize("size").defaultValue("1kb");
        ConfigField wait = ConfigField.duration("wait").defaultValue("2s");
        ConfigField on = ConfigField.bool("on").defaultValue(true);
        ConfigField n = ConfigField.integer("n").defaultValue(3L);
        ConfigField name = ConfigField.string("name").defaultValue("x");
        ConfigField hosts = ConfigField.list("hosts");
        SourceConfig c = SourceConfig.from(List.of(rate, size, wait, on, n, name, hosts), Map.of("rate", "0.25"));
        assertThat(c.number(rate)).isEqualTo(0.25);
        assertThat(c.byteSize(size)).isEqualTo(1024L);
        assertThat(c.duration(wait)).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.bool(on)).isTrue();
        assertThat(c.integer(n)).isEqualTo(3L);
        assertThat(c.string(name)).isEqualTo("x");
        assertThat(c.list(hosts)).isEmpty();
        assertThatThrownBy(() -> SourceConfig.from(List.of(rate), Map.of("rate", 2)))
                .isInstanceOf(ConfigValidationException.class).hasMessageContaining("must be a fraction in (0, 1], got 2.0");
    }
}
