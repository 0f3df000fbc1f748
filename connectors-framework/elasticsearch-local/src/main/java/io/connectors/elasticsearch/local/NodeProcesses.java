package io.connectors.elasticsearch.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the launcher reads from and does to node processes: the ports file a node writes once bound, its console log's
 * tail, a process left by an earlier launcher (from its pid file), and stopping processes (SIGTERM, a wait, SIGKILL).
 */
final class NodeProcesses {
    private static final Logger LOG = LoggerFactory.getLogger(NodeProcesses.class);
    static final Duration GRACEFUL_STOP_TIMEOUT = Duration.ofSeconds(30);
    static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STALE_PID_SLACK = Duration.ofSeconds(2);

    private NodeProcesses() {
    }

    /** The first address in a node's {@code http.ports} file, such as {@code 127.0.0.1:9200} or {@code [::1]:9200}. */
    static Optional<URI> readPortsFile(Path portsFile) {
        return readPortsFile(portsFile, "http");
    }

    static Optional<URI> readPortsFile(Path portsFile, String scheme) {
        try {
            List<String> lines = Files.readAllLines(portsFile, StandardCharsets.UTF_8);
            return lines.stream().map(String::trim).filter(line -> !line.isEmpty()).findFirst()
                    .map(address -> URI.create(scheme + "://" + address));
        } catch (IOException e) {
            // Not written yet (it appears once the HTTP server is bound).
            return Optional.empty();
        }
    }

    static String tail(Path file, int lines) {
        Deque<String> last = new ArrayDeque<>(lines);
        try (Stream<String> all = Files.lines(file, StandardCharsets.ISO_8859_1)) {
            all.forEach(line -> {
                if (last.size() == lines) {
                    last.removeFirst();
                }
                last.addLast(line);
            });
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
        return String.join("\n", last);
    }

    /**
     * The live Elasticsearch process named by {@code pidFile}: the process must look like Elasticsearch and must
     * have started before the file was written, so that a recycled pid is never taken for it.
     */
    static Optional<ProcessHandle> staleProcess(Path pidFile) {
        long pid;
        Instant written;
        try {
            pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.UTF_8).trim());
            written = Files.getLastModifiedTime(pidFile).toInstant();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(handle -> handle.info().commandLine()
                        .map(cmd -> cmd.contains("-Des.path.home=") || cmd.contains("/bin/elasticsearch"))
                        .orElse(false))
                .filter(handle -> handle.info().startInstant()
                        .map(start -> !start.isAfter(written.plus(STALE_PID_SLACK)))
                        .orElse(true));
    }

    /** SIGTERM to each process, a wait, then SIGKILL to the survivors. True when all are gone. */
    static boolean terminate(Collection<ProcessHandle> handles) {
        List<ProcessHandle> alive = handles.stream().filter(ProcessHandle::isAlive).distinct().toList();
        if (alive.isEmpty()) {
            return true;
        }
        // The first handle is the top of the tree: Elasticsearch's CLI stops the node it started, in order.
        alive.get(0).destroy();
        if (awaitExit(alive, GRACEFUL_STOP_TIMEOUT)) {
            return true;
        }
        // The top went (or never had the node as a child) while something lingers: signal each one directly.
        alive.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroy);
        if (awaitExit(alive, KILL_TIMEOUT)) {
            return true;
        }
        LOG.warn("Elasticsearch did not stop within {} of SIGTERM: killing it",
                GRACEFUL_STOP_TIMEOUT.plus(KILL_TIMEOUT));
        alive.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        return awaitExit(alive, KILL_TIMEOUT);
    }

    static boolean awaitExit(List<ProcessHandle> handles, Duration timeout) {
        CompletableFuture<?>[] exits = handles.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(exits).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return handles.stream().noneMatch(ProcessHandle::isAlive);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return handles.stream().noneMatch(ProcessHandle::isAlive);
        }
    }
}
