package io.connectors.source.directory;

import io.connectors.spi.config.ConfigField;
import io.connectors.spi.config.SourceConfig;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.PatternSyntaxException;

/**
 * The directory source's configuration: its field declarations (the single source of validation, defaults and
 * the configuration reference) and the typed values read from a validated {@link SourceConfig}.
 *
 * @param root            the directory to sync, absolute
 * @param filter          the include and exclude globs
 * @param maxContentSize  files larger than this get no {@code content}
 * @param followSymlinks  whether symbolic links below the root are followed
 */
record DirectoryConfig(Path root, GlobFilter filter, long maxContentSize, boolean followSymlinks) {

    static final String PATH = "path";
    static final String INCLUDE = "include";
    static final String EXCLUDE = "exclude";
    static final String MAX_CONTENT_SIZE = "max_content_size";
    static final String FOLLOW_SYMLINKS = "follow_symlinks";
    static final String EXTRACT_TEXT = "extract_text";

    /** Content is held in memory and sent in one bulk request: beyond this Elasticsearch would refuse it anyway. */
    static final long MAX_CONTENT_SIZE_LIMIT = 100L * 1024 * 1024;

    // tag::fields[]
    static final List<ConfigField> FIELDS = List.of(
            ConfigField.string(PATH).asRequired()
                    .validate(ConfigField.notEmpty())
                    .validate(DirectoryConfig::checkPath)
                    .description("The directory to sync: every regular file below it becomes a document. Absolute, or"
                            + " relative to the working directory of the daemon. The root itself may be a symbolic link.")
                    .order(1),
            ConfigField.list(INCLUDE).defaultValue(List.of("**"))
                    .validate(ConfigField.notEmpty())
                    .validate(DirectoryConfig::checkGlobs)
                    .description("Glob patterns matched against each file's path relative to `path`, with forward"
                            + " slashes; a file is synced when one matches. `**/` also matches no directory at all, so"
                            + " `**/*.md` matches `README.md` at the root.")
                    .order(2),
            ConfigField.list(EXCLUDE).defaultValue(List.of())
                    .validate(DirectoryConfig::checkGlobs)
                    .description("Glob patterns of files and directories to leave out; exclusion wins over inclusion."
                            + " A directory matched by a pattern, or by a pattern ending in `/**`, is not descended into.")
                    .order(3),
            ConfigField.byteSize(MAX_CONTENT_SIZE).defaultValue("1mb")
                    .validate(ConfigField.between(0, MAX_CONTENT_SIZE_LIMIT))
                    .description("UTF-8 text files up to this size are read directly into `content`, the fast path;"
                            + " larger ones and every other file go to content extraction (the connector's"
                            + " `extract_content`, bounded by the `extraction` settings). At most 100mb.")
                    .order(4),
            ConfigField.bool(FOLLOW_SYMLINKS).defaultValue(false)
                    .description("Follow symbolic links below the root, to files and directories; loops are detected,"
                            + " reported and skipped. When false, symbolic links are skipped.")
                    .order(5),
            // Removed: a value is refused with the way to say it now, rather than as an unknown field.
            ConfigField.bool(EXTRACT_TEXT)
                    .validate(value -> "was replaced by the connector's `extract_content: " + value + "` (next to `type`),"
                            + " which covers text files and binary documents alike: move it there")
                    .description("Removed: set the connector's `extract_content` instead (it covers text files and"
                            + " PDF, Office and other documents alike).")
                    .order(6));
    // end::fields[]

    /** Reads the typed values; no I/O. */
    // tag::from[]
    static DirectoryConfig from(SourceConfig config) {
        return new DirectoryConfig(
                Path.of(config.string(PATH)).toAbsolutePath(),
                new GlobFilter(config.list(INCLUDE), config.list(EXCLUDE)),
                config.byteSize(MAX_CONTENT_SIZE),
                config.bool(FOLLOW_SYMLINKS));
    }
    // end::from[]

    private static String checkPath(Object value) {
        try {
            Path.of((String) value);
            return null;
        } catch (InvalidPathException e) {
            return "is not a valid path: " + e.getReason();
        }
    }

    @SuppressWarnings("unchecked")
    private static String checkGlobs(Object value) {
        for (String pattern : (List<String>) value) {
            if (pattern.isBlank()) {
                return "patterns must not be blank";
            }
            if (pattern.startsWith("/")) {
                return "pattern '" + pattern + "' starts with '/', but patterns are matched against paths relative to"
                        + " `path`: remove the leading '/'";
            }
            try {
                GlobFilter.toPattern(pattern);
            } catch (PatternSyntaxException e) {
                return "pattern '" + pattern + "' is not a valid glob: " + e.getDescription();
            }
        }
        return null;
    }
}
