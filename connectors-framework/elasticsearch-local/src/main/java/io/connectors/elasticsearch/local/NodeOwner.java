package io.connectors.elasticsearch.local;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Properties;

/**
 * Who started the node running on a data folder: the process that owns it (pid and start time, so that a recycled pid
 * is never taken for it), the node's launcher process, its address, and what a client needs besides (the superuser's
 * name and the CA file; never a password). Kept in {@value #FILE} in the data folder while the node runs: another
 * launcher on the same folder attaches to a node whose owner is alive and stops only one whose owner is dead.
 *
 * @param ownerPid     the process that started the node and stops it at its exit
 * @param ownerStarted when that process started; {@code null} when the platform does not say
 * @param nodePid      the node's launcher process (the one {@code launcher.pid} names)
 * @param uri          where the node answers
 * @param dataDir      the node's data folder
 * @param startedAt    when the node was started
 * @param username     the superuser a client must authenticate as; {@code null} when security is off
 * @param caFile       the CA certificate a client must trust; {@code null} for plain HTTP
 */
record NodeOwner(long ownerPid, Instant ownerStarted, long nodePid, URI uri, Path dataDir, Instant startedAt,
                 String username, Path caFile) {
    static final String FILE = "owner.properties";
    /** How far a process's reported start time may be from the recorded one (clock granularity). */
    private static final Duration START_SLACK = Duration.ofSeconds(1);

    /** The current process as the owner of a node just started. */
    static NodeOwner current(long nodePid, URI uri, Path dataDir, String username, Path caFile) {
        ProcessHandle self = ProcessHandle.current();
        return new NodeOwner(self.pid(), self.info().startInstant().orElse(null), nodePid, uri, dataDir, Instant.now(),
                username, caFile);
    }

    /** The owner recorded in {@code dataDir}; empty when there is none or it cannot be read. */
    static Optional<NodeOwner> read(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
            String username = p.getProperty("username");
            String caFile = p.getProperty("ca_file");
            String ownerStarted = p.getProperty("owner_started");
            return Optional.of(new NodeOwner(Long.parseLong(p.getProperty("owner_pid", "").trim()),
                    ownerStarted == null ? null : Instant.parse(ownerStarted),
                    Long.parseLong(p.getProperty("node_pid", "").trim()), URI.create(p.getProperty("url", "").trim()),
                    dataDir, Instant.parse(p.getProperty("started_at", "").trim()), username,
                    caFile == null ? null : Path.of(caFile)));
        } catch (IOException | RuntimeException e) {
            // Half-written or from an unknown version: no owner to honour, the pid files decide.
            return Optional.empty();
        }
    }

    /** Writes this owner into its data folder (replacing the file at once, so a reader never sees half of it). */
    void write() throws IOException {
        Properties p = new Properties();
        p.setProperty("owner_pid", Long.toString(ownerPid));
        if (ownerStarted != null) {
            p.setProperty("owner_started", ownerStarted.toString());
        }
        p.setProperty("node_pid", Long.toString(nodePid));
        p.setProperty("url", uri.toString());
        p.setProperty("data_dir", dataDir.toString());
        p.setProperty("started_at", startedAt.toString());
        if (username != null) {
            p.setProperty("username", username);
        }
        if (caFile != null) {
            p.setProperty("ca_file", caFile.toString());
        }
        Path tmp = dataDir.resolve(FILE + ".tmp");
        try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(out, "The process that started this Elasticsearch and stops it (LocalElasticsearchLauncher)");
        }
        try {
            Files.move(tmp, dataDir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, dataDir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Removes the record from {@code dataDir}. */
    static void delete(Path dataDir) throws IOException {
        Files.deleteIfExists(dataDir.resolve(FILE));
    }

    /** Whether the owner is alive: its pid runs, and started when the recorded owner did (not a recycled pid). */
    boolean ownerAlive() {
        return ProcessHandle.of(ownerPid).filter(ProcessHandle::isAlive)
                .filter(h -> ownerStarted == null || h.info().startInstant()
                        .map(s -> Duration.between(s, ownerStarted).abs().compareTo(START_SLACK) <= 0).orElse(true))
                .isPresent();
    }

    /** Whether the node's launcher process is alive. */
    boolean nodeAlive() {
        return ProcessHandle.of(nodePid).filter(ProcessHandle::isAlive).isPresent();
    }

    /** Whether the owner is this process. */
    boolean ownedHere() {
        return ownerPid == ProcessHandle.current().pid();
    }
}
