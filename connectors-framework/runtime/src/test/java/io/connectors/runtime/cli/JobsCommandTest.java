package io.connectors.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobsCommandTest {

    @Test
    void documentProblemsListsTheSamplesWithTheirCounts() {
        Map<String, Object> job = Map.of(
                "counts", Map.of("failed", 31, "dropped", 1),
                "failed_documents", List.of(Map.of("id", "chaos.readings/100", "operation", "index", "status", 400,
                        "error_type", "document_parsing_exception", "reason", "failed to parse field [v] of type [long]")),
                "dropped_documents", List.of(Map.of("id", "chaos.blobs/3", "operation", "index",
                        "error_type", "too_large", "reason", "its source is 2000100 bytes")));

        String text = JobsCommand.documentProblems(job);

        assertThat(text.lines().toList()).containsExactly(
                "failed documents (first 1 of 31):",
                "  index chaos.readings/100: document_parsing_exception: failed to parse field [v] of type [long]",
                "dropped documents (first 1 of 1):",
                "  index chaos.blobs/3: too_large: its source is 2000100 bytes");
    }

    @Test
    void aJobWithoutProblemsPrintsNothing() {
        assertThat(JobsCommand.documentProblems(Map.of("counts", Map.of("failed", 0)))).isEmpty();
        assertThat(JobsCommand.documentProblems(Map.of("failed_documents", List.of()))).isEmpty();
    }
}
