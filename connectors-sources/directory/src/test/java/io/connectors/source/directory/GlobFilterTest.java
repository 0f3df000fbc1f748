package io.connectors.source.directory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
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
}
