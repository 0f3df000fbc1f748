package io.connectors.functional.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One process's CPU time (user plus system, {@code /proc/<pid>/stat}) read every 100 ms, so that the CPU it used
 * within a window (a sync of a few seconds) is known to a few milliseconds: {@link CpuSampler}'s one-second samples
 * are too coarse for a short sync. Thread-safe.
 */
final class ProcessCpu implements AutoCloseable {
    static final Duration INTERVAL = Duration.ofMillis(100);
    /** {@code getconf CLK_TCK}: 100 on every Linux this runs on. */
    private static final long TICKS_PER_SECOND = 100;

    /** A cumulative reading. */
    record Reading(Instant at, long cpuNanos) {
    }

    private final Path stat;
    private final ScheduledExecutorService timer;
    private final List<Reading> readings = new ArrayList<>();

    private ProcessCpu(long pid) {
        this.stat = Path.of("/proc", Long.toString(pid), "stat");
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-process-cpu-" + pid);
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::read, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Starts reading {@code pid}'s CPU time; {@link #close()} stops. */
    static ProcessCpu watch(long pid) {
        return new ProcessCpu(pid);
    }

    private void read() {
        try {
            long nanos = cpuNanos(Files.readString(stat, StandardCharsets.UTF_8));
            synchronized (this) {
                readings.add(new Reading(Instant.now(), nanos));
            }
        } catch (IOException | RuntimeException e) {
            // the process has exited: the readings so far stand
        }
    }

    /**
     * User plus system CPU time from a {@code /proc/<pid>/stat} line: fields 14 and 15, counted after the command
     * name, which is in parentheses and may hold spaces.
     */
    static long cpuNanos(String statLine) {
        String[] f = statLine.substring(statLine.lastIndexOf(')') + 2).trim().split("\\s+");
        // f[0] is field 3 (state): utime is field 14, stime field 15.
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        return ticks * (1_000_000_000L / TICKS_PER_SECOND);
    }

    synchronized List<Reading> readings() {
        return List.copyOf(readings);
    }

    /** CPU seconds used within {@code [from, to]}; empty unless readings surround both ends. */
    OptionalDouble secondsBetween(Instant from, Instant to) {
        return secondsBetween(readings(), from, to);
    }

    static OptionalDouble secondsBetween(List<Reading> readings, Instant from, Instant to) {
        OptionalDouble a = at(readings, from);
        OptionalDouble b = at(readings, to);
        if (a.isEmpty() || b.isEmpty()) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of((b.getAsDouble() - a.getAsDouble()) / 1e9);
    }

    /** The cumulative CPU nanoseconds at {@code t}, linear between the readings either side. */
    private static OptionalDouble at(List<Reading> readings, Instant t) {
        for (int i = 1; i < readings.size(); i++) {
            Reading a = readings.get(i - 1);
            Reading b = readings.get(i);
            if (!t.isBefore(a.at()) && !t.isAfter(b.at())) {
                double span = Duration.between(a.at(), b.at()).toNanos();
                double part = span == 0 ? 0 : Duration.between(a.at(), t).toNanos() / span;
                return OptionalDouble.of(a.cpuNanos() + part * (b.cpuNanos() - a.cpuNanos()));
            }
        }
        return OptionalDouble.empty();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
