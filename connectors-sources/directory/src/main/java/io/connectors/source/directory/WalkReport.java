package io.connectors.source.directory;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one walk saw and skipped, or what the reading of changed files did over one job. Problems are logged
 * individually for the first few only, then summed up once when the walk ends (for the reading: when the source is
 * closed), so a tree of unreadable files does not flood the log. Thread-safe: the batches of a job are read
 * concurrently into one report.
 */
final class WalkReport {
    private static final Logger LOG = LoggerFactory.getLogger(WalkReport.class);

    /** How many problems a walk logs one by one before it only counts them. */
    static final int LOGGED_PROBLEMS = 5;

    /** Entries a walk skipped, or files whose text it did not extract. */
    enum Skip {
        /** Could not be read: permission denied, I/O error, broken symbolic link. A problem. */
        UNREADABLE(true, "unreadable"),
        /** A symbolic link (or mount) leading back to a directory being walked. A problem. */
        SYMLINK_LOOP(true, "symbolic link loops"),
        /** Deleted between the listing of its directory and its reading: normal on a live tree. */
        VANISHED(false, "vanished before they were read"),
        /** A symbolic link, with {@code follow_symlinks: false}. */
        SYMLINK(false, "symbolic links not followed"),
        /** A FIFO, socket or device: never opened (a FIFO would block the walk). */
        NOT_REGULAR(false, "not regular files"),
        /** A directory left out by an exclude pattern, with its whole content. */
        EXCLUDED_DIRECTORY(false, "excluded directories"),
        /** A file matched by no include pattern, or by an exclude pattern. */
        EXCLUDED_FILE(false, "files excluded by the patterns");

        final boolean problem;
        final String label;

        Skip(boolean problem, String label) {
            this.problem = problem;
            this.label = label;
        }
    }

    private final String connectorId;
    private final String root;
    /** Whether this reports the reading of changed files rather than a walk. */
    private final boolean reading;
    private final Map<Skip, Long> counts = new EnumMap<>(Skip.class);
    private long documents;
    private long directories;
    private int problemsLogged;
    private boolean finished;

    private WalkReport(String connectorId, String root, boolean reading) {
        this.connectorId = connectorId;
        this.root = root;
        this.reading = reading;
    }

    /** The report of one walk: listed documents, directories and what was skipped. */
    static WalkReport walk(String connectorId, String root) {
        return new WalkReport(connectorId, root, false);
    }

    /** The report of the reading of changed files over one job: built documents and what was skipped. */
    static WalkReport reading(String connectorId, String root) {
        return new WalkReport(connectorId, root, true);
    }

    synchronized void document() {
        documents++;
    }

    synchronized void directory() {
        directories++;
    }

    /** Counts a file or directory that could not be examined, opened or read: it vanished, or it is unreadable. */
    void failed(String relativePath, IOException e) {
        if (e instanceof NoSuchFileException || e instanceof NotDirectoryException) {
            skipped(Skip.VANISHED, relativePath, "no longer exists");
        } else {
            skipped(Skip.UNREADABLE, relativePath, reason(e));
        }
    }

    /** A short reason for a failed file operation: "permission denied", the system's message. */
    static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    synchronized void skipped(Skip kind, String relativePath, String reason) {
        counts.merge(kind, 1L, Long::sum);
        if (kind.problem && problemsLogged < LOGGED_PROBLEMS) {
            problemsLogged++;
            LOG.warn("[{}] skipped '{}' in {}: {}", connectorId, relativePath, root, reason);
        } else {
            LOG.debug("[{}] skipped '{}' in {} ({}): {}", connectorId, relativePath, root, kind.label, reason);
        }
    }

    synchronized long count(Skip kind) {
        return counts.getOrDefault(kind, 0L);
    }

    synchronized long documents() {
        return documents;
    }

    synchronized long directories() {
        return directories;
    }

    synchronized long problems() {
        return counts.entrySet().stream().filter(e -> e.getKey().problem).mapToLong(Map.Entry::getValue).sum();
    }

    /**
     * Logs the summary once: a warning when entries were skipped for a problem, at info level when some were skipped
     * for another reason, else at debug level. A reading that read nothing logs nothing.
     */
    synchronized void finish(String outcome) {
        if (finished || reading && documents == 0 && counts.isEmpty()) {
            return;
        }
        finished = true;
        String skipped = counts.entrySet().stream()
                .map(e -> e.getValue() + " " + e.getKey().label)
                .collect(Collectors.joining(", "));
        long notLogged = problems() - problemsLogged;
        String what = reading
                ? String.format("reading of changed files in %s %s: %d documents built", root, outcome, documents)
                : String.format("walk of %s %s: %d documents from %d directories", root, outcome, documents, directories);
        String summary = String.format("[%s] %s%s%s", connectorId, what, skipped.isEmpty() ? "" : "; " + skipped,
                notLogged > 0 ? " (" + notLogged + " problems not logged individually)" : "");
        if (problems() > 0) {
            LOG.warn(summary);
        } else if (!counts.isEmpty()) {
            // One line per walk: files that vanished, were excluded or have no text are worth seeing without being problems.
            LOG.info(summary);
        } else {
            LOG.debug(summary);
        }
    }
}
