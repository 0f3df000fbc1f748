package io.connectors.functional;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DaemonProcessMemoryTest {
    private static final Instant T0 = Instant.parse("2026-11-21T00:00:00Z");
    private static final long MIB = 1 << 20;

    @Test
    void aSyncsPeaksComeFromTheSamplesInItsWindowOnly() {
        List<DaemonProcess.MemorySample> samples = List.of(
                new DaemonProcess.MemorySample(T0, 500 * MIB, 400 * MIB),            // start-up, before the sync
                new DaemonProcess.MemorySample(T0.plusSeconds(1), 200 * MIB, 90 * MIB),
                new DaemonProcess.MemorySample(T0.plusSeconds(2), 210 * MIB, 80 * MIB),
                new DaemonProcess.MemorySample(T0.plusMillis(3200), 220 * MIB, -1),  // one interval after the end
                new DaemonProcess.MemorySample(T0.plusSeconds(9), 900 * MIB, 800 * MIB));

        MemoryPeak peak = DaemonProcess.peakWithin(samples, T0.plusSeconds(1), T0.plusSeconds(3));

        assertThat(peak).isEqualTo(new MemoryPeak(220 * MIB, 90 * MIB));
        assertThat(DaemonProcess.peakWithin(samples, T0.plusSeconds(4), T0.plusSeconds(5)))
                .as("no sample in the window").isEqualTo(new MemoryPeak(-1, -1));
    }
}
