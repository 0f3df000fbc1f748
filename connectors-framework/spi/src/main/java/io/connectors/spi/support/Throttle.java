package io.connectors.spi.support;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Keeps one connector's load on its backend within bounds, without blocking a thread: at most {@code maxConcurrent}
 * operations (a query with its cursor, a change stream, a command) run at once, later ones wait their turn in order;
 * and, when {@code perSecond} is above zero, round trips are spaced so that no more than that many start per second.
 */
public final class Throttle {
    private final int maxConcurrent;
    private final long nanosPerOperation;
    private final LongSupplier clock;
    private final AtomicInteger inUse = new AtomicInteger();
    private final Queue<Waiter> waiters = new ConcurrentLinkedQueue<>();
    private final AtomicLong nextSlot = new AtomicLong(Long.MIN_VALUE);

    public Throttle(int maxConcurrent, int perSecond) {
        this(maxConcurrent, perSecond, System::nanoTime);
    }

    Throttle(int maxConcurrent, int perSecond, LongSupplier clock) {
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("maxConcurrent must be at least 1");
        }
        this.maxConcurrent = maxConcurrent;
        this.nanosPerOperation = perSecond > 0 ? 1_000_000_000L / perSecond : 0;
        this.clock = clock;
    }

    /** Runs {@code work} as one operation: it starts once a permit is free, and gives the permit back when it ends. */
    public <T> Flux<T> operation(Function<Permit, Flux<T>> work) {
        return Flux.usingWhen(acquire(), permit -> roundTrip().thenMany(work.apply(permit)), Permit::release);
    }

    /** Like {@link #operation} for one result. */
    public <T> Mono<T> single(Mono<T> work) {
        return Mono.usingWhen(acquire(), permit -> roundTrip().then(work), Permit::release);
    }

    /**
     * Waits until the next round trip may start under the rate limit; immediate when there is none. A caller
     * reading a cursor calls it once per batch.
     */
    public Mono<Void> roundTrip() {
        if (nanosPerOperation == 0) {
            return Mono.empty();
        }
        return Mono.defer(() -> {
            long now = clock.getAsLong();
            long slot = nextSlot.accumulateAndGet(now, (next, n) -> Math.max(next, n - nanosPerOperation) + nanosPerOperation)
                    - nanosPerOperation;
            long wait = slot - now;
            return wait <= 0 ? Mono.<Void>empty() : Mono.delay(Duration.ofNanos(wait)).then();
        });
    }

    /** Permits in use now. */
    public int inUse() {
        return inUse.get();
    }

    private Mono<Permit> acquire() {
        return Mono.defer(() -> {
            if (tryTake()) {
                return Mono.just(new Permit());
            }
            Waiter waiter = new Waiter();
            waiters.add(waiter);
            // A permit may have come back between tryTake and add: look again.
            drain();
            return waiter.sink.asMono().doOnCancel(() -> {
                if (!waiter.state.compareAndSet(WAITING, CANCELLED) && waiter.permit != null) {
                    // Granted while being cancelled: the permit never reached its user, so give it back (once).
                    waiter.permit.giveBack();
                }
            });
        });
    }

    private boolean tryTake() {
        while (true) {
            int n = inUse.get();
            if (n >= maxConcurrent) {
                return false;
            }
            if (inUse.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    private void release() {
        inUse.decrementAndGet();
        drain();
    }

    private void drain() {
        while (!waiters.isEmpty() && tryTake()) {
            Waiter next = waiters.poll();
            if (next == null) {
                inUse.decrementAndGet();
                continue;
            }
            Permit permit = new Permit();
            next.permit = permit;
            if (next.state.compareAndSet(WAITING, GRANTED)) {
                next.sink.tryEmitValue(permit);
            } else {
                inUse.decrementAndGet();
            }
        }
    }

    private static final int WAITING = 0;
    private static final int GRANTED = 1;
    private static final int CANCELLED = 2;

    private static final class Waiter {
        final Sinks.One<Permit> sink = Sinks.one();
        final AtomicInteger state = new AtomicInteger(WAITING);
        volatile Permit permit;
    }

    /** One operation's right to run; released once. */
    public final class Permit {
        private final AtomicBoolean released = new AtomicBoolean();

        public Mono<Void> release() {
            return Mono.fromRunnable(this::giveBack);
        }

        void giveBack() {
            if (released.compareAndSet(false, true)) {
                Throttle.this.release();
            }
        }
    }
}
