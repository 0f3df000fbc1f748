package io.connectors.runtime.daemon;

import io.connectors.runtime.config.ConfigException;
import io.connectors.runtime.config.ConnectorConfig;
import io.connectors.runtime.config.ConnectorsConfig;
import io.connectors.runtime.config.DaemonSettings;
import io.connectors.runtime.ops.DaemonMetrics;
import io.connectors.runtime.rules.SyncRulesValidator;
import io.connectors.runtime.state.ConnectorRecord;
import io.connectors.runtime.state.ConnectorRecords;
import io.connectors.runtime.state.JobRecord;
import io.connectors.runtime.state.JobRecords;
import io.connectors.runtime.state.JobStatus;
import io.connectors.runtime.state.JobType;
import io.connectors.runtime.state.StateStore.Versioned;
import io.connectors.runtime.state.StateStore;
import io.connectors.runtime.sync.SyncReport;
import io.connectors.runtime.sync.SyncRunner;
import io.connectors.runtime.util.Failures;
import io.connectors.spi.BaseDataSource;
import io.connectors.spi.RealtimeSource;
import io.connectors.spi.config.ConfigValidationException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The sync daemon, with its state in Elasticsearch (see {@link StateStore}):
 * <ul>
 *   <li><b>Start-up.</b> Creates the state indices, upserts the configured connectors, checks each one's
 *       configuration against its backend (status {@code connected}, {@code needs_configuration} or
 *       {@code error}) and validates its sync rules (draft, then valid or invalid).</li>
 *   <li><b>Scheduling.</b> Each connector's cron expressions (one per job type) create job records when due. A
 *       scheduled job's id is derived from its due time, so daemons sharing a schedule create it once.</li>
 *   <li><b>Work.</b> The daemon claims queued (and suspended) jobs of the connectors it knows, with a conditional
 *       write, takes the connector's lock, and runs them: at most {@code sync.max_concurrent_syncs} at once, never
 *       two of one connector. A running job heartbeats its counts; a cancel request stops it within a heartbeat.</li>
 *   <li><b>Recovery.</b> A running job whose worker stopped heartbeating is marked failed by any daemon, which
 *       frees its connector. On shutdown, running jobs are stopped and marked {@code suspended}; the next daemon
 *       resumes them.</li>
 *   <li><b>Change watches.</b> Connectors whose source watches its backend ({@code ChangeWatchingSource}) are
 *       watched while the daemon runs, so that their scheduled syncs are skipped when nothing changed since the last
 *       completed one ({@link ChangeWatchers}).</li>
 *   <li><b>Real time.</b> For each {@code realtime: true} connector, every poll round makes sure a real-time job
 *       exists (queued, running or suspended), creating one {@code daemon.realtime_restart_delay} after the last one
 *       ended.</li>
 * </ul>
 */
public final class Daemon {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);
    private static final int CLAIM_PAGE = 20;

    private final ConnectorsConfig config;
    private final DaemonSettings settings;
    private final StateStore store;
    private final JobRecords jobs;
    private final ConnectorRecords connectors;
    private final SyncRunner runner;
    private final DaemonMetrics metrics;
    private final Clock clock;
    private final Map<String, ConnectorConfig> byId;
    private final ChangeWatchers watchers;
    /** Running jobs of this daemon, by connector id. */
    private final Map<String, JobExecution> running = new ConcurrentHashMap<>();
    /** Jobs of other daemons this one helps read splits of, by job id. */
    private final Map<String, io.connectors.runtime.sync.SplitJob> helping = new ConcurrentHashMap<>();
    /** Failures of the periodic bookkeeping (gauges, liveness marks): each retried at its next tick, counted here. */
    private final io.connectors.runtime.util.ProblemLog background = new io.connectors.runtime.util.ProblemLog(LOG,
            "A periodic task of the daemon failed (it runs again at its next tick)", 5);
    /** The poll loops run every {@code daemon.poll_interval}: while Elasticsearch is down, one line a minute each. */
    private final io.connectors.runtime.util.RepeatedFailureLog claimFailures;
    private final io.connectors.runtime.util.RepeatedFailureLog helpFailures;
    private final io.connectors.runtime.util.RepeatedFailureLog reapFailures;
    private final Map<String, io.connectors.runtime.util.RepeatedFailureLog> realtimeFailures = new ConcurrentHashMap<>();
    private volatile boolean stopping;
    /** What operators asked of this daemon's connectors (pause, restart), as last read from their records. */
    private volatile Map<String, ConnectorRecord.Control> controls = Map.of();
    /** When each running job of this daemon started here, by connector id: a restart asked later stops it. */
    private final Map<String, Instant> runningSince = new ConcurrentHashMap<>();
    /** The connector of each job this daemon helps with, by job id. */
    private final Map<String, String> helpedConnector = new ConcurrentHashMap<>();
    /** Jobs to suspend for a pause or a restart: suspended by their own pipeline in {@link #run()}. */
    private final Sinks.Many<JobExecution> suspensions = Sinks.many().unicast().onBackpressureBuffer();
    /** The configuration file, as an absolute path where it is one, for the messages of runs it refuses. */
    private final String configFile;

    public Daemon(ConnectorsConfig config, StateStore store, SyncRunner runner, DaemonMetrics metrics) {
        this(config, store, runner, metrics, Clock.systemUTC());
    }

    Daemon(ConnectorsConfig config, StateStore store, SyncRunner runner, DaemonMetrics metrics, Clock clock) {
        this.config = config;
        this.settings = config.daemon();
        this.store = store;
        this.jobs = new JobRecords(store);
        this.connectors = new ConnectorRecords(store);
        this.runner = runner;
        this.metrics = metrics;
        this.clock = clock;
        this.byId = config.connectors().stream().collect(Collectors.toUnmodifiableMap(ConnectorConfig::id, c -> c));
        this.watchers = new ChangeWatchers(config.connectors(), metrics);
        this.configFile = absolute(config.origin());
        Duration every = io.connectors.runtime.util.RepeatedFailureLog.DEFAULT_INTERVAL;
        this.claimFailures = new io.connectors.runtime.util.RepeatedFailureLog(LOG, "Looking for queued jobs failed", every, clock);
        this.helpFailures = new io.connectors.runtime.util.RepeatedFailureLog(LOG,
                "Looking for splits of other daemons' jobs failed", every, clock);
        this.reapFailures = new io.connectors.runtime.util.RepeatedFailureLog(LOG, "Looking for stale jobs failed", every, clock);
    }

    private static String absolute(String origin) {
        try {
            return java.nio.file.Path.of(origin).toAbsolutePath().normalize().toString();
        } catch (java.nio.file.InvalidPathException | java.io.IOError e) {
            return origin;
        }
    }

    public String workerId() {
        return settings.workerId();
    }

    /**
     * Starts the daemon and emits the report of every job it runs as the job ends; never completes on its own.
     * Fails at once when the state indices cannot be created, and with a {@link ConfigException} when a
     * {@code realtime: true} connector's source cannot follow changes ({@link #checkCapabilities}). Cancelling stops
     * everything abruptly (running jobs are left to the heartbeat timeout; change watches are closed): call
     * {@link #suspendRunning} first for a clean stop.
     */
    public Flux<SyncReport> run() {
        return checkCapabilities(config).then(startUp()).thenMany(Flux.defer(() -> {
            if (config.connectors().isEmpty()) {
                LOG.warn("No connectors are configured in {}; the daemon only reaps stale jobs", config.origin());
            }
            Sinks.Many<SyncReport> reports = Sinks.many().multicast().onBackpressureBuffer();
            Flux<Void> scheduling = Flux.merge(config.connectors().stream()
                    .flatMap(c -> c.schedules().entrySet().stream()
                            .map(e -> schedule(c, JobType.parse(e.getKey()).orElseThrow(), new CronSchedule(e.getValue()))))
                    .toList());
            Flux<SyncReport> work = Flux.interval(Duration.ZERO, settings.pollInterval())
                    .onBackpressureDrop()
                    .concatMap(t -> refreshControls().then(ensureRealtimeJobs()).then(claimSome())
                            .doOnNext(l -> claimFailures.succeeded())
                            .onErrorResume(e -> {
                        claimFailures.failed(e);
                        return Mono.just(List.of());
                    }), 1)
                    .flatMapIterable(l -> l)
                    .flatMap(this::execute);
            Flux<SyncReport> helpingOthers = Flux.interval(settings.pollInterval(), settings.pollInterval())
                    .onBackpressureDrop()
                    .concatMap(t -> splitsToHelp().doOnNext(l -> helpFailures.succeeded()).onErrorResume(e -> {
                        helpFailures.failed(e);
                        return Mono.just(List.of());
                    }), 1)
                    .flatMapIterable(l -> l)
                    .flatMap(this::help)
                    .cast(SyncReport.class);
            Duration reapEvery = settings.heartbeatTimeout().dividedBy(4).compareTo(settings.pollInterval()) > 0
                    ? settings.heartbeatTimeout().dividedBy(4) : settings.pollInterval();
            Flux<Void> reaping = Flux.interval(reapEvery, reapEvery).onBackpressureDrop()
                    .concatMap(t -> reapStale().doOnSuccess(v -> reapFailures.succeeded()).onErrorResume(e -> {
                        reapFailures.failed(e);
                        return Mono.empty();
                    }), 1);
            Flux<Void> retention = settings.jobRetention().isZero() ? Flux.empty()
                    : Flux.interval(Duration.ZERO, Duration.ofMinutes(10)).onBackpressureDrop()
                    .concatMap(t -> purgeEndedJobs().onErrorResume(e -> {
                        LOG.warn("Deleting old jobs failed: {}", e.toString());
                        return Mono.empty();
                    }), 1);
            Flux<Void> gauges = Flux.interval(Duration.ZERO, Duration.ofSeconds(10)).onBackpressureDrop()
                    .concatMap(t -> store.jobCountsByStatus().doOnNext(metrics::jobCountsByStatus).then()
                            .onErrorResume(e -> {
                                background.report("job gauges", "counting jobs by status failed: " + e);
                                return Mono.empty();
                            }), 1);
            Flux<Void> liveness = Flux.interval(Duration.ofSeconds(30), Duration.ofSeconds(30)).onBackpressureDrop()
                    .concatMap(t -> Flux.fromIterable(config.connectors())
                            .concatMap(c -> connectors.touch(c.id(), servedBy(c)).onErrorResume(e -> {
                                background.report("liveness", "marking connector " + c.id() + " as served failed: " + e);
                                return Mono.empty();
                            })).then(), 1);
            Flux<Void> suspending = suspensions.asFlux().flatMap(JobExecution::suspend);
            return Flux.merge(scheduling.cast(SyncReport.class), suspending.cast(SyncReport.class), work, helpingOthers, reaping.cast(SyncReport.class),
                    gauges.cast(SyncReport.class), liveness.cast(SyncReport.class), retention.cast(SyncReport.class),
                    watchers.run().cast(SyncReport.class));
        }));
    }

    /** Connectors with a job running in this daemon. */
    public Set<String> running() {
        return Set.copyOf(running.keySet());
    }

    /**
     * Stops claiming jobs and stops the running ones, recording them as {@code suspended} so the next daemon to
     * start resumes them. Completes when they are recorded.
     */
    public Mono<Void> suspendRunning() {
        if (background.total() > 0) {
            LOG.warn("Periodic tasks of the daemon failed {} times while it ran: {}", background.total(), background.summary());
        }
        stopping = true;
        helping.values().forEach(io.connectors.runtime.sync.SplitJob::drain);
        List<JobExecution> now = new ArrayList<>(running.values());
        if (!now.isEmpty()) {
            LOG.info("Suspending {} running job(s): {}", now.size(), now.stream().map(JobExecution::jobId).toList());
        }
        // Drained helpers save their positions and release their splits; wait for that too, within the grace.
        Mono<Void> helpersReleased = Flux.interval(Duration.ofMillis(100)).takeUntil(t -> helping.isEmpty()).then()
                .timeout(settings.shutdownGrace())
                .onErrorResume(e -> {
                    LOG.warn("Splits of other daemons' jobs read here were not all released within daemon.shutdown_grace"
                            + " ({}); they are taken over once their progress is stale", settings.shutdownGrace());
                    return Mono.empty();
                });
        return Flux.fromIterable(now).flatMap(JobExecution::suspend).then(helping.isEmpty() ? Mono.empty() : helpersReleased);
    }

    /**
     * Runs one job of one connector now, in this process ({@code connectors sync}): records the connector, queues
     * an on-demand job, claims it and runs it under the connector's lock, like a daemon would, so it never runs
     * alongside a daemon's job of the same connector. Fails with {@link IllegalStateException} when another job of
     * the connector is running, and when a live daemon serves the connector with another configuration: the
     * connector's record is that daemon's, and this run would overwrite it (its source settings, schedules, status).
     */
    public Mono<OnDemandRun> runNow(String connectorId, JobType type, java.util.function.Consumer<io.connectors.runtime.sync.SyncStats> progress) {
        ConnectorConfig c = byId.get(connectorId);
        if (c == null) {
            return Mono.error(new IllegalArgumentException("no connector '" + connectorId + "'"));
        }
        String id = JobRecords.onDemandId(c.id(), type);
        return store.ensureIndices()
                .then(refuseIfServedWithOtherConfiguration(c))
                .then(register(c, null))
                .then(lockHolder(c.id()))
                .flatMap(holder -> Mono.<OnDemandRun>error(new IllegalStateException("connector " + c.id() + " is being synced by job "
                        + holder + "; wait for it, or cancel it: connectors jobs cancel " + holder)))
                .switchIfEmpty(Mono.defer(() -> createJob(c, type, id, JobRecord.Trigger.ON_DEMAND, JobStatus.PENDING, "run by connectors sync", null)
                        .flatMap(job -> jobs.claim(job, workerId(), now()))
                        .flatMap(claimed -> Mono.usingWhen(
                                Mono.fromCallable(() -> {
                                    JobExecution execution = new JobExecution(claimed, c, jobs, connectors, runner, watchers,
                                            metrics, settings, clock, progress);
                                    running.put(c.id(), execution);
                                    return execution;
                                }),
                                JobExecution::run,
                                execution -> Mono.fromRunnable(() -> running.remove(c.id(), execution)))
                                .map(report -> new OnDemandRun(id, report))
                                .switchIfEmpty(jobs.requestCancel(id, now()).then(Mono.error(() -> new IllegalStateException(
                                        "another job of connector " + c.id() + " started first; try again")))))));
    }

    /**
     * A job run by {@link #runNow}.
     *
     * @param jobId  its record in the jobs index ({@code connectors jobs view <jobId>})
     * @param report how it ended
     */
    public record OnDemandRun(String jobId, SyncReport report) {
    }

    private Mono<Void> refuseIfServedWithOtherConfiguration(ConnectorConfig c) {
        return connectors.get(c.id())
                .flatMap(stored -> ConnectorRecords.servedWithOtherConfiguration(stored.doc(),
                                ConnectorRecords.recordFingerprint(c), now())
                        .map(served -> Mono.<Void>error(new IllegalStateException("connector " + c.id()
                                + " is served by daemon " + served.worker() + " (pid " + served.pid() + ", configuration "
                                + served.config() + "), whose configuration of it differs from " + config.origin()
                                + "'s; its record is that daemon's, and this run would overwrite it. Sync it with the"
                                + " daemon's configuration (connectors -c " + served.config() + " sync " + c.id()
                                + "), or queue a job the daemon runs (connectors jobs start " + c.id() + "), or give the"
                                + " connector another id in " + config.origin())))
                        .orElse(Mono.empty()));
    }

    /** The live job holding the connector's lock, if any. */
    private Mono<String> lockHolder(String connectorId) {
        return connectors.liveHolder(connectorId, jobs, settings.heartbeatTimeout(), now());
    }

    /** Stops the running jobs and records them as {@code canceled} (a one-shot sync interrupted by Ctrl-C). */
    public Mono<Void> cancelRunning() {
        stopping = true;
        return Flux.fromIterable(new ArrayList<>(running.values())).flatMap(JobExecution::cancel).then();
    }

    // ---------------------------------------------------------------- start-up

    /**
     * Checks that the source of every {@code realtime: true} connector can follow its changes (implements
     * {@link RealtimeSource}), creating one instance of each (no I/O, by the provider's contract) and closing it.
     * Fails with a {@link ConfigException} naming each such connector and its type. A source that cannot be
     * created is left to the daemon's start-up check, which records why.
     */
    public static Mono<Void> checkCapabilities(ConnectorsConfig config) {
        return Flux.fromIterable(config.connectors())
                .filter(ConnectorConfig::realtime)
                .concatMap(c -> Mono.usingWhen(
                                Mono.fromCallable(() -> c.provider().create(c.source(), c.context())),
                                source -> source instanceof RealtimeSource ? Mono.<String>empty()
                                        : Mono.just("connector " + c.id() + ": realtime: true, but source type '" + c.type()
                                                + "' does not support real-time mode (its source does not implement RealtimeSource)"),
                                BaseDataSource::close,
                                (source, e) -> source.close(),
                                BaseDataSource::close)
                        // Harmless here: an invalid configuration is reported, with its fields, by the checks above.
                        .onErrorResume(ConfigValidationException.class, e -> Mono.empty()))
                .collectList()
                .flatMap(problems -> problems.isEmpty() ? Mono.<Void>empty()
                        : Mono.error(new ConfigException(config.origin(), problems)));
    }

    private Mono<Void> startUp() {
        return store.ensureIndices()
                .onErrorMap(e -> new IllegalStateException("the state indices " + store.alias(StateStore.Kind.CONNECTORS)
                        + " and " + store.alias(StateStore.Kind.JOBS) + " cannot be created: " + e.getMessage(), e))
                .thenMany(Flux.fromIterable(config.connectors()))
                .concatMap(c -> warnIfServedWithOtherConfiguration(c).then(register(c, servedBy(c))).onErrorResume(e -> {
                    LOG.error("Connector {}: recording it in {} failed: {}", c.id(), store.alias(StateStore.Kind.CONNECTORS),
                            e.toString());
                    return Mono.empty();
                }))
                .then(store.refresh(StateStore.Kind.JOBS))
                .then(settings.syncOnStart()
                        ? Flux.fromIterable(config.connectors()).concatMap(this::queueStartSync).then()
                        : Mono.empty())
                .doOnSuccess(v -> LOG.info("Daemon {} started with {} connector(s); state in {} and {}", workerId(),
                        config.connectors().size(), store.alias(StateStore.Kind.CONNECTORS), store.alias(StateStore.Kind.JOBS)));
    }

    /**
     * Logs when another live daemon serves {@code c} with another configuration: this daemon's registration replaces
     * that daemon's record, and each overwrites the other's at start-up. Not refused: a daemon restarted with a
     * changed file finds its own previous mark, which looks the same for up to {@link ConnectorRecords#SERVED_WITHIN}.
     */
    private Mono<Void> warnIfServedWithOtherConfiguration(ConnectorConfig c) {
        return connectors.get(c.id())
                .doOnNext(stored -> ConnectorRecords.servedWithOtherConfiguration(stored.doc(),
                                ConnectorRecords.recordFingerprint(c), now())
                        .filter(served -> !workerId().equals(served.worker()))
                        .ifPresent(served -> LOG.warn("Connector {}: daemon {} (pid {}, configuration {}) served it with"
                                + " another configuration {}s ago; this daemon's replaces it in the connector's record. If"
                                + " that daemon still runs, give the connector another id in one of the two files",
                                c.id(), served.worker(), served.pid(), served.config(),
                                Duration.between(served.seenAt(), now()).toSeconds())))
                .then();
    }

    /** This daemon as the one serving {@code c}, alive now. */
    private ConnectorRecord.ServedBy servedBy(ConnectorConfig c) {
        return new ConnectorRecord.ServedBy(workerId(), ConnectorRecords.recordFingerprint(c), configFile,
                ProcessHandle.current().pid(), now());
    }

    /**
     * Records the connector ({@code servedBy}: this daemon serves it; null: a one-off run), then checks its
     * configuration and sync rules against the source.
     */
    private Mono<Void> register(ConnectorConfig c, ConnectorRecord.ServedBy servedBy) {
        return connectors.register(c, SyncRunner.fingerprint(c), now(), servedBy)
                .then(Mono.usingWhen(
                        Mono.fromCallable(() -> c.provider().create(c.source(),
                                c.context().withMetrics(metrics.sourceMetrics(c.id())))),
                        source -> check(c, source),
                        BaseDataSource::close,
                        (source, e) -> source.close(),
                        BaseDataSource::close));
    }

    private Mono<Void> check(ConnectorConfig c, BaseDataSource source) {
        Mono<Void> status = source.validateConfig().then(source.ping())
                .then(connectors.setStatus(c.id(), ConnectorRecords.Status.CONNECTED, null, now()))
                .onErrorResume(e -> {
                    boolean config = e instanceof ConfigValidationException;
                    String message = Failures.describe(e);
                    LOG.warn("Connector {}: {}: {}", c.id(), config ? "needs configuration" : "cannot reach its source", message);
                    return connectors.setStatus(c.id(), config ? ConnectorRecords.Status.NEEDS_CONFIGURATION
                            : ConnectorRecords.Status.ERROR, message, now());
                });
        Mono<Void> rules = SyncRulesValidator.validate(c.syncRules(), source, c.type())
                .flatMap(result -> {
                    if (!result.isValid()) {
                        LOG.warn("Connector {}: its sync rules are invalid and not used (syncs keep the last valid rules): {}",
                                c.id(), result.messages());
                    }
                    return connectors.recordRulesValidation(c.id(), c.syncRules(), result, now());
                })
                .then();
        return status.then(rules);
    }

    private Mono<Void> queueStartSync(ConnectorConfig c) {
        if (c.realtime()) {
            // Its real-time job runs a full sync itself when there is no cursor to follow from.
            return Mono.empty();
        }
        return connectors.get(c.id()).filter(r -> r.doc().control() != null && r.doc().control().paused())
                .doOnNext(r -> LOG.info("Connector {}: paused (since {}); no start-up sync queued", c.id(),
                        r.doc().control().pausedAt()))
                .map(r -> true).defaultIfEmpty(false)
                .flatMap(paused -> paused ? Mono.<Void>empty() : queueStartSyncOf(c));
    }

    private Mono<Void> queueStartSyncOf(ConnectorConfig c) {
        return queued(c.id())
                .zipWith(jobs.ofConnector(c.id(), List.of(JobStatus.IN_PROGRESS), 10))
                .flatMap(found -> {
                    List<Versioned<JobRecord>> queued = found.getT1();
                    if (queued.stream().anyMatch(j -> j.doc().type() == JobType.FULL)
                            || queued.stream().anyMatch(j -> j.doc().status() == JobStatus.SUSPENDED)) {
                        LOG.info("Connector {}: a job is already queued or suspended; no start-up sync queued", c.id());
                        return Mono.empty();
                    }
                    // A split full sync in progress is resumed where it got to, even if its daemon died: a new full
                    // sync would only read again what it covered.
                    if (found.getT2().stream().anyMatch(j -> !j.doc().splits().isEmpty())) {
                        LOG.info("Connector {}: a split full sync is in progress (it is resumed if its daemon died); no"
                                + " start-up sync queued", c.id());
                        return Mono.empty();
                    }
                    String id = c.id() + "-full-start-" + UUID.randomUUID().toString().substring(0, 13);
                    return createJob(c, JobType.FULL, id, JobRecord.Trigger.SCHEDULED, JobStatus.PENDING, "daemon start-up", now()).then();
                })
                .onErrorResume(e -> {
                    LOG.error("Connector {}: queueing its start-up sync failed: {}", c.id(), e.toString());
                    return Mono.empty();
                });
    }

    // ---------------------------------------------------------------- scheduling

    private Flux<Void> schedule(ConnectorConfig c, JobType type, CronSchedule cron) {
        LOG.info("Connector {}: {} syncs on \"{}\" (UTC)", c.id(), type.value(), cron);
        Instant[] last = {now()};
        return Flux.defer(() -> {
                    Optional<Instant> next = cron.next(last[0]);
                    if (next.isEmpty()) {
                        return Mono.<Void>empty();
                    }
                    Instant due = next.get();
                    Duration wait = Duration.between(now(), due);
                    return Mono.delay(wait.isNegative() ? Duration.ZERO : wait)
                            .then(Mono.defer(() -> {
                                last[0] = due;
                                return queueScheduled(c, type, due);
                            }));
                })
                .repeat(() -> !stopping)
                .onErrorResume(e -> {
                    LOG.error("Connector {}: its {} schedule stopped: {}", c.id(), type.value(), e.toString());
                    return Mono.empty();
                });
    }

    /** Creates the job due at {@code due}, once across daemons; skipped when one of its type is still queued. */
    private Mono<Void> queueScheduled(ConnectorConfig c, JobType type, Instant due) {
        String id = JobRecords.scheduledId(c.id(), type, due);
        return connectors.get(c.id()).map(Optional::of).defaultIfEmpty(Optional.empty())
                .zipWith(queued(c.id()))
                .flatMap(found -> {
                    Optional<ConnectorRecord> record = found.getT1().map(Versioned::doc);
                    if (record.isPresent() && ConnectorRecords.countedTick(record.get(), id)) {
                        // Its job ran, found nothing to do and was counted on the connector: not again.
                        return Mono.empty();
                    }
                    if (record.isPresent() && record.get().control() != null && record.get().control().paused()) {
                        return skipTick(c, type, id, "paused", "the connector is paused");
                    }
                    Optional<Versioned<JobRecord>> waiting = found.getT2().stream()
                            .filter(j -> j.doc().type() == type && !id.equals(j.id()))
                            .findFirst();
                    return waiting.isPresent()
                            ? skipTick(c, type, id, "queued", "job " + waiting.get().id() + " of this connector was still queued")
                            : createJob(c, type, id, JobRecord.Trigger.SCHEDULED, JobStatus.PENDING, null, due).then();
                })
                .onErrorResume(StateStore.ConflictException.class, e -> {
                    LOG.debug("Job {} was already created by another daemon", id);
                    return Mono.empty();
                })
                .onErrorResume(e -> {
                    LOG.error("Connector {}: queueing its {} sync due at {} failed: {}", c.id(), type.value(), due, e.toString());
                    return Mono.empty();
                })
                .then();
    }

    /**
     * A scheduled tick that runs nothing: counted on the connector record (once across daemons) and in
     * {@code connectors_skipped_ticks_total}, with no job record.
     */
    private Mono<Void> skipTick(ConnectorConfig c, JobType type, String tick, String kind, String reason) {
        return connectors.recordSkippedTick(c.id(), tick, reason, now())
                .filter(counted -> counted)
                .doOnNext(counted -> {
                    metrics.skippedTick(c.id(), kind);
                    LOG.debug("Connector {}: {} sync due by {} skipped: {}", c.id(), type.value(), tick, reason);
                })
                .then();
    }

    /** Whether operators paused the connector (as last read). */
    private boolean paused(String connectorId) {
        ConnectorRecord.Control c = controls.get(connectorId);
        return c != null && c.paused();
    }

    /**
     * Reads what operators asked of this daemon's connectors, and acts on it: a paused connector's running job (and
     * the splits read here for another daemon's job of it) is suspended, to be resumed once the connector is resumed;
     * a job running since before a restart was asked is suspended and claimed again at once, with a new source.
     */
    private Mono<Void> refreshControls() {
        return Flux.fromIterable(byId.keySet())
                .flatMap(id -> connectors.get(id), 4)
                .filter(v -> v.doc().control() != null)
                .collectMap(v -> v.id(), v -> v.doc().control())
                .flatMapMany(read -> {
                    controls = read;
                    List<JobExecution> toSuspend = new ArrayList<>();
                    read.forEach((id, control) -> {
                        JobExecution execution = running.get(id);
                        Instant since = runningSince.get(id);
                        if (execution == null || since == null) {
                            return;
                        }
                        if (control.paused() && runningSince.remove(id, since)) {
                            LOG.info("Connector {}: paused by {}{}; suspending job {}", id, control.pausedBy(),
                                    control.reason() == null ? "" : " (" + control.reason() + ")", execution.jobId());
                            toSuspend.add(execution);
                        } else if (control.restartRequestedAt() != null && control.restartRequestedAt().isAfter(since)
                                && runningSince.remove(id, since)) {
                            LOG.info("Connector {}: restart asked at {}; suspending job {} to take it up again with a new"
                                    + " source", id, control.restartRequestedAt(), execution.jobId());
                            toSuspend.add(execution);
                        }
                    });
                    // Splits of a paused connector read here for another daemon's job: stop at their next position.
                    helpedConnector.forEach((jobId, connectorId) -> {
                        io.connectors.runtime.sync.SplitJob splitJob = helping.get(jobId);
                        if (splitJob != null && paused(connectorId)) {
                            splitJob.drain();
                        }
                    });
                    // Not waited for: the poll goes on while they stop (within daemon.shutdown_grace).
                    toSuspend.forEach(e -> suspensions.tryEmitNext(e));
                    return Flux.empty();
                })
                .then();
    }

    /**
     * The connector's queued or suspended jobs. The search is near-real-time, so a job claimed a moment ago may
     * still look queued: each hit is read again in real time and kept only if it still is.
     */
    private Mono<List<Versioned<JobRecord>>> queued(String connectorId) {
        return jobs.ofConnector(connectorId, List.of(JobStatus.PENDING, JobStatus.SUSPENDED), 10)
                .flatMapMany(Flux::fromIterable)
                .concatMap(hit -> jobs.get(hit.id()))
                .filter(v -> v.doc().status().claimable())
                .collectList();
    }

    private Mono<Versioned<JobRecord>> createJob(ConnectorConfig c, JobType type, String id, JobRecord.Trigger trigger,
                                                 JobStatus status, String reason, Instant scheduledFor) {
        JobRecord doc = JobRecords.newJob(id, ConnectorRecords.snapshot(c, c.syncRules()), type, trigger,
                status, reason, scheduledFor, now());
        return jobs.create(doc, false)
                .doOnNext(v -> LOG.info("Connector {}: {} job {} {}{}", c.id(), type.value(), id,
                        status == JobStatus.PENDING ? "queued" : status.value(), reason == null ? "" : " (" + reason + ")"));
    }

    // ---------------------------------------------------------------- real time

    /**
     * Creates the real-time job of each {@code realtime: true} connector that has none queued, running or suspended,
     * once its last one ended {@code daemon.realtime_restart_delay} ago. Daemons racing each other may create two:
     * the second waits in the queue behind the connector's lock, a standby.
     */
    private Mono<Void> ensureRealtimeJobs() {
        if (stopping) {
            return Mono.empty();
        }
        return Flux.fromIterable(config.connectors())
                .filter(ConnectorConfig::realtime)
                .filter(c -> !paused(c.id()))
                .concatMap(c -> {
                    io.connectors.runtime.util.RepeatedFailureLog failures = realtimeFailures.computeIfAbsent(c.id(),
                            id -> new io.connectors.runtime.util.RepeatedFailureLog(LOG, "Connector " + id
                                    + ": looking for its real-time job failed",
                                    io.connectors.runtime.util.RepeatedFailureLog.DEFAULT_INTERVAL, clock));
                    return ensureRealtimeJob(c).doOnSuccess(v -> failures.succeeded()).onErrorResume(e -> {
                        failures.failed(e);
                        return Mono.empty();
                    });
                })
                .then();
    }

    private Mono<Void> ensureRealtimeJob(ConnectorConfig c) {
        JobExecution local = running.get(c.id());
        if (local != null && local.type() == JobType.REALTIME) {
            return Mono.empty();
        }
        Instant now = now();
        return jobs.ofConnector(c.id(), JobType.REALTIME, List.of(JobStatus.PENDING, JobStatus.IN_PROGRESS,
                        JobStatus.CANCELING, JobStatus.SUSPENDED), 1)
                .filter(List::isEmpty)
                .flatMap(none -> jobs.lastEnded(c.id(), JobType.REALTIME).map(Optional::of).defaultIfEmpty(Optional.empty()))
                .flatMap(last -> {
                    if (last.isPresent()) {
                        Instant ended = last.get().doc().completedAt();
                        if (ended != null && ended.plus(settings.realtimeRestartDelay()).isAfter(now)) {
                            return Mono.empty();
                        }
                    }
                    String reason = last.map(j -> "real-time mode: restarted after job " + j.id() + " ended ("
                            + j.doc().status().value() + ")").orElse("real-time mode");
                    String id = JobRecords.scheduledId(c.id(), JobType.REALTIME, now);
                    JobRecord doc = JobRecords.newJob(id, ConnectorRecords.snapshot(c, c.syncRules()),
                            JobType.REALTIME, JobRecord.Trigger.REALTIME, JobStatus.PENDING, reason, null, now);
                    // Visible to the next round's search at once, so it is not created twice.
                    return jobs.create(doc, true)
                            .doOnNext(v -> LOG.info("Connector {}: realtime job {} queued ({})", c.id(), id, reason))
                            .then();
                })
                // Harmless: another daemon queued the connector's real-time job first (the write is conditional).
                .onErrorResume(StateStore.ConflictException.class, e -> Mono.empty());
    }

    // ---------------------------------------------------------------- claiming and running

    /** Claims queued jobs up to the free capacity; emits the claimed ones. */
    private Mono<List<Versioned<JobRecord>>> claimSome() {
        int free = config.sync().maxConcurrentSyncs() - running.size();
        if (stopping || free <= 0) {
            return Mono.just(List.of());
        }
        Set<String> candidates = byId.keySet().stream().filter(id -> !running.containsKey(id) && !paused(id))
                .collect(Collectors.toSet());
        if (candidates.isEmpty()) {
            return Mono.just(List.of());
        }
        Set<String> claimedConnectors = new java.util.HashSet<>();
        return jobs.claimable(candidates, CLAIM_PAGE)
                .flatMapMany(Flux::fromIterable)
                // One job per connector per round, oldest first; the rest wait for a later poll.
                .filter(job -> !claimedConnectors.contains(job.doc().connectorId()))
                .concatMap(job -> lockLooksFree(job.doc().connectorId())
                        .filter(b -> b)
                        .flatMap(b -> jobs.claim(job, workerId(), now())
                                // Harmless: another daemon claimed the job first (claims are conditional writes).
                                .onErrorResume(StateStore.ConflictException.class, e -> Mono.empty()))
                        .doOnNext(claimed -> claimedConnectors.add(claimed.doc().connectorId())), 1)
                .take(free, true)
                .collectList();
    }

    /** A cheap read: whether no live job holds the connector's lock. The lock itself is taken after the claim. */
    private Mono<Boolean> lockLooksFree(String connectorId) {
        if (running.containsKey(connectorId)) {
            return Mono.just(false);
        }
        return lockHolder(connectorId).map(holder -> false).defaultIfEmpty(true);
    }

    /**
     * How many documents a full sync of the connector is expected to read: what its last completed full sync read; 0
     * when none did (progress lines then give no percentage).
     */
    public static Mono<Long> expectedFullRead(StateStore store, String connectorId) {
        return new ConnectorRecords(store).get(connectorId)
                .map(v -> Optional.ofNullable(v.doc().lastSync().get(JobType.FULL.value()))
                        .filter(o -> o.status() == JobStatus.COMPLETED || o.status() == JobStatus.COMPLETED_WITH_ERRORS)
                        .map(o -> o.counts().getOrDefault("seen", 0L)).orElse(0L))
                .defaultIfEmpty(0L)
                .onErrorReturn(0L);
    }

    private Flux<SyncReport> execute(Versioned<JobRecord> claimed) {
        String connectorId = claimed.doc().connectorId();
        ConnectorConfig c = byId.get(connectorId);
        // The size estimate is read as the job starts; until then (and without one) lines give no percentage.
        java.util.concurrent.atomic.AtomicReference<io.connectors.runtime.util.ProgressLine> progress =
                new java.util.concurrent.atomic.AtomicReference<>(new io.connectors.runtime.util.ProgressLine(0, System::nanoTime));
        Mono<Void> estimate = claimed.doc().type() != JobType.FULL ? Mono.empty()
                : expectedFullRead(store, connectorId).filter(n -> n > 0)
                        .doOnNext(n -> progress.set(new io.connectors.runtime.util.ProgressLine(n, System::nanoTime))).then();
        JobExecution execution = new JobExecution(claimed, c, jobs, connectors, runner, watchers, metrics, settings, clock,
                s -> io.connectors.runtime.util.LogContext.withCounts(s.snapshot(),
                        () -> LOG.info("Connector {}: {}", connectorId, progress.get().line(s.snapshot()))));
        io.connectors.runtime.sync.SplitJob helper = helping.get(claimed.id());
        if (helper != null) {
            // This daemon helped read the job's splits and now coordinates it: its own reads take over.
            helper.drain();
        }
        if (running.putIfAbsent(connectorId, execution) != null) {
            // Cannot happen (claims skip running connectors); put it back rather than run two.
            return execution.requeue().thenMany(Flux.empty());
        }
        Instant since = now();
        runningSince.put(connectorId, since);
        return estimate.then(execution.run())
                .doFinally(s -> {
                    running.remove(connectorId, execution);
                    runningSince.remove(connectorId, since);
                })
                .flux();
    }

    // ---------------------------------------------------------------- helping with other daemons' splits

    /**
     * Running jobs of this daemon's connectors, coordinated by another daemon, with splits nobody reads: at most one
     * per free sync slot, and none this daemon already helps with.
     */
    private Mono<List<Versioned<JobRecord>>> splitsToHelp() {
        int free = config.sync().maxConcurrentSyncs() - running.size() - helping.size();
        if (stopping || free <= 0) {
            return Mono.just(List.of());
        }
        java.time.Instant staleBefore = now().minus(settings.heartbeatTimeout());
        return jobs.withOpenSplits(byId.keySet(), CLAIM_PAGE)
                .map(found -> found.stream()
                        .filter(j -> !workerId().equals(j.doc().worker()) && !helping.containsKey(j.id())
                                && !running.containsKey(j.doc().connectorId()) && !paused(j.doc().connectorId()))
                        .filter(j -> j.doc().splits().stream().anyMatch(s -> s.claimable(staleBefore)))
                        .limit(free)
                        .toList());
    }

    /** Reads splits of another daemon's job until none is left to claim; its outcome is the coordinator's to record. */
    private Mono<Void> help(Versioned<JobRecord> job) {
        ConnectorConfig c = byId.get(job.doc().connectorId());
        io.connectors.runtime.sync.SyncStats stats = new io.connectors.runtime.sync.SyncStats();
        io.connectors.runtime.sync.SplitJob splitJob = new io.connectors.runtime.sync.SplitJob(
                new JobSplits(job.id(), jobs, new io.connectors.runtime.state.SplitIds(store), workerId(),
                        settings.heartbeatTimeout(), clock, stats::snapshot),
                false, settings.heartbeatInterval(), settings.heartbeatInterval());
        if (helping.putIfAbsent(job.id(), splitJob) != null) {
            return Mono.empty();
        }
        helpedConnector.put(job.id(), job.doc().connectorId());
        // The search that found the job may be a second old: read it again, so that a job this daemon claimed in the
        // meantime (queued again after its coordinator died, say) is not also helped here.
        return jobs.get(job.id())
                .filter(fresh -> fresh.doc().status() == JobStatus.IN_PROGRESS && fresh.doc().worker() != null
                        && !workerId().equals(fresh.doc().worker()) && !running.containsKey(c.id()))
                .flatMap(fresh -> helpWith(fresh, c, splitJob, stats))
                .doFinally(s -> {
                    helping.remove(job.id(), splitJob);
                    helpedConnector.remove(job.id());
                });
    }

    private Mono<Void> helpWith(Versioned<JobRecord> job, ConnectorConfig c, io.connectors.runtime.sync.SplitJob splitJob,
                                io.connectors.runtime.sync.SyncStats stats) {
        // The rules the coordinator runs with (in its job's connector snapshot): every split must read by the same.
        List<String> problems = new ArrayList<>();
        Object snapshotRules = job.doc().connector().get("sync_rules");
        io.connectors.spi.rules.SyncRules parsed = snapshotRules == null ? null
                : io.connectors.runtime.rules.SyncRulesCodec.parse(snapshotRules, "job " + job.id() + " sync_rules", problems);
        if (parsed == null) {
            LOG.warn("Connector {}: job {} does not say which sync rules it runs with ({}); not helping with its splits",
                    c.id(), job.id(), problems);
            return Mono.empty();
        }
        io.connectors.spi.rules.SyncRules rules = parsed;
        LOG.info("Connector {}: helping read the splits of job {} (coordinated by {})", c.id(), job.id(), job.doc().worker());
        return runner.helpSplits(c, rules, splitJob, stats)
                .doOnSuccess(v -> LOG.info("Connector {}: no split of job {} left to read here ({})", c.id(), job.id(), stats))
                .onErrorResume(e -> {
                    LOG.warn("Connector {}: reading splits of job {} failed: {}; its coordinator takes them over once"
                            + " their progress is stale", c.id(), job.id(), Failures.describe(e));
                    return Mono.empty();
                });
    }

    // ---------------------------------------------------------------- recovery

    /** Fails running jobs whose worker stopped heartbeating, and frees their connectors. */
    private Mono<Void> reapStale() {
        Instant now = now();
        return jobs.stale(now.minus(settings.heartbeatTimeout()), 50)
                .flatMapMany(Flux::fromIterable)
                // A job this daemon runs is alive whatever its record says (its heartbeats may be slow to land while
                // Elasticsearch is loaded): its own heartbeat notices if another daemon took it.
                .filter(job -> !runsHere(job))
                .concatMap(job -> reap(job, now))
                .then();
    }

    private boolean runsHere(Versioned<JobRecord> job) {
        JobExecution execution = running.get(job.doc().connectorId());
        return execution != null && execution.jobId().equals(job.id()) && workerId().equals(job.doc().worker());
    }

    private Mono<Void> reap(Versioned<JobRecord> job, Instant now) {
        JobRecord stale = job.doc();
        if (stale.status() == JobStatus.IN_PROGRESS && !stale.splits().isEmpty()) {
            return requeueStale(job, now);
        }
        String message = "worker " + stale.worker() + " stopped heartbeating (last heartbeat " + stale.lastHeartbeatAt()
                + ", timeout " + settings.heartbeatTimeout().toSeconds() + "s); marked failed by " + workerId();
        JobRecord ended = stale.with(b -> {
            b.status = stale.status() == JobStatus.CANCELING ? JobStatus.CANCELED : JobStatus.ERROR;
            b.error = message;
            b.completedAt = now;
        });
        String connectorId = stale.connectorId();
        return jobs.replace(job, ended)
                .flatMap(written -> {
                    LOG.warn("Job {} of connector {}: {}", job.id(), connectorId, message);
                    metrics.jobEnded(connectorId, ended.type().value(), ended.status().value());
                    return connectors.release(connectorId, job.id(), ended.type(),
                            ConnectorRecord.JobOutcome.of(ended), ConnectorRecords.Status.ERROR, message, now);
                })
                // Harmless: another daemon changed the job first (it ended it, or reaped it); its write stands.
                .onErrorResume(StateStore.ConflictException.class, e -> Mono.empty());
    }

    /**
     * A split full sync whose coordinator died goes back to the queue as suspended, keeping its splits' positions: the
     * daemon that claims it resumes it, and takes over the dead worker's splits once their own heartbeats are stale.
     */
    private Mono<Void> requeueStale(Versioned<JobRecord> job, Instant now) {
        JobRecord stale = job.doc();
        String message = "worker " + stale.worker() + " stopped heartbeating (last heartbeat " + stale.lastHeartbeatAt()
                + "); " + stale.openSplits() + " of " + stale.splits().size() + " splits left, queued to resume by "
                + workerId() + " at " + now;
        JobRecord queued = stale.with(b -> {
            b.status = JobStatus.SUSPENDED;
            b.worker = null;
        }).withNote(message);
        String connectorId = stale.connectorId();
        return jobs.replace(job, queued)
                .flatMap(written -> {
                    LOG.warn("Job {} of connector {}: {}", job.id(), connectorId, message);
                    return connectors.release(connectorId, job.id(), stale.type(), null, null, null, now);
                })
                .onErrorResume(StateStore.ConflictException.class, e -> Mono.empty());
    }

    /** Deletes jobs that ended longer than {@code state.job_retention} ago, a thousand per request. */
    private Mono<Void> purgeEndedJobs() {
        Instant before = now().minus(settings.jobRetention());
        return jobs.deleteEnded(before, 1000)
                .expand(n -> n == 1000 ? jobs.deleteEnded(before, 1000) : Mono.empty())
                .reduce(0, Integer::sum)
                .doOnNext(n -> {
                    if (n > 0) {
                        LOG.info("Deleted {} job record(s) that ended before {} (state.job_retention {})", n, before,
                                settings.jobRetention());
                    }
                })
                .then();
    }

    private Instant now() {
        return clock.instant();
    }
}
