package io.connectors.extraction;

import io.connectors.extraction.Extraction.Outcome;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One parser process and the daemon's end of its pipes. Used by one thread at a time. A document that gets no answer in
 * time, or whose parse ends the process (out of memory, a crash), is a failed {@link Extraction} and leaves this worker
 * {@linkplain #alive() dead}: the pool starts another.
 */
final class WorkerProcess implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerProcess.class);
    /** Time a new process may take to load its parsers. */
    static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);
    private static final int STDERR_LINES_KEPT = 20;

    private final Process process;
    private final DataOutputStream requests;
    private final DataInputStream responses;
    private final Deque<String> stderr = new ArrayDeque<>();
    private final ExtractionLimits limits;
    /** The archive this process writes when it ends; {@code null} when it does not write one. */
    private final WorkerArchive writing;
    private int documents;
    private boolean alive = true;
    private volatile boolean closed;

    private WorkerProcess(Process process, ExtractionLimits limits, WorkerArchive writing) {
        this.process = process;
        this.limits = limits;
        this.writing = writing;
        this.requests = new DataOutputStream(new BufferedOutputStream(process.getOutputStream(), 8192));
        this.responses = new DataInputStream(new BufferedInputStream(process.getInputStream(), 1 << 16));
        Thread drain = new Thread(this::drainStderr, "connectors-extract-stderr-" + process.pid());
        drain.setDaemon(true);
        drain.start();
    }

    /**
     * What a parser process inherits of the daemon's environment: the locale, time zone, search path and temporary
     * folder, nothing else. The daemon's environment may hold secrets (a {@code ${PG_PASSWORD}} of its configuration);
     * a parser reads untrusted files and has no use for them.
     */
    static final java.util.Set<String> INHERITED = java.util.Set.of("PATH", "LANG", "LANGUAGE", "TZ", "TMPDIR", "HOME");

    static void keepOnly(java.util.Map<String, String> environment) {
        environment.keySet().removeIf(k -> !INHERITED.contains(k) && !k.startsWith("LC_"));
    }

    /** The command that starts a parser process with these limits and class-data options. */
    static List<String> command(ExtractionLimits limits, List<String> archiveOptions) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(archiveOptions);
        command.add("-Xmx" + (limits.workerHeapBytes() >> 20) + "m");
        command.add("-XX:+ExitOnOutOfMemoryError");
        // The JVM's own messages (class-data sharing warnings...) go to standard error: standard output is the protocol.
        command.add("-Xlog:disable");
        command.add("-Xlog:all=warning:stderr");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:-UsePerfData");
        command.add("-Xss4m");
        command.add("-Djava.awt.headless=true");
        command.add("-Dlogback.configurationFile=connectors-extraction-logback.xml");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(WorkerMain.class.getName());
        command.add(Integer.toString(limits.maxCharacters()));
        return command;
    }

    /**
     * Starts a process and waits until its parsers are loaded.
     *
     * @param archive the class-data archive of the parser processes; {@code null} for none
     */
    static WorkerProcess start(ExtractionLimits limits, ScheduledExecutorService watchdog, WorkerArchive archive)
            throws IOException {
        List<String> archiveOptions = archive == null ? List.of() : archive.options();
        Process process;
        try {
            ProcessBuilder builder = new ProcessBuilder(command(limits, archiveOptions));
            keepOnly(builder.environment());
            process = builder.start();
        } catch (IOException e) {
            if (archive != null && WorkerArchive.writes(archiveOptions)) {
                archive.written(false);
            }
            throw e;
        }
        WorkerProcess worker = new WorkerProcess(process, limits,
                archive != null && WorkerArchive.writes(archiveOptions) ? archive : null);
        ScheduledFuture<?> kill = watchdog.schedule(process::destroyForcibly, STARTUP_TIMEOUT.toMillis(),
                TimeUnit.MILLISECONDS);
        try {
            int ready = worker.responses.readInt();
            if (ready != WorkerProtocol.READY) {
                throw new IOException("the parser process did not start its protocol (" + Integer.toHexString(ready) + ")");
            }
        } catch (IOException e) {
            worker.close();
            throw new IOException("a parser process did not start: " + e.getMessage() + worker.lastErrors(), e);
        } finally {
            kill.cancel(false);
        }
        LOG.debug("Parser process {} started", process.pid());
        return worker;
    }

    boolean alive() {
        return alive && process.isAlive();
    }

    int documents() {
        return documents;
    }

    long pid() {
        return process.pid();
    }

    /** Parses one file; never throws: every failure is an {@link Extraction}. */
    Extraction extract(Path file, String name, String mimeType, ScheduledExecutorService watchdog) {
        documents++;
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> kill = watchdog.schedule(() -> {
            timedOut.set(true);
            process.destroyForcibly();
        }, limits.timeout().toMillis(), TimeUnit.MILLISECONDS);
        try {
            WorkerProtocol.writeRequest(requests, new WorkerProtocol.Request(file.toString(), name, mimeType));
            // UTF-8 takes at most 3 bytes per UTF-16 char.
            return WorkerProtocol.readResponse(responses, limits.maxCharacters() * 3 + 16);
        } catch (IOException e) {
            alive = false;
            process.destroyForcibly();
            archiveWritten(false);
            if (timedOut.get()) {
                return Extraction.failed(Outcome.TIMEOUT, "no result within " + seconds(limits.timeout())
                        + " (extraction.timeout): the parser was stopped");
            }
            int exit = exitCode();
            if (exit == 3 || lastErrors().contains("OutOfMemoryError")) {
                return Extraction.failed(Outcome.OUT_OF_MEMORY, "the parser ran out of memory (extraction.worker_heap "
                        + (limits.workerHeapBytes() >> 20) + "mb)");
            }
            return Extraction.failed(Outcome.CRASHED, "the parser process ended without an answer (exit code " + exit + ")"
                    + lastErrors());
        } finally {
            kill.cancel(false);
        }
    }

    private int exitCode() {
        try {
            return process.waitFor(5, TimeUnit.SECONDS) ? process.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private String lastErrors() {
        synchronized (stderr) {
            return stderr.isEmpty() ? "" : "; its last messages: " + String.join(" | ", stderr);
        }
    }

    private void drainStderr() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                LOG.debug("parser process {}: {}", process.pid(), line);
                synchronized (stderr) {
                    if (stderr.size() == STDERR_LINES_KEPT) {
                        stderr.removeFirst();
                    }
                    stderr.addLast(line.length() > 300 ? line.substring(0, 300) : line);
                }
            }
        } catch (IOException e) {
            LOG.trace("standard error of parser process {} closed", process.pid(), e);
        }
    }

    /**
     * Ends the process: its input closes (it exits by itself), and it is stopped if it has not within a second, or
     * within a minute when it is writing the class-data archive as it exits.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        alive = false;
        try {
            requests.close();
        } catch (IOException e) {
            LOG.trace("closing the input of parser process {}", process.pid(), e);
        }
        // An interrupted caller (a pool shutting down) still gives the process its time to end, then keeps the flag.
        boolean interrupted = Thread.interrupted();
        boolean exited = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(writing != null ? 60 : 1);
        while (!exited && System.nanoTime() < deadline) {
            try {
                exited = process.waitFor(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (!exited) {
            process.destroyForcibly();
        }
        archiveWritten(exited && process.exitValue() == 0);
    }

    private void archiveWritten(boolean normally) {
        if (writing != null) {
            writing.written(normally);
        }
    }
}
