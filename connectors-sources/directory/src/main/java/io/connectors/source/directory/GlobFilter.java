package io.connectors.source.directory;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The include and exclude globs of the directory source, matched against paths relative to the root.
 *
 * <p>Java's {@code glob:} syntax, with one change users expect from gitignore and Ant: {@code **}{@code /} also
 * matches no directory at all, so {@code **}{@code /*.md} matches {@code README.md} at the root and
 * {@code docs/**}{@code /*.md} matches {@code docs/a.md}. Each pattern is compiled as the set of its variants
 * with and without every such {@code **}{@code /}.
 *
 * <p>Patterns are translated here rather than by {@code FileSystem.getPathMatcher("glob:...")}: the JDK turns
 * {@code **} into a regular expression whose {@code .} stops at line terminators, so the default {@code include: ["**"]}
 * missed a file whose name holds a newline. Here {@code *}, {@code **} and {@code ?} match every character a file name
 * may hold, line terminators included; the syntax and its errors are otherwise the JDK's.
 */
final class GlobFilter {
    private static final String ANY_DIRECTORIES = "**/";
    private static final String ANY_CONTENT = "/**";

    private final List<Pattern> include;
    private final List<Pattern> exclude;
    private final List<Pattern> excludedDirectories;

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
        return matchesAny(include, relativePath) && !matchesAny(exclude, relativePath);
    }

    /**
     * Whether a directory is left out with everything below it: an exclude pattern matches the directory itself,
     * or a pattern {@code P/**} excludes all its content because {@code P} matches it.
     */
    boolean excludesDirectory(String relativePath) {
        return matchesAny(excludedDirectories, relativePath);
    }

    private static List<Pattern> compile(List<String> patterns) {
        List<Pattern> matchers = new ArrayList<>();
        for (String pattern : patterns) {
            for (String variant : variants(pattern)) {
                matchers.add(toPattern(variant));
            }
        }
        return List.copyOf(matchers);
    }

    private static boolean matchesAny(List<Pattern> matchers, String relativePath) {
        for (Pattern matcher : matchers) {
            if (matcher.matcher(relativePath).matches()) {
                return true;
            }
        }
        return false;
    }

    /**
     * The regular expression of a glob, compiled with {@link Pattern#DOTALL} so that {@code **} crosses line
     * terminators as it crosses directories.
     *
     * @throws PatternSyntaxException when the glob is invalid, with the JDK's descriptions of glob errors
     */
    static Pattern toPattern(String glob) {
        StringBuilder regex = new StringBuilder("^");
        boolean inGroup = false;
        int i = 0;
        while (i < glob.length()) {
            char c = glob.charAt(i++);
            switch (c) {
                case '\\' -> {
                    if (i == glob.length()) {
                        throw new PatternSyntaxException("No character to escape", glob, i - 1);
                    }
                    literal(regex, glob.charAt(i++));
                }
                case '[' -> i = bracket(glob, i, regex);
                case '{' -> {
                    if (inGroup) {
                        throw new PatternSyntaxException("Cannot nest groups", glob, i - 1);
                    }
                    regex.append("(?:(?:");
                    inGroup = true;
                }
                case '}' -> {
                    if (inGroup) {
                        regex.append("))");
                        inGroup = false;
                    } else {
                        regex.append('}');
                    }
                }
                case ',' -> regex.append(inGroup ? ")|(?:" : ",");
                case '*' -> {
                    if (i < glob.length() && glob.charAt(i) == '*') {
                        regex.append(".*");
                        i++;
                    } else {
                        regex.append("[^/]*");
                    }
                }
                case '?' -> regex.append("[^/]");
                default -> literal(regex, c);
            }
        }
        if (inGroup) {
            throw new PatternSyntaxException("Missing '}'", glob, i - 1);
        }
        return Pattern.compile(regex.append('$').toString(), Pattern.DOTALL);
    }

    /** Translates the bracket expression starting after the {@code [} at {@code i - 1}; returns the index after it. */
    private static int bracket(String glob, int i, StringBuilder regex) {
        regex.append("[[^/]&&[");
        if (i < glob.length() && glob.charAt(i) == '^') {
            regex.append("\\^");
            i++;
        } else {
            if (i < glob.length() && glob.charAt(i) == '!') {
                regex.append('^');
                i++;
            }
            if (i < glob.length() && glob.charAt(i) == '-') {
                regex.append('-');
                i++;
            }
        }
        boolean hasRangeStart = false;
        char last = 0;
        char c = 0;
        while (i < glob.length()) {
            c = glob.charAt(i++);
            if (c == ']') {
                break;
            }
            if (c == '/') {
                throw new PatternSyntaxException("Explicit 'name separator' in class", glob, i - 1);
            }
            if (c == '\\' || c == '[' || c == '&' && i < glob.length() && glob.charAt(i) == '&') {
                regex.append('\\');
            }
            regex.append(c);
            if (c == '-') {
                if (!hasRangeStart) {
                    throw new PatternSyntaxException("Invalid range", glob, i - 1);
                }
                if (i == glob.length() || (c = glob.charAt(i++)) == ']') {
                    break;
                }
                if (c < last) {
                    throw new PatternSyntaxException("Invalid range", glob, i - 3);
                }
                regex.append(c);
                hasRangeStart = false;
            } else {
                hasRangeStart = true;
                last = c;
            }
        }
        if (c != ']') {
            throw new PatternSyntaxException("Missing ']'", glob, i - 1);
        }
        regex.append("]]");
        return i;
    }

    private static void literal(StringBuilder regex, char c) {
        if ("\\^$.|?*+()[]{}".indexOf(c) >= 0) {
            regex.append('\\');
        }
        regex.append(c);
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
