package io.connectors.functional;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The daemon ({@code bin/connectors -c <config> run}) in its own process, as users run it, watched through its log:
 * every line goes to a log file and through {@link DaemonLog}, which turns sync starts, ends and progress into
 * events the harness waits on. While it runs, its peak memory is sampled: resident set size from
 * {@code /proc/<pid>/status} and heap use from {@code jstat -gc <pid> 250} (one sampling process for the whole run,
 * which costs the machine far less than a {@code jcmd} every 250 ms).
 *
 * <p>The daemon runs in UTC (its log times carry no zone), at log level INFO, with no {@code CONNECTORS_*} variable
 * of the caller's environment but those this class sets. Thread-safe.
 */
public final class DaemonProcess implements AutoCloseable {
    /** The JVM options {@code bin/connectors} uses when none are given, so figures are those users get. */
    /** Stands for the launcher's own default JVM options (bin/connectors), which apply when none are given. */
    public static final String LAUNCHER_JAVA_OPTS = "";

    /** How reports name {@code javaOpts}: blank means the launcher's defaults. */
    public static String describeJavaOpts(String javaOpts) {
        return javaOpts == null || javaOpts.isBlank() ? "the launcher's defaults (bin/connectors)" : javaOpts;
    }
    private static final Duration SAMPLE_INTERVAL = Duration.ofMillis(250);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final int TAIL_LINES = 30;
    /** Samples kept for {@link #memoryPeak(Instant, Instant)}: 10 hours at one every 250 ms. */
    private static final int MAX_MEMORY_SAMPLES = 144_000;

    private final Process process;
    private final Path logFile;
    private final Thread logReader;
    private final Thread memorySampler;
    private final Thread shutdownHook;
    private final Object lock = new Object();

    // Guarded by lock.
    private final List<Sync> syncs = new ArrayList<>();
    private final List<DaemonLog.Progress> progress = new ArrayList<>();
    private final Deque<String> tail = new ArrayDeque<>();
    private RuntimeException logProblem;
    private boolean logEnded;
    private long peakRss = -1;
    private long peakHeap = -1;
    private long lastRss = -1;
    private final Deque<MemorySample> memorySamples = new ArrayDeque<>();
    private String heapProblem;
    private boolean stopped;
    private volatile Process jstat;

    private static final class Sync {
        final DaemonLog.Started started;
        DaemonLog.Ended ended;

        Sync(DaemonLog.Started started) {
            this.started = started;
        }
    }

    private DaemonProcess(Process process, Path logFile) throws IOException {
        this.process = process;
        this.logFile = logFile;
        BufferedWriter log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8);
        this.logReader = new Thread(() -> readLog(log), "daemon-log-" + process.pid());
        this.memorySampler = new Thread(this::sampleMemory, "daemon-memory-" + process.pid());
        this.shutdownHook = new Thread(this::kill, "daemon-stop-" + process.pid());
        logReader.setDaemon(true);
        memorySampler.setDaemon(true);
        logReader.start();
        memorySampler.start();
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Starts {@code bin/connectors -c config run} from {@code repoHome}, inheriting the caller's environment (so
     * {@code ES_PASSWORD}, which {@link FunctionalConfig} files reference, reaches it).
     *
     * @param logFile  receives everything the daemon prints
     * @param javaOpts the daemon's JVM options ({@code CONNECTORS_JAVA_OPTS}), e.g. {@code -Xmx1g}; {@code null} or
     *                 blank for the launcher's own defaults
     */
    public static DaemonProcess start(Path repoHome, Path config, Path logFile, String javaOpts) throws IOException {
        return start(repoHome, config, logFile, javaOpts, Map.of());
    }

    /**
     * As {@link #start(Path, Path, Path, String)}, with extra environment variables, e.g.
     * {@link FunctionalConfig#environment}.
     */
    public static DaemonProcess start(Path repoHome, Path config, Path logFile, String javaOpts,
                                      Map<String, String> environment) throws IOException {
        return start(repoHome, config, logFile, javaOpts, "", environment);
    }

    /**
     * As {@link #start(Path, Path, Path, String, Map)}, with JVM options added to {@code javaOpts} (or to the
     * launcher's defaults when it is blank), e.g. a GC log.
     */
    public static DaemonProcess start(Path repoHome, Path config, Path logFile, String javaOpts, String extraJavaOpts,
                                      Map<String, String> environment) throws IOException {
        Path home = repoHome.toAbsolutePath().normalize();
        Path launcher = home.resolve("bin/connectors");
        if (!Files.isExecutable(launcher)) {
            throw new IllegalStateException(launcher + " is missing or not executable");
        }
        ProcessBuilder builder = new ProcessBuilder(launcher.toString(), "-c", config.toAbsolutePath().toString(), "run")
                .directory(home.toFile())
                .redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("CONNECTORS_"));
        env.put("CONNECTORS_HOME", home.toString());
        if (javaOpts != null && !javaOpts.isBlank()) {
            env.put("CONNECTORS_JAVA_OPTS", javaOpts.trim());
        }
        env.put("CONNECTORS_EXTRA_JAVA_OPTS", ("-Duser.timezone=UTC " + (extraJavaOpts == null ? "" : extraJavaOpts)).trim());
        env.put("CONNECTORS_LOG_LEVEL", "INFO");
        env.put("TZ", "UTC");
        env.putAll(environment);
        Files.createDirectories(logFile.toAbsolutePath().getParent());
        return new DaemonProcess(builder.start(), logFile);
    }

    public long pid() {
        return process.pid();
    }

    public Path logFile() {
        return logFile;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Waits for the first full sync of {@code connectorId} that started at or after {@code startedNotBefore}, then
     * for its end.
     *
     * @throws IllegalStateException if the daemon exits first, its log format changed, or {@code timeout} passes;
     *                               the message ends with the last lines of its log
     */
    public SyncOutcome awaitSync(String connectorId, Instant startedNotBefore, Duration timeout) throws InterruptedException {
        return awaitSync(connectorId, "full", startedNotBefore, timeout);
    }

    /** As {@link #awaitSync(String, Instant, Duration)} for a sync of {@code jobType} ({@code full}, {@code incremental}...). */
    public SyncOutcome awaitSync(String connectorId, String jobType, Instant startedNotBefore, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        // Log times have millisecond precision.
        Instant notBefore = startedNotBefore.truncatedTo(ChronoUnit.MILLIS);
        synchronized (lock) {
            while (true) {
                if (logProblem != null) {
                    throw new IllegalStateException(logProblem.getMessage(), logProblem);
                }
                Optional<Sync> sync = syncs.stream()
                        .filter(s -> s.started.connectorId().equals(connectorId) && s.started.jobType().equals(jobType)
                                && !s.started.at().isBefore(notBefore))
                        .findFirst();
                if (sync.isPresent() && sync.get().ended != null) {
                    DaemonLog.Ended end = sync.get().ended;
                    return new SyncOutcome(sync.get().started.at(), end.at(), end.status(), end.counts(), end.error());
                }
                String waitingFor = (sync.isPresent() ? "the end of the " : "a ") + jobType + " sync of connector "
                        + connectorId + (sync.isPresent() ? " started at " + sync.get().started.at()
                        : " starting at or after " + startedNotBefore);
                if (logEnded) {
                    throw new IllegalStateException("The daemon (pid " + pid() + ") exited" + exitCode() + " while waiting for "
                            + waitingFor + "; its log is " + logFile + ", ending with:\n" + tailText());
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("Timed out after " + timeout + " waiting for " + waitingFor
                            + "; the daemon's log is " + logFile + ", ending with:\n" + tailText());
                }
                TimeUnit.NANOSECONDS.timedWait(lock, Math.min(left, TimeUnit.SECONDS.toNanos(1)));
            }
        }
    }

    /** Whether a sync of {@code connectorId} ended (its summary line was logged). */
    public boolean hasSyncEnded(String connectorId) {
        synchronized (lock) {
            return syncs.stream().anyMatch(s -> s.started.connectorId().equals(connectorId) && s.ended != null);
        }
    }

    /** Every progress line of {@code connectorId} so far, in order. */
    public List<ProgressPoint> progress(String connectorId) {
        synchronized (lock) {
            return progress.stream()
                    .filter(p -> p.connectorId().equals(connectorId))
                    .map(p -> new ProgressPoint(p.at(), p.counts().getOrDefault("seen", 0L), p.counts().getOrDefault("indexed", 0L)))
                    .toList();
        }
    }

    /** The peaks so far (and, once stopped, over the process's whole life). */
    public MemoryPeak memoryPeak() {
        readPeakRss();
        synchronized (lock) {
            return new MemoryPeak(peakRss, peakHeap);
        }
    }

    /**
     * The peaks within {@code [from, to]}, e.g. one sync: the largest resident set size ({@code VmRSS}) and heap in
     * use sampled in it, every 250 ms ({@code VmHWM}, the kernel's peak, covers the whole process's life, so it
     * cannot be used for a window). The window is widened by one sampling interval at its end, so that a short
     * window still holds a sample; a value is -1 when no sample of it fell in the window.
     */
    public MemoryPeak memoryPeak(Instant from, Instant to) {
        synchronized (lock) {
            return peakWithin(memorySamples, from, to);
        }
    }

    static MemoryPeak peakWithin(Iterable<MemorySample> samples, Instant from, Instant to) {
        Instant until = to.plus(SAMPLE_INTERVAL);
        long rss = -1;
        long heap = -1;
        for (MemorySample m : samples) {
            if (!m.at().isBefore(from) && !m.at().isAfter(until)) {
                rss = Math.max(rss, m.rssBytes());
                heap = Math.max(heap, m.heapBytes());
            }
        }
        return new MemoryPeak(rss, heap);
    }

    /** One memory reading: resident set size and heap in use (-1 when unknown). */
    record MemorySample(Instant at, long rssBytes, long heapBytes) {
    }

    private void addSample(long heapBytes) {
        synchronized (lock) {
            memorySamples.addLast(new MemorySample(Instant.now(), lastRss, heapBytes));
            if (memorySamples.size() > MAX_MEMORY_SAMPLES) {
                memorySamples.removeFirst();
            }
        }
    }

    /** Why the heap could not be sampled, if it could not; {@code null} otherwise. */
    public String heapSamplingProblem() {
        synchronized (lock) {
            return heapProblem;
        }
    }

    /**
     * Stops the daemon: SIGTERM (it cancels running syncs and exits), up to 60 s, then a kill. Idempotent.
     *
     * @return the exit code
     */
    public int stop() throws InterruptedException {
        readPeakRss();
        synchronized (lock) {
            stopped = true;
        }
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        logReader.join(TimeUnit.SECONDS.toMillis(10));
        Process sampler = jstat;
        if (sampler != null) {
            sampler.destroy();
        }
        memorySampler.interrupt();
        memorySampler.join(TimeUnit.SECONDS.toMillis(10));
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down; the hook runs anyway
        }
        return process.isAlive() ? -1 : process.exitValue();
    }

    /** Same as {@link #stop()}; an interrupt while waiting is kept as the thread's interrupt status. */
    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void kill() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    // ---- the log -----------------------------------------------------------------------------------------------

    private void readLog(BufferedWriter log) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             log) {
            String line;
            while ((line = in.readLine()) != null) {
                log.write(line);
                log.newLine();
                log.flush();
                accept(line, Instant.now());
            }
        } catch (IOException e) {
            synchronized (lock) {
                logProblem = new UncheckedIOException("Reading the daemon's output failed: " + e.getMessage(), e);
            }
        } finally {
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (lock) {
                logEnded = true;
                lock.notifyAll();
            }
        }
    }

    private void accept(String line, Instant readAt) {
        synchronized (lock) {
            tail.addLast(line);
            if (tail.size() > TAIL_LINES) {
                tail.removeFirst();
            }
            try {
                DaemonLog.parse(line, readAt).ifPresent(this::record);
            } catch (DaemonLog.FormatException e) {
                if (logProblem == null) {
                    logProblem = e;
                }
            }
            lock.notifyAll();
        }
    }

    private void record(DaemonLog.Event event) {
        if (event instanceof DaemonLog.Started s) {
            syncs.add(new Sync(s));
        } else if (event instanceof DaemonLog.Progress p) {
            progress.add(p);
        } else if (event instanceof DaemonLog.Ended e) {
            for (int i = syncs.size() - 1; i >= 0; i--) {
                Sync s = syncs.get(i);
                if (s.ended == null && s.started.connectorId().equals(e.connectorId())
                        && (e.jobType() == null || s.started.jobType().equals(e.jobType()))) {
                    s.ended = e;
                    return;
                }
            }
            logProblem = new DaemonLog.FormatException("sync end (with no sync started before it)", e.toString());
        }
    }

    private String tailText() {
        return String.join("\n", tail);
    }

    private String exitCode() {
        return process.isAlive() ? "" : " with code " + process.exitValue();
    }

    // ---- memory ------------------------------------------------------------------------------------------------

    private void sampleMemory() {
        Path tool = jdkTool("jstat");
        String refusal = "";
        try {
            // Until the daemon's JVM has published its performance data, jstat refuses it (and exits): try again.
            for (int attempt = 0; attempt < 40 && process.isAlive() && !stopped(); attempt++) {
                Process p;
                try {
                    p = new ProcessBuilder(tool.toString(), "-gc", Long.toString(pid()),
                            Long.toString(SAMPLE_INTERVAL.toMillis()))
                            .redirectErrorStream(true)
                            .start();
                } catch (IOException e) {
                    refusal = "cannot run " + tool + ": " + e.getMessage();
                    break;
                }
                jstat = p;
                try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String header = in.readLine();
                    JstatColumns columns = header == null ? null : JstatColumns.of(header);
                    if (columns == null) {
                        refusal = header == null ? "jstat printed nothing" : header;
                        p.waitFor(5, TimeUnit.SECONDS);
                        readPeakRss();
                        Thread.sleep(SAMPLE_INTERVAL.toMillis());
                        continue;
                    }
                    String line;
                    while ((line = in.readLine()) != null) {
                        readPeakRss();
                        long heap = columns.heapUsedBytes(line);
                        if (heap >= 0) {
                            synchronized (lock) {
                                peakHeap = Math.max(peakHeap, heap);
                            }
                            addSample(heap);
                        }
                    }
                    return; // the daemon exited, or stop() ended jstat
                } catch (IOException e) {
                    refusal = "reading jstat failed: " + e.getMessage();
                } finally {
                    p.destroy();
                }
            }
            if (!stopped()) {
                heapProblem("jstat could not sample the daemon's JVM: " + refusal);
            }
            while (process.isAlive() && !stopped()) {
                readPeakRss();
                addSample(-1);
                Thread.sleep(SAMPLE_INTERVAL.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean stopped() {
        synchronized (lock) {
            return stopped;
        }
    }

    private void heapProblem(String problem) {
        synchronized (lock) {
            if (heapProblem == null) {
                heapProblem = problem;
            }
        }
    }

    /** The JDK tool next to the java that runs the daemon: {@code $JAVA_HOME/bin}, else this JVM's, else the PATH. */
    static Path jdkTool(String name) {
        String javaHome = System.getenv("JAVA_HOME");
        for (String home : new String[] {javaHome, System.getProperty("java.home")}) {
            if (home != null && !home.isBlank()) {
                Path tool = Path.of(home, "bin", name);
                if (Files.isExecutable(tool)) {
                    return tool;
                }
            }
        }
        return Path.of(name);
    }

    /** Reads {@code VmHWM} (the peak so far) and {@code VmRSS} (now, for the windowed peaks). */
    private void readPeakRss() {
        Path status = Path.of("/proc", Long.toString(pid()), "status");
        try {
            for (String line : Files.readAllLines(status, StandardCharsets.UTF_8)) {
                if (line.startsWith("VmHWM:")) {
                    long kb = Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
                    synchronized (lock) {
                        peakRss = Math.max(peakRss, kb * 1024);
                    }
                } else if (line.startsWith("VmRSS:")) {
                    long kb = Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
                    synchronized (lock) {
                        lastRss = kb * 1024;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process has exited (or this is not Linux): keep the last peak read
        }
    }

    /** Where the heap's used sizes are in {@code jstat -gc} lines (kB): survivors, eden and old generation. */
    private record JstatColumns(int[] used) {
        static JstatColumns of(String header) {
            List<String> names = List.of(header.trim().split("\\s+"));
            int[] used = new int[] {names.indexOf("S0U"), names.indexOf("S1U"), names.indexOf("EU"), names.indexOf("OU")};
            for (int i : used) {
                if (i < 0) {
                    return null;
                }
            }
            return new JstatColumns(used);
        }

        long heapUsedBytes(String line) {
            String[] values = line.trim().split("\\s+");
            double kb = 0;
            try {
                for (int i : used) {
                    String v = values[i];
                    kb += "-".equals(v) ? 0 : Double.parseDouble(v.replace(',', '.'));
                }
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                return -1; // a repeated header or a partial line
            }
            return (long) (kb * 1024);
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "DaemonProcess[pid=%d, log=%s]", pid(), logFile);
    }
}
