package io.connectors.elasticsearch.local;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Unpacks a distribution zip once, safely, keeping the file modes it records. */
final class DistributionUnpacker {

    /** Written last: its presence means the folder is complete. */
    static final String MARKER = ".connectors-unpacked";

    private static final Logger LOG = LoggerFactory.getLogger(DistributionUnpacker.class);
    // A FileLock guards against other JVMs only; two launchers in this JVM must also take turns.
    private static final Object JVM_LOCK = new Object();

    private DistributionUnpacker() {
    }

    /**
     * Makes {@code target} hold the content of {@code zip}'s single top-level folder, unless an earlier call already
     * did. Safe to call from several threads and JVMs at once.
     */
    static Path unpackOnce(Path zip, Path target) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        synchronized (JVM_LOCK) {
            Path lockFile = parent.resolve("." + target.getFileName() + ".lock");
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE)) {
                channel.lock(); // released when the channel closes
                if (Files.isRegularFile(target.resolve(MARKER))) {
                    return target;
                }
                // A folder without the marker is what an interrupted unpack left behind.
                FileTrees.delete(target);
                long started = System.nanoTime();
                Path staging = Files.createTempDirectory(parent, "." + target.getFileName() + ".partial-");
                try {
                    unpack(zip, staging);
                    Path root = singleFolderIn(staging).orElse(staging);
                    Files.move(root, target, StandardCopyOption.ATOMIC_MOVE);
                    setPermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
                    Files.writeString(target.resolve(MARKER), zip + System.lineSeparator());
                } finally {
                    FileTrees.deleteQuietly(staging);
                }
                LOG.info("Unpacked {} into {} in {} ms", zip.getFileName(), target,
                        (System.nanoTime() - started) / 1_000_000);
                return target;
            }
        }
    }

    /**
     * Extracts every entry of {@code zip} under {@code destination}. Refuses, before writing anything, an archive
     * with an entry that would land outside {@code destination} ("zip slip").
     */
    static void unpack(Path zip, Path destination) throws IOException {
        Path root = destination.toAbsolutePath().normalize();
        try (ZipFile zipFile = new ZipFile(zip.toFile())) {
            List<? extends ZipEntry> entries = Collections.list(zipFile.entries());
            for (ZipEntry entry : entries) {
                resolveInside(root, entry.getName());
            }
            try (FileSystem modes = FileSystems.newFileSystem(zip, Map.of())) {
                for (ZipEntry entry : entries) {
                    Path out = resolveInside(root, entry.getName());
                    if (entry.isDirectory()) {
                        Files.createDirectories(out);
                        continue;
                    }
                    Files.createDirectories(out.getParent());
                    try (InputStream in = zipFile.getInputStream(entry)) {
                        Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                    }
                    Optional<Set<PosixFilePermission>> recorded = recordedPermissions(modes, entry.getName());
                    if (recorded.isPresent()) {
                        Set<PosixFilePermission> permissions = recorded.get();
                        // Whoever unpacked must be able to replace or delete the file later.
                        permissions.add(PosixFilePermission.OWNER_READ);
                        permissions.add(PosixFilePermission.OWNER_WRITE);
                        setPermissions(out, permissions);
                    }
                }
            }
        }
    }

    /** Where {@code entryName} would be written under {@code root}; refuses names that escape it. */
    static Path resolveInside(Path root, String entryName) throws IOException {
        Path out = root.resolve(entryName).normalize();
        if (!out.startsWith(root)) {
            throw new IOException("Refusing to unpack zip entry '" + entryName + "': it would be written outside "
                    + root);
        }
        return out;
    }

    private static Optional<Set<PosixFilePermission>> recordedPermissions(FileSystem zipFs, String entryName)
            throws IOException {
        // The zip file system exposes the Unix mode stored in the entry's external attributes (null when the entry
        // has none); ZipFile does not expose it at all.
        Object value = Files.getAttribute(zipFs.getPath(entryName), "zip:permissions");
        if (!(value instanceof Set<?> set)) {
            return Optional.empty();
        }
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        for (Object permission : set) {
            if (permission instanceof PosixFilePermission p) {
                permissions.add(p);
            }
        }
        return Optional.of(permissions);
    }

    private static Optional<Path> singleFolderIn(Path dir) throws IOException {
        try (var children = Files.list(dir)) {
            List<Path> all = children.toList();
            return all.size() == 1 && Files.isDirectory(all.get(0)) ? Optional.of(all.get(0)) : Optional.empty();
        }
    }

    private static void setPermissions(Path path, Set<PosixFilePermission> permissions) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        if (view != null) {
            view.setPermissions(permissions);
        }
    }
}
