package io.connectors.runtime.util;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.read.ListAppender;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class RepeatedFailureLogTest {
    /** A clock the test moves by hand. */
    private static final class SteppedClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final LoggerContext context = new LoggerContext();
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final SteppedClock clock = new SteppedClock();
    private final RepeatedFailureLog failures;

    RepeatedFailureLogTest() {
        context.setMDCAdapter(new LogbackMDCAdapter());
        appender.setContext(context);
        appender.start();
        ch.qos.logback.classic.Logger logger = context.getLogger("test");
        logger.addAppender(appender);
        logger.setLevel(Level.DEBUG);
        failures = new RepeatedFailureLog(logger, "Looking for queued jobs failed", Duration.ofSeconds(60), clock);
    }

    private List<String> lines() {
        return appender.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
    }

    @Test
    void aFailureEverySecondForTwoMinutesGivesThreeLinesAndOneRecovery() {
        for (int i = 0; i < 136; i++) {
            failures.failed("Elasticsearch unreachable (connection refused)");
            clock.advance(Duration.ofSeconds(1));
        }
        failures.succeeded();
        failures.succeeded();

        assertThat(lines()).containsExactly(
                "WARN Looking for queued jobs failed: Elasticsearch unreachable (connection refused)",
                "WARN Looking for queued jobs failed: Elasticsearch unreachable (connection refused): 60 more times in the last 60 s",
                "WARN Looking for queued jobs failed: Elasticsearch unreachable (connection refused): 60 more times in the last 60 s",
                "INFO Looking for queued jobs failed 136 times over 136 s (last: Elasticsearch unreachable (connection refused));"
                        + " it works again");
    }

    @Test
    void aFailureAfterARecoveryIsLoggedAtOnce() {
        failures.failed("down");
        failures.succeeded();
        clock.advance(Duration.ofSeconds(1));
        failures.failed("down again");

        assertThat(lines()).containsExactly(
                "WARN Looking for queued jobs failed: down",
                "INFO Looking for queued jobs failed 1 time over 0 s (last: down); it works again",
                "WARN Looking for queued jobs failed: down again");
        assertThat(failures.failing()).isTrue();
    }

    @Test
    void successWithoutFailuresLogsNothing() {
        failures.succeeded();
        assertThat(lines()).isEmpty();
    }
}
