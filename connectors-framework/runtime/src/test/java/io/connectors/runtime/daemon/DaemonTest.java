package io.connectors.runtime.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.runtime.TestSources;
import io.connectors.runtime.config.ConfigLoader;
import io.connectors.runtime.config.ConnectorConfig;
import io.connectors.runtime.config.ConnectorsConfig;
import io.connectors.runtime.sync.SyncReport;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;

class DaemonTest {
    private final VirtualTimeScheduler time = VirtualTimeScheduler.create();
    private final Clock clock = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(time.now(TimeUnit.MILLISECONDS));
        }
    };
    private final List<String> started = new ArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private Disposable daemon;

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.dispose();
        }
        time.dispose();
    }

    private ConnectorsConfig config(int maxConcurrent, boolean syncOnStart, Map<String, String> cronById) {
        List<Object> connectors = new ArrayList<>();
        cronById.forEach((id, cron) -> {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("id", id);
            c.put("type", "test");
            c.put("configuration", Map.of("path", "/x"));
            if (cron != null) {
                c.put("schedule", Map.of("full", cron));
            }
            connectors.add(c);
        });
        Map<String, Object> yaml = new LinkedHashMap<>();
        yaml.put("sync", Map.of("max_concurrent_syncs", maxConcurrent));
        yaml.put("daemon", Map.of("sync_on_start", syncOnStart));
        yaml.put("connectors", connectors);
        return ConfigLoader.fromMap(yaml, "test", Map.of(), TestSources.registry());
    }

    private Daemon.FullSyncs taking(Duration each) {
        return c -> Mono.defer(() -> {
            started.add(c.id() + "@" + time.now(TimeUnit.SECONDS));
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            return Mono.delay(each, time)
                    .map(t -> report(c))
                    // Before completion reaches the daemon, which may start the next sync at once.
                    .doOnTerminate(inFlight::decrementAndGet);
        });
    }

    private static SyncReport report(ConnectorConfig c) {
        return new SyncReport(c.id(), "full", SyncReport.Status.COMPLETED, Instant.EPOCH, Instant.EPOCH, Map.of(), null);
    }

    @Test
    void syncsOnStartThenOnItsCronSchedule() {
        Daemon d = new Daemon(config(2, true, Map.of("a", "0/10 * * * * ?")), taking(Duration.ofSeconds(1)), clock, time);
        daemon = d.run().subscribe();
        time.advanceTimeBy(Duration.ofSeconds(35));
        assertThat(started).containsExactly("a@0", "a@10", "a@20", "a@30");
    }

    @Test
    void withoutScheduleOnlyTheStartUpSyncRuns() {
        Map<String, String> none = new LinkedHashMap<>();
        none.put("a", null);
        daemon = new Daemon(config(2, true, none), taking(Duration.ofSeconds(1)), clock, time).run().subscribe();
        time.advanceTimeBy(Duration.ofHours(1));
        assertThat(started).containsExactly("a@0");
    }

    @Test
    void concurrentSyncsAreBounded() {
        Map<String, String> three = new LinkedHashMap<>();
        three.put("a", null);
        three.put("b", null);
        three.put("c", null);
        daemon = new Daemon(config(2, true, three), taking(Duration.ofSeconds(5)), clock, time).run().subscribe();
        time.advanceTimeBy(Duration.ofSeconds(1));
        assertThat(started).containsExactly("a@0", "b@0");
        time.advanceTimeBy(Duration.ofSeconds(10));
        assertThat(started).containsExactly("a@0", "b@0", "c@5");
        assertThat(maxInFlight).hasValue(2);
    }

    @Test
    void aConnectorNeverRunsTwiceAtOnce() {
        Daemon d = new Daemon(config(4, true, Map.of("a", "0/10 * * * * ?")), taking(Duration.ofSeconds(25)), clock, time);
        daemon = d.run().subscribe();
        time.advanceTimeBy(Duration.ofSeconds(5));
        assertThat(d.running()).containsExactly("a");
        time.advanceTimeBy(Duration.ofSeconds(31));
        // Ticks at 10 and 20 find the first sync running and are skipped; the tick at 30 runs.
        assertThat(started).containsExactly("a@0", "a@30");
        assertThat(maxInFlight).hasValue(1);
    }

    @Test
    void anUnexpectedSyncFailureDoesNotStopTheDaemon() {
        AtomicInteger calls = new AtomicInteger();
        Daemon.FullSyncs failingOnce = c -> calls.getAndIncrement() == 0
                ? Mono.error(new IllegalStateException("boom"))
                : Mono.just(report(c));
        Daemon d = new Daemon(config(2, true, Map.of("a", "0/10 * * * * ?")), failingOnce, clock, time);
        java.util.List<SyncReport> reports = new ArrayList<>();
        daemon = d.run().subscribe(reports::add);
        time.advanceTimeBy(Duration.ofSeconds(25));
        assertThat(calls).hasValue(3);
        assertThat(reports).hasSize(2);
        assertThat(d.running()).isEmpty();
    }

    @Test
    void disposingCancelsRunningSyncs() {
        AtomicInteger canceled = new AtomicInteger();
        Daemon.FullSyncs slow = c -> Mono.delay(Duration.ofHours(1), time).map(t -> report(c)).doOnCancel(canceled::incrementAndGet);
        Daemon d = new Daemon(config(2, true, Map.of("a", "0 0 * * * ?")), slow, clock, time);
        daemon = d.run().subscribe();
        time.advanceTimeBy(Duration.ofSeconds(1));
        assertThat(d.running()).containsExactly("a");
        daemon.dispose();
        assertThat(canceled).hasValue(1);
        assertThat(d.running()).isEmpty();
    }
}
