package io.connectors.functional.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessCpuTest {
    private static final Instant T0 = Instant.parse("2026-11-21T00:00:00Z");

    @Test
    void userAndSystemTimeAreReadAfterACommandNameWithSpacesAndParentheses() {
        String stat = "4242 (java (main) x) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 75 0 0 20 0 30 0 1234 1 1";

        assertThat(ProcessCpu.cpuNanos(stat)).isEqualTo((250 + 75) * 10_000_000L);
    }

    @Test
    void aWindowIsInterpolatedBetweenTheReadingsAroundItsEnds() {
        List<ProcessCpu.Reading> readings = List.of(
                new ProcessCpu.Reading(T0, 0),
                new ProcessCpu.Reading(T0.plusMillis(100), 100_000_000L),
                new ProcessCpu.Reading(T0.plusMillis(200), 100_000_000L),
                new ProcessCpu.Reading(T0.plusMillis(300), 300_000_000L));

        assertThat(ProcessCpu.secondsBetween(readings, T0.plusMillis(50), T0.plusMillis(250)).orElseThrow())
                .isCloseTo(0.15, within(1e-9));
        assertThat(ProcessCpu.secondsBetween(readings, T0.minusMillis(1), T0.plusMillis(250))).isEmpty();
        assertThat(ProcessCpu.secondsBetween(readings, T0, T0.plusMillis(301))).isEmpty();
    }
}
