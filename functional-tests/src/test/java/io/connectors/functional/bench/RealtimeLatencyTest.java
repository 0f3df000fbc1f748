package io.connectors.functional.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class RealtimeLatencyTest {

    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }

    @Test
    void percentilesAreNearestRankOverEveryChangeSeen() {
        // 1 ms to 1000 ms, shuffled by a stride: the order of the changes does not matter.
        long[] latencies = LongStream.range(0, 1000).map(i -> ms((i * 7) % 1000 + 1)).toArray();
        RealtimeLatency.Latencies l = new RealtimeLatency.Latencies(latencies, 3);

        assertThat(l.percentile(50)).isEqualTo(0.5);
        assertThat(l.percentile(90)).isEqualTo(0.9);
        assertThat(l.percentile(99)).isEqualTo(0.99);
        assertThat(l.percentile(100)).isEqualTo(1.0);
        assertThat(l.max()).isEqualTo(1.0);
        assertThat(l.unseen()).isEqualTo(3);
    }

    @Test
    void theHistogramPutsABoundInTheBucketItEndsAndTheRestAboveTheLast() {
        RealtimeLatency.Latencies l = new RealtimeLatency.Latencies(new long[] {ms(0), ms(100), ms(100) + 1, ms(500),
            ms(5_000), ms(5_000) + 1, ms(60_000)}, 0);

        long[] h = l.histogram();

        assertThat(h).hasSize(RealtimeLatency.BUCKETS_MS.length + 1);
        assertThat(h[0]).as("≤ 100 ms").isEqualTo(2);
        assertThat(h[1]).as("100–250 ms").isEqualTo(1);
        assertThat(h[2]).as("250–500 ms").isEqualTo(1);
        assertThat(h[RealtimeLatency.BUCKETS_MS.length - 1]).as("3000–5000 ms").isEqualTo(1);
        assertThat(h[RealtimeLatency.BUCKETS_MS.length]).as("> 5000 ms").isEqualTo(2);
        assertThat(LongStream.of(h).sum()).isEqualTo(7);
    }
}
