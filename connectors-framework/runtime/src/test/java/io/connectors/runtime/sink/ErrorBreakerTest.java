package io.connectors.runtime.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.runtime.config.BulkSinkSettings;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The breaker alone: outcomes in, the limit that tripped out. */
class ErrorBreakerTest {
    private static final String OK = null;
    private static final String BAD = "mapper_parsing_exception (status 400): bad";

    private static ErrorBreaker breaker(long maxErrors, long maxConsecutive, double maxRate, int window) {
        return new ErrorBreaker(BulkSinkSettings.defaults().withErrorBreaker(maxErrors, maxConsecutive, maxRate, window));
    }

    @Test
    void totalTripsOnTheFirstFailureOverTheLimit() {
        ErrorBreaker breaker = breaker(3, 0, 0, 10);

        assertThat(breaker.record(new String[] {BAD, OK, BAD, OK, BAD})).isNull();
        ErrorBreakerTrippedException tripped = breaker.record(new String[] {OK, BAD});

        assertThat(tripped).isNotNull();
        assertThat(tripped.limit()).isEqualTo(ErrorBreakerTrippedException.Limit.TOTAL);
        assertThat(tripped.getMessage()).startsWith("Error breaker tripped: 4 documents failed, more than "
                + "bulk.error_breaker.max_errors=3").endsWith("(last error: " + BAD + ")");
    }

    @Test
    void consecutiveCountsOnlyFailuresInARow() {
        ErrorBreaker breaker = breaker(0, 2, 0, 10);

        assertThat(breaker.record(new String[] {BAD, BAD, OK, BAD, BAD, OK})).isNull();
        assertThat(breaker.record(new String[] {BAD, BAD, BAD}).limit())
                .isEqualTo(ErrorBreakerTrippedException.Limit.CONSECUTIVE);
    }

    @Test
    void rateIsJudgedOnlyOverAFullWindowThatSlides() {
        ErrorBreaker breaker = breaker(0, 0, 0.5, 4);

        // 2 of 3 failed, but the window of 4 is not full yet.
        assertThat(breaker.record(new String[] {BAD, BAD, OK})).isNull();
        // 3 of the last 4 failed: 75% > 50%.
        ErrorBreakerTrippedException tripped = breaker.record(new String[] {BAD});
        assertThat(tripped.limit()).isEqualTo(ErrorBreakerTrippedException.Limit.RATE);
        assertThat(tripped.getMessage()).contains("3 of the last 4 documents failed (75.0%)");
    }

    @Test
    void rateAtTheLimitDoesNotTripAndOldFailuresSlideOut() {
        ErrorBreaker breaker = breaker(0, 0, 0.5, 4);

        // Window: BAD BAD OK OK = 50%, not more.
        assertThat(breaker.record(new String[] {BAD, BAD, OK, OK})).isNull();
        // The two failures slide out; the window stays at most 50% failed.
        assertThat(breaker.record(new String[] {OK, OK, BAD, BAD, OK, OK, BAD, BAD})).isNull();
    }

    @Test
    void onceTrippedItStaysTrippedWithTheFirstReason() {
        ErrorBreaker breaker = breaker(1, 0, 0, 10);

        ErrorBreakerTrippedException first = breaker.record(new String[] {BAD, BAD, BAD});
        assertThat(first.getMessage()).contains("2 documents failed");
        assertThat(breaker.record(new String[] {OK})).isSameAs(first);
    }

    @Test
    void limitsOfZeroAndRatesOfZeroOrOneAreOff() {
        String[] allBad = new String[5000];
        Arrays.fill(allBad, BAD);

        assertThat(breaker(0, 0, 0, 10).record(allBad)).isNull();
        assertThat(breaker(0, 0, 1.0, 10).record(allBad)).isNull();
    }
}
