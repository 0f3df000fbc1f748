package io.connectors.runtime.daemon;

import io.connectors.runtime.state.JobRecord;
import io.connectors.runtime.state.JobRecords;
import io.connectors.runtime.state.JobStatus;
import io.connectors.runtime.state.SplitIds;
import io.connectors.runtime.state.SplitRecord;
import io.connectors.runtime.sync.SplitCoordination;
import io.connectors.spi.SourceSplit;
import io.connectors.spi.SplitPosition;
import io.connectors.spi.SyncCursor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The splits of one full sync, coordinated in its job record: the plan and each split's state, worker, heartbeat,
 * position and counts are fields of the record, every change a conditional read-modify-write
 * ({@link JobRecords#update}), so two daemons never hold one split and a dead daemon's splits are taken over once
 * their heartbeat is older than {@code daemon.heartbeat_timeout}. The ids each split covered go to the split-ids
 * index ({@link SplitIds}) before the position that covers them.
 */
final class JobSplits implements SplitCoordination {
    private final String jobId;
    private final JobRecords jobs;
    private final SplitIds ids;
    private final String worker;
    private final Duration heartbeatTimeout;
    private final Clock clock;
    /** This worker's counts, written into the record when it is not the job's coordinator. */
    private final java.util.function.Supplier<Map<String, Long>> counts;
    /** The splits this worker holds (claimed, not yet done or released). */
    private final Set<String> held = ConcurrentHashMap.newKeySet();

    JobSplits(String jobId, JobRecords jobs, SplitIds ids, String worker, Duration heartbeatTimeout, Clock clock,
              java.util.function.Supplier<Map<String, Long>> counts) {
        this.counts = counts;
        this.jobId = jobId;
        this.jobs = jobs;
        this.ids = ids;
        this.worker = worker;
        this.heartbeatTimeout = heartbeatTimeout;
        this.clock = clock;
    }

    @Override
    public Mono<Plan> plan(Mono<Plan> planner) {
        return jobs.get(jobId)
                .switchIfEmpty(Mono.error(() -> new IllegalStateException("job " + jobId + " has no record")))
                .flatMap(v -> !v.doc().splits().isEmpty() ? Mono.just(planOf(v.doc()))
                        : planner.flatMap(plan -> jobs.update(jobId, job -> {
                                    if (job == null || !job.splits().isEmpty()) {
                                        return null;
                                    }
                                    List<SplitRecord> splits = plan.splits().stream()
                                            .map(s -> SplitRecord.planned(s.id(), s.description(), s.values())).toList();
                                    return job.with(b -> {
                                        b.splits = splits;
                                        b.splitCursor = plan.cursor() == null ? null : plan.cursor().values();
                                    });
                                }))
                                .map(written -> planOf(written.doc())));
    }

    private static Plan planOf(JobRecord job) {
        List<SourceSplit> splits = job.splits().stream()
                .map(s -> new SourceSplit(s.id(), s.description(), s.values())).toList();
        long done = job.splits().stream().filter(s -> s.state() == SplitRecord.State.DONE).mapToLong(SplitRecord::seen).sum();
        return new Plan(splits, job.splitCursor() == null ? null : new SyncCursor(job.splitCursor()), done);
    }

    @Override
    public Mono<Claimed> claim() {
        return Mono.defer(() -> {
            AtomicReference<SplitRecord> claimed = new AtomicReference<>();
            return jobs.update(jobId, job -> {
                        claimed.set(null);
                        if (job == null || job.status() != JobStatus.IN_PROGRESS) {
                            return null;
                        }
                        Instant now = clock.instant();
                        Instant staleBefore = now.minus(heartbeatTimeout);
                        List<SplitRecord> splits = new ArrayList<>(job.splits());
                        for (int i = 0; i < splits.size(); i++) {
                            SplitRecord s = splits.get(i);
                            if (s.claimable(staleBefore) && !held.contains(s.id())) {
                                SplitRecord mine = s.claimedBy(worker, now);
                                splits.set(i, mine);
                                claimed.set(mine);
                                return job.with(b -> b.splits = splits);
                            }
                        }
                        return null;
                    })
                    .flatMap(written -> {
                        SplitRecord s = claimed.get();
                        if (s == null) {
                            return Mono.empty();
                        }
                        held.add(s.id());
                        return Mono.just(new Claimed(new SourceSplit(s.id(), s.description(), s.values()),
                                s.position() == null ? null : new SplitPosition(s.position()), s.seen(), s.written()));
                    });
        });
    }

    @Override
    public Mono<Set<String>> save(List<Progress> progress) {
        Map<String, Progress> byId = new java.util.LinkedHashMap<>();
        progress.forEach(p -> byId.put(p.splitId(), p));
        Set<String> lost = ConcurrentHashMap.newKeySet();
        return Flux.fromIterable(progress)
                .concatMap(p -> ids.save(jobId, p.splitId(), p.ids()))
                .then(jobs.update(jobId, job -> {
                    lost.clear();
                    if (job == null) {
                        lost.addAll(held);
                        return null;
                    }
                    Instant now = clock.instant();
                    List<SplitRecord> splits = new ArrayList<>(job.splits());
                    for (int i = 0; i < splits.size(); i++) {
                        SplitRecord s = splits.get(i);
                        if (!held.contains(s.id())) {
                            continue;
                        }
                        if (!worker.equals(s.worker()) || s.state() != SplitRecord.State.RUNNING) {
                            lost.add(s.id());
                            continue;
                        }
                        Progress p = byId.get(s.id());
                        splits.set(i, p == null ? s.progressed(s.position(), s.seen(), s.written(), false, now)
                                : s.progressed(p.position() == null ? s.position() : p.position().values(), p.seen(),
                                        p.written(), p.done(), now));
                    }
                    return job.with(b -> {
                        b.splits = splits;
                        // A save is a sign of life too: the coordinator's heartbeat and its split saves share the
                        // record, and under load either may be the one that lands.
                        if (worker.equals(job.worker()) && job.status() == JobStatus.IN_PROGRESS) {
                            b.lastHeartbeatAt = now;
                        } else {
                            Map<String, Map<String, Long>> all = new java.util.LinkedHashMap<>(job.workerCounts());
                            all.put(worker, counts.get());
                            b.workerCounts = all;
                        }
                    });
                }))
                .then(Mono.fromSupplier(() -> {
                    held.removeAll(lost);
                    byId.values().stream().filter(Progress::done).forEach(p -> held.remove(p.splitId()));
                    return Set.copyOf(lost);
                }));
    }

    @Override
    public Mono<Void> release(Set<String> splitIds) {
        return jobs.update(jobId, job -> {
                    if (job == null) {
                        return null;
                    }
                    List<SplitRecord> splits = new ArrayList<>(job.splits());
                    boolean changed = false;
                    for (int i = 0; i < splits.size(); i++) {
                        SplitRecord s = splits.get(i);
                        if (splitIds.contains(s.id()) && worker.equals(s.worker()) && s.state() == SplitRecord.State.RUNNING) {
                            splits.set(i, s.released());
                            changed = true;
                        }
                    }
                    return changed ? job.with(b -> b.splits = splits) : null;
                })
                .doOnSuccess(v -> held.removeAll(splitIds))
                .then();
    }

    @Override
    public Mono<Remaining> remaining() {
        return jobs.get(jobId).map(v -> {
            Instant staleBefore = clock.instant().minus(heartbeatTimeout);
            int open = 0;
            int claimable = 0;
            for (SplitRecord s : v.doc().splits()) {
                if (s.state() != SplitRecord.State.DONE) {
                    open++;
                    if (s.claimable(staleBefore) && !held.contains(s.id())) {
                        claimable++;
                    }
                }
            }
            return new Remaining(open, claimable);
        }).switchIfEmpty(Mono.error(() -> new IllegalStateException("job " + jobId + " has no record any more")));
    }

    @Override
    public Flux<String> ids() {
        return ids.read(jobId);
    }

    /** Whether this worker holds any split. */
    boolean holding() {
        return !held.isEmpty();
    }

    Set<String> held() {
        return new HashSet<>(held);
    }
}
