package io.connectors.source.directory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.connectors.spi.SourceContext;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.config.SourceConfig;
import io.connectors.spi.rules.SyncRules;
import io.connectors.testkit.contract.DeferredDocuments;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** Builds trees, configurations and sources for the tests, and captures the walk's log lines. */
final class Fixtures {
    /** A directory connector as configured by default: it extracts content. */
    static final SourceContext CONTEXT = new SourceContext("test-connector",
            io.connectors.spi.network.NetworkPolicy.defaults(), true);

    private Fixtures() {
    }

    static Path write(Path root, String relativePath, String text) throws IOException {
        return write(root, relativePath, text.getBytes(StandardCharsets.UTF_8));
    }

    static Path write(Path root, String relativePath, byte[] bytes) throws IOException {
        Path file = root.resolve(relativePath);
        Files.createDirectories(file.getParent());
        return Files.write(file, bytes);
    }

    /** A raw configuration for {@code root} with the given extra fields, as key, value, key, value... */
    static Map<String, Object> raw(Path root, Object... keyValues) {
        Map<String, Object> raw = new LinkedHashMap<>();
        raw.put("path", root.toString());
        for (int i = 0; i < keyValues.length; i += 2) {
            raw.put((String) keyValues[i], keyValues[i + 1]);
        }
        return raw;
    }

    static DirectoryConfig config(Path root, Object... keyValues) {
        return DirectoryConfig.from(SourceConfig.from(DirectoryConfig.FIELDS, raw(root, keyValues)));
    }

    static DirectoryDataSource source(Path root, Object... keyValues) {
        return source(CONTEXT, root, keyValues);
    }

    static DirectoryDataSource source(SourceContext context, Path root, Object... keyValues) {
        return (DirectoryDataSource) new DirectoryDataSourceProvider()
                .create(SourceConfig.from(DirectoryConfig.FIELDS, raw(root, keyValues)), context);
    }

    static List<SourceDocument> readAll(Flux<SourceDocument> docs) {
        List<SourceDocument> out = new ArrayList<>();
        StepVerifier.create(docs.doOnNext(out::add)).thenConsumeWhile(d -> true).verifyComplete();
        return out;
    }

    /** Lists the tree and builds the listed documents with {@code fetch}, as the runtime does for new files. */
    static List<SourceDocument> readBuilt(DirectoryDataSource source) {
        return built(source, readAll(source.getDocs(SyncRules.NONE)));
    }

    /** {@code docs} built by the source's {@code fetch}, in batches, as the runtime builds them. */
    static List<SourceDocument> built(DirectoryDataSource source, List<SourceDocument> docs) {
        return DeferredDocuments.build(source, docs, Duration.ofSeconds(30));
    }

    /** Walks the whole tree with the walker itself, closing it. */
    static List<String> walkIds(DirectoryWalker walker) {
        List<String> ids = new ArrayList<>();
        try (walker) {
            for (SourceDocument doc = walker.next(); doc != null; doc = walker.next()) {
                ids.add(doc.id());
            }
        }
        return ids;
    }

    /** A handle that counts the regular files opened through it and through the directories it opens. */
    static final class Counting extends Delegating {
        private final AtomicInteger files;

        Counting(DirectoryHandle delegate, AtomicInteger files) {
            super(delegate);
            this.files = files;
        }

        @Override
        public DirectoryHandle openDirectory(String name, boolean follow) throws IOException {
            return new Counting(super.openDirectory(name, follow), files);
        }

        @Override
        public SeekableByteChannel openFile(String name, boolean follow) throws IOException {
            files.incrementAndGet();
            return super.openFile(name, follow);
        }
    }

    /** Passes every call to another handle; tests override what they change. */
    static class Delegating implements DirectoryHandle {
        private final DirectoryHandle delegate;

        Delegating(DirectoryHandle delegate) {
            this.delegate = delegate;
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
            return delegate.openDirectory(name, follow);
        }

        @Override
        public SeekableByteChannel openFile(String name, boolean follow) throws IOException {
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

    /** Captures what {@link WalkReport} logs, from WARN up; detach with {@link #detach}. */
    static ListAppender<ILoggingEvent> captureWalkLog() {
        Logger logger = (Logger) LoggerFactory.getLogger(WalkReport.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        logger.setLevel(Level.WARN);
        return appender;
    }

    static void detach(ListAppender<ILoggingEvent> appender) {
        ((Logger) LoggerFactory.getLogger(WalkReport.class)).detachAppender(appender);
    }

    static List<String> messages(ListAppender<ILoggingEvent> appender) {
        return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
}
