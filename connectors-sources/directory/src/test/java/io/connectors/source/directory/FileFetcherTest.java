package io.connectors.source.directory;

import static io.connectors.source.directory.Fixtures.built;
import static io.connectors.source.directory.Fixtures.captureWalkLog;
import static io.connectors.source.directory.Fixtures.config;
import static io.connectors.source.directory.Fixtures.detach;
import static io.connectors.source.directory.Fixtures.messages;
import static io.connectors.source.directory.Fixtures.readAll;
import static io.connectors.source.directory.Fixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.connectors.source.directory.WalkReport.Skip;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SourceException;
import io.connectors.spi.rules.SyncRules;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import reactor.test.StepVerifier;

/** fetch: the files of a batch of deferred documents read after the listing, whatever happened to them since. */
class FileFetcherTest {
    @TempDir
    Path root;
    @TempDir
    Path outside;
    private ListAppender<ILoggingEvent> log;

    @BeforeEach
    void captureLog() {
        log = captureWalkLog();
    }

    @AfterEach
    void detachLog() {
        detach(log);
    }

    private List<SourceDocument> list(DirectoryDataSource source) {
        List<SourceDocument> listed = readAll(source.getDocs(SyncRules.NONE));
        assertThat(listed).allSatisfy(doc -> assertThat(doc.isDeferred()).isTrue());
        return listed;
    }

    private static Map<String, SourceDocument> byId(List<SourceDocument> docs) {
        return docs.stream().collect(Collectors.toMap(SourceDocument::id, Function.identity()));
    }

    private FileFetcher fetcher(DirectoryConfig config, DirectoryWalker.Opener opener, WalkReport report,
            String... ids) {
        List<SourceDocument> deferred = java.util.Arrays.stream(ids).map(id -> SourceDocument.deferred(id, "v", null))
                .toList();
        return FileFetcher.open(config, opener, new FileDocuments(config, true), report, deferred);
    }

    @Test
    void aFileDeletedAfterTheListingIsLeftOutQuietly() throws IOException {
        write(root, "a.txt", "a");
        write(root, "b.txt", "b");
        write(root, "c/d.txt", "d");
        DirectoryDataSource source = Fixtures.source(root);
        List<SourceDocument> listed = list(source);
        Files.delete(root.resolve("b.txt"));
        Files.delete(root.resolve("c/d.txt"));
        Files.delete(root.resolve("c"));

        assertThat(built(source, listed)).extracting(SourceDocument::id).containsExactly("a.txt");
        StepVerifier.create(source.close()).verifyComplete();
        assertThat(messages(log)).as("vanished files are no problem").isEmpty();
    }

    @Test
    void aFileChangedAfterTheListingIsBuiltWithTheVersionOfWhatWasRead() throws IOException {
        write(root, "a.txt", "one");
        DirectoryDataSource source = Fixtures.source(root);
        List<SourceDocument> listed = list(source);
        write(root, "a.txt", "three");

        SourceDocument doc = built(source, listed).get(0);

        assertThat(doc.fields()).containsEntry("content", "three").containsEntry("size", 5L);
        assertThat(doc.version()).isNotEqualTo(listed.get(0).version())
                .hasValueSatisfying(v -> assertThat(v).contains(":5:text-"));
    }

    @Test
    void aSymbolicLinkSwappedInAfterTheListingIsNotFollowed() throws IOException {
        write(outside, "secret.txt", "outside the root");
        write(outside, "dir/inner.txt", "outside the root");
        write(root, "secret.txt", "inside");
        write(root, "dir/inner.txt", "inside");
        write(root, "kept.txt", "kept");
        DirectoryDataSource source = Fixtures.source(root);
        List<SourceDocument> listed = list(source);
        Files.delete(root.resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("secret.txt"), outside.resolve("secret.txt"));
        Files.delete(root.resolve("dir/inner.txt"));
        Files.delete(root.resolve("dir"));
        Files.createSymbolicLink(root.resolve("dir"), outside.resolve("dir"));

        assertThat(built(source, listed)).extracting(SourceDocument::id).containsExactly("kept.txt");

        DirectoryDataSource following = Fixtures.source(root, "follow_symlinks", true);
        assertThat(built(following, listed)).extracting(doc -> doc.fields().get("content"))
                .containsExactlyInAnyOrder("kept", "outside the root", "outside the root");
    }

    @Test
    void theOpenItselfRefusesALinkThatTheCheckDidNotSee() throws IOException {
        write(outside, "secret.txt", "outside the root");
        write(root, "secret.txt", "inside");
        BasicFileAttributes regular = Files.readAttributes(root.resolve("secret.txt"), BasicFileAttributes.class);
        Files.delete(root.resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("secret.txt"), outside.resolve("secret.txt"));
        // The link is swapped in between the stat and the open: the stat still sees the regular file.
        DirectoryWalker.Opener racing = dir -> new Fixtures.Delegating(DirectoryHandle.open(dir)) {
            @Override
            public BasicFileAttributes attributes(String name, boolean follow) {
                return regular;
            }
        };
        WalkReport report = WalkReport.reading("test-connector", root.toString());

        try (FileFetcher fetcher = fetcher(config(root), racing, report, "secret.txt")) {
            assertThat(fetcher.next()).isNull();
        }
        assertThat(report.count(Skip.UNREADABLE)).isEqualTo(1);
    }

    @Test
    void unreadableFilesAreReportedAFewTimesThenSummedUpWhenTheSourceCloses() throws IOException {
        Set<String> denied = new java.util.HashSet<>();
        for (int i = 0; i < 12; i++) {
            write(root, "f" + i, "x");
            denied.add("f" + i);
        }
        write(root, "ok", "ok");
        DirectoryDataSource source = new DirectoryDataSource(config(root), Fixtures.CONTEXT,
                dir -> new DirectoryWalkerTest.Denying(DirectoryHandle.open(dir), denied));

        assertThat(built(source, list(source))).extracting(SourceDocument::id).containsExactly("ok");
        assertThat(messages(log)).hasSize(WalkReport.LOGGED_PROBLEMS)
                .first().isEqualTo("[test-connector] skipped 'f0' in " + root + ": permission denied");
        StepVerifier.create(source.close()).verifyComplete();
        StepVerifier.create(source.close()).verifyComplete();
        assertThat(messages(log)).hasSize(WalkReport.LOGGED_PROBLEMS + 1).last().isEqualTo("[test-connector] reading"
                + " of changed files in " + root + " done: 1 documents built; 12 unreadable (7 problems not logged"
                + " individually)");
    }

    @Test
    void filesForContentExtractionGetABodyAndNoSkipLine() throws IOException {
        write(root, "text.txt", "hello");
        write(root, "latin1.txt", new byte[] {'c', 'a', 'f', (byte) 0xE9});
        write(root, "large.txt", "x".repeat(200));
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(WalkReport.class)).setLevel(Level.INFO);
        DirectoryDataSource source = Fixtures.source(root, "max_content_size", "100b");

        Map<String, SourceDocument> docs = byId(built(source, list(source)));
        StepVerifier.create(source.close()).verifyComplete();

        assertThat(docs.get("text.txt").fields()).containsEntry("content", "hello");
        assertThat(docs.get("latin1.txt").fields()).doesNotContainKey("content");
        assertThat(docs.get("large.txt").fields()).doesNotContainKey("content").containsEntry("size", 200L);
        assertThat(docs.get("latin1.txt").body()).isPresent();
        assertThat(docs.get("large.txt").body()).isPresent();
        assertThat(docs.get("text.txt").body()).isEmpty();
        // Their text is the runtime's to extract: nothing is skipped here.
        assertThat(messages(log)).noneMatch(m -> m.contains("without content"));
    }

    @Test
    void aSourceThatReadNothingLogsNoSummary() {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(WalkReport.class)).setLevel(Level.DEBUG);

        StepVerifier.create(Fixtures.source(root).close()).verifyComplete();

        assertThat(messages(log)).isEmpty();
    }

    @Test
    void whatIsNoLongerARegularFileIsLeftOut() throws Exception {
        write(root, "became-a-directory", "x");
        write(root, "became-a-fifo", "x");
        write(root, "became-a-broken-link", "x");
        DirectoryDataSource source = Fixtures.source(root, "follow_symlinks", true);
        List<SourceDocument> listed = list(source);
        Files.delete(root.resolve("became-a-directory"));
        Files.createDirectories(root.resolve("became-a-directory"));
        Files.delete(root.resolve("became-a-fifo"));
        assumeTrue(new ProcessBuilder("mkfifo", root.resolve("became-a-fifo").toString()).start().waitFor() == 0);
        Files.delete(root.resolve("became-a-broken-link"));
        Files.createSymbolicLink(root.resolve("became-a-broken-link"), root.resolve("missing"));
        WalkReport report = WalkReport.reading("test-connector", root.toString());

        try (FileFetcher fetcher = FileFetcher.open(config(root, "follow_symlinks", true), DirectoryHandle::open,
                new FileDocuments(config(root), true), report, listed)) {
            // Opening the FIFO would block here.
            assertThat(fetcher.next()).isNull();
        }
        assertThat(report.count(Skip.NOT_REGULAR)).isEqualTo(2);
        assertThat(report.count(Skip.UNREADABLE)).isEqualTo(1);
    }

    @Test
    void anIdThatIsNotAPathBelowTheRootIsNeverResolved() throws IOException {
        write(outside, "x.txt", "outside");
        WalkReport report = WalkReport.reading("test-connector", root.toString());

        try (FileFetcher fetcher = fetcher(config(root), DirectoryHandle::open, report,
                "../" + outside.getFileName() + "/x.txt", "a//b", "./c")) {
            assertThat(fetcher.next()).isNull();
        }
        assertThat(report.count(Skip.UNREADABLE)).isEqualTo(3);
    }

    @Test
    void theDirectoriesOfABatchAreOpenedOnceEachAndClosedAtTheEnd() throws IOException {
        Map<String, Integer> opens = new HashMap<>();
        for (int i = 0; i < 30; i++) {
            write(root, "d" + (i % 3) + "/sub/f" + i + ".txt", "text " + i);
        }
        write(root, "d0-x/f.txt", "between d0 and d0/ in sorted order");
        AtomicInteger open = new AtomicInteger();
        DirectoryWalker.Opener tracking = dir -> tracked(DirectoryHandle.open(dir), "", opens, open);
        DirectoryDataSource source = new DirectoryDataSource(config(root), Fixtures.CONTEXT, tracking);
        List<SourceDocument> listed = list(source);
        opens.clear();

        FileFetcher fetcher = FileFetcher.open(config(root), tracking, new FileDocuments(config(root), true),
                WalkReport.reading("c", root.toString()), listed);
        int count = 0;
        while (fetcher.next() != null) {
            count++;
            assertThat(fetcher.depth()).isBetween(2, 3);
        }
        assertThat(count).isEqualTo(31);
        assertThat(opens).containsOnlyKeys("", "d0", "d0/sub", "d0-x", "d1", "d1/sub", "d2", "d2/sub")
                .allSatisfy((dir, times) -> assertThat(times).as(dir).isEqualTo(1));
        fetcher.close();
        fetcher.close();
        assertThat(fetcher.depth()).isZero();
        assertThat(open).as("directories left open").hasValue(0);
    }

    private static DirectoryHandle tracked(DirectoryHandle handle, String path, Map<String, Integer> opens,
            AtomicInteger open) {
        opens.merge(path, 1, Integer::sum);
        open.incrementAndGet();
        return new Fixtures.Delegating(handle) {
            @Override
            public DirectoryHandle openDirectory(String name, boolean follow) throws IOException {
                return tracked(super.openDirectory(name, follow), path.isEmpty() ? name : path + "/" + name, opens, open);
            }

            @Override
            public void close() throws IOException {
                open.decrementAndGet();
                super.close();
            }
        };
    }

    @Test
    void aRootThatVanishedFailsTheBatchNamingIt() throws IOException {
        Path gone = Files.createDirectories(root.resolve("gone"));
        write(gone, "a.txt", "a");
        DirectoryDataSource source = Fixtures.source(gone);
        List<SourceDocument> listed = list(source);
        Files.delete(gone.resolve("a.txt"));
        Files.delete(gone);

        StepVerifier.create(source.fetch(listed))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(SourceException.class)
                        .hasMessage("directory " + gone + " does not exist"))
                .verify();
    }

    @Test
    void anInterruptedFetchFailsRatherThanLeaveFilesOut() throws IOException {
        for (int i = 0; i < 5; i++) {
            write(root, "f" + i + ".txt", "text " + i);
        }
        DirectoryDataSource source = Fixtures.source(root);
        List<SourceDocument> listed = list(source);

        StepVerifier.create(source.fetch(listed).doOnNext(d -> Thread.currentThread().interrupt()))
                .expectNextCount(1)
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(SourceException.class)
                        .hasMessageContaining("interrupted"))
                .verify();
        Thread.interrupted();
    }

    @Test
    void anInterruptDuringARead() throws IOException {
        write(root, "a.txt", "a");
        WalkReport report = WalkReport.reading("test-connector", root.toString());
        DirectoryWalker.Opener interrupting = dir -> new Fixtures.Delegating(DirectoryHandle.open(dir)) {
            @Override
            public SeekableByteChannel openFile(String name, boolean follow) throws IOException {
                throw new java.nio.channels.ClosedByInterruptException();
            }
        };

        try (FileFetcher fetcher = fetcher(config(root), interrupting, report, "a.txt")) {
            assertThat(fetcher.next()).isNull();
            assertThat(fetcher.interrupted()).isTrue();
        }
        assertThat(report.count(Skip.UNREADABLE)).as("an interrupt is not a problem of the file").isZero();
    }

    @Test
    void aDirectoryDeniedOnTheWayMakesItsFilesUnreadable() throws IOException {
        write(root, "private/a.txt", "a");
        WalkReport report = WalkReport.reading("test-connector", root.toString());
        DirectoryWalker.Opener denying = dir -> new DirectoryWalkerTest.Denying(DirectoryHandle.open(dir),
                Set.of("private"));

        try (FileFetcher fetcher = fetcher(config(root), denying, report, "private/a.txt")) {
            assertThat(fetcher.next()).isNull();
        }
        assertThat(report.count(Skip.UNREADABLE)).isEqualTo(1);
    }

    @Test
    void aDeniedDirectoryIsUnreadableEvenWhenItsCheckFails() throws IOException {
        write(root, "private/a.txt", "a");
        WalkReport report = WalkReport.reading("test-connector", root.toString());
        DirectoryWalker.Opener denying = dir -> new Fixtures.Delegating(DirectoryHandle.open(dir)) {
            @Override
            public DirectoryHandle openDirectory(String name, boolean follow) throws IOException {
                throw new AccessDeniedException(name);
            }

            @Override
            public BasicFileAttributes attributes(String name, boolean follow) throws IOException {
                throw new AccessDeniedException(name);
            }
        };

        try (FileFetcher fetcher = fetcher(config(root), denying, report, "private/a.txt")) {
            assertThat(fetcher.next()).isNull();
        }
        assertThat(report.count(Skip.UNREADABLE)).isEqualTo(1);
        assertThat(report.count(Skip.SYMLINK)).isZero();
    }
}
