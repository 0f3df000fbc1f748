package io.connectors.runtime.ops;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.connectors.spi.SourceMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** What sources report through {@link DaemonMetrics#sourceMetrics}, as Prometheus scrapes it. */
class SourceMetricsExportTest {
    private static final String RETAINED = "postgresql_slot_retained_wal_bytes";

    private final DaemonMetrics metrics = new DaemonMetrics();
    private final MeterRegistry registry = metrics.registry();
    private final Logger logger = (Logger) LoggerFactory.getLogger(DaemonMetrics.class);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    SourceMetricsExportTest() {
        appender.start();
        logger.addAppender(appender);
    }

    @AfterEach
    void close() {
        logger.detachAppender(appender);
        metrics.close();
    }

    private List<String> warnings() {
        return appender.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void eachConnectorsGaugeHoldsTheLastValueItsSourcesReported() {
        SourceMetrics db = metrics.sourceMetrics("db");
        db.gauge(RETAINED, "Bytes of WAL the connector's replication slot retains", 1024);
        db.gauge(RETAINED, "Bytes of WAL the connector's replication slot retains", 4096);
        metrics.sourceMetrics("db").gauge("postgresql_slot_lag_bytes", "Bytes the slot's confirmed position is behind", 12);
        metrics.sourceMetrics("crm").gauge(RETAINED, "Bytes of WAL the connector's replication slot retains", 7);

        assertThat(metrics.sourceMetrics("db")).as("one reporter per connector").isSameAs(db);
        assertThat(registry.get("connectors.source." + RETAINED).tag("connector", "db").gauge().value()).isEqualTo(4096);
        assertThat(metrics.scrape()).contains(
                "# HELP connectors_source_postgresql_slot_retained_wal_bytes Bytes of WAL the connector's replication slot retains",
                "# TYPE connectors_source_postgresql_slot_retained_wal_bytes gauge",
                "connectors_source_postgresql_slot_retained_wal_bytes{connector=\"db\"} 4096.0",
                "connectors_source_postgresql_slot_retained_wal_bytes{connector=\"crm\"} 7.0",
                "connectors_source_postgresql_slot_lag_bytes{connector=\"db\"} 12.0");
        assertThat(metrics.scrape()).doesNotContain("connectors_source_postgresql_slot_lag_bytes{connector=\"crm\"}");
        assertThat(warnings()).isEmpty();
    }

    @Test
    void aValueNoLongerKnownIsNaNAndAFollowingOneReplacesIt() {
        SourceMetrics db = metrics.sourceMetrics("db");
        db.gauge(RETAINED, "Retained WAL", 10);
        db.gauge(RETAINED, "Retained WAL", Double.NaN);

        assertThat(registry.get("connectors.source." + RETAINED).gauge().value()).isNaN();
        assertThat(metrics.scrape()).contains("connectors_source_postgresql_slot_retained_wal_bytes{connector=\"db\"} NaN");

        db.gauge(RETAINED, "Retained WAL", 0);
        assertThat(metrics.scrape()).contains("connectors_source_postgresql_slot_retained_wal_bytes{connector=\"db\"} 0.0");
    }

    @Test
    void badNamesAreIgnoredWithOneWarningEachAndNeverThrow() {
        SourceMetrics db = metrics.sourceMetrics("db");
        List<String> bad = List.of("Slot_Bytes", "1st", "slot-bytes", "slot.bytes", "", "x".repeat(101), "rows_total", "slot_info",
                "slot bytes", "épaisseur");
        for (int round = 0; round < 3; round++) {
            for (String name : bad) {
                db.gauge(name, "whatever", 1);
            }
            db.gauge(null, null, 1);
        }
        db.gauge("x".repeat(100), null, 5);

        assertThat(registry.find("connectors.source." + "x".repeat(100)).gauge()).isNotNull();
        assertThat(registry.getMeters().stream().map(m -> m.getId().getName())
                .filter(n -> n.startsWith("connectors.source.")).toList())
                .containsExactly("connectors.source." + "x".repeat(100));
        assertThat(warnings()).hasSize(bad.size() + 1);
        assertThat(warnings()).anySatisfy(w -> assertThat(w).contains("[slot-bytes]", "lower-case letters"));
        assertThat(warnings()).anySatisfy(w -> assertThat(w).contains("[rows_total]", "reserved by Prometheus"));
        assertThat(metrics.scrape()).contains("HELP connectors_source_" + "x".repeat(100)
                + " Measured by the connector's source");
    }

    @Test
    void distinctNamesAreBoundedAcrossConnectors() {
        for (int i = 0; i < DaemonMetrics.MAX_SOURCE_GAUGE_NAMES; i++) {
            metrics.sourceMetrics(i % 2 == 0 ? "a" : "b").gauge("m" + i, "Measure " + i, i);
        }
        metrics.sourceMetrics("a").gauge("m1", "Measure 1", 100);
        metrics.sourceMetrics("c").gauge("one_too_many", "Refused", 1);
        metrics.sourceMetrics("c").gauge("one_too_many", "Refused", 2);
        metrics.sourceMetrics("a").gauge("another", "Refused", 1);

        assertThat(registry.find("connectors.source.m1").tag("connector", "a").gauge().value())
                .as("a known name is taken for another connector").isEqualTo(100);
        assertThat(registry.find("connectors.source.one_too_many").gauges()).isEmpty();
        assertThat(registry.find("connectors.source.another").gauges()).isEmpty();
        assertThat(warnings()).hasSize(2).allSatisfy(w -> assertThat(w).contains("64 distinct names"));
    }

    @Test
    void reportsFromManyThreadsRegisterEachGaugeOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        try {
            for (int t = 0; t < 8; t++) {
                int thread = t;
                pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 1000; i++) {
                        metrics.sourceMetrics("c" + (i % 4)).gauge("g" + (i % 16), "Gauge", thread * 1000 + i);
                    }
                    return null;
                });
            }
            start.countDown();
            pool.shutdown();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            pool.shutdownNow();
        }
        assertThat(registry.getMeters().stream().filter(m -> m.getId().getName().startsWith("connectors.source.")))
                .hasSize(16);
        assertThat(warnings()).isEmpty();
    }
}
