package io.connectors.functional;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * The two moments a real-time run waits for: the daemon's real-time job follows the source's changes (its log says
 * so, after the full sync a first job runs), and the index caught up with a change load (it shows a change committed
 * when the wait began).
 */
public final class RealtimeWait {
    /** What the runtime logs when a real-time job starts following (SyncRunner). */
    public static final String FOLLOWING = "following the source's changes in real time";

    private RealtimeWait() {
    }

    /**
     * Waits for the daemon's log to say it follows the changes.
     *
     * @return how long after {@code from} it did
     * @throws IllegalStateException if the daemon exits or {@code timeout} passes first
     */
    public static Duration following(DaemonProcess daemon, Instant from, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(daemon.logFile())
                    && Files.readString(daemon.logFile(), StandardCharsets.UTF_8).contains(FOLLOWING)) {
                return Duration.between(from, Instant.now());
            }
            if (!daemon.isAlive()) {
                throw new IllegalStateException("the daemon exited before it followed the changes; see " + daemon.logFile());
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new IllegalStateException("the daemon did not log '" + FOLLOWING + "' within " + timeout + "; see "
                + daemon.logFile());
    }

    /**
     * Waits until the index shows the last insert or update {@code load} had committed when the wait began (waiting
     * first for there to be one).
     *
     * @return how long it took
     * @throws IllegalStateException if {@code timeout} passes first
     */
    public static Duration caughtUp(IndexSeqProbe probe, ChangeLoad load, Duration timeout) throws Exception {
        Instant t = Instant.now();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (load.lastUpsertSeq() == 0 && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        long target = load.lastUpsertSeq();
        while (System.nanoTime() < deadline) {
            if (target > 0 && probe.highest() >= target) {
                return Duration.between(t, Instant.now());
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        throw new IllegalStateException("the index did not show change " + target + " within " + timeout
                + " (it shows " + probe.highest() + ")");
    }
}
