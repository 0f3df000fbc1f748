package io.connectors.extraction;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A class-data-sharing archive of the parser processes' classes (Tika, POI, PDFBox: thousands of them), so that a new
 * parser process starts and parses its first documents sooner. The first process is started with
 * {@code -XX:ArchiveClassesAtExit} and writes the archive when it ends normally; later ones map it
 * ({@code -XX:SharedArchiveFile}). Its name holds a digest of the Java runtime and of every jar of the class path
 * (path, size, modification time), so an upgrade makes a new one; the older ones are deleted then. Only when the class
 * path is made of jars alone (the distribution), as the JVM requires; a JVM that cannot use an archive ignores it.
 */
final class WorkerArchive {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerArchive.class);
    private static final String PREFIX = "connectors-extract-";
    private static final int MAX_ATTEMPTS = 3;

    private final Path archive;
    private final AtomicInteger attempts = new AtomicInteger();
    private volatile Path dumping;

    private WorkerArchive(Path archive) {
        this.archive = archive;
    }

    /** The archive for this runtime and class path in {@code dir}; {@code null} when the class path cannot have one. */
    static WorkerArchive in(Path dir, String classPath) {
        if (dir == null || classPath == null || classPath.isBlank()) {
            return null;
        }
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update((System.getProperty("java.home") + "|" + System.getProperty("java.vm.version"))
                    .getBytes(StandardCharsets.UTF_8));
            for (String entry : classPath.split(java.io.File.pathSeparator)) {
                Path jar = Path.of(entry);
                if (!entry.endsWith(".jar") || !Files.isRegularFile(jar)) {
                    return null;
                }
                digest.update((entry + "|" + Files.size(jar) + "|" + Files.getLastModifiedTime(jar).toMillis())
                        .getBytes(StandardCharsets.UTF_8));
            }
            String name = PREFIX + HexFormat.of().formatHex(digest.digest()).substring(0, 16) + ".jsa";
            removeAbandoned(dir);
            return new WorkerArchive(dir.resolve(name));
        } catch (IOException | NoSuchAlgorithmException | RuntimeException e) {
            LOG.debug("no class-data archive for the parser processes", e);
            return null;
        }
    }

    /**
     * The JVM options of a new process: map the archive if it exists; else write it at exit, for one process at a
     * time and a few attempts; else none.
     */
    synchronized List<String> options() {
        if (Files.isRegularFile(archive)) {
            return List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:auto");
        }
        if (dumping == null && attempts.incrementAndGet() <= MAX_ATTEMPTS) {
            dumping = archive.resolveSibling(archive.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
            return List.of("-XX:ArchiveClassesAtExit=" + dumping);
        }
        return List.of();
    }

    /** Whether a process started with these options writes the archive when it ends. */
    static boolean writes(List<String> options) {
        return options.stream().anyMatch(o -> o.startsWith("-XX:ArchiveClassesAtExit="));
    }

    /** The process that was to write the archive has ended: keep what it wrote, if anything, and drop older archives. */
    synchronized void written(boolean exitedNormally) {
        Path tmp = dumping;
        dumping = null;
        if (tmp == null) {
            return;
        }
        try {
            if (exitedNormally && Files.isRegularFile(tmp) && Files.size(tmp) > 0) {
                Files.createDirectories(archive.getParent());
                Files.move(tmp, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                LOG.info("Content extraction: wrote the parser processes' class-data archive {} ({} MB)", archive,
                        Files.size(archive) >> 20);
                removeOthers();
            } else {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            LOG.debug("could not keep the class-data archive {}", tmp, e);
        }
    }

    /** Archives half-written by daemons no longer running ({@code <archive>.<pid>.tmp}): never finished, deleted. */
    static void removeAbandoned(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> tmps = Files.newDirectoryStream(dir, PREFIX + "*.jsa.*.tmp")) {
            for (Path tmp : tmps) {
                String name = tmp.getFileName().toString();
                String pid = name.substring(name.lastIndexOf(".jsa.") + 5, name.length() - 4);
                boolean alive = pid.chars().allMatch(Character::isDigit) && !pid.isEmpty()
                        && ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
                if (!alive) {
                    Files.deleteIfExists(tmp);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not remove abandoned class-data archives in {}", dir, e);
        }
    }

    private void removeOthers() {
        try (DirectoryStream<Path> others = Files.newDirectoryStream(archive.getParent(), PREFIX + "*.jsa")) {
            for (Path other : others) {
                if (!other.equals(archive)) {
                    Files.deleteIfExists(other);
                }
            }
        } catch (IOException e) {
            LOG.debug("could not remove older class-data archives", e);
        }
    }

    Path path() {
        return archive;
    }
}
