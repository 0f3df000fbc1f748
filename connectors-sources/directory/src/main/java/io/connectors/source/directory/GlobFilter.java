package io.connectors.source.directory;

import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The include and exclude globs of the directory source, matched against paths relative to the root.
 *
 * <p>Java's {@code glob:} syntax, with one change users expect from gitignore and Ant: {@code **}{@code /} also
 * matches no directory at all, so {@code **}{@code /*.md} matches {@code README.md} at the root and
 * {@code docs/**}{@code /*.md} matches {@code docs/a.md}. Each pattern is compiled as the set of its variants
 * with and without every such {@code **}{@code /}.
 */
final class GlobFilter {
    private static final String ANY_DIRECTORIES = "**/";
    private static final String ANY_CONTENT = "/**";

    private final FileSystem fileSystem = FileSystems.getDefault();
    private final List<PathMatcher> include;
    private final List<PathMatcher> exclude;
    private final List<PathMatcher> excludedDirectories;

    GlobFilter(List<String> include, List<String> exclude) {
        this.include = compile(include);
        this.exclude = compile(exclude);
        List<String> directoryPatterns = new ArrayList<>(exclude);
        for (String pattern : exclude) {
            if (pattern.endsWith(ANY_CONTENT) && pattern.length() > ANY_CONTENT.length()) {
                directoryPatterns.add(pattern.substring(0, pattern.length() - ANY_CONTENT.length()));
            }
        }
        this.excludedDirectories = compile(directoryPatterns);
    }

    /** Whether a regular file is synced: an include pattern matches it and no exclude pattern does. */
    boolean includesFile(String relativePath) {
        Path path = fileSystem.getPath(relativePath);
        return matchesAny(include, path) && !matchesAny(exclude, path);
    }

    /**
     * Whether a directory is left out with everything below it: an exclude pattern matches the directory itself,
     * or a pattern {@code P/**} excludes all its content because {@code P} matches it.
     */
    boolean excludesDirectory(String relativePath) {
        return matchesAny(excludedDirectories, fileSystem.getPath(relativePath));
    }

    private List<PathMatcher> compile(List<String> patterns) {
        List<PathMatcher> matchers = new ArrayList<>();
        for (String pattern : patterns) {
            for (String variant : variants(pattern)) {
                matchers.add(fileSystem.getPathMatcher("glob:" + variant));
            }
        }
        return List.copyOf(matchers);
    }

    private static boolean matchesAny(List<PathMatcher> matchers, Path path) {
        for (PathMatcher matcher : matchers) {
            if (matcher.matches(path)) {
                return true;
            }
        }
        return false;
    }

    /** The pattern with and without each {@code **}{@code /} that starts a path segment. */
    static Set<String> variants(String pattern) {
        Set<String> out = new LinkedHashSet<>();
        addVariants(pattern, 0, out);
        return out;
    }

    private static void addVariants(String pattern, int from, Set<String> out) {
        int at = pattern.indexOf(ANY_DIRECTORIES, from);
        while (at > 0 && pattern.charAt(at - 1) != '/') {
            at = pattern.indexOf(ANY_DIRECTORIES, at + 1);
        }
        if (at < 0) {
            out.add(pattern);
            return;
        }
        addVariants(pattern, at + ANY_DIRECTORIES.length(), out);
        addVariants(pattern.substring(0, at) + pattern.substring(at + ANY_DIRECTORIES.length()), at, out);
    }
}
