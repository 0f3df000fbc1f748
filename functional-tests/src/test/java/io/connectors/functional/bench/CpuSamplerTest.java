package io.connectors.functional.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CpuSamplerTest {
    private static final Instant T0 = Instant.parse("2026-11-21T00:00:00Z");

    @Test
    void aWindowIsSplitIntoCoresPerProcess() {
        // Over 2 s: Elasticsearch used 2.4 s of CPU, the daemon 1 s, the bench 0.2 s; the machine (2 cores) was busy
        // 180 of 200 ticks, 10 of them stolen.
        CpuSampler.Sample a = new CpuSampler.Sample(T0, 1000, 0, 0, 1000, 0, 10_000);
        CpuSampler.Sample b = new CpuSampler.Sample(T0.plusSeconds(2), 3400, 1_000_000_000L, 200_000_000L, 1180, 10, 10_200);

        CpuSampler.Split s = CpuSampler.split(a, b, 2);

        assertThat(s.seconds()).isEqualTo(2.0);
        assertThat(s.elasticsearch()).isCloseTo(1.2, within(1e-9));
        assertThat(s.daemon()).isCloseTo(0.5, within(1e-9));
        assertThat(s.bench()).isCloseTo(0.1, within(1e-9));
        assertThat(s.machineBusy()).isCloseTo(1.8, within(1e-9));
        assertThat(s.steal()).isCloseTo(0.1, within(1e-9));
        assertThat(s.others()).isCloseTo(0.0, within(1e-9));
    }

    @Test
    void aWindowUsesTheSamplesInsideIt() {
        List<CpuSampler.Sample> samples = List.of(
                new CpuSampler.Sample(T0, 0, 0, 0, 0, 0, 0),
                new CpuSampler.Sample(T0.plusSeconds(1), 1000, 0, 0, 100, 0, 200),
                new CpuSampler.Sample(T0.plusSeconds(3), 2000, 0, 0, 300, 0, 600),
                new CpuSampler.Sample(T0.plusSeconds(4), 9000, 0, 0, 400, 0, 800));

        CpuSampler.Split s = CpuSampler.split(samples, T0.plusMillis(500), T0.plusMillis(3500), 2).orElseThrow();

        assertThat(s.from()).isEqualTo(T0.plusSeconds(1));
        assertThat(s.to()).isEqualTo(T0.plusSeconds(3));
        assertThat(s.elasticsearch()).isCloseTo(0.5, within(1e-9));
        assertThat(CpuSampler.split(samples, T0.plusMillis(1500), T0.plusMillis(2500), 2)).isEmpty();
    }
}
