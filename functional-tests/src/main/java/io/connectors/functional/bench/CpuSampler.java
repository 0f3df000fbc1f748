package io.connectors.functional.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples, once a second, the CPU time used so far by Elasticsearch, by the daemon process being watched, by this
 * JVM, and by the whole machine ({@code /proc/stat}), so that any window of the run can be split into "cores used by
 * whom". On 2 shared cores that split is the first thing to look at when a ratio falls short.
 */
final class CpuSampler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CpuSampler.class);
    private static final Path PROC_STAT = Path.of("/proc/stat");
    private static final String ES_PACKAGE = "org.elasticsearch.";

    private final ElasticsearchHttp es;
    private final ScheduledExecutorService timer;
    private final List<Sample> samples = new ArrayList<>();
    private final int cores = Runtime.getRuntime().availableProcessors();
    private List<ProcessHandle> esProcesses = List.of();
    private ProcessHandle daemon;
    private long daemonCpuNanos;
    private long daemonBaseNanos;

    /**
     * One reading; every value is cumulative.
     *
     * @param esCpuMillis       Elasticsearch's process CPU time
     * @param daemonCpuNanos    CPU time of the daemon processes seen so far (a stopped daemon keeps its last value)
     * @param benchCpuNanos     this JVM's CPU time
     * @param machineBusyTicks  {@code /proc/stat}: user, nice, system, irq, softirq
     * @param machineStealTicks {@code /proc/stat}: steal (time the hypervisor gave to other machines)
     * @param machineTotalTicks {@code /proc/stat}: everything
     */
    record Sample(Instant at, long esCpuMillis, long daemonCpuNanos, long benchCpuNanos, long machineBusyTicks,
                  long machineStealTicks, long machineTotalTicks) {
    }

    /**
     * Average cores used over a window.
     *
     * @param machineBusy every process of the machine, ours included
     * @param steal       CPU the hypervisor took for other guests (a noisy neighbour)
     */
    record Split(Instant from, Instant to, double elasticsearch, double daemon, double bench, double machineBusy,
                 double steal, int cores) {
        double seconds() {
            return Duration.between(from, to).toNanos() / 1e9;
        }

        /** Cores used by processes other than Elasticsearch, the daemon and the benchmark. */
        double others() {
            return Math.max(0, machineBusy - elasticsearch - daemon - bench);
        }
    }

    CpuSampler(ElasticsearchHttp es) {
        this.es = es;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-cpu-sampler");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::sample, 0, 1, TimeUnit.SECONDS);
    }

    private void sample() {
        try {
            long esMillis = esCpuMillis();
            long daemonNanos = daemonCpu();
            long self = ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
            long[] machine = machineTicks();
            synchronized (this) {
                samples.add(new Sample(Instant.now(), esMillis, daemonNanos, self, machine[0], machine[1], machine[2]));
                notifyAll();
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("CPU sample skipped: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Elasticsearch's CPU time: from {@code /proc} when it is this JVM's child (its launcher and server JVMs, exact),
     * else from its node statistics (refreshed by Elasticsearch once a second, so coarser).
     */
    private long esCpuMillis() throws IOException, InterruptedException {
        if (esProcesses.isEmpty() || !esProcesses.stream().allMatch(ProcessHandle::isAlive)) {
            esProcesses = ProcessHandle.current().descendants()
                    .filter(p -> p.info().commandLine().map(c -> c.contains(ES_PACKAGE)).orElse(false))
                    .toList();
        }
        if (!esProcesses.isEmpty()) {
            long nanos = 0;
            for (ProcessHandle p : esProcesses) {
                nanos += p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
            }
            return nanos / 1_000_000;
        }
        return es.nodeCpuMillis();
    }

    /**
     * Waits until processes other than Elasticsearch, the daemon and this JVM have used at most {@code maxCores} over
     * the last {@code window}, or {@code maxWait} has passed: on a shared machine, a build running next door would
     * otherwise be measured as our slowness.
     *
     * @return the cores those other processes used over the last window when the wait ended
     */
    double awaitQuiet(double maxCores, Duration window, Duration maxWait) throws InterruptedException {
        long deadline = System.nanoTime() + maxWait.toNanos();
        synchronized (this) {
            while (true) {
                Instant now = Instant.now();
                Optional<Split> last = split(samples, now.minus(window), now, cores);
                boolean full = last.isPresent() && last.get().seconds() >= window.toNanos() / 1e9 * 0.7;
                if (full && last.get().others() <= maxCores) {
                    return last.get().others();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return last.map(Split::others).orElse(Double.NaN);
                }
                TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.SECONDS.toNanos(1)));
            }
        }
    }

    /**
     * From now on, samples the CPU time of the daemon process {@code pid}. Daemons run one after the other: the
     * count carries on from the previous one's last reading.
     */
    synchronized void watchDaemon(long pid) {
        daemonBaseNanos = daemonCpuNanos;
        daemon = ProcessHandle.of(pid).orElse(null);
    }

    private synchronized long daemonCpu() {
        if (daemon != null) {
            daemon.info().totalCpuDuration()
                    .ifPresent(d -> daemonCpuNanos = Math.max(daemonCpuNanos, daemonBaseNanos + d.toNanos()));
        }
        return daemonCpuNanos;
    }

    private static long[] machineTicks() throws IOException {
        if (!Files.isReadable(PROC_STAT)) {
            return new long[] {-1, -1, -1};
        }
        String line = Files.readAllLines(PROC_STAT).get(0);
        String[] f = line.trim().split("\\s+");
        long user = Long.parseLong(f[1]);
        long nice = Long.parseLong(f[2]);
        long system = Long.parseLong(f[3]);
        long idle = Long.parseLong(f[4]);
        long iowait = Long.parseLong(f[5]);
        long irq = Long.parseLong(f[6]);
        long softirq = Long.parseLong(f[7]);
        long steal = f.length > 8 ? Long.parseLong(f[8]) : 0;
        long busy = user + nice + system + irq + softirq;
        return new long[] {busy, steal, busy + idle + iowait + steal};
    }

    synchronized List<Sample> samples() {
        return List.copyOf(samples);
    }

    /** The split over {@code [from, to]}, from the samples nearest inside it; empty if fewer than two fall in it. */
    Optional<Split> between(Instant from, Instant to) {
        return split(samples(), from, to, cores);
    }

    static Optional<Split> split(List<Sample> samples, Instant from, Instant to, int cores) {
        Sample first = null;
        Sample last = null;
        for (Sample s : samples) {
            if (!s.at().isBefore(from) && !s.at().isAfter(to)) {
                if (first == null) {
                    first = s;
                }
                last = s;
            }
        }
        if (first == null || last == first) {
            return Optional.empty();
        }
        return Optional.of(split(first, last, cores));
    }

    static Split split(Sample a, Sample b, int cores) {
        double seconds = Duration.between(a.at(), b.at()).toNanos() / 1e9;
        double es = (b.esCpuMillis() - a.esCpuMillis()) / 1e3 / seconds;
        double daemon = (b.daemonCpuNanos() - a.daemonCpuNanos()) / 1e9 / seconds;
        double bench = (b.benchCpuNanos() - a.benchCpuNanos()) / 1e9 / seconds;
        long total = b.machineTotalTicks() - a.machineTotalTicks();
        double busy = total <= 0 ? 0 : cores * (double) (b.machineBusyTicks() - a.machineBusyTicks()) / total;
        double steal = total <= 0 ? 0 : cores * (double) (b.machineStealTicks() - a.machineStealTicks()) / total;
        return new Split(a.at(), b.at(), es, daemon, bench, busy, steal, cores);
    }

    /** Consecutive per-interval splits inside {@code [from, to]}, for a chart. */
    List<Split> series(Instant from, Instant to) {
        List<Sample> inside = samples().stream().filter(s -> !s.at().isBefore(from) && !s.at().isAfter(to)).toList();
        List<Split> out = new ArrayList<>();
        for (int i = 1; i < inside.size(); i++) {
            out.add(split(inside.get(i - 1), inside.get(i), cores));
        }
        return out;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
