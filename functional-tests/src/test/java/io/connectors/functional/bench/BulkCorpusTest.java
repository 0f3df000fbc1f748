package io.connectors.functional.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BulkCorpusTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void theActionLineIsAnIndexOperationWithTheIdEscaped() throws Exception {
        String line = new String(BulkCorpus.actionLine("a \"quoted\"\\path/é\n"), StandardCharsets.UTF_8);

        assertThat(line).endsWith("\n").doesNotContain("\r");
        assertThat(line.substring(0, line.length() - 1)).doesNotContain("\n");
        JsonNode parsed = JSON.readTree(line);
        assertThat(parsed.path("index").path("_id").asText()).isEqualTo("a \"quoted\"\\path/é\n");
        assertThat(parsed.size()).isEqualTo(1);
    }

    @Test
    void bodiesAreConsecutiveDocumentsAsNdjsonPairs() throws Exception {
        BulkCorpus.Writer writer = BulkCorpus.writer(tmp.resolve("corpus.ndjson"));
        for (int i = 0; i < 5; i++) {
            writer.add("doc-" + i, ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8));
        }
        try (BulkCorpus corpus = writer.finish()) {
            assertThat(corpus.documents()).isEqualTo(5);
            List<BulkCorpus.Body> bodies = corpus.bodies(2);
            assertThat(bodies).extracting(BulkCorpus.Body::first).containsExactly(0, 2, 4);
            assertThat(bodies).extracting(BulkCorpus.Body::count).containsExactly(2, 2, 1);
            assertThat(bodies.get(2).to()).isEqualTo(corpus.bytes());

            assertThat(new String(corpus.read(bodies.get(1)), StandardCharsets.UTF_8)).isEqualTo(
                    "{\"index\":{\"_id\":\"doc-2\"}}\n{\"n\":2}\n{\"index\":{\"_id\":\"doc-3\"}}\n{\"n\":3}\n");
            assertThat(corpus.bodies(1000)).singleElement()
                    .satisfies(b -> assertThat(b.to() - b.from()).isEqualTo(corpus.bytes()));
            assertThat(corpus.bodies(2, 3)).extracting(BulkCorpus.Body::count).containsExactly(2, 1);
        }
    }

    @Test
    void aDocumentOnSeveralLinesIsRefused() throws Exception {
        try (BulkCorpus.Writer writer = BulkCorpus.writer(tmp.resolve("corpus.ndjson"))) {
            assertThatThrownBy(() -> writer.add("x", "{\n}".getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("x");
        }
    }

    @Test
    void anEmptyCorpusHasNoBodies() throws Exception {
        try (BulkCorpus corpus = BulkCorpus.writer(tmp.resolve("empty.ndjson")).finish()) {
            assertThat(corpus.documents()).isZero();
            assertThat(corpus.bodies(500)).isEmpty();
        }
    }

    @Test
    void theIndexBodyHasTheDaemonsBookkeepingFields() {
        var body = io.connectors.runtime.sync.TargetIndex.createBody(new io.connectors.runtime.sync.TargetIndex.IndexMappings(
                java.util.Map.of("content", java.util.Map.of("type", "text")), false));

        assertThat(body).extractingByKey("mappings").asString()
                .contains("content", "_sync_id", "_sync_stamp", "doc_values=true");
        assertThat(body).extractingByKey("settings").asString().contains("auto_expand_replicas=0-1");
    }
}
