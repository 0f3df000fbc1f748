package io.connectors.runtime.sink;

import io.connectors.runtime.sync.SyncStats;
import io.connectors.runtime.util.ProblemLog;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxOperator;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.publisher.SignalType;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.Context;

/**
 * Writes a stream of {@link BulkOp}s to Elasticsearch in {@code _bulk} requests, demand-driven and bounded in
 * memory, retrying what can be retried and giving up early when a sync cannot succeed.
 *
 * <ul>
 *   <li><b>Batching.</b> Operations are grouped in order into batches of at most
 *       {@link BulkSinkSettings#maxActions()} operations and {@link BulkSinkSettings#maxBytes()} bytes (an
 *       operation that would push a batch past the byte bound starts the next batch; a single operation larger
 *       than the bound is sent alone). A partial batch is sent at most {@link BulkSinkSettings#flushInterval()}
 *       after its first operation arrived, so a slow source still makes progress.</li>
 *   <li><b>Backpressure.</b> Operations are requested from upstream one at a time, only while the batch being
 *       prepared is open; once it is closed, nothing more is requested until a request slot takes it. At most
 *       {@code maxConcurrentRequests} batches are in flight and one is prepared, so memory stays near
 *       {@code (maxConcurrentRequests + 1) * maxBytes} (or {@code maxDocumentBytes} per batch for single huge
 *       documents). A slow subscriber of the results holds requests back too.</li>
 *   <li><b>Oversized documents.</b> An index operation whose source exceeds
 *       {@link BulkSinkSettings#maxDocumentBytes()} is dropped before sending and counted in
 *       {@link SyncStats#dropped()}; the first few ids are logged, then only counts.</li>
 *   <li><b>Retries.</b> Items answered 429 or 5xx, and requests failing as a whole with a retryable
 *       {@link BulkRequestException}, are re-sent (only those items) after an exponential backoff with full jitter:
 *       a uniform delay in {@code [0, min(maxBackoff, initialBackoff * 2^(retry-1))]}, up to
 *       {@link BulkSinkSettings#maxRetries()} times. Items refused otherwise (a 400 mapping error, say), and items
 *       still failing after the retries, are counted in {@link SyncStats#failed()} and logged in aggregate: a few
 *       examples, then counts per error type when the write ends. Document content is never logged.</li>
 *   <li><b>Counts.</b> Per acknowledged item: {@code created} adds to indexed, {@code updated} to updated,
 *       {@code deleted} and {@code not_found} (a delete of a missing id) to deleted; the source bytes of
 *       acknowledged index operations add to bytes.</li>
 *   <li><b>Error breaker.</b> Final outcomes (after retries; drops excluded) feed a breaker that fails the write
 *       with {@link ErrorBreakerTrippedException} when failures exceed {@code maxErrors}, or
 *       {@code maxConsecutiveErrors} in a row, or when more than {@code maxErrorRate} of the last
 *       {@code errorRateWindow} outcomes failed.</li>
 *   <li><b>Observation.</b> A {@link Listener} hears of every {@code _bulk} round trip, retry, 429 answer, and of
 *       the bytes accepted and resolved, for metrics; it never changes what the sink does.</li>
 * </ul>
 *
 * <p>Thread safety: a sink may serve several {@link #write} calls, even at once; each call has its own breaker
 * and log aggregation, and all of them add to the same {@link SyncStats}.
 */
public final class BulkSink {
    private static final Logger log = LoggerFactory.getLogger(BulkSink.class);

    /** Failures (and drops) logged one by one per write before only counting them. */
    static final int LOGGED_EXAMPLES = 5;
    private static final int MAX_REASON_CHARS = 300;

    private final BulkClient client;
    private final BulkSinkSettings settings;
    private final SyncStats stats;
    private final DoubleSupplier jitter;
    private final Listener listener;
    private final LongSupplier nanoClock;

    /**
     * What a sink reports as it works, for metrics. Called from the threads the sink runs on (Reactor Netty's
     * event loops, timers), possibly from several at once when several writes or sinks share a listener: an
     * implementation must be thread-safe, cheap and must not throw or block. Every method defaults to doing
     * nothing.
     */
    public interface Listener {
        /** Hears nothing. */
        Listener NONE = new Listener() {
        };

        /**
         * One {@code _bulk} round trip ended.
         *
         * @param latency    from sending the request to its answer (or failure)
         * @param operations the operations in the request
         * @param ok         whether Elasticsearch answered with per-item results (some items may still have
         *                   failed); false when the request failed as a whole (no response, or an error status)
         */
        default void onRequest(Duration latency, int operations, boolean ok) {
        }

        /** {@code operations} are about to be re-sent after a retryable failure (a 429, a 5xx, no response). */
        default void onRetry(int operations) {
        }

        /** {@code operations} were answered 429 (too many requests), item by item or as a whole request. */
        default void onThrottled(int operations) {
        }

        /** Operations of {@code bytes} (their {@link BulkOp#sizeBytes()}) were accepted into a batch. */
        default void onQueued(long bytes) {
        }

        /**
         * Operations of {@code bytes} earlier reported to {@link #onQueued} are resolved (acknowledged, failed, or
         * abandoned because the write ended). Over a write, the bytes resolved add up to the bytes queued.
         */
        default void onResolved(long bytes) {
        }
    }

    public BulkSink(BulkClient client, BulkSinkSettings settings, SyncStats stats) {
        this(client, settings, stats, Listener.NONE);
    }

    /** @param listener told of requests, retries, 429s and bytes in flight, for metrics */
    public BulkSink(BulkClient client, BulkSinkSettings settings, SyncStats stats, Listener listener) {
        this(client, settings, stats, listener, () -> ThreadLocalRandom.current().nextDouble(), System::nanoTime);
    }

    /** @param jitter uniform in {@code [0, 1]}, the fraction of the backoff bound actually waited */
    BulkSink(BulkClient client, BulkSinkSettings settings, SyncStats stats, DoubleSupplier jitter) {
        this(client, settings, stats, Listener.NONE, jitter, System::nanoTime);
    }

    /** @param nanoClock the clock request latencies are measured with, in nanoseconds */
    BulkSink(BulkClient client, BulkSinkSettings settings, SyncStats stats, Listener listener, DoubleSupplier jitter,
            LongSupplier nanoClock) {
        this.client = Objects.requireNonNull(client, "client");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.stats = Objects.requireNonNull(stats, "stats");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.jitter = Objects.requireNonNull(jitter, "jitter");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    /**
     * Sends {@code ops} to Elasticsearch; nothing happens before subscription.
     *
     * <p><b>Ordering guarantee.</b> One {@link BatchResult} is emitted per batch, in the order the batches were
     * formed, and only once the batch and every batch before it are fully resolved (each operation acknowledged,
     * failed after its retries, or dropped). Batches are formed from consecutive upstream operations, so after a
     * result has been received, the first {@code sum(ops)} operations of the upstream (summed over the results
     * so far) are resolved: a caller may save a checkpoint (a cursor) that covers exactly those operations.
     * Failed operations count as resolved; check {@link BatchResult#failed()} before treating a range as
     * written. Across batches, Elasticsearch may apply operations out of order (concurrent requests, retries):
     * an id should appear at most once among the operations in flight.
     *
     * <p><b>Errors.</b> The returned flux fails with {@link ErrorBreakerTrippedException} when the error breaker
     * trips, with a {@link BulkRequestException} when a request fails as a whole and is not retryable (401, 403,
     * a missing index: nothing in the sync could succeed), and with upstream's error. Operations not yet
     * resolved at that point may or may not have been written.
     *
     * <p><b>Cancellation</b> cancels in-flight requests and pending retries, and the upstream subscription.
     *
     * @param ops the operations, each id at most once among the operations in flight (an id may recur once its earlier operation is resolved)
     * @return one result per batch, in order
     */
    public Flux<BatchResult> write(Flux<? extends BulkOp> ops) {
        return Flux.defer(() -> {
            Run run = new Run(settings, stats, listener);
            // Resolved at subscription so virtual time in tests replaces it.
            Scheduler timers = Schedulers.parallel();
            return new Batcher(ops, settings, timers, run)
                    .flatMapSequential(batch -> resolve(batch, run), settings.maxConcurrentRequests(), 1)
                    .doFinally(signal -> {
                        run.resolveRemaining();
                        run.logSummary(signal);
                    });
        });
    }

    private Mono<BatchResult> resolve(Batch batch, Run run) {
        if (batch.ops().isEmpty()) {
            return Mono.just(new BatchResult(batch.sequence(), batch.dropped(), 0, 0, batch.dropped(), 0, List.of()));
        }
        return Mono.defer(() -> {
            Resolution r = new Resolution(batch, run);
            List<Pending> all = new ArrayList<>(batch.ops().size());
            for (int i = 0; i < batch.ops().size(); i++) {
                all.add(new Pending(i, batch.ops().get(i), 0, null, null));
            }
            return send(r, all, 0).then(Mono.defer(r::finish));
        }).doFinally(signal -> run.resolved(batch.bytes()));
    }

    private Mono<Void> send(Resolution r, List<Pending> pending, int retry) {
        List<BulkOp> ops = new ArrayList<>(pending.size());
        for (Pending p : pending) {
            ops.add(p.op());
        }
        return timed(client.bulk(ops), ops.size())
                .map(items -> r.answered(pending, items))
                .onErrorResume(BulkRequestException.class, e -> {
                    if (e.status() == 429) {
                        listener.onThrottled(pending.size());
                    }
                    if (!e.retryable()) {
                        return Mono.error(e);
                    }
                    // Under a sustained overload every batch fails this way: aggregated per write, not one line each.
                    if (retry < settings.maxRetries()) {
                        r.run.requestRetried(pending.size(), r.batch.sequence(), retry + 1, settings.maxRetries(), e);
                    }
                    return Mono.just(r.requestFailed(pending, e));
                })
                .flatMap(again -> {
                    if (again.isEmpty()) {
                        return Mono.empty();
                    }
                    if (retry >= settings.maxRetries()) {
                        r.giveUp(again, retry);
                        return Mono.empty();
                    }
                    listener.onRetry(again.size());
                    Duration delay = backoff(retry + 1);
                    if (log.isDebugEnabled()) {
                        log.debug("Re-sending {} of {} operations of batch {} in {} ms (retry {}/{}): {}",
                                again.size(), r.batch.ops().size(), r.batch.sequence(), delay.toMillis(), retry + 1,
                                settings.maxRetries(), countByType(again));
                    }
                    return Mono.delay(delay).then(Mono.defer(() -> send(r, again, retry + 1)));
                });
    }

    /** Reports the latency of one round trip (not of a cancelled one) to the listener. */
    private Mono<List<ItemResult>> timed(Mono<List<ItemResult>> request, int operations) {
        if (listener == Listener.NONE) {
            return request;
        }
        return Mono.defer(() -> {
            long start = nanoClock.getAsLong();
            return request
                    .doOnNext(items -> listener.onRequest(Duration.ofNanos(nanoClock.getAsLong() - start), operations,
                            true))
                    .doOnError(e -> listener.onRequest(Duration.ofNanos(nanoClock.getAsLong() - start), operations,
                            false));
        });
    }

    /** Full jitter: uniform in {@code [0, min(maxBackoff, initialBackoff * 2^(retry-1))]}. */
    Duration backoff(int retry) {
        long initial = settings.initialBackoff().toNanos();
        long max = settings.maxBackoff().toNanos();
        int shift = retry - 1;
        long bound = shift >= 62 || initial > (max >> shift) ? max : initial << shift;
        double fraction = Math.min(1.0, Math.max(0.0, jitter.getAsDouble()));
        return Duration.ofNanos((long) (bound * fraction));
    }

    private static Map<String, Integer> countByType(List<Pending> pending) {
        Map<String, Integer> counts = new TreeMap<>();
        for (Pending p : pending) {
            counts.merge(p.errorType() + " (" + p.status() + ")", 1, Integer::sum);
        }
        return counts;
    }

    /** An error reason fit for a log line: bounded, and without the field value preview Elasticsearch adds. */
    static String sanitize(String reason) {
        if (reason == null) {
            return "";
        }
        String r = reason;
        int preview = r.indexOf("Preview of field's value");
        if (preview >= 0) {
            r = r.substring(0, preview).trim();
        }
        return r.length() <= MAX_REASON_CHARS ? r : r.substring(0, MAX_REASON_CHARS) + "...";
    }

    private static String operation(BulkOp op) {
        return op instanceof BulkOp.Delete ? "delete" : "index";
    }

    /** Consecutive operations sent in one {@code _bulk} request. */
    record Batch(long sequence, List<BulkOp> ops, long bytes, int dropped) {
        int size() {
            return ops.size() + dropped;
        }
    }

    /** An operation still to be sent, with the error of its last attempt. */
    private record Pending(int index, BulkOp op, int status, String errorType, String reason) {
        Pending failedWith(int status, String errorType, String reason) {
            return new Pending(index, op, status, errorType, reason);
        }
    }

    /** The state of one batch across its attempts; attempts are sequential, so no locking is needed. */
    private final class Resolution {
        private final Batch batch;
        private final Run run;
        /** Per operation: null when acknowledged, else its final error. */
        private final String[] errors;
        private final List<String> failedIds = new ArrayList<>();
        private int succeeded;
        private int failed;
        private long bytes;

        Resolution(Batch batch, Run run) {
            this.batch = batch;
            this.run = run;
            this.errors = new String[batch.ops().size()];
        }

        List<Pending> answered(List<Pending> pending, List<ItemResult> items) {
            if (items.size() != pending.size()) {
                throw new IllegalStateException("_bulk answered " + items.size() + " items for " + pending.size()
                        + " operations");
            }
            List<Pending> again = new ArrayList<>();
            int throttled = 0;
            for (int i = 0; i < items.size(); i++) {
                Pending p = pending.get(i);
                ItemResult item = items.get(i);
                if (item.status() == 429) {
                    throttled++;
                }
                if (item.succeeded()) {
                    acknowledged(p.op(), item.result());
                } else if (item.retryable()) {
                    again.add(p.failedWith(item.status(), item.errorType(), item.errorReason()));
                } else {
                    failed(p.failedWith(item.status(), item.errorType(), item.errorReason()), 0);
                }
            }
            if (throttled > 0) {
                run.listener.onThrottled(throttled);
            }
            return again;
        }

        List<Pending> requestFailed(List<Pending> pending, BulkRequestException e) {
            String type = e.status() == 0 ? "no_response" : "http_" + e.status();
            List<Pending> again = new ArrayList<>(pending.size());
            for (Pending p : pending) {
                again.add(p.failedWith(e.status(), type, e.getMessage()));
            }
            return again;
        }

        void giveUp(List<Pending> pending, int retries) {
            for (Pending p : pending) {
                failed(p, retries);
            }
        }

        private void acknowledged(BulkOp op, String result) {
            succeeded++;
            switch (result == null ? "" : result) {
                case "created" -> stats.addIndexed(1);
                case "updated" -> stats.addUpdated(1);
                case "deleted", "not_found" -> stats.addDeleted(1);
                default -> {
                    // noop: written before, nothing to count
                }
            }
            if (op instanceof BulkOp.Index index) {
                bytes += index.source().length;
                stats.addBytes(index.source().length);
            }
        }

        private void failed(Pending p, int retries) {
            failed++;
            String type = p.errorType() == null ? "unknown_error" : p.errorType();
            errors[p.index()] = type + " (status " + p.status() + "): " + sanitize(p.reason());
            if (failedIds.size() < BatchResult.MAX_FAILED_IDS) {
                failedIds.add(p.op().id());
            }
            stats.addFailed(1);
            stats.sampleFailed(new SyncStats.DocumentProblem(p.op().id(), operation(p.op()), p.status(), type,
                    sanitize(p.reason())));
            run.failed(p.op().id(), p.status(), type, p.reason(), retries);
        }

        Mono<BatchResult> finish() {
            ErrorBreakerTrippedException tripped = run.breaker.record(errors);
            if (tripped != null) {
                return Mono.error(tripped);
            }
            return Mono.just(new BatchResult(batch.sequence(), batch.size(), succeeded, failed, batch.dropped(),
                    bytes, failedIds));
        }
    }

    /** What one {@link #write} call shares across its batches: the breaker and the aggregated logging. */
    static final class Run {
        final ErrorBreaker breaker;
        final Listener listener;
        private final SyncStats stats;
        private final long maxDocumentBytes;
        /** Bytes reported queued and not yet resolved, so that a write's end resolves whatever is left. */
        private final AtomicLong outstanding = new AtomicLong();
        private final ProblemLog failures = new ProblemLog(log, "Document failed", LOGGED_EXAMPLES);
        private final ProblemLog drops = new ProblemLog(log, "Document dropped", LOGGED_EXAMPLES);
        private final ProblemLog requestFailures = new ProblemLog(log, "_bulk request failed", LOGGED_EXAMPLES);

        Run(BulkSinkSettings settings, SyncStats stats) {
            this(settings, stats, Listener.NONE);
        }

        Run(BulkSinkSettings settings, SyncStats stats, Listener listener) {
            this.breaker = new ErrorBreaker(settings);
            this.listener = listener;
            this.stats = stats;
            this.maxDocumentBytes = settings.maxDocumentBytes();
        }

        void queued(long bytes) {
            if (listener == Listener.NONE) {
                return;
            }
            outstanding.addAndGet(bytes);
            listener.onQueued(bytes);
        }

        /** Resolves {@code bytes}, or what is left of them if the end of the write resolved them already. */
        void resolved(long bytes) {
            long left;
            long take;
            do {
                left = outstanding.get();
                take = Math.min(left, bytes);
            } while (take > 0 && !outstanding.compareAndSet(left, left - take));
            if (take > 0) {
                listener.onResolved(take);
            }
        }

        /** At the end of a write (completion, error, cancel): operations never sent count as resolved. */
        void resolveRemaining() {
            long left = outstanding.getAndSet(0);
            if (left > 0) {
                listener.onResolved(left);
            }
        }

        void failed(String id, int status, String type, String reason, int retries) {
            failures.report(type, id + (retries > 0 ? " after " + retries + " retries" : "") + ": status " + status
                    + ", " + type + ": " + sanitize(reason));
        }

        /** A {@code _bulk} request failed as a whole and will be re-sent (its retry number {@code retry}). */
        void requestRetried(int operations, long batch, int retry, int maxRetries, BulkRequestException e) {
            requestFailures.report(e.status() == 0 ? "no_response" : "http_" + e.status(), operations
                    + " operations (batch " + batch + "), re-sent (retry " + retry + "/" + maxRetries + "): "
                    + sanitize(e.getMessage()));
        }

        void dropped(String id, long sourceBytes) {
            stats.addDropped(1);
            String reason = "its source is " + sourceBytes + " bytes, more than bulk.max_document_size=" + maxDocumentBytes;
            stats.sampleDropped(new SyncStats.DocumentProblem(id, "index", 0, "too_large", reason));
            drops.report("too_large", id + ": " + reason);
        }

        void logSummary(SignalType signal) {
            if (requestFailures.total() > 0) {
                log.warn("{} _bulk requests failed as a whole and were re-sent ({}): {}", requestFailures.total(),
                        signal == SignalType.ON_COMPLETE ? "write completed" : "write ended: " + signal,
                        requestFailures.summary());
            }
            if (drops.total() > 0) {
                log.warn("{} documents dropped, larger than bulk.max_document_size={} bytes", drops.total(), maxDocumentBytes);
            }
            if (failures.total() > 0) {
                log.warn("{} documents failed ({}): {}", failures.total(),
                        signal == SignalType.ON_COMPLETE ? "write completed" : "write ended: " + signal,
                        failures.summary());
            }
        }
    }

    /** Trips on too many final failures: in total, in a row, or as a rate over a sliding window. */
    static final class ErrorBreaker {
        private final long maxErrors;
        private final long maxConsecutive;
        private final double maxRate;
        private final boolean[] window;
        private long outcomes;
        private long total;
        private long consecutive;
        private int windowFailures;
        private ErrorBreakerTrippedException tripped;

        ErrorBreaker(BulkSinkSettings s) {
            this.maxErrors = s.maxErrors();
            this.maxConsecutive = s.maxConsecutiveErrors();
            this.maxRate = s.maxErrorRate();
            this.window = maxRate > 0 && maxRate < 1 ? new boolean[s.errorRateWindow()] : null;
        }

        /**
         * @param errors per outcome, in order: null for success, else a description of the error
         * @return the exception to fail the write with, or null
         */
        synchronized ErrorBreakerTrippedException record(String[] errors) {
            for (String error : errors) {
                if (tripped != null) {
                    break;
                }
                record(error);
            }
            return tripped;
        }

        private void record(String error) {
            boolean failed = error != null;
            if (window != null) {
                int slot = (int) (outcomes % window.length);
                if (outcomes >= window.length && window[slot]) {
                    windowFailures--;
                }
                window[slot] = failed;
                if (failed) {
                    windowFailures++;
                }
            }
            outcomes++;
            if (!failed) {
                consecutive = 0;
                return;
            }
            total++;
            consecutive++;
            String last = " (last error: " + error + ")";
            if (maxErrors > 0 && total > maxErrors) {
                tripped = new ErrorBreakerTrippedException(ErrorBreakerTrippedException.Limit.TOTAL,
                        "Error breaker tripped: " + total + " documents failed, more than "
                                + "bulk.error_breaker.max_errors=" + maxErrors + last);
            } else if (maxConsecutive > 0 && consecutive > maxConsecutive) {
                tripped = new ErrorBreakerTrippedException(ErrorBreakerTrippedException.Limit.CONSECUTIVE,
                        "Error breaker tripped: " + consecutive + " documents failed in a row, more than "
                                + "bulk.error_breaker.max_consecutive_errors=" + maxConsecutive + last);
            } else if (window != null && outcomes >= window.length
                    && (double) windowFailures / window.length > maxRate) {
                tripped = new ErrorBreakerTrippedException(ErrorBreakerTrippedException.Limit.RATE,
                        "Error breaker tripped: " + windowFailures + " of the last " + window.length
                                + " documents failed (" + String.format(java.util.Locale.ROOT, "%.1f%%",
                                100.0 * windowFailures / window.length)
                                + "), more than bulk.error_breaker.max_error_rate=" + maxRate + last);
            }
        }
    }

    /**
     * Cuts upstream operations into {@link Batch}es by count, bytes and time. Requests one operation at a time
     * while the batch being prepared is open, so at most one closed batch waits for downstream demand (two when
     * a byte cut and the flush timer coincide), plus the open one.
     */
    static final class Batcher extends FluxOperator<BulkOp, Batch> {
        private final BulkSinkSettings settings;
        private final Scheduler timers;
        private final Run run;

        Batcher(Flux<? extends BulkOp> source, BulkSinkSettings settings, Scheduler timers, Run run) {
            super(source);
            this.settings = settings;
            this.timers = timers;
            this.run = run;
        }

        @Override
        public void subscribe(CoreSubscriber<? super Batch> actual) {
            source.subscribe(new BatchingSubscriber(actual, settings, timers, run));
        }
    }

    /**
     * Every signal (upstream item or end, downstream request or cancel, timer) is recorded in a volatile field
     * and handled by one drain loop at a time (the usual work-in-progress counter), so the batch state needs no
     * lock.
     */
    static final class BatchingSubscriber implements CoreSubscriber<BulkOp>, Subscription {
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
        private final Run run;
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

        BatchingSubscriber(CoreSubscriber<? super Batch> actual, BulkSinkSettings settings, Scheduler timers, Run run) {
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
                run.queued(size);
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
