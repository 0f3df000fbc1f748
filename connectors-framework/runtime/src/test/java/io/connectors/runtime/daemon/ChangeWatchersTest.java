package io.connectors.runtime.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.runtime.ScriptedSources;
import io.connectors.runtime.config.ConfigLoader;
import io.connectors.runtime.config.ConnectorsConfig;
import io.connectors.runtime.ops.DaemonMetrics;
import io.connectors.runtime.state.JobType;
import io.connectors.runtime.sync.ChangeCheck;
import io.connectors.spi.BaseDataSource;
import io.connectors.spi.SourceContext;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.test.StepVerifier;

/** What a connector's change watch says about skipping its scheduled syncs. */
class ChangeWatchersTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private final String id = "w-" + UUID.randomUUID().toString().substring(0, 8);
    private final DaemonMetrics metrics = new DaemonMetrics();
    private ChangeWatchers watchers;
    private Disposable running;
    private BaseDataSource jobSource;

    @AfterEach
    void stop() {
        if (running != null) {
            running.dispose();
        }
        metrics.close();
    }

    private ScriptedSources.WatchScript start(boolean watch, boolean establish) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("id", id);
        c.put("type", "scripted");
        c.put("configuration", Map.of("watch", watch, "changed", true));
        ConnectorsConfig config = ConfigLoader.fromMap(Map.of("connectors", List.of(c)), "test", Map.of(),
                ScriptedSources.registry());
        ScriptedSources.WatchScript script = ScriptedSources.watch(id);
        script.establish = establish;
        watchers = new ChangeWatchers(config.connectors(), metrics, Duration.ofMillis(10), Duration.ofMillis(50));
        running = watchers.run().subscribe();
        jobSource = config.connectors().get(0).provider().create(config.connectors().get(0).source(), new SourceContext(id));
        return script;
    }

    /** A completed job of {@code type}, as the sync runner drives its check. */
    private void completedJob(JobType type, String jobId) {
        ChangeCheck check = watchers.check(id, type, false, jobId);
        check.reading();
        check.completed();
    }

    /** The skip note of a scheduled job's first attempt, or null when it runs. */
    private String scheduled(JobType type) {
        return watchers.check(id, type, true, "next").skipReason(jobSource).block(WAIT);
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void aScheduledSyncIsSkippedWhenNothingChangedSinceTheLastCompletedOne() throws InterruptedException {
        ScriptedSources.WatchScript script = start(true, true);
        await("established", () -> watchers.established(id));
        assertThat(scheduled(JobType.FULL)).as("no completed sync yet").isNull();

        completedJob(JobType.FULL, "job-1");
        assertThat(scheduled(JobType.FULL)).isEqualTo("the change watcher saw no change since the last completed sync (job job-1)");
        assertThat(scheduled(JobType.INCREMENTAL)).isNotNull();
        assertThat(scheduled(JobType.ACCESS_CONTROL)).as("access control never uses the watcher").isNull();
        assertThat(watchers.check(id, JobType.ACCESS_CONTROL, true, "x")).isSameAs(ChangeCheck.ASK_SOURCE);
        assertThat(watchers.check(id, JobType.REALTIME, false, "x")).isSameAs(ChangeCheck.NONE);
        assertThat(metrics.scrape()).contains("connectors_change_watch_established{connector=\"" + id + "\"} 1.0");

        script.changed();
        await("the change is counted", () -> scheduled(JobType.FULL) == null);
        completedJob(JobType.INCREMENTAL, "job-2");
        assertThat(scheduled(JobType.FULL)).contains("(job job-2)");
    }

    @Test
    void aJobThatReadsTheSourceAndDoesNotCompleteForgetsTheCleanMark() throws InterruptedException {
        start(true, true);
        await("established", () -> watchers.established(id));
        completedJob(JobType.FULL, "job-1");
        assertThat(scheduled(JobType.FULL)).isNotNull();

        watchers.check(id, JobType.FULL, false, "job-2").reading();
        assertThat(scheduled(JobType.FULL)).isNull();
    }

    @Test
    void aLostWatchForgetsUntilASyncCompletesInTheNewWatch() throws InterruptedException {
        ScriptedSources.WatchScript script = start(true, true);
        await("established", () -> watchers.established(id));
        completedJob(JobType.FULL, "job-1");
        assertThat(scheduled(JobType.FULL)).isNotNull();

        script.fail("connection reset");
        await("subscribed again", () -> script.subscriptions.get() == 2 && watchers.established(id));
        assertThat(scheduled(JobType.FULL)).as("a new generation knows nothing").isNull();
        completedJob(JobType.FULL, "job-2");
        assertThat(scheduled(JobType.FULL)).contains("(job job-2)");
    }

    @Test
    void nothingIsSkippedWhileTheWatchIsNotEstablished() throws InterruptedException {
        ScriptedSources.WatchScript script = start(true, false);
        await("subscribed", () -> script.subscriptions.get() == 1);
        completedJob(JobType.FULL, "job-1");
        assertThat(scheduled(JobType.FULL)).isNull();
        assertThat(metrics.scrape()).contains("connectors_change_watch_established{connector=\"" + id + "\"} 0.0");
    }

    @Test
    void aSourceThatDoesNotWatchIsClosedAtOnceAndAsksTheSourceAsBefore() throws InterruptedException {
        int open = ScriptedSources.OPEN.get();
        start(false, true);
        await("the probe instance is closed", () -> ScriptedSources.OPEN.get() == open + 1);
        assertThat(watchers.check(id, JobType.FULL, true, "x")).isSameAs(ChangeCheck.ASK_SOURCE);
        assertThat(watchers.check(id, JobType.FULL, false, "x")).isSameAs(ChangeCheck.NONE);
        jobSource.close().block(WAIT);
    }

    @Test
    void stoppingClosesTheWatchingInstance() throws InterruptedException {
        int open = ScriptedSources.OPEN.get();
        ScriptedSources.WatchScript script = start(true, true);
        await("established", () -> watchers.established(id));
        assertThat(ScriptedSources.OPEN.get()).isEqualTo(open + 2);
        running.dispose();
        await("the watch is cancelled and its instance closed", () -> script.cancellations.get() == 1
                && ScriptedSources.OPEN.get() == open + 1);
        jobSource.close().block(WAIT);
    }

    @Test
    void askingTheSourceStillSkipsWhenItSaysNoChange() {
        BaseDataSource unchanged = new BaseDataSource() {
            @Override
            public reactor.core.publisher.Mono<Void> ping() {
                return reactor.core.publisher.Mono.empty();
            }

            @Override
            public reactor.core.publisher.Mono<Void> validateConfig() {
                return reactor.core.publisher.Mono.empty();
            }

            @Override
            public reactor.core.publisher.Mono<Boolean> changed() {
                return reactor.core.publisher.Mono.just(false);
            }

            @Override
            public reactor.core.publisher.Flux<io.connectors.spi.SourceDocument> getDocs(io.connectors.spi.rules.SyncRules rules) {
                return reactor.core.publisher.Flux.empty();
            }

            @Override
            public reactor.core.publisher.Mono<Void> close() {
                return reactor.core.publisher.Mono.empty();
            }
        };
        ChangeCheck.ASK_SOURCE.skipReason(unchanged).as(StepVerifier::create)
                .expectNext("the source reported no change since the last sync").verifyComplete();
        ChangeCheck.NONE.skipReason(unchanged).as(StepVerifier::create).verifyComplete();
    }
}
