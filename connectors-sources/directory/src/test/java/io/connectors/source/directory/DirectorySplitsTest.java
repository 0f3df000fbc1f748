package io.connectors.source.directory;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.spi.SourceContext;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SourceSplit;
import io.connectors.spi.SplitEvent;
import io.connectors.spi.SplitPosition;
import io.connectors.spi.config.SourceConfig;
import io.connectors.spi.rules.SyncRules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Splits of a directory tree: one per directory under the root plus the rest; their union is exactly the walk, in the
 * walk's own order; a split resumed from a position yields exactly the rest, skipping whole subtrees before it; a
 * directory created after planning is read by the rest split.
 */
class DirectorySplitsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path root;

    private DirectoryDataSource source(Map<String, Object> extra) {
        Map<String, Object> raw = new java.util.LinkedHashMap<>(Map.of("path", root.toString()));
        raw.putAll(extra);
        DirectoryDataSourceProvider provider = new DirectoryDataSourceProvider();
        return (DirectoryDataSource) provider.create(SourceConfig.from(provider.configFields(), raw), new SourceContext("t"));
    }

    private void file(String relative) throws IOException {
        Path p = root.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, relative);
    }

    private void tree() throws IOException {
        // "a/..." sorts before "a-c" in the walk (component by component) though '/' sorts after '-' as text.
        for (String f : List.of("top.txt", "z.txt", "a/b/one.txt", "a/b/two.txt", "a/c.txt", "a-c/x.txt", "b/y.txt",
                "skip/me.log", "a/deep/er/f.txt")) {
            file(f);
        }
        for (int i = 0; i < 450; i++) {
            file(String.format("big/%03d/n.txt", i));
        }
    }

    private static List<SplitEvent> read(DirectoryDataSource source, SourceSplit split, SplitPosition from) {
        return source.readSplit(split, from, SyncRules.NONE).collectList().block(WAIT);
    }

    private static List<String> ids(List<SplitEvent> events) {
        return events.stream().filter(e -> e instanceof SplitEvent.Document)
                .map(e -> ((SplitEvent.Document) e).document().id()).toList();
    }

    @Test
    void theSplitsAreExactlyTheWalkInItsOrder() throws IOException {
        tree();
        DirectoryDataSource source = source(Map.of("exclude", List.of("skip/**")));
        List<SourceSplit> splits = source.planSplits(SyncRules.NONE).block(WAIT);
        assertThat(splits).extracting(SourceSplit::id)
                .containsExactly("dir:a", "dir:a-c", "dir:b", "dir:big", "dir:skip", "rest");
        List<String> union = new ArrayList<>();
        for (SourceSplit split : splits) {
            union.addAll(ids(read(source, split, null)));
        }
        List<String> walk = source.getDocs(SyncRules.NONE).map(SourceDocument::id).collectList().block(WAIT);
        assertThat(union).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(walk);
        assertThat(ids(read(source, splits.get(0), null))).containsExactly("a/b/one.txt", "a/b/two.txt", "a/c.txt",
                "a/deep/er/f.txt");
        assertThat(union).doesNotContain("skip/me.log");
    }

    @Test
    void aSplitResumedFromAPositionYieldsExactlyTheRest() throws IOException {
        tree();
        DirectoryDataSource source = source(Map.of());
        SourceSplit big = source.planSplits(SyncRules.NONE).block(WAIT).stream().filter(s -> s.id().equals("dir:big"))
                .findFirst().orElseThrow();
        List<SplitEvent> first = read(source, big, null);
        assertThat(first.stream().filter(e -> e instanceof SplitEvent.Position)).as("a position every 200 files and at the end")
                .hasSize(3);
        int at = first.indexOf(first.stream().filter(e -> e instanceof SplitEvent.Position).findFirst().orElseThrow());
        SplitPosition position = ((SplitEvent.Position) first.get(at)).position();
        assertThat(position.values()).containsEntry("after", "big/199/n.txt");
        assertThat(ids(read(source, big, position))).containsExactlyElementsOf(ids(first.subList(at + 1, first.size())));
        SplitPosition end = ((SplitEvent.Position) first.get(first.size() - 1)).position();
        assertThat(read(source, big, end)).as("nothing after the last position but the end position").hasSize(1);
    }

    @Test
    void aDirectoryCreatedAfterPlanningIsReadByTheRestSplit() throws IOException {
        tree();
        DirectoryDataSource source = source(Map.of());
        List<SourceSplit> splits = source.planSplits(SyncRules.NONE).block(WAIT);
        file("new/late.txt");
        file("a/later.txt");
        SourceSplit rest = splits.get(splits.size() - 1);
        assertThat(ids(read(source, rest, null))).containsExactly("new/late.txt", "top.txt", "z.txt");
        assertThat(ids(read(source, splits.get(0), null))).contains("a/later.txt");
    }

    @Test
    void theWalkOrderComparesPathsComponentByComponent() {
        assertThat(DirectoryWalker.compare("a/b", "a-c")).isNegative();
        assertThat("a/b".compareTo("a-c")).as("as whole strings the other way round").isPositive();
        assertThat(DirectoryWalker.compare("a", "a/b")).isNegative();
        assertThat(DirectoryWalker.compare("a/b", "a/b")).isZero();
        assertThat(DirectoryWalker.compare("b", "a/z")).isPositive();
    }
}
