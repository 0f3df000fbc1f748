package io.connectors.source.directory;

import io.connectors.spi.SourceSplit;
import io.connectors.spi.SplitPosition;
import java.io.IOException;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * How a walk of a directory tree is divided: one split per directory directly under the root (its whole subtree), and
 * one for the rest of the root, its files and any directory not in the plan (one created after planning). Planning
 * lists the root alone. A split is walked in the walk's own order ({@link DirectoryWalker#compare}); its position is the
 * relative path of the last file it emitted.
 */
final class DirectorySplits {
    static final String DIRECTORY = "directory";
    static final String PLANNED = "planned";
    static final String AFTER = "after";
    static final String REST = "rest";
    /** Files between two positions of a split's walk. */
    static final int POSITION_EVERY = 200;

    private DirectorySplits() {
    }

    /** The splits of the tree under {@code config.root()}, from a listing of the root. */
    static List<SourceSplit> plan(DirectoryConfig config, DirectoryWalker.Opener opener) throws IOException {
        List<String> directories = new ArrayList<>();
        try (DirectoryHandle root = opener.open(config.root())) {
            for (String name : root.sortedNames()) {
                BasicFileAttributes a;
                try {
                    a = root.attributes(name, false);
                    if (a.isSymbolicLink() && config.followSymlinks()) {
                        a = root.attributes(name, true);
                    }
                } catch (IOException e) {
                    // Unreadable now: the rest split walks it, and reports it as the full walk would.
                    continue;
                }
                if (a.isDirectory()) {
                    directories.add(name);
                }
            }
        }
        List<SourceSplit> out = new ArrayList<>();
        for (String d : directories) {
            out.add(new SourceSplit("dir:" + d, d + "/", Map.of(DIRECTORY, d)));
        }
        Map<String, Object> rest = new LinkedHashMap<>();
        rest.put(REST, true);
        rest.put(PLANNED, List.copyOf(directories));
        out.add(new SourceSplit(REST, "files directly in the root, and directories created after planning", rest));
        return out;
    }

    /** Which entries of the root a split walks. */
    static Predicate<String> scope(SourceSplit split) {
        Object directory = split.values().get(DIRECTORY);
        if (directory != null) {
            String name = directory.toString();
            return name::equals;
        }
        if (!Boolean.TRUE.equals(split.values().get(REST))) {
            throw new IllegalArgumentException("split " + split.id() + " is not a split of the directory source: "
                    + split.values());
        }
        Object planned = split.values().get(PLANNED);
        Set<String> skip = planned instanceof List<?> l ? Set.copyOf(l.stream().map(String::valueOf).toList()) : Set.of();
        return name -> !skip.contains(name);
    }

    static SplitPosition position(String relativePath) {
        return new SplitPosition(Map.of(AFTER, relativePath));
    }

    /** The relative path a position resumes after; null for none. */
    static String after(SplitPosition position) {
        Object after = position == null ? null : position.values().get(AFTER);
        return after == null ? null : after.toString();
    }
}
