package io.connectors.functional.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchReportTest {

    @TempDir
    Path tmp;

    private static BenchReport report() {
        return new BenchReport("directory")
                .condition("date", "2026-11-21")
                .condition("elasticsearch", "8.19.21")
                .figure(Figure.info("elasticsearch_ceiling", "Elasticsearch ceiling", 10000, "10,000 docs/s"))
                .figure(Figure.target("full_sync_ratio", "Full sync / min(ceilings)", 0.8, "0.80",
                        Figure.Goal.AT_LEAST, 0.9))
                .figure(Figure.absent("incremental_fraction", "Incremental | 1%", "n/a (source has no incremental sync)",
                        Figure.Goal.AT_MOST, 0.05, "n/a"))
                .note("The index equals the source.")
                .section(new BenchReport.Section("Trials", List.of("Batch", "Docs/s"), List.of(List.of("500", "9,000"))));
    }

    @Test
    void theTableHasOneRowPerFigureWithTargetAndVerdict() {
        String table = report().table();

        assertThat(table.lines()).containsExactly(
                "| Figure | Value | Target | Verdict |",
                "| --- | --- | --- | --- |",
                "| Elasticsearch ceiling | 10,000 docs/s | — | — |",
                "| Full sync / min(ceilings) | 0.80 | ≥ 0.90 | MISS by 0.10 (11% below the target) |",
                "| Incremental \\| 1% | n/a (source has no incremental sync) | ≤ 0.050 | n/a |");
    }

    @Test
    void theMarkdownHasConditionsNotesAndSections() {
        String md = report().markdown();

        assertThat(md).startsWith("# Benchmark: directory\n\n- date: 2026-11-21\n- elasticsearch: 8.19.21\n");
        assertThat(md).contains("- The index equals the source.", "## Trials", "| 500 | 9,000 |");
    }

    @Test
    void markdownAndJsonAreWrittenWithTheSameFigures() throws Exception {
        BenchReport r = report().detail("trials", List.of(java.util.Map.of("batch_size", 500)));
        Path md = r.write(tmp);

        assertThat(md.getFileName()).hasToString("bench-directory.md");
        assertThat(Files.readString(md)).isEqualTo(r.markdown());
        JsonNode json = new ObjectMapper().readTree(tmp.resolve("bench-directory.json").toFile());
        assertThat(json.path("source").asText()).isEqualTo("directory");
        assertThat(json.path("conditions").path("elasticsearch").asText()).isEqualTo("8.19.21");
        assertThat(json.path("figures")).hasSize(3);
        JsonNode ratio = json.path("figures").get(1);
        assertThat(ratio.path("value").asDouble()).isEqualTo(0.8);
        assertThat(ratio.path("target").path("goal").asText()).isEqualTo("at_least");
        assertThat(ratio.path("verdict").asText()).isEqualTo("MISS");
        assertThat(ratio.path("missed_by").asDouble()).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(json.path("figures").get(2).path("value").isNull()).isTrue();
        assertThat(json.path("details").path("trials").get(0).path("batch_size").asInt()).isEqualTo(500);
    }

    @Test
    void aSectionRowMustHaveEveryColumn() {
        assertThatThrownBy(() -> new BenchReport.Section("T", List.of("a", "b"), List.of(List.of("1"))))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
