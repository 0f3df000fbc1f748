package io.connectors.source.directory;

import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one walk saw and skipped. Problems are logged individually for the first few only, then summed up once
 * when the walk ends, so a tree of unreadable files does not flood the log.
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
        VANISHED(false, "vanished during the walk"),
        /** A symbolic link, with {@code follow_symlinks: false}. */
        SYMLINK(false, "symbolic links not followed"),
        /** A FIFO, socket or device: never opened (a FIFO would block the walk). */
        NOT_REGULAR(false, "not regular files"),
        /** A directory left out by an exclude pattern, with its whole content. */
        EXCLUDED_DIRECTORY(false, "excluded directories"),
        /** A file synced without content because it is larger than {@code max_content_size}. */
        CONTENT_TOO_LARGE(false, "without content (over max_content_size)"),
        /** A file synced without content because it is binary or not UTF-8. */
        CONTENT_BINARY(false, "without content (binary or not UTF-8)");

        final boolean problem;
        final String label;

        Skip(boolean problem, String label) {
            this.problem = problem;
            this.label = label;
        }
    }

    private final String connectorId;
    private final String root;
    private final Map<Skip, Long> counts = new EnumMap<>(Skip.class);
    private long documents;
    private long directories;
    private int problemsLogged;

    WalkReport(String connectorId, String root) {
        this.connectorId = connectorId;
        this.root = root;
    }

    void document() {
        documents++;
    }

    void directory() {
        directories++;
    }

    void skipped(Skip kind, String relativePath, String reason) {
        counts.merge(kind, 1L, Long::sum);
        if (kind.problem && problemsLogged < LOGGED_PROBLEMS) {
            problemsLogged++;
            LOG.warn("[{}] skipped '{}' in {}: {}", connectorId, relativePath, root, reason);
        } else {
            LOG.debug("[{}] skipped '{}' in {} ({}): {}", connectorId, relativePath, root, kind.label, reason);
        }
    }

    long count(Skip kind) {
        return counts.getOrDefault(kind, 0L);
    }

    long documents() {
        return documents;
    }

    long directories() {
        return directories;
    }

    long problems() {
        return counts.entrySet().stream().filter(e -> e.getKey().problem).mapToLong(Map.Entry::getValue).sum();
    }

    /** Logs the summary: a warning when entries were skipped for a problem, else at debug level. */
    void finish(String outcome) {
        String skipped = counts.entrySet().stream()
                .map(e -> e.getValue() + " " + e.getKey().label)
                .collect(Collectors.joining(", "));
        long notLogged = problems() - problemsLogged;
        String summary = String.format("[%s] walk of %s %s: %d documents from %d directories%s%s", connectorId, root,
                outcome, documents, directories, skipped.isEmpty() ? "" : "; " + skipped,
                notLogged > 0 ? " (" + notLogged + " problems not logged individually)" : "");
        if (problems() > 0) {
            LOG.warn(summary);
        } else if (!counts.isEmpty()) {
            // One line per walk: files that vanished or have no text are worth seeing without being problems.
            LOG.info(summary);
        } else {
            LOG.debug(summary);
        }
    }
}
