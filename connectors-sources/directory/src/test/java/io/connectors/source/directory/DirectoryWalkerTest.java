package io.connectors.source.directory;

import static io.connectors.source.directory.Fixtures.captureWalkLog;
import static io.connectors.source.directory.Fixtures.config;
import static io.connectors.source.directory.Fixtures.detach;
import static io.connectors.source.directory.Fixtures.messages;
import static io.connectors.source.directory.Fixtures.walkIds;
import static io.connectors.source.directory.Fixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.connectors.source.directory.WalkReport.Skip;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SourceException;
import io.connectors.spi.rules.SyncRules;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

class DirectoryWalkerTest {
    @TempDir
    Path root;

    /** Both ways of resolving entries: relative to open directories (Linux, macOS), and by path (elsewhere). */
    static Stream<Arguments> openers() {
        return Stream.of(
                Arguments.of("secure", (DirectoryWalker.Opener) DirectoryHandle::open),
                Arguments.of("by path", (DirectoryWalker.Opener) DirectoryHandle::openByPath));
    }

    private DirectoryWalker walker(DirectoryWalker.Opener opener, Object... keyValues) {
        return DirectoryWalker.open(config(root, keyValues), "test-connector", opener);
    }

    // ------------------------------------------------------------------------------------------ order, ids

    @ParameterizedTest(name = "{0}")
    @MethodSource("openers")
    void walksDepthFirstSortedPerDirectory(String kind, DirectoryWalker.Opener opener) throws IOException {
        for (String id : List.of("b.txt", "dir/z.txt", "a.txt", "dir/y.txt", "c/x", "dir/sub/w")) {
            write(root, id, id);
        }
        Files.createDirectories(root.resolve("empty"));

        assertThat(walkIds(walker(opener))).containsExactly("a.txt", "b.txt", "c/x", "dir/sub/w", "dir/y.txt", "dir/z.txt");
    }

    @Test
    void secureHandlesAreUsedWhereThePlatformHasThem() throws IOException {
        try (DirectoryHandle handle = DirectoryHandle.open(root)) {
            assertThat(handle).isInstanceOf(DirectoryHandle.Secure.class);
        }
    }

    // ------------------------------------------------------------------------------------------ globs

    @Test
    void doubleStarGlobIncludesFilesAtTheRoot() throws IOException {
        write(root, "README.md", "r");
        write(root, "docs/guide.md", "g");
        write(root, "docs/notes.txt", "n");

        assertThat(walkIds(walker(DirectoryHandle::open, "include", List.of("**/*.md"))))
                .containsExactly("README.md", "docs/guide.md");
    }

    @Test
    void excludeWinsOverInclude() throws IOException {
        write(root, "docs/a.md", "a");
        write(root, "docs/drafts/b.md", "b");

        assertThat(walkIds(walker(DirectoryHandle::open, "include", List.of("**/*.md"),
                "exclude", List.of("**/drafts/**")))).containsExactly("docs/a.md");
    }

    @Test
    void excludedDirectoryIsNotEntered() throws IOException {
        write(root, "src/app.js", "a");
        write(root, "web/node_modules/pkg/index.js", "i");
        // Both would be reported if the walk went in: a broken link, and a loop back to the root.
        Files.createSymbolicLink(root.resolve("web/node_modules/broken"), root.resolve("missing"));
        Files.createSymbolicLink(root.resolve("web/node_modules/loop"), root);

        DirectoryWalker excluding = walker(DirectoryHandle::open, "follow_symlinks", true,
                "exclude", List.of("**/node_modules/**"));
        assertThat(walkIds(excluding)).containsExactly("src/app.js");
        assertThat(excluding.report().count(Skip.EXCLUDED_DIRECTORY)).isEqualTo(1);
        assertThat(excluding.report().problems()).isZero();
        assertThat(excluding.report().directories()).isEqualTo(3); // root, src, web

        DirectoryWalker entering = walker(DirectoryHandle::open, "follow_symlinks", true,
                "exclude", List.of("**/node_modules/pkg/*.js"));
        assertThat(walkIds(entering)).containsExactly("src/app.js");
        assertThat(entering.report().count(Skip.UNREADABLE)).isEqualTo(1);
        assertThat(entering.report().count(Skip.SYMLINK_LOOP)).isEqualTo(1);
    }

    // ------------------------------------------------------------------------------------------ symbolic links

    @ParameterizedTest(name = "{0}")
    @MethodSource("openers")
    void symlinkLoopIsSkippedAndReported(String kind, DirectoryWalker.Opener opener) throws IOException {
        write(root, "a/file.txt", "f");
        write(root, "top.txt", "t");
        Files.createSymbolicLink(root.resolve("a/loop"), Path.of(".."));
        Files.createSymbolicLink(root.resolve("a/self"), Path.of("."));
        ListAppender<ILoggingEvent> log = captureWalkLog();
        try {
            DirectoryWalker walker = walker(opener, "follow_symlinks", true);

            assertThat(walkIds(walker)).containsExactly("a/file.txt", "top.txt");
            assertThat(walker.report().count(Skip.SYMLINK_LOOP)).isEqualTo(2);
            assertThat(messages(log)).contains(
                    "[test-connector] skipped 'a/loop' in " + root + ": symbolic link loop: leads back to the root",
                    "[test-connector] skipped 'a/self' in " + root + ": symbolic link loop: leads back to 'a'");
            assertThat(messages(log)).last().asString().contains("2 symbolic link loops");
        } finally {
            detach(log);
        }
    }

    @Test
    void symlinksAreSkippedUnlessFollowed() throws IOException {
        Path outside = Files.createDirectories(root.resolve("../" + root.getFileName() + "-outside"));
        write(outside, "x.txt", "x");
        write(root, "real.txt", "r");
        Files.createSymbolicLink(root.resolve("linked.txt"), root.resolve("real.txt"));
        Files.createSymbolicLink(root.resolve("ext"), outside);
        try {
            DirectoryWalker notFollowing = walker(DirectoryHandle::open);
            assertThat(walkIds(notFollowing)).containsExactly("real.txt");
            assertThat(notFollowing.report().count(Skip.SYMLINK)).isEqualTo(2);
            assertThat(notFollowing.report().problems()).isZero();

            assertThat(walkIds(walker(DirectoryHandle::open, "follow_symlinks", true)))
                    .containsExactly("ext/x.txt", "linked.txt", "real.txt");
        } finally {
            Files.delete(outside.resolve("x.txt"));
            Files.delete(outside);
        }
    }

    @Test
    void byPathHandleRefusesToOpenALinkedDirectoryWhenNotFollowing() throws IOException {
        Files.createDirectories(root.resolve("real"));
        Files.createSymbolicLink(root.resolve("link"), root.resolve("real"));
        try (DirectoryHandle handle = DirectoryHandle.openByPath(root)) {
            assertThatThrownBy(() -> handle.openDirectory("link", false)).isInstanceOf(IOException.class);
            handle.openDirectory("link", true).close();
        }
    }

    // ------------------------------------------------------------------------------------------ skipped entries

    @Test
    void specialFilesAreNeverOpened() throws Exception {
        write(root, "regular.txt", "r");
        Path fifo = root.resolve("fifo");
        assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "mkfifo");
        Files.createSymbolicLink(root.resolve("link-to-fifo"), fifo);
        try (ServerSocketChannel socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            socket.bind(UnixDomainSocketAddress.of(root.resolve("socket")));

            // Opening the FIFO would block until a writer came: the walk would hang here.
            DirectoryWalker walker = walker(DirectoryHandle::open, "follow_symlinks", true);
            assertThat(walkIds(walker)).containsExactly("regular.txt");
            assertThat(walker.report().count(Skip.NOT_REGULAR)).isEqualTo(3);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("openers")
    void unreadableDirectoriesAreSkippedAndReportedWhileUnreadableFilesAreListed(String kind,
            DirectoryWalker.Opener opener) throws IOException {
        write(root, "ok.txt", "ok");
        write(root, "secret.txt", "s");
        write(root, "private/inside.txt", "i");
        write(root, "public/listed.txt", "l");
        // Root reads everything, so a refusal is injected where the operating system would give it.
        DirectoryWalker.Opener denying = dir -> new Denying(opener.open(dir), Set.of("secret.txt", "private"));
        ListAppender<ILoggingEvent> log = captureWalkLog();
        try {
            DirectoryWalker walker = DirectoryWalker.open(config(root), "test-connector", denying);

            // The walk never opens a file, so a file it could not read is listed; fetch reports it (FileFetcherTest).
            assertThat(walkIds(walker)).containsExactly("ok.txt", "public/listed.txt", "secret.txt");
            assertThat(walker.report().count(Skip.UNREADABLE)).isEqualTo(1);
            assertThat(messages(log)).containsExactly(
                    "[test-connector] skipped 'private' in " + root + ": permission denied",
                    "[test-connector] walk of " + root + " completed: 3 documents from 2 directories; 1 unreadable");
        } finally {
            detach(log);
        }
    }

    @Test
    void brokenAndSelfReferencingLinksAreUnreadable() throws IOException {
        write(root, "ok.txt", "ok");
        Files.createSymbolicLink(root.resolve("broken"), root.resolve("missing"));
        Files.createSymbolicLink(root.resolve("self"), root.resolve("self"));

        DirectoryWalker walker = walker(DirectoryHandle::open, "follow_symlinks", true);

        assertThat(walkIds(walker)).containsExactly("ok.txt");
        assertThat(walker.report().count(Skip.UNREADABLE)).isEqualTo(2);
    }

    @Test
    void permissionDeniedByTheOperatingSystemHidesADirectoryButNotTheVersionOfAFile() throws IOException {
        write(root, "ok.txt", "ok");
        Path secret = write(root, "secret.txt", "s");
        Files.setLastModifiedTime(secret, FileTime.from(Instant.parse("2024-01-02T03:04:05.000000006Z")));
        Path closed = Files.createDirectories(root.resolve("closed"));
        write(root, "closed/inside.txt", "i");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));
        Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("---------"));
        try {
            assumeFalse(Files.isReadable(secret), "running as root: permissions are not enforced");

            DirectoryWalker walker = walker(DirectoryHandle::open);
            List<SourceDocument> listed = new ArrayList<>();
            for (SourceDocument doc = walker.next(); doc != null; doc = walker.next()) {
                listed.add(doc);
            }
            walker.close();
            // Listing is a stat: a file nobody may open is listed with its version, proof that it was not opened.
            assertThat(listed).extracting(SourceDocument::id).containsExactly("ok.txt", "secret.txt");
            assertThat(listed.get(1).version()).hasValue("1704164645.000000006:1:text-1048576");
            assertThat(listed).allSatisfy(doc -> assertThat(doc.isDeferred()).isTrue());
            assertThat(walker.report().count(Skip.UNREADABLE)).isEqualTo(1);
        } finally {
            Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("openers")
    void listingOpensNoRegularFile(String kind, DirectoryWalker.Opener opener) throws IOException {
        for (int i = 0; i < 30; i++) {
            write(root, "d" + (i % 3) + "/f" + i + ".txt", "text " + i);
        }
        AtomicInteger opened = new AtomicInteger();
        DirectoryWalker.Opener counting = dir -> new Fixtures.Counting(opener.open(dir), opened);

        assertThat(walkIds(DirectoryWalker.open(config(root), "test-connector", counting))).hasSize(30);
        assertThat(opened).as("files opened by the walk").hasValue(0);

        DirectoryDataSource source = new DirectoryDataSource(config(root), Fixtures.CONTEXT, counting);
        List<SourceDocument> listed = Fixtures.readAll(source.getDocs(SyncRules.NONE));
        assertThat(opened).as("files opened by getDocs").hasValue(0);
        assertThat(Fixtures.built(source, listed.subList(0, 7))).hasSize(7);
        assertThat(opened).as("files opened by fetch, for the 7 asked for").hasValue(7);
    }

    @Test
    void fileRemovedBetweenListingAndReadingIsSkippedQuietly() throws IOException {
        write(root, "a/1.txt", "1");
        write(root, "a/2.txt", "2");
        write(root, "a/3.txt", "3");
        ListAppender<ILoggingEvent> log = captureWalkLog();
        try {
            DirectoryWalker walker = walker(DirectoryHandle::open);
            assertThat(walker.next().id()).isEqualTo("a/1.txt");
            Files.delete(root.resolve("a/2.txt"));

            assertThat(walkIds(walker)).containsExactly("a/3.txt");
            assertThat(walker.report().count(Skip.VANISHED)).isEqualTo(1);
            assertThat(messages(log)).isEmpty();
        } finally {
            detach(log);
        }
    }

    @Test
    void aWalkThatSkippedFilesQuietlySaysSoInOneInfoLine() throws IOException {
        write(root, "a/1.txt", "1");
        write(root, "a/2.txt", "2");
        write(root, "a/3.txt", "3");
        write(root, "a/notes.tmp", "excluded");
        write(root, "b.tmp", "excluded");
        ListAppender<ILoggingEvent> log = captureWalkLog();
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(WalkReport.class))
                .setLevel(ch.qos.logback.classic.Level.INFO);
        try {
            DirectoryWalker walker = walker(DirectoryHandle::open, "exclude", List.of("**/*.tmp"));
            assertThat(walker.next().id()).isEqualTo("a/1.txt");
            Files.delete(root.resolve("a/2.txt"));

            assertThat(walkIds(walker)).containsExactly("a/3.txt");
            assertThat(messages(log)).containsExactly("[test-connector] walk of " + root + " completed: 2 documents from"
                    + " 2 directories; 1 vanished before they were read, 2 files excluded by the patterns");
        } finally {
            detach(log);
        }
    }

    @Test
    void aFileWhoseNameHoldsANewlineIsSyncedByTheDefaultInclude() throws IOException {
        write(root, "two\nlines.txt", "a");
        write(root, "dir\r\n/x", "b");

        assertThat(walkIds(walker(DirectoryHandle::open))).containsExactly("dir\r\n/x", "two\nlines.txt");
        assertThat(Fixtures.readBuilt(Fixtures.source(root))).extracting(doc -> doc.fields().get("name"))
                .containsExactlyInAnyOrder("x", "two\nlines.txt");
    }

    @Test
    void aStormOfProblemsIsLoggedAFewTimesThenCounted() throws IOException {
        Set<String> denied = new HashSet<>();
        for (int i = 0; i < 12; i++) {
            write(root, "d" + i + "/f", "x");
            denied.add("d" + i);
        }
        write(root, "ok", "ok");
        ListAppender<ILoggingEvent> log = captureWalkLog();
        try {
            DirectoryWalker walker = DirectoryWalker.open(config(root), "test-connector",
                    dir -> new Denying(DirectoryHandle.open(dir), denied));

            assertThat(walkIds(walker)).containsExactly("ok");
            assertThat(messages(log)).hasSize(WalkReport.LOGGED_PROBLEMS + 1);
            assertThat(messages(log)).last().asString()
                    .contains("1 documents", "12 unreadable", "(7 problems not logged individually)");
        } finally {
            detach(log);
        }
    }

    @Test
    void rootThatCannotBeListedFailsAndIsClosed() {
        List<String> closed = new ArrayList<>();
        DirectoryWalker.Opener failingList = dir -> new Denying(DirectoryHandle.open(dir), Set.of()) {
            @Override
            public List<String> sortedNames() throws IOException {
                throw new AccessDeniedException(dir.toString());
            }

            @Override
            public void close() throws IOException {
                closed.add("root");
                super.close();
            }
        };

        assertThatThrownBy(() -> DirectoryWalker.open(config(root), "test-connector", failingList))
                .isInstanceOf(SourceException.class)
                .hasMessage("directory " + root + " cannot be read: permission denied");
        assertThat(closed).containsExactly("root");
    }

    @Test
    void closeIsIdempotentAndClosesEveryOpenDirectory() throws IOException {
        write(root, "a/b/c/file.txt", "x");
        write(root, "a/b/c/other.txt", "x");
        DirectoryWalker walker = walker(DirectoryHandle::open);
        walker.next();
        assertThat(walker.depth()).isEqualTo(4);

        walker.close();
        walker.close();

        assertThat(walker.depth()).isZero();
    }

    // ------------------------------------------------------------------------------------------ large trees

    @Test
    void twoThousandFilesAreEmittedExactlyOnceOnDemandInSmallBatches() throws IOException {
        for (int d = 0; d < 20; d++) {
            for (int f = 0; f < 100; f++) {
                write(root, String.format("d%02d/f%03d.txt", d, f), "file " + d + "/" + f);
            }
        }
        DirectoryWalker lazy = walker(DirectoryHandle::open);
        lazy.next();
        assertThat(lazy.report().directories()).as("directories listed for the first document").isEqualTo(2);
        lazy.close();

        List<String> ids = new ArrayList<>();
        AtomicLong requested = new AtomicLong();
        AtomicLong overflow = new AtomicLong();
        Flux<SourceDocument> docs = Fixtures.source(root).getDocs(SyncRules.NONE)
                .doOnNext(doc -> {
                    ids.add(doc.id());
                    if (ids.size() > requested.get()) {
                        overflow.incrementAndGet();
                    }
                })
                .doOnRequest(requested::addAndGet);
        StepVerifier.Step<SourceDocument> step = StepVerifier.create(docs, 0).expectSubscription();
        for (int batch = 0; batch < 2000 / 8; batch++) {
            step = step.thenRequest(8).expectNextCount(8);
        }
        step.thenRequest(8).verifyComplete();

        assertThat(overflow).hasValue(0);
        assertThat(ids).hasSize(2000).doesNotHaveDuplicates();
        assertThat(ids).isSorted();
    }

    /** Refuses to open the entries with the given names, as the operating system would for another user. */
    static class Denying implements DirectoryHandle {
        private final DirectoryHandle delegate;
        private final Set<String> denied;

        Denying(DirectoryHandle delegate, Set<String> denied) {
            this.delegate = delegate;
            this.denied = denied;
        }

        @Override
        public List<String> sortedNames() throws IOException {
            return delegate.sortedNames();
        }

        @Override
        public BasicFileAttributes attributes(String name, boolean follow) throws IOException {
            return delegate.attributes(name, follow);
        }

        @Override
        public DirectoryHandle openDirectory(String name, boolean follow) throws IOException {
            if (denied.contains(name)) {
                throw new AccessDeniedException(name);
            }
            return new Denying(delegate.openDirectory(name, follow), denied);
        }

        @Override
        public SeekableByteChannel openFile(String name, boolean follow) throws IOException {
            if (denied.contains(name)) {
                throw new AccessDeniedException(name);
            }
            return delegate.openFile(name, follow);
        }

        @Override
        public Object key() throws IOException {
            return delegate.key();
        }

        @Override
        public void close() throws IOException {
            delegate.close();
        }
    }

    // ------------------------------------------------------------------------------------------ cancellation

    @ParameterizedTest(name = "{0}")
    @MethodSource("openers")
    void anInterruptedWalkStopsAtOnceAndClosesItsDirectories(String kind, DirectoryWalker.Opener opener) throws IOException {
        for (int i = 0; i < 50; i++) {
            write(root, "d" + (i % 5) + "/f" + i + ".txt", "text " + i);
        }
        DirectoryWalker walker = walker(opener);
        assertThat(walker.next()).isNotNull();
        assertThat(walker.depth()).isGreaterThan(0);
        Thread.currentThread().interrupt();
        try {
            // The cancel of a sync interrupts the walking thread: nothing more is read, nothing is reported unreadable.
            assertThat(walker.next()).isNull();
            assertThat(walker.interrupted()).isTrue();
            for (Skip skip : Skip.values()) {
                assertThat(walker.report().count(skip)).as("files skipped as %s", skip).isZero();
            }
        } finally {
            Thread.interrupted();
        }
        walker.close();
        assertThat(walker.depth()).isZero();
    }

    @Test
    void aCanceledSyncNeverLooksComplete() throws IOException {
        for (int i = 0; i < 20; i++) {
            write(root, "f" + i + ".txt", "text " + i);
        }
        DirectoryDataSource source = new DirectoryDataSource(config(root), new io.connectors.spi.SourceContext("c"), DirectoryHandle::open);
        // An interrupt while walking (as a canceled subscription causes) ends the flux with an error, not a completion.
        StepVerifier.create(source.getDocs(SyncRules.NONE).doOnNext(d -> Thread.currentThread().interrupt()).take(5))
                .expectNextCount(1)
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(SourceException.class).hasMessageContaining("interrupted"))
                .verify();
        Thread.interrupted();
    }
}
