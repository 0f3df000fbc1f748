package io.connectors.runtime.sink;

import io.connectors.runtime.config.BulkSinkSettings;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxOperator;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.util.context.Context;

/**
 * Cuts upstream operations into {@link Batch}es by count, bytes and time. Requests one operation at a time
 * while the batch being prepared is open, so at most one closed batch waits for downstream demand (two when
 * a byte cut and the flush timer coincide), plus the open one.
 */
final class Batcher extends FluxOperator<BulkOp, Batch> {
    private final BulkSinkSettings settings;
    private final Scheduler timers;
    private final WriteRun run;

    Batcher(Flux<? extends BulkOp> source, BulkSinkSettings settings, Scheduler timers, WriteRun run) {
        super(source);
        this.settings = settings;
        this.timers = timers;
        this.run = run;
    }

    @Override
    public void subscribe(CoreSubscriber<? super Batch> actual) {
        source.subscribe(new BatchingSubscriber(actual, settings, timers, run));
    }

    /**
     * Every signal (upstream item or end, downstream request or cancel, timer) is recorded in a volatile field
     * and handled by one drain loop at a time (the usual work-in-progress counter), so the batch state needs no
     * lock.
     */
    private static final class BatchingSubscriber implements CoreSubscriber<BulkOp>, Subscription {
        private static final AtomicIntegerFieldUpdater<BatchingSubscriber> WIP =
                AtomicIntegerFieldUpdater.newUpdater(BatchingSubscriber.class, "wip");
        private static final AtomicLongFieldUpdater<BatchingSubscriber> REQUESTED =
                AtomicLongFieldUpdater.newUpdater(BatchingSubscriber.class, "requested");

        private final CoreSubscriber<? super Batch> actual;
        private final int maxActions;
        private final long maxBytes;
        private final long maxDocumentBytes;
        private final long flushNanos;
        private final Scheduler timers;
        private final WriteRun run;
        private final Disposable.Swap timer = Disposables.swap();

        private Subscription upstream;
        private volatile int wip;
        private volatile long requested;
        private volatile BulkOp incoming;
        private volatile boolean done;
        private volatile Throwable error;
        private volatile boolean cancelled;
        private volatile long flushGeneration = -1;

        // Owned by the drain loop.
        private boolean awaiting;
        private boolean terminated;
        private long generation;
        private long sequence;
        private List<BulkOp> ops = new ArrayList<>();
        private long bytes;
        private int dropped;
        private final ArrayDeque<Batch> ready = new ArrayDeque<>(2);

        BatchingSubscriber(CoreSubscriber<? super Batch> actual, BulkSinkSettings settings, Scheduler timers, WriteRun run) {
            this.actual = actual;
            this.maxActions = settings.maxActions();
            this.maxBytes = settings.maxBytes();
            this.maxDocumentBytes = settings.maxDocumentBytes();
            this.flushNanos = settings.flushInterval().toNanos();
            this.timers = timers;
            this.run = run;
        }

        @Override
        public Context currentContext() {
            return actual.currentContext();
        }

        @Override
        public void onSubscribe(Subscription s) {
            if (Operators.validate(upstream, s)) {
                upstream = s;
                actual.onSubscribe(this);
            }
        }

        @Override
        public void onNext(BulkOp op) {
            if (done) {
                Operators.onNextDropped(op, currentContext());
                return;
            }
            if (cancelled) {
                Operators.onDiscard(op, currentContext());
                return;
            }
            incoming = op;
            drain();
        }

        @Override
        public void onError(Throwable t) {
            if (done) {
                Operators.onErrorDropped(t, currentContext());
                return;
            }
            error = t;
            done = true;
            drain();
        }

        @Override
        public void onComplete() {
            if (done) {
                return;
            }
            done = true;
            drain();
        }

        @Override
        public void request(long n) {
            if (Operators.validate(n)) {
                Operators.addCap(REQUESTED, this, n);
                drain();
            }
        }

        @Override
        public void cancel() {
            if (!cancelled) {
                cancelled = true;
                upstream.cancel();
                timer.dispose();
                drain();
            }
        }

        private void drain() {
            if (WIP.getAndIncrement(this) != 0) {
                return;
            }
            int missed = 1;
            for (;;) {
                if (cancelled || terminated) {
                    incoming = null;
                    ops = List.of();
                    ready.clear();
                    return;
                }
                boolean progress = false;
                // Read before incoming: an operation delivered before completion is then seen below.
                boolean upstreamDone = done;
                BulkOp op = incoming;
                if (op != null) {
                    incoming = null;
                    awaiting = false;
                    add(op);
                    progress = true;
                }
                if (flushGeneration == generation && count() > 0) {
                    close();
                    progress = true;
                }
                if (upstreamDone) {
                    Throwable e = error;
                    if (e != null) {
                        terminate();
                        actual.onError(e);
                        continue;
                    }
                    if (count() > 0) {
                        close();
                    }
                }
                if (!ready.isEmpty() && requested > 0) {
                    Batch batch = ready.poll();
                    Operators.produced(REQUESTED, this, 1);
                    actual.onNext(batch);
                    continue;
                }
                if (upstreamDone && ready.isEmpty()) {
                    terminate();
                    actual.onComplete();
                    continue;
                }
                if (!upstreamDone && !awaiting && ready.isEmpty()) {
                    awaiting = true;
                    upstream.request(1);
                    continue;
                }
                if (!progress) {
                    missed = WIP.addAndGet(this, -missed);
                    if (missed == 0) {
                        return;
                    }
                }
            }
        }

        private int count() {
            return ops.size() + dropped;
        }

        private void add(BulkOp op) {
            if (op instanceof BulkOp.Index index && index.source().length > maxDocumentBytes) {
                run.dropped(op.id(), index.source().length);
                dropped++;
            } else {
                long size = op.sizeBytes();
                if (!ops.isEmpty() && bytes + size > maxBytes) {
                    close();
                }
                ops.add(op);
                bytes += size;
                run.inFlight.queued(size);
            }
            if (count() == 1) {
                startTimer();
            }
            if (count() >= maxActions || bytes >= maxBytes) {
                close();
            }
        }

        private void startTimer() {
            long gen = generation;
            try {
                timer.update(timers.schedule(() -> {
                    flushGeneration = gen;
                    drain();
                }, flushNanos, TimeUnit.NANOSECONDS));
            } catch (RejectedExecutionException e) {
                // Only when the scheduler is shut down, i.e. the process is stopping.
                upstream.cancel();
                error = e;
                done = true;
            }
        }

        private void close() {
            timer.update(Disposables.disposed());
            ready.add(new Batch(sequence++, ops, bytes, dropped));
            ops = new ArrayList<>();
            bytes = 0;
            dropped = 0;
            generation++;
        }

        private void terminate() {
            terminated = true;
            timer.dispose();
        }
    }
}
