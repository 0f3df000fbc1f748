package io.connectors.runtime.daemon;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import io.connectors.runtime.config.ConnectorConfig;
import io.connectors.runtime.config.ConnectorsConfig;
import io.connectors.runtime.sync.SyncReport;
import io.connectors.runtime.sync.SyncRunner;
import io.connectors.runtime.sync.SyncStats;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The long-running sync loop: each connector's full sync runs at start-up (if configured) and then on its cron
 * schedule, with at most {@code sync.max_concurrent_syncs} syncs at once and never two at once for one connector.
 * Runs until the returned publisher is cancelled, which cancels running syncs (their sources are closed).
 */
public final class Daemon {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);
    private static final CronParser CRON = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ));

    private final ConnectorsConfig config;
    private final FullSyncs syncs;
    private final Clock clock;
    private final Scheduler timer;
    private final Set<String> running = ConcurrentHashMap.newKeySet();

    /** Runs one full sync of a connector; the report carries the outcome, errors included. */
    @FunctionalInterface
    public interface FullSyncs {
        Mono<SyncReport> run(ConnectorConfig connector);

        /** Full syncs by a {@link SyncRunner}, logging progress. */
        static FullSyncs of(SyncRunner runner) {
            return c -> runner.fullSync(c, new SyncStats(), s -> LOG.info("Connector {}: {}", c.id(), s));
        }
    }

    public Daemon(ConnectorsConfig config, FullSyncs syncs) {
        this(config, syncs, Clock.systemDefaultZone(), Schedulers.parallel());
    }

    Daemon(ConnectorsConfig config, FullSyncs syncs, Clock clock, Scheduler timer) {
        this.config = config;
        this.syncs = syncs;
        this.clock = clock;
        this.timer = timer;
    }

    /** Emits the report of every sync as it ends; never completes on its own. */
    public Flux<SyncReport> run() {
        List<Flux<ConnectorConfig>> triggers = config.connectors().stream().map(this::triggers).toList();
        if (triggers.isEmpty()) {
            LOG.warn("No connectors are configured in {}; the daemon is idle", config.origin());
        }
        return Flux.merge(triggers)
                .concatWith(Flux.never())
                .flatMap(this::runOnce, config.sync().maxConcurrentSyncs(), 1);
    }

    private Flux<ConnectorConfig> triggers(ConnectorConfig connector) {
        Flux<ConnectorConfig> onStart = config.daemon().syncOnStart() ? Flux.just(connector) : Flux.empty();
        String cron = connector.schedules().get("full");
        if (cron == null) {
            LOG.info("Connector {}: no full-sync schedule{}", connector.id(),
                    config.daemon().syncOnStart() ? "; it syncs once at start-up" : "; it only syncs on demand");
            return onStart;
        }
        ExecutionTime schedule = ExecutionTime.forCron(CRON.parse(cron));
        Flux<ConnectorConfig> ticks = Flux.defer(() -> nextDelay(schedule)
                        .map(delay -> Mono.delay(delay, timer).thenReturn(connector))
                        .orElseGet(Mono::empty))
                .repeat();
        return onStart.concatWith(ticks);
    }

    private Optional<Duration> nextDelay(ExecutionTime schedule) {
        ZonedDateTime now = ZonedDateTime.now(clock);
        // Measured from one second on, so a tick that fires a little early does not fire twice.
        return schedule.timeToNextExecution(now.plusSeconds(1)).map(d -> d.plusSeconds(1));
    }

    private Mono<SyncReport> runOnce(ConnectorConfig connector) {
        if (!running.add(connector.id())) {
            LOG.warn("Connector {}: a sync is still running; this scheduled sync is skipped", connector.id());
            return Mono.empty();
        }
        return Mono.defer(() -> syncs.run(connector))
                // A sync reports its own failures; anything escaping it must not stop the other connectors.
                .onErrorResume(e -> {
                    LOG.error("Connector {}: the sync failed unexpectedly; its next scheduled sync still runs", connector.id(), e);
                    return Mono.empty();
                })
                .doFinally(signal -> running.remove(connector.id()));
    }

    /** Connectors with a sync in progress. */
    public Set<String> running() {
        return Set.copyOf(running);
    }
}
