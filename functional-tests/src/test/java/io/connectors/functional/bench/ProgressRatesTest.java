package io.connectors.functional.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressRatesTest {
    private static final Instant T0 = Instant.parse("2026-11-21T00:00:00Z");

    @Test
    void ratesAreTheCountDifferencesOverEachInterval() {
        List<ProgressRates.Rate> rates = ProgressRates.of(T0, List.of(
                new ProgressRates.Reading(T0.plusSeconds(1), 1000, 500),
                new ProgressRates.Reading(T0.plusSeconds(3), 5000, 4500)));

        assertThat(rates).containsExactly(
                new ProgressRates.Rate(1, 1000, 500),
                new ProgressRates.Rate(3, 2000, 2000));
    }

    @Test
    void readingsTooCloseOrOutOfOrderAreSkipped() {
        List<ProgressRates.Rate> rates = ProgressRates.of(T0, List.of(
                new ProgressRates.Reading(T0.minusSeconds(1), 0, 0),
                new ProgressRates.Reading(T0.plusSeconds(2), 2000, 2000),
                new ProgressRates.Reading(T0.plusMillis(2050), 2100, 2100),
                new ProgressRates.Reading(T0.plusSeconds(4), 4000, 4000)));

        assertThat(rates).extracting(ProgressRates.Rate::seconds).containsExactly(2.0, 4.0);
    }
}
