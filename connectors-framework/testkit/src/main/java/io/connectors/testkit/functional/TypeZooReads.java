package io.connectors.testkit.functional;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.spi.BaseDataSource;
import io.connectors.spi.DataSourceProvider;
import io.connectors.spi.SourceContext;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.config.SourceConfig;
import io.connectors.spi.rules.SyncRules;
import io.connectors.testkit.contract.DeferredDocuments;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A source's side of its type zoo ({@link SourceFixture#loadTypeZoo}), for a unit test in {@code make test}: the zoo
 * read through the source, every document built, twice with the same versions (so a re-sync writes nothing).
 * Elasticsearch's side is the type-zoo step of {@code make ftest}.
 */
public final class TypeZooReads {
    private TypeZooReads() {
    }

    /**
     * Reads the zoo twice with a new source of {@code provider}, checks both reads, closes the source.
     *
     * @return the documents of the first read, built
     */
    public static List<SourceDocument> twice(DataSourceProvider provider, SourceFixture.TypeZoo zoo, Duration timeout) {
        BaseDataSource source = provider.create(SourceConfig.from(provider.configFields(), zoo.configuration()),
                new SourceContext("type-zoo"));
        try {
            List<SourceDocument> first = read(source, timeout);
            List<SourceDocument> second = read(source, timeout);
            assertThat(first).as("the zoo's documents").hasSize((int) zoo.documents());
            assertThat(versions(second)).as("versions of a second read").isEqualTo(versions(first));
            return first;
        } finally {
            source.close().block(timeout);
        }
    }

    private static List<SourceDocument> read(BaseDataSource source, Duration timeout) {
        return DeferredDocuments.build(source, source.getDocs(SyncRules.NONE).collectList().block(timeout), timeout);
    }

    private static Map<String, String> versions(List<SourceDocument> documents) {
        return documents.stream().collect(Collectors.toMap(SourceDocument::id, d -> String.valueOf(d.version())));
    }
}
