package io.connectors.source.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.PatternSyntaxException;
import org.junit.jupiter.api.Test;

class GlobFilterTest {

    @Test
    void doubleStarSlashAlsoMatchesFilesAtTheRoot() {
        GlobFilter filter = new GlobFilter(List.of("**/*.md"), List.of());

        assertThat(filter.includesFile("README.md")).isTrue();
        assertThat(filter.includesFile("docs/guide.md")).isTrue();
        assertThat(filter.includesFile("docs/deep/er/guide.md")).isTrue();
        assertThat(filter.includesFile("README.txt")).isFalse();
    }

    @Test
    void doubleStarSlashInTheMiddleAlsoMatchesNoDirectory() {
        GlobFilter filter = new GlobFilter(List.of("docs/**/*.md"), List.of());

        assertThat(filter.includesFile("docs/a.md")).isTrue();
        assertThat(filter.includesFile("docs/x/y/a.md")).isTrue();
        assertThat(filter.includesFile("a.md")).isFalse();
        assertThat(filter.includesFile("other/docs/a.md")).isFalse();
    }

    @Test
    void doubleStarAloneMatchesEverything() {
        GlobFilter filter = new GlobFilter(List.of("**"), List.of());

        assertThat(filter.includesFile("a")).isTrue();
        assertThat(filter.includesFile(".hidden/b/c.txt")).isTrue();
    }

    @Test
    void excludeWinsOverInclude() {
        GlobFilter filter = new GlobFilter(List.of("**/*.md"), List.of("drafts/**", "**/*.tmp.md"));

        assertThat(filter.includesFile("drafts/a.md")).isFalse();
        assertThat(filter.includesFile("notes.tmp.md")).isFalse();
        assertThat(filter.includesFile("docs/x.tmp.md")).isFalse();
        assertThat(filter.includesFile("docs/a.md")).isTrue();
    }

    @Test
    void directoriesClearlyExcludedAreRecognised() {
        GlobFilter filter = new GlobFilter(List.of("**"), List.of("**/node_modules/**", ".git/**", "build"));

        assertThat(filter.excludesDirectory("node_modules")).isTrue();
        assertThat(filter.excludesDirectory("web/app/node_modules")).isTrue();
        assertThat(filter.excludesDirectory(".git")).isTrue();
        assertThat(filter.excludesDirectory("build")).isTrue();
        assertThat(filter.excludesDirectory("sub/.git")).isFalse();
        assertThat(filter.excludesDirectory("sub/build")).isFalse();
        assertThat(filter.excludesDirectory("node_modules_backup")).isFalse();
        assertThat(filter.excludesDirectory("src")).isFalse();
    }

    @Test
    void aFilePatternDoesNotPruneDirectoriesItCannotMatch() {
        GlobFilter filter = new GlobFilter(List.of("**"), List.of("**/*.log"));

        assertThat(filter.excludesDirectory("logs")).isFalse();
        assertThat(filter.includesFile("logs/app.log")).isFalse();
        assertThat(filter.includesFile("logs/app.txt")).isTrue();
    }

    @Test
    void variantsDropEachLeadingDoubleStarSegment() {
        assertThat(GlobFilter.variants("**/a/**/b"))
                .containsExactlyInAnyOrder("**/a/**/b", "**/a/b", "a/**/b", "a/b");
        assertThat(GlobFilter.variants("a**/b")).containsExactly("a**/b");
        assertThat(GlobFilter.variants("*.md")).containsExactly("*.md");
    }

    @Test
    void starsAndQuestionMarksMatchLineTerminatorsInNames() {
        GlobFilter everything = new GlobFilter(List.of("**"), List.of());
        GlobFilter text = new GlobFilter(List.of("**/*.txt"), List.of("**/?ld\u2028*"));

        assertThat(everything.includesFile("two\nlines.txt")).isTrue();
        assertThat(everything.includesFile("dir\r\n/a\u0085b\u2029.txt")).isTrue();
        assertThat(text.includesFile("dir\n/line\nbreak.txt")).isTrue();
        assertThat(text.includesFile("\nld\u2028x.txt")).as("? and * match them too, here in an exclude").isFalse();
        assertThat(text.includesFile("dir/a\nb")).isFalse();
    }

    /** The JDK's own glob matcher is the oracle for names without line terminators. */
    @Test
    void matchesLikeTheJdkGlobOnOrdinaryNames() {
        List<String> globs = List.of("*", "**", "*.md", "**.md", "a/*/c", "a/**/c", "?.txt", "[a-c]*", "[!a-c]*",
                "[-x]y", "[^x]", "[-]", "[!-]", "{a,b}/*.{md,txt}", "a\\*b", "a.b", "(x)+|y$", "x{}", "[a-]", "[&&a]", "a}b,c");
        List<String> paths = List.of("a", "b.md", "a/b.md", "a/b/c", "a/c", "x.txt", "xy.txt", "d", "-y", "xy", "^",
                "a/x.md", "b/y.txt", "c/z.md", "a*b", "aXb", "a.b", "axb", "(x)+|y$", "x", "-", "&", "a}b,c");
        for (String glob : globs) {
            var jdk = FileSystems.getDefault().getPathMatcher("glob:" + glob);
            var ours = GlobFilter.toPattern(glob);
            for (String path : paths) {
                assertThat(ours.matcher(path).matches()).as("%s against %s", glob, path)
                        .isEqualTo(jdk.matches(Path.of(path)));
            }
        }
    }

    @Test
    void invalidGlobsAreRefusedAsTheJdkRefusesThem() {
        for (String glob : List.of("docs/[a-", "[", "a{b{c}}", "{a,b", "a\\", "[a/b]", "[z-a]")) {
            assertThatThrownBy(() -> FileSystems.getDefault().getPathMatcher("glob:" + glob)).as("JDK: " + glob)
                    .isInstanceOf(PatternSyntaxException.class);
            assertThatThrownBy(() -> GlobFilter.toPattern(glob)).as(glob).isInstanceOf(PatternSyntaxException.class);
        }
    }
}
