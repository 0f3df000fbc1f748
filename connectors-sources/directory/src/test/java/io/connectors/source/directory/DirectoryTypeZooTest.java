package io.connectors.source.directory;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.spi.SourceDocument;
import io.connectors.testkit.functional.TypeZooReads;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The type zoo of {@code make ftest NAME=directory}, read by the source: every file is a document (the newline in a
 * name included), twice with the same versions, so a re-sync writes nothing. Elasticsearch's side is the ftest's
 * type-zoo step, through the daemon.
 */
class DirectoryTypeZooTest {
    @TempDir
    Path work;

    @Test
    void everyFileIsReadAndReadsTheSameTwice() throws Exception {
        List<SourceDocument> documents = TypeZooReads.twice(new DirectoryDataSourceProvider(),
                DirectoryTypeZoo.load(work.resolve("zoo")), Duration.ofSeconds(30));

        assertThat(documents.stream().map(SourceDocument::id)).contains("b/new\nline.txt", "b/tab\there.txt");
    }
}
