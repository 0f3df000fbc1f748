package io.connectors.spi.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

class ThrottleTest {

    @Test
    void atMostMaxConcurrentOperationsRunAndTheRestWaitInOrder() {
        Throttle throttle = new Throttle(2, 0);
        List<Sinks.Empty<Void>> gates = List.of(Sinks.empty(), Sinks.empty(), Sinks.empty(), Sinks.empty());
        List<Integer> started = new CopyOnWriteArrayList<>();
        AtomicInteger maxSeen = new AtomicInteger();
        List<Disposable> running = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int n = i;
            running.add(throttle.operation(p -> Flux.defer(() -> {
                started.add(n);
                maxSeen.accumulateAndGet(throttle.inUse(), Math::max);
                return gates.get(n).asMono().thenMany(Flux.just(n));
            })).subscribe());
        }
        assertThat(started).containsExactly(0, 1);
        gates.get(1).tryEmitEmpty();
        assertThat(started).containsExactly(0, 1, 2);
        gates.get(0).tryEmitEmpty();
        assertThat(started).containsExactly(0, 1, 2, 3);
        gates.get(2).tryEmitEmpty();
        gates.get(3).tryEmitEmpty();
        assertThat(maxSeen.get()).isEqualTo(2);
        assertThat(throttle.inUse()).isZero();
        running.forEach(Disposable::dispose);
    }

    @Test
    void aCancelledWaiterGivesNothingAwayAndAFailedOperationReleases() {
        Throttle throttle = new Throttle(1, 0);
        Sinks.Empty<Void> gate = Sinks.empty();
        Disposable first = throttle.operation(p -> gate.asMono().thenMany(Flux.just(1))).subscribe();
        Disposable waiting = throttle.single(Mono.just(2)).subscribe();
        waiting.dispose();
        gate.tryEmitEmpty();
        assertThat(throttle.inUse()).isZero();
        StepVerifier.create(throttle.single(Mono.error(new IllegalStateException("boom")))).expectError().verify();
        assertThat(throttle.inUse()).isZero();
        StepVerifier.create(throttle.single(Mono.just(3))).expectNext(3).verifyComplete();
        first.dispose();
    }

    @Test
    void cancellingARunningOperationReleasesItsPermit() {
        Throttle throttle = new Throttle(1, 0);
        Disposable endless = throttle.operation(p -> Flux.never()).subscribe();
        assertThat(throttle.inUse()).isEqualTo(1);
        endless.dispose();
        assertThat(throttle.inUse()).isZero();
    }

    @Test
    void roundTripsAreSpacedByTheRate() {
        AtomicLong now = new AtomicLong(0);
        Throttle throttle = new Throttle(4, 10, now::get);
        // 10 per second: the first starts at once, the next ones 100 ms apart.
        StepVerifier.withVirtualTime(() -> Flux.range(0, 3).concatMap(i -> throttle.roundTrip().thenReturn(i)))
                .expectNext(0)
                .expectNoEvent(Duration.ofMillis(90))
                .thenAwait(Duration.ofMillis(10))
                .expectNext(1)
                .thenAwait(Duration.ofMillis(100))
                .expectNext(2)
                .verifyComplete();
        // Time passed (on the throttle's clock): no wait.
        now.addAndGet(Duration.ofSeconds(5).toNanos());
        StepVerifier.create(throttle.roundTrip()).verifyComplete();
        StepVerifier.create(new Throttle(1, 0).roundTrip()).verifyComplete();
    }

    @Test
    void refusesZeroConcurrency() {
        assertThatThrownBy(() -> new Throttle(0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
