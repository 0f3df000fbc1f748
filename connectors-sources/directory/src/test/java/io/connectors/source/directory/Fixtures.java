package io.connectors.source.directory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.connectors.spi.SourceConfig;
import io.connectors.spi.SourceContext;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SyncRules;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** Builds trees, configurations and sources for the tests, and captures the walk's log lines. */
final class Fixtures {
    static final SourceContext CONTEXT = new SourceContext("test-connector");

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
        return (DirectoryDataSource) new DirectoryDataSourceProvider()
                .create(SourceConfig.from(DirectoryConfig.FIELDS, raw(root, keyValues)), CONTEXT);
    }

    static List<SourceDocument> readAll(Flux<SourceDocument> docs) {
        List<SourceDocument> out = new ArrayList<>();
        StepVerifier.create(docs.doOnNext(out::add)).thenConsumeWhile(d -> true).verifyComplete();
        return out;
    }

    static List<SourceDocument> readAll(DirectoryDataSource source) {
        return readAll(source.getDocs(SyncRules.NONE));
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
