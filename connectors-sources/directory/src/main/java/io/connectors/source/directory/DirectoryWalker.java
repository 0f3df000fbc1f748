package io.connectors.source.directory;

import io.connectors.source.directory.WalkReport.Skip;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SourceException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Walks a directory tree depth-first, one deferred document per call to {@link #next()}, for one subscription. The
 * walk decides from {@code stat} alone: it lists directories and reads attributes, and never opens a regular file
 * ({@link FileFetcher} reads the new and changed ones later).
 *
 * <p>Holds one open {@link DirectoryHandle} per directory from the root down to the current one, and the sorted
 * names of each: memory grows with the depth of the tree and the size of its largest directories, never with the
 * size of the tree. Not thread-safe: the owner calls it from one thread at a time (Reactor's
 * {@code Flux.generate} guarantees that, including for {@link #close()} on cancel).
 */
final class DirectoryWalker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DirectoryWalker.class);

    /** Opens a directory of the tree; {@link DirectoryHandle#open} outside tests. */
    @FunctionalInterface
    interface Opener {
        DirectoryHandle open(Path dir) throws IOException;
    }

    private record Level(DirectoryHandle handle, String prefix, Iterator<String> names, Object key) {
    }

    private final DirectoryConfig config;
    private final FileDocuments documents;
    /** Which entries of the root this walk visits (a split's subtree); all of them for a full walk. */
    private java.util.function.Predicate<String> scope = name -> true;
    /** A resumed walk visits only what sorts after this relative path ({@link #compare}); null to visit all. */
    private String after;
    private boolean interrupted;
    private final WalkReport report;
    private final Deque<Level> stack = new ArrayDeque<>();
    private boolean exhausted;
    private boolean closed;

    private DirectoryWalker(DirectoryConfig config, WalkReport report, FileDocuments documents) {
        this.config = config;
        this.report = report;
        this.documents = documents;
    }

    /**
     * Opens the root and lists it.
     *
     * @throws SourceException naming the root when it is missing, not a directory or unreadable
     */
    static DirectoryWalker open(DirectoryConfig config, FileDocuments documents, String connectorId, Opener opener) {
        DirectoryWalker walker = new DirectoryWalker(config, WalkReport.walk(connectorId, config.root().toString()),
                documents);
        DirectoryHandle root = null;
        try {
            root = opener.open(config.root());
            walker.stack.push(new Level(root, "", root.sortedNames().iterator(), root.key()));
            walker.report.directory();
            return walker;
        } catch (IOException e) {
            closeQuietly(root);
            throw new SourceException(describeRootProblem(config.root(), e), e);
        }
    }

    /** {@link #open(DirectoryConfig, FileDocuments, String, Opener)} for a connector that extracts content. */
    static DirectoryWalker open(DirectoryConfig config, String connectorId, Opener opener) {
        return open(config, new FileDocuments(config, true), connectorId, opener);
    }

    /**
     * Opens the root for a walk of part of the tree: the root entries {@code scope} accepts, and of those only what
     * sorts after {@code after} (a resumed split), skipping whole subtrees that sort before it.
     */
    static DirectoryWalker open(DirectoryConfig config, FileDocuments documents, String connectorId, Opener opener,
                                java.util.function.Predicate<String> scope, String after) {
        DirectoryWalker walker = open(config, documents, connectorId, opener);
        walker.scope = scope;
        walker.after = after;
        return walker;
    }

    /**
     * The walk's order on relative paths: component by component, each by {@link String#compareTo} (as directories
     * are listed), a directory's contents right after it. Not the order of the whole strings: {@code "a/b"} comes
     * before {@code "a-c"} here, though '/' sorts after '-'.
     */
    static int compare(String a, String b) {
        String[] x = a.split("/", -1);
        String[] y = b.split("/", -1);
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int c = x[i].compareTo(y[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.length, y.length);
    }

    /** Whether everything at or below {@code relativePath} sorts at or before {@link #after}: nothing to visit there. */
    private boolean before(String relativePath) {
        return after != null && !after.startsWith(relativePath + "/") && compare(relativePath, after) <= 0;
    }

    /** Why the root cannot be walked, if it cannot; opens and closes it. */
    static Optional<String> checkRoot(Path root, Opener opener) {
        try {
            opener.open(root).close();
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of(describeRootProblem(root, e));
        }
    }

    static String describeRootProblem(Path root, IOException e) {
        if (e instanceof NoSuchFileException) {
            return "directory " + root + " does not exist";
        }
        if (e instanceof NotDirectoryException) {
            return root + " is not a directory";
        }
        return "directory " + root + " cannot be read: " + WalkReport.reason(e);
    }

    /**
     * The next document, or {@code null} when the walk is over or was {@linkplain #interrupted() interrupted}.
     * A canceled subscription interrupts the walking thread: the walk then stops at once rather than running
     * through the rest of the tree treating every file as unreadable.
     */
    SourceDocument next() {
        while (!stack.isEmpty()) {
            if (interrupted || Thread.currentThread().isInterrupted()) {
                interrupted = true;
                return null;
            }
            Level level = stack.peek();
            if (!level.names().hasNext()) {
                closeQuietly(stack.pop().handle());
                continue;
            }
            String name = level.names().next();
            if (level.prefix().isEmpty() && !scope.test(name)) {
                continue;
            }
            SourceDocument doc = visit(level, name, level.prefix() + name);
            if (doc != null) {
                report.document();
                return doc;
            }
        }
        exhausted = true;
        return null;
    }

    WalkReport report() {
        return report;
    }

    /** Whether the walk stopped because its thread was interrupted (a canceled sync), not because it ended. */
    boolean interrupted() {
        return interrupted;
    }

    /** The number of directories open right now, from the root down. */
    int depth() {
        return stack.size();
    }

    /** Closes every open directory and logs the summary; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        while (!stack.isEmpty()) {
            closeQuietly(stack.pop().handle());
        }
        report.finish(exhausted ? "completed" : interrupted ? "interrupted (the sync was canceled)" : "stopped before the end");
    }

    private SourceDocument visit(Level level, String name, String relativePath) {
        if (before(relativePath)) {
            // Read before the position a resumed walk starts from: neither listed nor counted.
            return null;
        }
        BasicFileAttributes attributes;
        try {
            attributes = level.handle().attributes(name, false);
            if (attributes.isSymbolicLink()) {
                if (!config.followSymlinks()) {
                    report.skipped(Skip.SYMLINK, relativePath, "symbolic link, and follow_symlinks is false");
                    return null;
                }
                attributes = targetAttributes(level, name, relativePath);
                if (attributes == null) {
                    return null;
                }
            }
        } catch (IOException e) {
            return skip(relativePath, e);
        }
        if (attributes.isDirectory()) {
            descend(level, name, relativePath);
            return null;
        }
        if (!attributes.isRegularFile()) {
            report.skipped(Skip.NOT_REGULAR, relativePath, "not a regular file");
            return null;
        }
        if (!config.filter().includesFile(relativePath)) {
            report.skipped(Skip.EXCLUDED_FILE, relativePath, "matched by no include pattern, or by an exclude pattern");
            return null;
        }
        return documents.deferred(relativePath, attributes);
    }

    private BasicFileAttributes targetAttributes(Level level, String name, String relativePath) throws IOException {
        try {
            return level.handle().attributes(name, true);
        } catch (NoSuchFileException e) {
            report.skipped(Skip.UNREADABLE, relativePath, "broken symbolic link");
            return null;
        }
    }

    private void descend(Level level, String name, String relativePath) {
        if (config.filter().excludesDirectory(relativePath)) {
            report.skipped(Skip.EXCLUDED_DIRECTORY, relativePath, "matched by an exclude pattern");
            return;
        }
        DirectoryHandle child = null;
        try {
            child = level.handle().openDirectory(name, config.followSymlinks());
            Object key = child.key();
            Optional<Level> ancestor = key == null ? Optional.empty()
                    : stack.stream().filter(l -> key.equals(l.key())).findFirst();
            if (ancestor.isPresent()) {
                String prefix = ancestor.get().prefix();
                String target = prefix.isEmpty() ? "the root" : "'" + prefix.substring(0, prefix.length() - 1) + "'";
                report.skipped(Skip.SYMLINK_LOOP, relativePath, "symbolic link loop: leads back to " + target);
                closeQuietly(child);
                return;
            }
            List<String> names = child.sortedNames();
            stack.push(new Level(child, relativePath + "/", names.iterator(), key));
            report.directory();
        } catch (IOException e) {
            closeQuietly(child);
            skip(relativePath, e);
        }
    }

    private SourceDocument skip(String relativePath, IOException e) {
        if (e instanceof java.nio.channels.ClosedByInterruptException) {
            interrupted = true;
            return null;
        }
        report.failed(relativePath, e);
        return null;
    }

    private static void closeQuietly(DirectoryHandle handle) {
        if (handle == null) {
            return;
        }
        try {
            handle.close();
        } catch (IOException e) {
            LOG.debug("could not close a directory", e);
        }
    }
}
