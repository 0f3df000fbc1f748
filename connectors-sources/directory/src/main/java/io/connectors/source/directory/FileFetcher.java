package io.connectors.source.directory;

import io.connectors.source.directory.WalkReport.Skip;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SourceException;
import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the files of one batch of deferred documents and builds their documents, one per call to {@link #next()},
 * for one subscription to {@code fetch}.
 *
 * <p>A file is reached from the root one path component at a time through {@link DirectoryHandle}s, as the walk
 * reached it: where the platform has secure directory streams each component is opened relative to its parent's open
 * handle ({@code openat}), and with {@code follow_symlinks: false} with {@code O_NOFOLLOW}, so a directory or a file
 * swapped for a symbolic link since the listing is refused by the open itself, not only by a check before it. The
 * batch is read in sorted order, which keeps the files of a directory together, and the directories between the root
 * and the current file stay open: the files of one directory cost one open of it.
 *
 * <p>Not thread-safe: the owner calls it from one thread at a time ({@code Flux.generate}, including its cleanup).
 */
final class FileFetcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FileFetcher.class);
    /** Names the walk never produces; in an id they could lead outside the root. */
    private static final Set<String> NOT_NAMES = Set.of("", ".", "..");

    private final DirectoryConfig config;
    private final FileDocuments documents;
    private final WalkReport report;
    private final Iterator<String> paths;
    /** The root, then each open directory below it; {@code names} holds the names of those below it. */
    private final List<DirectoryHandle> open = new ArrayList<>();
    private final List<String> names = new ArrayList<>();
    private boolean interrupted;

    private FileFetcher(DirectoryConfig config, FileDocuments documents, WalkReport report, List<String> paths) {
        this.config = config;
        this.documents = documents;
        this.report = report;
        this.paths = paths.iterator();
    }

    /**
     * Opens the root for reading the files of {@code deferred}.
     *
     * @throws SourceException naming the root when it is missing, not a directory or unreadable: that concerns the
     *                         whole batch, and leaving its files out would be taken for their deletion
     */
    static FileFetcher open(DirectoryConfig config, DirectoryWalker.Opener opener, FileDocuments documents,
            WalkReport report, List<SourceDocument> deferred) {
        List<String> paths = deferred.stream().map(SourceDocument::id).sorted().toList();
        FileFetcher fetcher = new FileFetcher(config, documents, report, paths);
        try {
            fetcher.open.add(opener.open(config.root()));
            return fetcher;
        } catch (IOException e) {
            throw new SourceException(DirectoryWalker.describeRootProblem(config.root(), e), e);
        }
    }

    /**
     * The next built document, or {@code null} when the batch is done or {@linkplain #interrupted() interrupted}.
     * A file that vanished, became a symbolic link that is not followed, or cannot be read is reported and left out.
     */
    SourceDocument next() {
        while (paths.hasNext()) {
            if (interrupted || Thread.currentThread().isInterrupted()) {
                interrupted = true;
                return null;
            }
            String relativePath = paths.next();
            SourceDocument doc = read(relativePath);
            if (doc != null) {
                report.document();
                return doc;
            }
        }
        return null;
    }

    /** Whether reading stopped because its thread was interrupted, so documents may be missing that exist. */
    boolean interrupted() {
        return interrupted;
    }

    /** The number of directories open right now, the root included. */
    int depth() {
        return open.size();
    }

    /** Closes every open directory; idempotent. */
    @Override
    public void close() {
        while (!open.isEmpty()) {
            closeQuietly(open.remove(open.size() - 1));
        }
        names.clear();
    }

    private SourceDocument read(String relativePath) {
        String[] components = relativePath.split("/", -1);
        for (String component : components) {
            if (NOT_NAMES.contains(component)) {
                report.skipped(Skip.UNREADABLE, relativePath, "not a path below the root");
                return null;
            }
        }
        String name = components[components.length - 1];
        try {
            DirectoryHandle dir = directory(relativePath, components);
            if (dir == null) {
                return null;
            }
            BasicFileAttributes attributes = dir.attributes(name, false);
            if (attributes.isSymbolicLink()) {
                if (!config.followSymlinks()) {
                    report.skipped(Skip.SYMLINK, relativePath, "symbolic link, and follow_symlinks is false");
                    return null;
                }
                attributes = targetAttributes(dir, name, relativePath);
                if (attributes == null) {
                    return null;
                }
            }
            if (!attributes.isRegularFile()) {
                // Opening a FIFO would block; a directory now in its place is walked at the next sync.
                report.skipped(Skip.NOT_REGULAR, relativePath, "not a regular file");
                return null;
            }
            // Attributes first, content second: a change in between is seen again by the next sync.
            try (SeekableByteChannel channel = dir.openFile(name, config.followSymlinks())) {
                return documents.build(relativePath, name, attributes, channel, report);
            }
        } catch (IOException e) {
            return skip(relativePath, e);
        }
    }

    private BasicFileAttributes targetAttributes(DirectoryHandle dir, String name, String relativePath)
            throws IOException {
        try {
            return dir.attributes(name, true);
        } catch (NoSuchFileException e) {
            report.skipped(Skip.UNREADABLE, relativePath, "broken symbolic link");
            return null;
        }
    }

    /**
     * The open directory of the file at {@code relativePath}: keeps the open directories it shares with the previous
     * file, closes the others, opens the rest. {@code null} when a directory on the way is a symbolic link that is
     * not followed (reported here).
     */
    private DirectoryHandle directory(String relativePath, String[] components) throws IOException {
        int depth = components.length - 1;
        int shared = 0;
        while (shared < names.size() && shared < depth && names.get(shared).equals(components[shared])) {
            shared++;
        }
        while (names.size() > shared) {
            names.remove(names.size() - 1);
            closeQuietly(open.remove(open.size() - 1));
        }
        for (int i = shared; i < depth; i++) {
            DirectoryHandle parent = open.get(open.size() - 1);
            DirectoryHandle child;
            try {
                child = parent.openDirectory(components[i], config.followSymlinks());
            } catch (IOException e) {
                if (!config.followSymlinks() && isSymbolicLink(parent, components[i])) {
                    report.skipped(Skip.SYMLINK, relativePath, "'" + String.join("/", List.of(components).subList(0, i + 1))
                            + "' is a symbolic link, and follow_symlinks is false");
                    return null;
                }
                throw e;
            }
            open.add(child);
            names.add(components[i]);
        }
        return open.get(open.size() - 1);
    }

    private static boolean isSymbolicLink(DirectoryHandle parent, String name) {
        try {
            return parent.attributes(name, false).isSymbolicLink();
        } catch (IOException e) {
            return false;
        }
    }

    private SourceDocument skip(String relativePath, IOException e) {
        if (e instanceof ClosedByInterruptException) {
            interrupted = true;
        } else {
            report.failed(relativePath, e);
        }
        return null;
    }

    private static void closeQuietly(DirectoryHandle handle) {
        try {
            handle.close();
        } catch (IOException e) {
            LOG.debug("could not close a directory", e);
        }
    }
}
