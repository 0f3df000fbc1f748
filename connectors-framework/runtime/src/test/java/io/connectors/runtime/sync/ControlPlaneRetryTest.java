package io.connectors.runtime.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The control plane's writes ride out an overloaded or restarting cluster for a time, not a number of tries. */
class ControlPlaneRetryTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static Mono<String> failing(AtomicInteger calls, int failures, RuntimeException e) {
        return Mono.defer(() -> calls.incrementAndGet() <= failures ? Mono.error(e) : Mono.just("saved"));
    }

    @Test
    void aWriteRejectedForAMinuteIsRetriedUntilItIsTakenWhateverTheNumberOfTries() {
        AtomicInteger calls = new AtomicInteger();
        // 429s for 12 tries: about a minute at a backoff capped at 10 s, twice the tries a count-based retry allowed.
        StepVerifier.withVirtualTime(() -> failing(calls, 12, new RuntimeException("429 Too Many Requests"))
                        .retryWhen(SplitReads.CONTROL_PLANE_RETRY))
                .expectSubscription()
                .thenAwait(SplitReads.CONTROL_PLANE_RETRY_TIME)
                .expectNext("saved")
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(calls).hasValue(13);
    }

    @Test
    void aWriteStillFailingWhenTheRetryTimeRunsOutFails() {
        AtomicInteger calls = new AtomicInteger();
        StepVerifier.withVirtualTime(() -> failing(calls, Integer.MAX_VALUE, new RuntimeException("connection refused"))
                        .retryWhen(SplitReads.CONTROL_PLANE_RETRY))
                .expectSubscription()
                .thenAwait(SplitReads.CONTROL_PLANE_RETRY_TIME.minusSeconds(11))
                .expectNoEvent(Duration.ofSeconds(1))
                .thenAwait(Duration.ofSeconds(20))
                .expectErrorMessage("connection refused")
                .verify(TIMEOUT);
        assertThat(calls.get()).isGreaterThan(12);
    }

    @Test
    void aJobGoneIsNotRetried() {
        AtomicInteger calls = new AtomicInteger();
        StepVerifier.create(failing(calls, 1, new IllegalStateException("job gone")).retryWhen(SplitReads.CONTROL_PLANE_RETRY))
                .expectErrorMessage("job gone")
                .verify(TIMEOUT);
        assertThat(calls).hasValue(1);
    }
}
