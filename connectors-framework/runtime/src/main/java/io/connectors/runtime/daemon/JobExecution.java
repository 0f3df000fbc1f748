package io.connectors.runtime.daemon;

import io.connectors.runtime.config.ConnectorConfig;
import io.connectors.runtime.config.DaemonSettings;
import io.connectors.runtime.ops.DaemonMetrics;
import io.connectors.runtime.ops.JobMetrics;
import io.connectors.runtime.state.ConnectorRecord;
import io.connectors.runtime.state.ConnectorRecords;
import io.connectors.runtime.state.JobRecord;
import io.connectors.runtime.state.JobRecords;
import io.connectors.runtime.state.JobStatus;
import io.connectors.runtime.state.JobType;
import io.connectors.runtime.state.StateStore.Versioned;
import io.connectors.runtime.state.StateStore;
import io.connectors.runtime.sync.SyncReport;
import io.connectors.runtime.sync.SyncRunner.SyncRequest;
import io.connectors.runtime.sync.SyncRunner;
import io.connectors.runtime.sync.SyncStats;
import io.connectors.runtime.util.Failures;
import io.connectors.spi.SyncCursor;
import io.connectors.spi.rules.SyncRules;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * One claimed job, run by this daemon: takes the connector's lock, runs the sync with the connector's active
 * rules and saved cursor, heartbeats (counts, liveness) every {@code daemon.heartbeat_interval} and watches for a
 * cancel request or for having lost the job, then records the outcome on the job and the connector and releases
 * the lock.
 */
final class JobExecution {
    private static final Logger LOG = LoggerFactory.getLogger(JobExecution.class);

    /** Why a job stopped before its sync ended. */
    private enum Stop { CANCEL, SUSPEND, LOST }

    private final ConnectorConfig connector;
    private final JobRecords jobs;
    private final ConnectorRecords connectors;
    private final SyncRunner runner;
    private final ChangeWatchers watchers;
    private final DaemonMetrics metrics;
    private final DaemonSettings settings;
    private final Clock clock;
    private final String jobId;
    private final JobType type;
    private final AtomicReference<Versioned<JobRecord>> current;
    private final SyncStats stats = new SyncStats();
    private final Sinks.One<Stop> stop = Sinks.one();
    private final Sinks.Empty<Void> finished = Sinks.empty();
    /** Set once the outcome is decided: later heartbeats write nothing. */
    private volatile boolean deciding;

    private final java.util.function.Consumer<SyncStats> progress;
    private final io.connectors.runtime.state.SplitIds splitIds;
    /** The job's splits, if its source divides its full read; a suspend drains them. */
    private final io.connectors.runtime.sync.SplitJob splitJob;

    JobExecution(Versioned<JobRecord> claimed, ConnectorConfig connector, JobRecords jobs, ConnectorRecords connectors,
                 SyncRunner runner, ChangeWatchers watchers, DaemonMetrics metrics, DaemonSettings settings, Clock clock,
                 java.util.function.Consumer<SyncStats> progress) {
        this.progress = progress;
        this.watchers = watchers;
        this.connector = connector;
        this.jobs = jobs;
        this.connectors = connectors;
        this.runner = runner;
        this.metrics = metrics;
        this.settings = settings;
        this.clock = clock;
        this.jobId = claimed.id();
        this.type = claimed.doc().type();
        this.current = new AtomicReference<>(claimed);
        this.splitIds = new io.connectors.runtime.state.SplitIds(jobs.store());
        this.splitJob = new io.connectors.runtime.sync.SplitJob(
                new JobSplits(jobId, jobs, splitIds, settings.workerId(), settings.heartbeatTimeout(), clock, stats::snapshot),
                true, settings.heartbeatInterval(), settings.heartbeatInterval());
    }

    String jobId() {
        return jobId;
    }

    JobType type() {
        return type;
    }

    /** Stops the job and records it as suspended; completes once recorded. */
    Mono<Void> suspend() {
        stop.tryEmitValue(Stop.SUSPEND);
        return finished.asMono().timeout(settings.shutdownGrace()).onErrorResume(e -> {
            LOG.warn("Job {}: not stopped within daemon.shutdown_grace ({}): {}; the next daemon takes it over once its"
                    + " heartbeat is stale", jobId, settings.shutdownGrace(), e.toString());
            return Mono.empty();
        });
    }

    /** Stops the job and records it as canceled; completes once recorded. */
    Mono<Void> cancel() {
        stop.tryEmitValue(Stop.CANCEL);
        return finished.asMono().timeout(settings.shutdownGrace()).onErrorResume(e -> {
            LOG.warn("Job {}: not canceled within daemon.shutdown_grace ({}): {}; its record is ended once its heartbeat"
                    + " is stale", jobId, settings.shutdownGrace(), e.toString());
            return Mono.empty();
        });
    }

    /** Puts a claimed job back in the queue without running it. */
    Mono<Void> requeue() {
        Versioned<JobRecord> v = current.get();
        int attempt = Math.max(0, v.doc().attempt() - 1);
        JobRecord queued = v.doc().with(b -> {
            b.status = JobStatus.PENDING;
            b.worker = null;
            b.attempt = attempt;
            if (attempt == 0) {
                // It never ran: no start time, so its record does not seem to overlap the job that held the connector.
                b.startedAt = null;
                b.lastHeartbeatAt = null;
            }
        });
        return jobs.replace(v, queued).then().onErrorResume(e -> {
            LOG.warn("Job {}: putting it back in the queue failed ({}); it is taken over once its heartbeat is stale", jobId,
                    e.toString());
            return Mono.empty();
        });
    }

    /** Runs the job; emits its report (empty when it was not run, or was lost to another worker). */
    Mono<SyncReport> run() {
        return io.connectors.runtime.util.LogContext.forJob(runUnlabelled(), connector.id(), jobId, type.value());
    }

    private Mono<SyncReport> runUnlabelled() {
        return connectors.lock(connector.id(), jobId, settings.workerId(), jobs, settings.heartbeatTimeout(), now())
                .flatMap(locked -> {
                    if (!locked) {
                        LOG.info("Connector {}: another job holds it; job {} goes back to the queue", connector.id(), jobId);
                        return requeue().then(Mono.<SyncReport>empty());
                    }
                    return runLocked();
                })
                .onErrorResume(e -> {
                    LOG.error("Job {} of connector {} could not be run: {}", jobId, connector.id(), Failures.describe(e));
                    return finish(errorReport(Failures.describe(e)), null).then(Mono.empty());
                })
                .doFinally(s -> finished.tryEmitEmpty());
    }

    private Mono<SyncReport> runLocked() {
        JobRecord job = current.get().doc();
        boolean scheduled = job.trigger() == JobRecord.Trigger.SCHEDULED;
        boolean firstAttempt = job.attempt() <= 1;
        LOG.info("Connector {}: running {} job {} ({}, attempt {})", connector.id(), type.value(), jobId,
                job.trigger() == null ? "?" : job.trigger().value(), job.attempt());
        JobMetrics jobMetrics = metrics.jobStarted(connector.id(), type.value());
        return connectors.get(connector.id())
                .switchIfEmpty(Mono.error(() -> new IllegalStateException("connector " + connector.id() + " is not recorded")))
                .flatMap(record -> {
                    SyncRules rules = ConnectorRecords.activeRules(record.doc());
                    Optional<SyncCursor> cursor = ConnectorRecords.cursor(record.doc());
                    Object draftState = ConnectorRecords.draftValidation(record.doc()).get("state");
                    List<String> extraNotes = "invalid".equals(draftState)
                            ? List.of("the configured sync rules are invalid " + ConnectorRecords.draftValidation(record.doc()).get("messages")
                                    + "; the last valid rules were used")
                            : List.of();
                    recordRules(rules);
                    SyncRequest request = new SyncRequest(connector, type,
                            watchers.check(connector.id(), type, scheduled && firstAttempt, jobId), rules, cursor,
                            c -> connectors.saveCursor(connector.id(), c, jobId, now()), splitJob);
                    // A suspended split sync saves its acknowledged positions before it stops: its report then reads
                    // as a failure, and is recorded as the suspension it is.
                    Mono<Outcome> sync = runner.run(request, stats, progress)
                            .map(r -> splitJob.drainRequested() && r.status() != SyncReport.Status.COMPLETED
                                    && r.status() != SyncReport.Status.COMPLETED_WITH_ERRORS
                                    ? new Outcome(null, Stop.SUSPEND, extraNotes) : new Outcome(r, null, extraNotes));
                    Mono<Outcome> stopped = stop.asMono().flatMap(s -> {
                        if (s == Stop.SUSPEND && splitJob.attached()) {
                            splitJob.drain();
                            // The sync ends once the drained reads are saved; this only bounds the wait.
                            return Mono.delay(settings.shutdownGrace().dividedBy(2)).thenReturn(new Outcome(null, s, extraNotes));
                        }
                        return Mono.just(new Outcome(null, s, extraNotes));
                    });
                    Flux<Void> beats = Flux.interval(settings.heartbeatInterval(), settings.heartbeatInterval())
                            .onBackpressureDrop()
                            .concatMap(t -> heartbeat(jobMetrics), 1);
                    // The sync races the stop signal: a cancel request, a shutdown or a lost claim cancels the sync,
                    // which closes the source. Heartbeats run alongside and never win the race.
                    // The rules are written at once: a daemon helping with the job's splits reads them from the record.
                    Map<String, Object> snapshot = current.get().doc().connector();
                    return jobs.update(jobId, j -> j == null ? null : j.with(b -> b.connector = snapshot))
                            .then(Mono.firstWithSignal(sync, stopped, beats.then(Mono.<Outcome>never())))
                            .flatMap(o -> {
                                deciding = true;
                                jobMetrics.progress(stats.snapshot());
                                return finish(o, jobMetrics);
                            });
                });
    }

    /** Records the rules the job runs with in its connector snapshot, for the job record. */
    private void recordRules(SyncRules rules) {
        current.updateAndGet(v -> {
            Map<String, Object> snapshot = new LinkedHashMap<>(v.doc().connector());
            snapshot.put("sync_rules", io.connectors.runtime.rules.SyncRulesCodec.toMap(rules));
            return new Versioned<>(v.id(), v.doc().with(b -> b.connector = snapshot), v.seqNo(), v.primaryTerm());
        });
    }

    /** One heartbeat: counts and liveness written, and a cancel request or a lost claim noticed. */
    private Mono<Void> heartbeat(JobMetrics jobMetrics) {
        if (deciding) {
            return Mono.empty();
        }
        jobMetrics.progress(stats.snapshot());
        // A read-modify-write: split readers (here and in other daemons) write the same record between heartbeats.
        AtomicReference<String> lostWhy = new AtomicReference<>();
        AtomicReference<Boolean> cancel = new AtomicReference<>(false);
        return jobs.update(jobId, job -> {
                    lostWhy.set(null);
                    cancel.set(false);
                    if (job == null) {
                        lostWhy.set("its record was deleted");
                        return null;
                    }
                    if (deciding) {
                        return null;
                    }
                    JobStatus status = job.status();
                    if (!settings.workerId().equals(job.worker()) || (status != JobStatus.IN_PROGRESS && status != JobStatus.CANCELING)) {
                        lostWhy.set("it is now " + status.value() + " (worker " + job.worker() + ")");
                        return null;
                    }
                    cancel.set(status == JobStatus.CANCELING);
                    return job.with(b -> {
                        b.lastHeartbeatAt = now();
                        b.counts = counts(stats.snapshot(), -1);
                        b.notes = withNew(job.notes(), stats.notes());
                        putSamples(b, stats);
                        b.connector = current.get().doc().connector();
                    });
                })
                .doOnNext(v -> {
                    if (lostWhy.get() != null) {
                        lost(lostWhy.get());
                        return;
                    }
                    if (cancel.get()) {
                        LOG.info("Job {} of connector {}: cancel requested; stopping", jobId, connector.id());
                        stop.tryEmitValue(Stop.CANCEL);
                    }
                    current.set(v);
                })
                .switchIfEmpty(Mono.fromRunnable(() -> {
                    if (lostWhy.get() != null) {
                        lost(lostWhy.get());
                    }
                }))
                .then()
                .onErrorResume(e -> {
                    LOG.debug("Job {}: heartbeat not written this time: {}", jobId, e.toString());
                    return Mono.empty();
                });
    }

    /** {@code recorded}, then those of {@code more} not in it: heartbeats write a running job's notes before its end does. */
    private static List<String> withNew(List<String> recorded, List<String> more) {
        List<String> out = new java.util.ArrayList<>(recorded);
        more.stream().filter(n -> !out.contains(n)).forEach(out::add);
        return out;
    }

    private void lost(String why) {
        LOG.warn("Job {} of connector {} is no longer this worker's ({}); stopping it without recording an outcome",
                jobId, connector.id(), why);
        stop.tryEmitValue(Stop.LOST);
    }

    /** How the job ended: the sync's report, or why it was stopped. */
    private record Outcome(SyncReport report, Stop stop, List<String> notes) {
    }

    private SyncReport errorReport(String error) {
        Instant t = now();
        return new SyncReport(connector.id(), type.value(), SyncReport.Status.ERROR, t, t, stats.snapshot(), error);
    }

    private Mono<SyncReport> finish(SyncReport report, JobMetrics jobMetrics) {
        return finish(new Outcome(report, null, List.of()), jobMetrics);
    }

    private Mono<SyncReport> finish(Outcome o, JobMetrics jobMetrics) {
        Instant now = now();
        if (o.stop() == Stop.LOST) {
            if (jobMetrics != null) {
                jobMetrics.finished("lost");
            }
            return Mono.empty();
        }
        JobStatus status;
        String error = null;
        List<String> notes = new java.util.ArrayList<>(o.notes());
        SyncReport report = o.report();
        if (report != null) {
            notes.addAll(report.notes());
            error = report.error();
            status = switch (report.status()) {
                case COMPLETED -> JobStatus.COMPLETED;
                case COMPLETED_WITH_ERRORS -> JobStatus.COMPLETED_WITH_ERRORS;
                case SKIPPED -> JobStatus.SKIPPED;
                case CANCELED -> JobStatus.CANCELED;
                case ERROR -> JobStatus.ERROR;
            };
        } else {
            status = o.stop() == Stop.CANCEL ? JobStatus.CANCELED : JobStatus.SUSPENDED;
            report = new SyncReport(connector.id(), type.value(),
                    status == JobStatus.CANCELED ? SyncReport.Status.CANCELED : SyncReport.Status.ERROR,
                    Optional.ofNullable(current.get().doc().startedAt()).orElse(now), now,
                    stats.snapshot(), status == JobStatus.SUSPENDED ? "suspended by a shutdown; the next daemon resumes it" : null);
            LOG.info("Connector {}: job {} {}", connector.id(), jobId, status.value());
        }
        JobStatus finalStatus = status;
        String finalError = error;
        long total = report.totalInIndex();
        Mono<Versioned<JobRecord>> writeJob = jobs.update(jobId, job -> {
            if (job == null || !settings.workerId().equals(job.worker()) || job.status().terminal()) {
                LOG.warn("Job {}: not recording {}: the job is no longer this worker's", jobId, finalStatus.value());
                return null;
            }
            JobRecord ended = job.with(b -> {
                b.status = finalStatus;
                b.lastHeartbeatAt = now;
                if (finalStatus != JobStatus.SUSPENDED) {
                    b.completedAt = now;
                }
                b.error = finalError;
                b.counts = withHelpers(counts(stats.snapshot(), total), job, finalStatus);
                putSamples(b, stats);
                b.connector = current.get().doc().connector();
            });
            return ended.with(b -> b.notes = withNew(b.notes, notes));
        });
        ConnectorRecords.Status connectorStatus = switch (finalStatus) {
            // Refused documents say nothing about the backend: the connector is reachable and configured.
            case COMPLETED, COMPLETED_WITH_ERRORS -> ConnectorRecords.Status.CONNECTED;
            case ERROR -> ConnectorRecords.Status.ERROR;
            default -> null;
        };
        SyncReport finalReport = report;
        // A scheduled tick that found nothing to do leaves no job record: it is counted on the connector (which keeps
        // the last sync that ran as its last sync), then its record, needed only to run it once under the lock, goes.
        boolean tickOnly = finalStatus == JobStatus.SKIPPED
                && current.get().doc().trigger() == JobRecord.Trigger.SCHEDULED;
        String skipReason = String.join("; ", notes);
        // The lock is released either way; the outcome is recorded on the connector only if it was on the job.
        return writeJob
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .flatMap(written -> written.isPresent()
                        ? connectors.release(connector.id(), jobId, type,
                                finalStatus == JobStatus.SUSPENDED || tickOnly ? null
                                : ConnectorRecord.JobOutcome.of(written.get().doc()), connectorStatus, finalError, now)
                        : connectors.release(connector.id(), jobId, type, null, null, null, now))
                .then(tickOnly ? connectors.recordSkippedTick(connector.id(), jobId,
                        skipReason.isEmpty() ? "nothing to do" : skipReason, now)
                        .then(jobs.delete(jobId)).then() : Mono.empty())
                .then(finalStatus.terminal() && splitJob.attached() ? deleteSplitIds() : Mono.empty())
                .then(Mono.fromRunnable(() -> {
                    if (jobMetrics != null) {
                        jobMetrics.finished(finalStatus.value());
                    }
                    metrics.indexDocuments(connector.id(), total);
                    if (finalStatus == JobStatus.SKIPPED) {
                        metrics.skippedTick(connector.id(), "unchanged");
                    }
                }))
                .onErrorResume(e -> {
                    LOG.error("Job {}: recording its outcome ({}) failed: {}; the heartbeat timeout will settle it", jobId,
                            finalStatus.value(), e.toString());
                    return Mono.empty();
                })
                .thenReturn(finalReport);
    }

    /** The ids the job's splits saved for its deletion pass are not needed once it ended. */
    private Mono<Void> deleteSplitIds() {
        return splitIds.delete(jobId)
                .doOnNext(n -> LOG.debug("Job {}: deleted {} chunk(s) of split ids", jobId, n))
                .then()
                .onErrorResume(e -> {
                    LOG.warn("Job {}: deleting the ids its splits saved failed ({}); they take room until deleted by hand",
                            jobId, e.toString());
                    return Mono.empty();
                });
    }

    /**
     * Puts the samples of failed, dropped and not extracted documents (id, operation, status, error type, reason) in a
     * job record;
     * a kind without any keeps what it had.
     */
    static void putSamples(JobRecord.Builder job, SyncStats stats) {
        List<SyncStats.DocumentProblem> failed = stats.failedSamples();
        List<SyncStats.DocumentProblem> dropped = stats.droppedSamples();
        if (!failed.isEmpty()) {
            job.failedDocuments = failed.stream().map(SyncStats.DocumentProblem::toMap).toList();
        }
        if (!dropped.isEmpty()) {
            job.droppedDocuments = dropped.stream().map(SyncStats.DocumentProblem::toMap).toList();
        }
        List<SyncStats.DocumentProblem> notExtracted = stats.notExtractedSamples();
        if (!notExtracted.isEmpty()) {
            job.notExtractedDocuments = notExtracted.stream().map(SyncStats.DocumentProblem::toMap).toList();
        }
    }

    /**
     * A finished split job's counts: this worker's and those of the daemons that helped read its splits (a suspended
     * job keeps its own: its helpers' are added when it ends).
     */
    private Map<String, Long> withHelpers(Map<String, Long> own, JobRecord job, JobStatus status) {
        if (!status.terminal() || job.workerCounts().isEmpty()) {
            return own;
        }
        Map<String, Long> sum = new LinkedHashMap<>(own);
        job.workerCounts().forEach((worker, c) -> {
            if (!worker.equals(settings.workerId())) {
                c.forEach((k, v) -> {
                    if (!"total_in_index".equals(k)) {
                        sum.merge(k, v, Long::sum);
                    }
                });
            }
        });
        return sum;
    }

    private static Map<String, Long> counts(Map<String, Long> snapshot, long totalInIndex) {
        Map<String, Long> c = new LinkedHashMap<>(snapshot);
        if (totalInIndex >= 0) {
            c.put("total_in_index", totalInIndex);
        }
        return c;
    }

    private Instant now() {
        return clock.instant();
    }
}
