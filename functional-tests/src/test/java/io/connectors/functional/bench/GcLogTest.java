package io.connectors.functional.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class GcLogTest {
    private static final List<String> LOG = List.of(
            "[2026-11-21T01:14:31.581+0000][info][gc] Using G1",
            "[2026-11-21T01:14:32.185+0000][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 12M->4M(256M) 13.034ms",
            "[2026-11-21T01:14:33.000+0000][info][gc] GC(1) Pause Young (Concurrent Start) (G1 Humongous Allocation) 40M->30M(256M) 2.1ms",
            "[2026-11-21T01:14:33.100+0000][info][gc] GC(1) Concurrent Mark Cycle 10.123ms",
            "[2026-11-21T01:14:34.000+0000][info][gc] GC(2) Pause Remark 31M->31M(300M) 1.000ms",
            "[2026-11-21T01:14:35.000+0000][info][gc] GC(3) Pause Full (System.gc()) 1G->512K(1G) 20.0ms");

    @Test
    void readsEachPauseWithItsSizes() {
        List<GcLog.Pause> pauses = GcLog.parse(LOG);

        assertThat(pauses).hasSize(4);
        assertThat(pauses.get(0)).isEqualTo(new GcLog.Pause(Instant.parse("2026-11-21T01:14:32.185Z"),
                "Pause Young (Normal) (G1 Evacuation Pause)", 12L << 20, 4L << 20, 256L << 20));
        assertThat(pauses.get(3).full()).isTrue();
        assertThat(pauses.get(3).afterBytes()).isEqualTo(512L << 10);
        assertThat(pauses.get(3).beforeBytes()).isEqualTo(1L << 30);
    }

    @Test
    void summarizesTheCollectionsOfAWindow() {
        List<GcLog.Pause> pauses = GcLog.parse(LOG);

        GcLog.Summary s = GcLog.summarize(pauses, Instant.parse("2026-11-21T01:14:32.500Z"),
                Instant.parse("2026-11-21T01:14:34.500Z")).orElseThrow();

        assertThat(s).isEqualTo(new GcLog.Summary(2, 0, 31L << 20, 40L << 20, 300L << 20, -1));
        assertThat(GcLog.summarize(pauses, Instant.parse("2026-11-21T01:14:32Z"), Instant.parse("2026-11-21T01:14:36Z"))
                .orElseThrow().liveBytes()).isEqualTo(512L << 10);
        assertThat(GcLog.summarize(pauses, Instant.parse("2026-11-21T02:00:00Z"), Instant.parse("2026-11-21T03:00:00Z")))
                .isEmpty();
    }

    @Test
    void theOptionWritesTheFormatThisClassReads() {
        assertThat(GcLog.option(Path.of("/tmp/x/gc.log"))).isEqualTo("-Xlog:gc:file=/tmp/x/gc.log:utctime,level,tags");
    }
}
