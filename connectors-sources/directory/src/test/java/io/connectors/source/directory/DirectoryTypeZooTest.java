package io.connectors.source.directory;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.spi.BaseDataSource;
import io.connectors.spi.SourceConfig;
import io.connectors.spi.SourceContext;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SyncRules;
import io.connectors.testkit.contract.DeferredDocuments;
import io.connectors.testkit.functional.SourceFixture.TypeZoo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The type zoo of {@code make ftest NAME=directory}, read by the source: every file is a document (the newline in a
 * name included), twice with the same versions, so a re-sync writes nothing. Elasticsearch's side is the ftest's
 * type-zoo step, through the daemon.
 */
class DirectoryTypeZooTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path work;

    @Test
    void everyFileIsReadAndReadsTheSameTwice() throws Exception {
        TypeZoo zoo = DirectoryTypeZoo.load(work.resolve("zoo"));
        DirectoryDataSourceProvider provider = new DirectoryDataSourceProvider();
        BaseDataSource source = provider.create(SourceConfig.from(provider.configFields(), zoo.configuration()),
                new SourceContext("zoo"));
        try {
            List<SourceDocument> first = read(source);
            List<SourceDocument> second = read(source);

            assertThat(first).hasSize((int) zoo.documents());
            assertThat(versions(second)).isEqualTo(versions(first));
            assertThat(versions(first).keySet()).contains("b/new\nline.txt", "b/tab\there.txt");
        } finally {
            source.close().block(WAIT);
        }
    }

    private static List<SourceDocument> read(BaseDataSource source) {
        List<SourceDocument> listed = source.getDocs(SyncRules.NONE).collectList().block(WAIT);
        return DeferredDocuments.build(source, listed, WAIT);
    }

    private static Map<String, String> versions(List<SourceDocument> documents) {
        return documents.stream().collect(Collectors.toMap(SourceDocument::id, d -> String.valueOf(d.version())));
    }
}
