package io.connectors.runtime.util;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;

/**
 * Logs a task that keeps failing while a dependency is down (a poll loop, a heartbeat) without a line per attempt:
 * the first failure is logged at once, the ones that follow are counted and logged as one line per interval
 * ("...: 58 more times in the last 60 s"), and the first success after failures is logged once as a recovery.
 *
 * <p>Thread-safe; the methods are cheap and never block beyond a short lock.
 */
public final class RepeatedFailureLog {
    /** How often a failing task gets a line, unless told otherwise. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(60);

    private final Logger log;
    private final String what;
    private final Duration interval;
    private final Clock clock;
    private Instant failingSince;
    private Instant windowStart;
    private long inWindow;
    private long total;
    private String lastDescription;

    /**
     * @param log      where to log
     * @param what     the task, e.g. "Looking for queued jobs failed"
     * @param interval at most one line per this interval while the task keeps failing
     * @param clock    time source (a fixed or stepped clock in tests)
     */
    public RepeatedFailureLog(Logger log, String what, Duration interval, Clock clock) {
        this.log = log;
        this.what = what;
        this.interval = interval;
        this.clock = clock;
    }

    public RepeatedFailureLog(Logger log, String what) {
        this(log, what, DEFAULT_INTERVAL, Clock.systemUTC());
    }

    /** The task failed: logged at once if it was working, else counted and summarized once per interval. */
    public void failed(Throwable e) {
        failed(Failures.describe(e));
    }

    /** The task failed, as described. */
    public synchronized void failed(String description) {
        Instant now = clock.instant();
        total++;
        lastDescription = description;
        if (failingSince == null) {
            failingSince = now;
            windowStart = now;
            inWindow = 0;
            log.warn("{}: {}", what, description);
            return;
        }
        inWindow++;
        Duration elapsed = Duration.between(windowStart, now);
        if (elapsed.compareTo(interval) >= 0) {
            log.warn("{}: {}: {} more time{} in the last {} s", what, description, inWindow, inWindow == 1 ? "" : "s",
                    elapsed.toSeconds());
            windowStart = now;
            inWindow = 0;
        }
    }

    /** The task worked: after failures, one line says it recovered. */
    public synchronized void succeeded() {
        if (failingSince == null) {
            return;
        }
        Duration down = Duration.between(failingSince, clock.instant());
        log.info("{} {} time{} over {} s (last: {}); it works again", what, total, total == 1 ? "" : "s",
                down.toSeconds(), lastDescription);
        failingSince = null;
        windowStart = null;
        inWindow = 0;
        total = 0;
        lastDescription = null;
    }

    /** Whether the task's last attempt failed. */
    public synchronized boolean failing() {
        return failingSince != null;
    }
}
