package io.connectors.runtime.sync;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.LongPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files a sync spills to {@code sync.temp_dir} (the stored versions a full sync compares with, a split sync's ids),
 * named after the process that wrote them: {@code connectors-<kind>-<pid>-<random>.bin}. A sync deletes its own when it
 * ends; a process killed mid-sync cannot, so every process that syncs first removes the ones whose process is gone.
 */
public final class SpillFiles {
    private static final Logger LOG = LoggerFactory.getLogger(SpillFiles.class);
    private static final Pattern NAME = Pattern.compile("connectors-[a-z-]+?-(\\d+)-\\d+\\.bin");

    private SpillFiles() {
    }

    /** A new spill file of this process in {@code dir}, which is created if missing. */
    static Path create(Path dir, String kind) throws IOException {
        Files.createDirectories(dir);
        return Files.createTempFile(dir, "connectors-" + kind + "-" + ProcessHandle.current().pid() + "-", ".bin");
    }

    /** What {@link #removeStale} removed. */
    public record Removed(int files, long bytes, TreeSet<Long> pids) {
    }

    /**
     * Removes the spill files in {@code dir} left by processes no longer running, and says so in one line. A folder
     * that does not exist or cannot be listed has none to remove.
     */
    public static Removed removeStale(Path dir) {
        return removeStale(dir, pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    }

    static Removed removeStale(Path dir, LongPredicate alive) {
        int files = 0;
        long bytes = 0;
        TreeSet<Long> pids = new TreeSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "connectors-*.bin")) {
            for (Path entry : entries) {
                Optional<Long> pid = pid(entry.getFileName().toString());
                if (pid.isEmpty() || alive.test(pid.get())) {
                    continue;
                }
                try {
                    long size = Files.size(entry);
                    if (Files.deleteIfExists(entry)) {
                        files++;
                        bytes += size;
                        pids.add(pid.get());
                    }
                } catch (NoSuchFileException e) {
                    // Removed meanwhile by another process starting up.
                } catch (IOException e) {
                    LOG.warn("Could not remove the spill file {} left by process {}: {}", entry, pid.get(), e.toString());
                }
            }
        } catch (NoSuchFileException e) {
            return new Removed(0, 0, pids);
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("Could not look for spill files left by stopped processes in {}: {}", dir, e.toString());
            return new Removed(0, 0, pids);
        }
        if (files > 0) {
            LOG.info("Removed {} spill file(s), {} bytes, left in {} by processes no longer running (pids {})", files,
                    bytes, dir, pids);
        }
        return new Removed(files, bytes, pids);
    }

    static Optional<Long> pid(String name) {
        Matcher m = NAME.matcher(name);
        return m.matches() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
    }
}
