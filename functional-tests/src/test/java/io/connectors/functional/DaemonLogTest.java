package io.connectors.functional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connectors.runtime.sync.SyncReport;
import io.connectors.runtime.sync.SyncStats;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The log lines are built with the runtime's own code where it has it ({@link SyncReport#summary()},
 * {@link SyncStats#toString()}), so a change of their format fails here, in seconds, not in a functional run.
 */
class DaemonLogTest {
    private static final Instant READ_AT = Instant.parse("2026-03-04T10:15:31Z");

    private static String line(String logger, String level, String message) {
        // The layout of the runtime's logback.xml: %d{HH:mm:ss.SSS} %-5level [%thread] %logger{20} - %msg%n
        return String.format("10:15:30.250 %-5s [boundedElastic-3] %s - %s", level, logger, message);
    }

    private static SyncStats stats() {
        SyncStats stats = new SyncStats();
        stats.addSeen(12_000);
        stats.addIndexed(120);
        stats.addUpdated(120);
        stats.addUnchanged(11_760);
        stats.addDeleted(120);
        stats.addBytes(583_882);
        return stats;
    }

    @Test
    void readsTheStartOfASync() {
        Optional<DaemonLog.Event> event = DaemonLog.parse(line("i.c.r.s.SyncRunner", "INFO",
                "Connector ftest: full sync started into index ftest-directory"), READ_AT);
        assertThat(event).contains(new DaemonLog.Started(Instant.parse("2026-03-04T10:15:30.250Z"), "ftest", "full",
                "ftest-directory"));
    }

    @Test
    void readsTheSummaryOfACompletedSync() {
        SyncReport report = new SyncReport("ftest", "full", SyncReport.Status.COMPLETED, READ_AT.minusSeconds(20),
                READ_AT, stats().snapshot(), null);
        DaemonLog.Ended ended = (DaemonLog.Ended) DaemonLog.parse(line("i.c.r.s.SyncRunner", "INFO", report.summary()), READ_AT)
                .orElseThrow();
        assertThat(ended.connectorId()).isEqualTo("ftest");
        assertThat(ended.jobType()).isEqualTo("full");
        assertThat(ended.status()).isEqualTo("completed");
        assertThat(ended.error()).isNull();
        assertThat(ended.counts()).isEqualTo(stats().snapshot());
    }

    @Test
    void readsTheSummaryOfASyncThatCompletedWithRefusedDocuments() {
        SyncStats stats = stats();
        stats.addFailed(30);
        SyncReport report = new SyncReport("ftest", "full", SyncReport.Status.COMPLETED_WITH_ERRORS, READ_AT.minusSeconds(20),
                READ_AT, stats.snapshot(), null);
        DaemonLog.Ended ended = (DaemonLog.Ended) DaemonLog.parse(line("i.c.r.s.SyncRunner", "WARN", report.summary()), READ_AT)
                .orElseThrow();
        assertThat(ended.status()).isEqualTo("completed_with_errors");
        assertThat(ended.counts()).containsEntry("failed", 30L);
        SyncOutcome outcome = new SyncOutcome(READ_AT, READ_AT, ended.status(), ended.counts());
        assertThat(outcome.completed()).as("not clean").isFalse();
        assertThat(outcome.ranToEnd()).isTrue();
    }

    @Test
    void readsTheSummaryAndMessageOfAFailedSync() {
        SyncReport report = new SyncReport("my.connector-1", "full", SyncReport.Status.ERROR, READ_AT.minusSeconds(1),
                READ_AT, new SyncStats().snapshot(), "directory /data does not exist");
        DaemonLog.Ended ended = (DaemonLog.Ended) DaemonLog.parse(line("i.c.r.s.SyncRunner", "ERROR", report.summary()), READ_AT)
                .orElseThrow();
        assertThat(ended.connectorId()).isEqualTo("my.connector-1");
        assertThat(ended.status()).isEqualTo("error");
        assertThat(ended.error()).isEqualTo("directory /data does not exist");
        assertThat(ended.counts()).containsEntry("seen", 0L).containsEntry("failed", 0L);
    }

    @Test
    void readsACanceledSync() {
        DaemonLog.Ended ended = (DaemonLog.Ended) DaemonLog.parse(line("i.c.r.s.SyncRunner", "INFO",
                "Connector ftest: full sync canceled"), READ_AT).orElseThrow();
        assertThat(ended.status()).isEqualTo("canceled");
        assertThat(ended.counts()).isEmpty();
    }

    @Test
    void readsProgress() {
        DaemonLog.Progress progress = (DaemonLog.Progress) DaemonLog.parse(line("i.c.r.daemon.Daemon", "INFO",
                "Connector ftest: " + new io.connectors.runtime.util.ProgressLine(20_000, () -> 0L).line(stats().snapshot())),
                READ_AT).orElseThrow();
        assertThat(progress.connectorId()).isEqualTo("ftest");
        java.util.Map<String, Long> expected = new java.util.LinkedHashMap<>(stats().snapshot());
        expected.remove("bytes"); // shown rounded (4.2 MiB), not parsed
        if (expected.get("dropped") == 0) {
            expected.remove("dropped"); // shown only when there are some
        }
        assertThat(progress.counts()).isEqualTo(expected);
    }

    @Test
    void ignoresOtherLines() {
        assertThat(DaemonLog.parse("Connectors daemon running against http://127.0.0.1:9200 with 1 connector(s).", READ_AT))
                .isEmpty();
        assertThat(DaemonLog.parse("\tat reactor.core.publisher.Mono.subscribe(Mono.java:4576)", READ_AT)).isEmpty();
        assertThat(DaemonLog.parse(line("i.c.r.daemon.Daemon", "WARN",
                "Connector ftest: a sync is still running; this scheduled sync is skipped"), READ_AT)).isEmpty();
        assertThat(DaemonLog.parse(line("i.c.r.s.TargetIndex", "INFO",
                "Created index ftest-directory with explicit mappings for 10 fields"), READ_AT)).isEmpty();
    }

    @Test
    void aSyncLineInAnUnknownFormatIsAnErrorThatShowsTheLine() {
        String changed = line("i.c.r.s.SyncRunner", "INFO", "Connector ftest: full sync finished after 3 s");
        assertThatThrownBy(() -> DaemonLog.parse(changed, READ_AT))
                .isInstanceOf(DaemonLog.FormatException.class)
                .hasMessageContaining("format changed")
                .hasMessageContaining(changed);
        String progress = line("i.c.r.daemon.Daemon", "INFO", "Connector ftest: 3 read so far");
        assertThatThrownBy(() -> DaemonLog.parse(progress, READ_AT)).isInstanceOf(DaemonLog.FormatException.class);
    }

    @Test
    void aLineLoggedBeforeMidnightAndReadAfterIsDatedTheDayBefore() {
        Instant readAt = Instant.parse("2026-03-05T00:00:00.100Z");
        assertThat(DaemonLog.time("23:59:59.900", readAt, "line")).isEqualTo(Instant.parse("2026-03-04T23:59:59.900Z"));
        assertThat(DaemonLog.time("00:00:00.050", readAt, "line")).isEqualTo(Instant.parse("2026-03-05T00:00:00.050Z"));
    }

    @Test
    void syncOutcomeRates() {
        SyncOutcome outcome = new SyncOutcome(READ_AT, READ_AT.plusSeconds(4), "completed",
                Map.of("seen", 1000L, "bytes", 8_000_000L));
        assertThat(outcome.completed()).isTrue();
        assertThat(outcome.ranToEnd()).isTrue();
        assertThat(outcome.docsPerSecond()).isEqualTo(250.0);
        assertThat(outcome.bytesPerSecond()).isEqualTo(2_000_000.0);
        assertThat(outcome.count("deleted")).isZero();
        assertThat(outcome.error()).isNull();
    }
}
